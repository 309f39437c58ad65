// Raw span + ingest facts → the product's Span. Conventions are read in a fixed precedence
// (OTel GenAI's structured messages, OpenInference, OpenLLMetry, the AI SDK, the frameworks' own
// attributes, ...): the first that has a field wins.
import type { AttributeValue, Attributes, Message, Span, ToolInfo } from '../../shared/spanModel';
import type { RawEvent, RawSpan } from '../model/rawSpan';
import { asText, firstNumber, firstString, parseJson } from './attributeReader';
import * as adhoc from './conventions/adhoc';
import * as agentOps from './conventions/agentOps';
import * as codingAgents from './conventions/codingAgents';
import * as genAi from './conventions/genAi';
import * as genkit from './conventions/genkit';
import * as googleAdk from './conventions/googleAdk';
import * as haystack from './conventions/haystack';
import * as langChain from './conventions/langChain';
import * as liveKit from './conventions/liveKit';
import * as logfire from './conventions/logfire';
import * as mastra from './conventions/mastra';
import * as mcp from './conventions/mcp';
import * as pydanticAi from './conventions/pydanticAi';
import * as openInference from './conventions/openInference';
import * as openLlmetry from './conventions/openLlmetry';
import * as vercelAi from './conventions/vercelAi';
import { callIdOf, messagesFromValue, toolArguments } from './messageParts';
import { spanStatus, type StoredSpan } from '../model/storedSpan';

const OTEL_KINDS = ['UNSPECIFIED', 'INTERNAL', 'SERVER', 'CLIENT', 'PRODUCER', 'CONSUMER'];

export function normalizeSpan(raw: StoredSpan): Span {
  const attrs = raw.attributes;
  const { facts } = raw;
  const span: Span = {
    traceId: raw.traceId,
    spanId: raw.spanId,
    parentSpanId: raw.parentSpanId,
    name: raw.name,
    kind: facts.kind,
    otelKind: OTEL_KINDS[raw.otelKind] ?? String(raw.otelKind),
    service: raw.resource.service,
    startMs: raw.startMs,
    durationMs: raw.endMs - raw.startMs,
    status: spanStatus(raw.statusCode),
    statusMessage: statusMessageOf(raw),
    model: facts.model,
    provider: facts.provider,
    tokens: facts.tokens,
    costUsd: facts.costUsd,
    costSource: facts.costSource,
    sessionId: facts.sessionId,
    userId: facts.userId,
    attributes: attrs,
    resource: raw.resource.attributes,
    scope: raw.scope.name ? raw.scope : undefined,
    events: raw.events.filter((e) => !(e.fromLog && genAi.isMessageEvent(e))).map(({ name, timeMs, attributes, body }) =>
      body === undefined ? { name, timeMs, attributes } : { name, timeMs, attributes, body }),
    links: raw.links,
  };
  const { input: inputValue, output: outputValue, inputMessages: input, outputMessages: output } = conversationOf(raw);
  if (inputValue !== undefined) span.input = inputValue;
  if (outputValue !== undefined) span.output = outputValue;
  if (input) span.inputMessages = input;
  if (output) span.outputMessages = output;
  const documents = genAi.retrievalDocuments(attrs) ?? openInference.documents(attrs)
    ?? openInference.documents(attrs, 'reranker.output_documents') ?? documentEvents(raw.events) ?? haystack.documents(attrs)
    ?? (facts.kind === 'RETRIEVER' ? langChain.documents(outputValue ?? attrs['gen_ai.completion']) : undefined);
  if (documents) span.documents = documents;
  const tool = toolInfo(attrs, span);
  if (tool) span.tool = tool;
  const params = { ...vercelAi.settings(attrs), ...adhocParams(attrs), ...genkit.parameters(attrs),
    ...openInference.invocationParameters(attrs), ...genAi.requestParameters(attrs) };
  if (Object.keys(params).length) span.invocationParameters = params;
  const finishReasons = finishReasonsOf(attrs, output);
  if (finishReasons) span.finishReasons = finishReasons;
  const source = sourceOf(attrs);
  if (source) span.source = source;
  const exceptions = raw.events.filter((e) => e.name === 'exception').map((e) => ({
    type: firstString(e.attributes, 'exception.type'),
    message: firstString(e.attributes, 'exception.message'),
    stacktrace: firstString(e.attributes, 'exception.stacktrace'),
    timeMs: e.timeMs,
  }));
  if (exceptions.length) span.exceptions = exceptions;
  if (raw.findings) span.findings = raw.findings;
  const ttft = timeToFirstTokenMs(attrs, raw);
  if (ttft !== undefined) span.timeToFirstTokenMs = ttft;
  return span;
}

/**
 * What went in and came out of a span: its input and output values and messages, as normalizeSpan
 * gives them. Alone, for what needs no more of the span (a trace's gist, made with every summary).
 */
