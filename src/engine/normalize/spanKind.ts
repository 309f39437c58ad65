// Which kind of AI step a span is, in the reference's detection order (first match wins).
// The OTel SpanKind is never used: OpenInference marks LLM calls INTERNAL, for one.
import type { Attributes, SpanKind } from '../../shared/spanModel';
import type { SpanContext } from './spanContext';
import * as haystack from './conventions/haystack';
import * as mastra from './conventions/mastra';
import { MAX_INGEST_JSON_CHARS, dig, hasIndexedList, ownEntry, parseJson } from './attributeReader';

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
  // One turn of an agent's loop (the AI SDK from v7).
  agent_step: 'CHAIN',
  guardrail: 'GUARDRAIL',
  // AgentOps' decorator kinds (a session is the run at the root, an operation a step of it).
  session: 'CHAIN', operation: 'CHAIN', team: 'AGENT',
  // Gemini CLI's operation names.
  llm_call: 'LLM', tool_call: 'TOOL', agent_call: 'AGENT', user_prompt: 'CHAIN', system_prompt: 'CHAIN', schedule_tool_calls: 'CHAIN',
  evaluator: 'EVALUATOR',
};

function byName(value: unknown): SpanKind | undefined {
  return typeof value === 'string' ? ownEntry(BY_NAME, value.toLowerCase()) : undefined;
}

const MODEL_KEYS = ['gen_ai.request.model', 'gen_ai.response.model', 'llm.model_name', 'ai.model.id', 'llm.model', 'llm.model.name'];
/** Attributes that hold a conversation with a model (with a model beside them, the span is the call). */
const MESSAGE_KEYS = ['gen_ai.output.messages', 'lk.chat_ctx', 'lk.pii.chat_ctx'];
/** GenAI message events (Semantic Kernel, LiveKit, v1.28–v1.36 instrumentations). */
const MESSAGE_EVENTS = new Set(['gen_ai.system.message', 'gen_ai.user.message', 'gen_ai.assistant.message', 'gen_ai.tool.message',
  'gen_ai.choice', 'gen_ai.content.prompt', 'gen_ai.content.completion', 'gen_ai.client.inference.operation.details']);

// Genkit names every action's type in `genkit:metadata:subtype`.
const GENKIT_SUBTYPES: Record<string, SpanKind> = {
  model: 'LLM', 'background-model': 'LLM', embedder: 'EMBEDDING', tool: 'TOOL', 'tool.v2': 'TOOL',
  retriever: 'RETRIEVER', indexer: 'RETRIEVER', reranker: 'RERANKER', evaluator: 'EVALUATOR',
  flow: 'CHAIN', util: 'CHAIN', prompt: 'CHAIN', 'executable-prompt': 'CHAIN',
};

// LiveKit Agents names its spans by pipeline step and sets no kind. `llm_node` holds the chat
// context and the reply but wraps the call itself (`llm_request`, with the usage): a model call
// counted twice would double the model's calls in the reports.
const LIVEKIT_NAMES: Record<string, SpanKind> = {
  agent_turn: 'AGENT', start_agent_activity: 'AGENT', function_tool: 'TOOL', llm_node: 'CHAIN',
};
const LIVEKIT_SCOPE = 'livekit-agents';
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
  // Google ADK before 1.x; Pydantic AI's instrumentation v2.
  [/^agent_run \[/, 'AGENT'],
  [/^agent run$/, 'AGENT'],
  [/^running (output function|tool)$/, 'TOOL'],
  [/^retrieval( |$)/, 'RETRIEVER'],
  [/^(openai|anthropic|cohere|bedrock|mistralai|gemini|vertexai|groq|ollama)\.(chat|completion|completions|messages)$/, 'LLM'],
  [/^(openai|cohere|bedrock|mistralai|gemini|vertexai|ollama)\.embeddings?$/, 'EMBEDDING'],
  // Claude Code's spans.
  [/^claude_code\.interaction$/, 'AGENT'],
  [/^claude_code\.llm_request$/, 'LLM'],
  [/^claude_code\.tool$/, 'TOOL'],
  [/^claude_code\./, 'CHAIN'],
  // Strands Agents' loop turns (TypeScript SDK; Python's older name).
  [/^execute_(agent|event)_loop_cycle$/, 'CHAIN'],
  // Microsoft Agent Framework's workflow steps.
  [/^(workflow\.run|workflow\.build|executor\.process)( |$)/, 'CHAIN'],
  // Logfire names spans by their message template (OpenAI Agents SDK).
  [/^Function: \{name\}$/, 'TOOL'],
  [/^Agent run: \{name!r\}$/, 'AGENT'],
  [/^Guardrail \{name!r\}/, 'GUARDRAIL'],
  [/^(Handoff: \{from_agent\}|OpenAI Agents trace: \{name\}|Turn \{turn\} for agent )/, 'CHAIN'],
];

export function detectKind(attrs: Attributes, spanName: string, context?: SpanContext): SpanKind {
  return logfireStreamOpening(attrs)
    ?? byName(attrs['langfuse.observation.type'])
    ?? byName(attrs['openinference.span.kind'])
    // LangSmith's run type, over the operation it derives from it (a retriever's is `embeddings`, a prompt's `chat`).
    ?? byName(attrs['langsmith.span.kind'])
    ?? byName(attrs['gen_ai.operation.name'])
    ?? byName(attrs['llm.request.type'])
    // The tutorials' ad-hoc attribute ("chat", "completion").
    ?? byName(attrs['llm.request_type'])
    ?? byName(parseJson(attrs['mlflow.spanType']) ?? attrs['mlflow.spanType'])
    ?? byName(attrs['traceloop.span.kind'])
    ?? byName(attrs['agentops.span.kind'])
    ?? genkitKind(attrs)
    ?? braintrustKind(attrs)
    ?? mastra.kind(attrs)
    ?? vercelAiKind(attrs)
    ?? mcpKind(attrs)
    ?? haystack.kind(attrs, spanName)
    ?? liveKitKind(attrs, spanName, context)
    ?? structuralKind(attrs, context)
    ?? NAME_PATTERNS.find(([pattern]) => pattern.test(spanName))?.[1]
    ?? 'UNKNOWN';
}

