// Which kind of AI step a span is, in the reference's detection order (first match wins).
// The OTel SpanKind is never used: OpenInference marks LLM calls INTERNAL, for one.
import type { Attributes, SpanKind } from '../../shared/spanModel';
import { hasIndexedList, parseJson } from './attributeReader';

const BY_NAME: Record<string, SpanKind> = {
  // OpenInference, Langfuse, MLflow and OpenLLMetry words, lowercased.
  llm: 'LLM', generation: 'LLM', chat_model: 'LLM', chat: 'LLM', completion: 'LLM', text_completion: 'LLM',
  generate_content: 'LLM', generate: 'LLM', 'chat.completions': 'LLM', completions: 'LLM',
  embedding: 'EMBEDDING', embeddings: 'EMBEDDING',
  chain: 'CHAIN', task: 'CHAIN', workflow: 'CHAIN', invoke_workflow: 'CHAIN', parser: 'CHAIN', prompt: 'CHAIN', span: 'CHAIN',
  retriever: 'RETRIEVER', retrieval: 'RETRIEVER', memory: 'RETRIEVER', search_memory: 'RETRIEVER',
  reranker: 'RERANKER', rerank: 'RERANKER',
  tool: 'TOOL', execute_tool: 'TOOL',
  agent: 'AGENT', invoke_agent: 'AGENT', create_agent: 'AGENT', plan: 'AGENT',
  guardrail: 'GUARDRAIL',
  evaluator: 'EVALUATOR',
};

function byName(value: unknown): SpanKind | undefined {
  return typeof value === 'string' ? BY_NAME[value.toLowerCase()] : undefined;
}

const MODEL_KEYS = ['gen_ai.request.model', 'gen_ai.response.model', 'llm.model_name', 'ai.model.id', 'llm.model', 'llm.model.name'];
const USAGE_KEYS = [
  'gen_ai.usage.input_tokens', 'gen_ai.usage.output_tokens', 'gen_ai.usage.prompt_tokens', 'gen_ai.usage.completion_tokens',
  'llm.token_count.prompt', 'llm.token_count.completion', 'llm.token_count.total', 'llm.usage.total_tokens',
  'ai.usage.promptTokens', 'ai.usage.inputTokens', 'llm.tokens.input', 'llm.tokens.output', 'llm.tokens.total',
];

const NAME_PATTERNS: [RegExp, SpanKind][] = [
  [/^(chat|text_completion|generate_content)( |$)/, 'LLM'],
  [/^embeddings( |$)/, 'EMBEDDING'],
  [/^execute_tool( |$)/, 'TOOL'],
  [/^(invoke|create)_agent( |$)/, 'AGENT'],
  [/^retrieval( |$)/, 'RETRIEVER'],
  [/^(openai|anthropic|cohere|bedrock|mistralai|gemini|vertexai|groq|ollama)\.(chat|completion|completions|messages)$/, 'LLM'],
  [/^(openai|cohere|bedrock|mistralai|gemini|vertexai|ollama)\.embeddings?$/, 'EMBEDDING'],
];

export function detectKind(attrs: Attributes, spanName: string): SpanKind {
  return byName(attrs['langfuse.observation.type'])
    ?? byName(attrs['openinference.span.kind'])
    ?? byName(attrs['gen_ai.operation.name'])
    ?? byName(attrs['llm.request.type'])
    // The tutorials' ad-hoc attribute ("chat", "completion").
    ?? byName(attrs['llm.request_type'])
    ?? byName(parseJson(attrs['mlflow.spanType']) ?? attrs['mlflow.spanType'])
    ?? byName(attrs['traceloop.span.kind'])
    ?? vercelAiKind(attrs)
    ?? structuralKind(attrs)
    ?? NAME_PATTERNS.find(([pattern]) => pattern.test(spanName))?.[1]
    ?? 'UNKNOWN';
}

function vercelAiKind(attrs: Attributes): SpanKind | undefined {
  const op = attrs['ai.operationId'] ?? attrs['operation.name'];
  if (typeof op !== 'string' || !op.startsWith('ai.')) return undefined;
  const id = op.split(' ')[0];
  if (id.endsWith('.doGenerate') || id.endsWith('.doStream')) return 'LLM';
  if (id.endsWith('.doEmbed')) return 'EMBEDDING';
  if (id === 'ai.toolCall') return 'TOOL';
  return 'CHAIN';
}

function structuralKind(attrs: Attributes): SpanKind | undefined {
  if (attrs['gen_ai.tool.name'] !== undefined || attrs['gen_ai.tool.call.id'] !== undefined) return 'TOOL';
  if (hasIndexedList(attrs, 'retrieval.documents') || attrs['gen_ai.retrieval.documents'] !== undefined) return 'RETRIEVER';
  if (hasIndexedList(attrs, 'embedding.embeddings')) return 'EMBEDDING';
  if (hasIndexedList(attrs, 'llm.input_messages') || hasIndexedList(attrs, 'gen_ai.prompt')
    || attrs['gen_ai.input.messages'] !== undefined || attrs['ai.prompt.messages'] !== undefined) return 'LLM';
  const hasModel = MODEL_KEYS.some((k) => attrs[k] !== undefined);
  if (hasModel && (USAGE_KEYS.some((k) => attrs[k] !== undefined) || attrs['llm.prompt'] !== undefined)) return 'LLM';
  return undefined;
}