export function conversationOf(raw: StoredSpan): Pick<Span, 'input' | 'output' | 'inputMessages' | 'outputMessages'> {
  const attrs = raw.attributes;
  const io = inputOutput(attrs);
  // An LLM span that only recorded raw input/output values still shows a conversation.
  const isLlm = raw.facts.kind === 'LLM';
  return {
    input: io.input, output: io.output,
    inputMessages: inputMessages(attrs, raw.events) ?? (isLlm ? messagesFromValue(io.input, 'user') : undefined),
    outputMessages: outputMessages(attrs, raw.events) ?? (isLlm ? messagesFromValue(io.output, 'assistant') : undefined),
  };
}

function inputMessages(attrs: Attributes, events: RawEvent[]): Message[] | undefined {
  const messages = genAi.structuredInput(attrs) ?? openInference.inputMessages(attrs) ?? openLlmetry.inputMessages(attrs)
    ?? vercelAi.inputMessages(attrs) ?? googleAdk.inputMessages(attrs) ?? genkit.inputMessages(attrs)
    ?? pydanticAi.inputMessages(attrs) ?? liveKit.inputMessages(attrs) ?? logfire.inputMessages(attrs) ?? haystack.inputMessages(attrs)
    ?? mastra.inputMessages(attrs) ?? codingAgents.claudeCodeInput(attrs)
    ?? genAi.eventInput(events) ?? genAi.legacyStrings(attrs, 'gen_ai.prompt', 'user') ?? codingAgents.loggedPrompt(events)
    ?? adhoc.inputMessages(attrs);
  // The v1.37 system prompt travels beside the history, not in it; a history may hold another
  // system message too (the Responses API's instructions beside the input's), and both were sent.
  const system = genAi.systemInstructions(attrs);
  if (system && !messages?.some((m) => m.role === 'system' && m.content === system.content)) return [system, ...(messages ?? [])];
  return messages;
}

function outputMessages(attrs: Attributes, events: RawEvent[]): Message[] | undefined {
  return codingAgents.geminiCliOutput(attrs) ?? genAi.structuredOutput(attrs) ?? openInference.outputMessages(attrs)
    ?? openLlmetry.outputMessages(attrs)
    ?? vercelAi.outputMessages(attrs) ?? googleAdk.outputMessages(attrs) ?? genkit.outputMessages(attrs)
    ?? pydanticAi.outputMessages(attrs) ?? liveKit.outputMessages(attrs) ?? logfire.outputMessages(attrs) ?? haystack.outputMessages(attrs)
    ?? mastra.outputMessages(attrs) ?? codingAgents.claudeCodeOutput(attrs)
    ?? genAi.eventOutput(events) ?? genAi.legacyStrings(attrs, 'gen_ai.completion', 'assistant') ?? codingAgents.loggedResponse(events)
    ?? adhoc.outputMessages(attrs);
}

function inputOutput(attrs: Attributes): { input?: unknown; output?: unknown } {
  return {
    input: attrs['input.value'] ?? attrs['langfuse.observation.input'] ?? attrs['mlflow.spanInputs'] ?? attrs['braintrust.input_json']
      ?? attrs['traceloop.entity.input'] ?? attrs['gen_ai.tool.call.arguments'] ?? attrs['ai.toolCall.args']
      ?? attrs.tool_arguments ?? attrs['autogen.tool.arguments'] ?? mastra.value(attrs, 'input') ?? attrs['genkit:input']
      ?? googleAdk.toolInput(attrs) ?? googleAdk.rawInput(attrs) ?? liveKit.rawInput(attrs)
      ?? attrs['haystack.component.input'] ?? attrs['haystack.pipeline.input_data']
      ?? attrs['pydantic_ai.all_messages'] ?? attrs.all_messages_events ?? agentOps.value(attrs, 'input') ?? attrs.input ?? attrs.prompt ?? undefined,
    output: attrs['output.value'] ?? attrs['langfuse.observation.output'] ?? attrs['mlflow.spanOutputs'] ?? attrs['braintrust.output_json']
      ?? attrs['traceloop.entity.output'] ?? attrs['gen_ai.tool.call.result'] ?? attrs['ai.toolCall.result']
      ?? attrs.tool_response ?? mastra.value(attrs, 'output') ?? attrs['genkit:output']
      ?? googleAdk.toolOutput(attrs) ?? googleAdk.rawOutput(attrs) ?? liveKit.rawOutput(attrs)
      ?? attrs['haystack.component.output'] ?? attrs['haystack.pipeline.output_data']
      ?? attrs.final_result ?? agentOps.value(attrs, 'output') ?? attrs.output ?? undefined,
  };
}

/** Tool span names that carry the tool's name after a verb (GenAI, MCP). */
const TOOL_NAME_PREFIX = /^(execute_tool|tools\/call) /;