/**
 * Logfire records a streamed call twice: a span that ends when the stream opens (the request
 * only) and a `streaming response` log with the answer and usage. The log is the call; the span
 * is its opening, so the call counts once and is not taken for a call that got no answer.
 */
function logfireStreamOpening(attrs: Attributes): SpanKind | undefined {
  const request = attrs.request_data;
  if (typeof request !== 'string' || attrs['logfire.msg_template'] === undefined || attrs.response_data !== undefined
    || attrs['gen_ai.output.messages'] !== undefined) return undefined;
  // The request's own top-level key: inside a message's text its quotes would be escaped.
  return request.includes('"stream":true') || request.includes('"stream": true') ? 'CHAIN' : undefined;
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

// Braintrust's span types, as its SDKs set them (`braintrust.span_attributes`, JSON, or its `.type`).
const BRAINTRUST_TYPES: Record<string, SpanKind> = {
  llm: 'LLM', tool: 'TOOL', function: 'CHAIN', task: 'CHAIN', eval: 'CHAIN', score: 'EVALUATOR',
};

function braintrustKind(attrs: Attributes): SpanKind | undefined {
  const packed = attrs['braintrust.span_attributes'];
  const type = attrs['braintrust.span_attributes.type']
    ?? (typeof packed === 'string' ? dig(parseJson(packed, MAX_INGEST_JSON_CHARS), 'type') : undefined);
  return typeof type === 'string' ? ownEntry(BRAINTRUST_TYPES, type) : undefined;
}

function genkitKind(attrs: Attributes): SpanKind | undefined {
  const subtype = attrs['genkit:metadata:subtype'];
  if (typeof subtype === 'string') return ownEntry(GENKIT_SUBTYPES, subtype);
  // A flow, or a util step such as `generate` (which wraps the model and tool calls).
  const type = attrs['genkit:type'];
  return type === 'flow' || type === 'util' ? 'CHAIN' : undefined;
}

/** OTel MCP spans: a `tools/call` is the tool's execution, whichever side reports it. */
function mcpKind(attrs: Attributes): SpanKind | undefined {
  return attrs['mcp.method.name'] === 'tools/call' ? 'TOOL' : undefined;
}

function liveKitKind(attrs: Attributes, spanName: string, context: SpanContext | undefined): SpanKind | undefined {
  if (attrs['lk.function_tool.name'] !== undefined) return 'TOOL';
  const kind = ownEntry(LIVEKIT_NAMES, spanName);
  if (!kind) return undefined;
  const fromLiveKit = context?.scope?.name === LIVEKIT_SCOPE || attrs['lk.generation_id'] !== undefined
    || attrs['lk.speech_id'] !== undefined || attrs['lk.chat_ctx'] !== undefined || attrs['lk.pii.chat_ctx'] !== undefined;
  return fromLiveKit ? kind : undefined;
}

/** Whether an event can change a span's kind (its first message event makes a span with a model an LLM call). */
export function isMessageEventName(name: string): boolean {
  return MESSAGE_EVENTS.has(name);
}

function hasMessageEvents(context: SpanContext | undefined): boolean {
  const events = context?.events;
  if (!events) return false;
  for (const event of events) if (MESSAGE_EVENTS.has(event.name)) return true;
  return false;
}

/** Google ADK fills `llm_request` with `{}` on tool spans; only a real request marks an LLM call. */
function hasAdkRequest(attrs: Attributes): boolean {
  const request = attrs['gcp.vertex.agent.llm_request'];
  return typeof request === 'string' && request.length > 2;
}

function structuralKind(attrs: Attributes, context?: SpanContext): SpanKind | undefined {
  if (attrs['gen_ai.tool.name'] !== undefined || attrs['gen_ai.tool.call.id'] !== undefined) return 'TOOL';
  if (hasIndexedList(attrs, 'retrieval.documents') || attrs['gen_ai.retrieval.documents'] !== undefined) return 'RETRIEVER';
  if (hasIndexedList(attrs, 'embedding.embeddings')) return 'EMBEDDING';
  if (hasIndexedList(attrs, 'llm.input_messages') || hasIndexedList(attrs, 'gen_ai.prompt')
    || attrs['gen_ai.input.messages'] !== undefined || attrs['ai.prompt.messages'] !== undefined) return 'LLM';
  const hasModel = MODEL_KEYS.some((k) => attrs[k] !== undefined);
  if (hasModel && (USAGE_KEYS.some((k) => attrs[k] !== undefined) || attrs['llm.prompt'] !== undefined
    || MESSAGE_KEYS.some((k) => attrs[k] !== undefined) || hasAdkRequest(attrs) || hasMessageEvents(context))) return 'LLM';
  // An agent run that names its agent and sets no operation (Pydantic AI before instrumentation v3).
  if (attrs['pydantic_ai.all_messages'] !== undefined || attrs['all_messages_events'] !== undefined) return 'AGENT';
  // A step of a Koog agent's strategy graph (its LLM and tool calls are spans of their own).
  if (attrs['koog.node.name'] !== undefined) return 'CHAIN';
  return undefined;
}