function toolInfo(attrs: Attributes, span: Span): ToolInfo | undefined {
  const claudeCode = codingAgents.claudeCodeTool(attrs);
  const geminiCli = codingAgents.geminiCliTool(attrs);
  const name = firstString(attrs, 'gen_ai.tool.name', 'tool.name', 'ai.toolCall.name', 'lk.function_tool.name') ?? genkit.toolName(attrs)
    ?? logfire.toolName(attrs, span.name) ?? claudeCode?.name
    ?? (span.kind === 'TOOL' ? firstString(attrs, 'traceloop.entity.name') ?? span.name.replace(TOOL_NAME_PREFIX, '') : undefined);
  if (!name) return undefined;
  const tool: ToolInfo = { name };
  const description = firstString(attrs, 'gen_ai.tool.description', 'tool.description');
  if (description) tool.description = description;
  const callId = firstString(attrs, 'gen_ai.tool.call.id', 'tool.id', 'tool_call.id', 'ai.toolCall.id', 'lk.function_tool.id',
    'gen_ai.tool.call_id') ?? callIdOf(attrs['gen_ai.tool.call.id']);
  if (callId) tool.callId = callId;
  const server = mcp.serverName(attrs, span);
  if (server) tool.server = server;
  // Strands sends a tool's arguments and result only as the tool span's message events.
  const fromEvents = span.kind === 'TOOL';
  const args = span.input ?? claudeCode?.args ?? geminiCli?.args ?? (fromEvents ? span.inputMessages?.[0]?.content : undefined);
  const result = span.output ?? claudeCode?.result ?? geminiCli?.result ?? (fromEvents ? span.outputMessages?.[0]?.content : undefined);
  const unwrapped = mcp.unwrapOpenLlmetry(attrs, toolArguments(args), toolArguments(result));
  if (unwrapped.args !== undefined) tool.arguments = unwrapped.args;
  if (unwrapped.result !== undefined) tool.result = unwrapped.result;
  return tool;
}

/** OpenLLMetry's vector-store spans report hits as `db.query.result` events. */
function documentEvents(events: RawEvent[]) {
  const hits = events.filter((e) => e.name === 'db.query.result');
  if (!hits.length) return undefined;
  return hits.map((e) => ({
    id: firstString(e.attributes, 'db.query.result.id'),
    content: firstString(e.attributes, 'db.query.result.document'),
    score: firstNumber(e.attributes, 'db.query.result.score', 'db.query.result.distance'),
  }));
}

function adhocParams(attrs: Attributes): Record<string, unknown> {
  const params: Record<string, unknown> = {};
  for (const [key, name] of [['llm.temperature', 'temperature'], ['llm.top_p', 'top_p'], ['llm.top_k', 'top_k'],
    ['llm.frequency_penalty', 'frequency_penalty'], ['llm.presence_penalty', 'presence_penalty'], ['llm.max_tokens', 'max_tokens']]) {
    if (attrs[key] !== undefined) params[name] = attrs[key];
  }
  return params;
}

function finishReasonsOf(attrs: Attributes, output: Message[] | undefined): string[] | undefined {
  // A list, or (Mastra) the JSON of one.
  const listed = parseJson(attrs['gen_ai.response.finish_reasons']);
  if (Array.isArray(listed)) return listed.map(asText);
  const single = firstString(attrs, 'llm.finish_reason', 'gen_ai.response.finish_reason', 'llm.response.finish_reason', 'ai.response.finishReason');
  // Semantic Kernel joins several choices' reasons with commas.
  if (single) return single.split(',');
  const fromMessages = output?.map((m) => m.finishReason).filter((r): r is string => r !== undefined);
  return fromMessages?.length ? fromMessages : undefined;
}

/** The call site the span's code.* attributes record. */
export function sourceOf(attrs: Attributes): Span['source'] {
  const file = firstString(attrs, 'code.file.path', 'code.filepath');
  const fn = firstString(attrs, 'code.function.name')
    ?? [firstString(attrs, 'code.namespace'), firstString(attrs, 'code.function')].filter(Boolean).join('.') ?? undefined;
  if (!file && !fn) return undefined;
  const source: NonNullable<Span['source']> = { file: file ?? '', how: 'attribute' };
  const line = firstNumber(attrs, 'code.line.number', 'code.lineno');
  if (line !== undefined) source.line = line;
  const column = firstNumber(attrs, 'code.column.number', 'code.column');
  if (column !== undefined) source.column = column;
  if (fn) source.function = fn;
  return source;
}

/** Why the span failed, where the span or a convention says it. */
export function statusMessageOf(raw: RawSpan): string | undefined {
  return raw.statusMessage ?? firstString(raw.attributes, 'langfuse.observation.status_message', 'error.type');
}

export function timeToFirstTokenMs(attrs: Attributes, raw: RawSpan): number | undefined {
  const ttft = genAi.timeToFirstChunkMs(attrs) ?? firstNumber(attrs, 'ai.response.msToFirstChunk');
  if (ttft !== undefined) return ttft;
  const first = raw.events.find((e) => e.name === 'ai.stream.firstChunk' || e.name === 'gen_ai.content.first_token' || e.name === 'first_token');
  return first && first.timeMs >= raw.startMs ? first.timeMs - raw.startMs : undefined;
}
