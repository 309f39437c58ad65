// Raw span + ingest facts → the product's Span. Conventions are read in a fixed precedence
// (OTel GenAI's structured messages, OpenInference, OpenLLMetry, the AI SDK, ...): the first that has a field wins.
import type { Attributes, Message, Span, ToolInfo } from '../../shared/spanModel';
import type { RawEvent, RawSpan } from '../model/rawSpan';
import { asText, firstNumber, firstString } from './attributeReader';
import * as adhoc from './conventions/adhoc';
import * as genAi from './conventions/genAi';
import * as openInference from './conventions/openInference';
import * as openLlmetry from './conventions/openLlmetry';
import * as vercelAi from './conventions/vercelAi';
import { messagesFromValue, toolArguments } from './messageParts';
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
    statusMessage: raw.statusMessage ?? firstString(attrs, 'langfuse.observation.status_message', 'error.type'),
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
  const io = inputOutput(attrs);
  if (io.input !== undefined) span.input = io.input;
  if (io.output !== undefined) span.output = io.output;
  // An LLM span that only recorded raw input/output values still shows a conversation.
  const fromIo = (value: unknown, role: string) => (facts.kind === 'LLM' ? messagesFromValue(value, role) : undefined);
  const input = inputMessages(attrs, raw.events) ?? fromIo(io.input, 'user');
  if (input) span.inputMessages = input;
  const output = outputMessages(attrs, raw.events) ?? fromIo(io.output, 'assistant');
  if (output) span.outputMessages = output;
  const documents = genAi.retrievalDocuments(attrs) ?? openInference.documents(attrs)
    ?? openInference.documents(attrs, 'reranker.output_documents') ?? documentEvents(raw.events);
  if (documents) span.documents = documents;
  const tool = toolInfo(attrs, span);
  if (tool) span.tool = tool;
  const params = { ...vercelAi.settings(attrs), ...adhocParams(attrs), ...openInference.invocationParameters(attrs), ...genAi.requestParameters(attrs) };
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

function inputMessages(attrs: Attributes, events: RawEvent[]): Message[] | undefined {
  const messages = genAi.structuredInput(attrs) ?? openInference.inputMessages(attrs) ?? openLlmetry.inputMessages(attrs)
    ?? vercelAi.inputMessages(attrs) ?? genAi.eventInput(events) ?? genAi.legacyStrings(attrs, 'gen_ai.prompt', 'user')
    ?? adhoc.inputMessages(attrs);
  // The v1.37 system prompt travels beside the history, not in it.
  const system = genAi.systemInstructions(attrs);
  if (system && !messages?.some((m) => m.role === 'system')) return [system, ...(messages ?? [])];
  return messages;
}

function outputMessages(attrs: Attributes, events: RawEvent[]): Message[] | undefined {
  return genAi.structuredOutput(attrs) ?? openInference.outputMessages(attrs) ?? openLlmetry.outputMessages(attrs)
    ?? vercelAi.outputMessages(attrs) ?? genAi.eventOutput(events) ?? genAi.legacyStrings(attrs, 'gen_ai.completion', 'assistant')
    ?? adhoc.outputMessages(attrs);
}

function inputOutput(attrs: Attributes): { input?: unknown; output?: unknown } {
  return {
    input: attrs['input.value'] ?? attrs['langfuse.observation.input'] ?? attrs['mlflow.spanInputs']
      ?? attrs['traceloop.entity.input'] ?? attrs['gen_ai.tool.call.arguments'] ?? attrs['ai.toolCall.args'] ?? attrs.input ?? undefined,
    output: attrs['output.value'] ?? attrs['langfuse.observation.output'] ?? attrs['mlflow.spanOutputs']
      ?? attrs['traceloop.entity.output'] ?? attrs['gen_ai.tool.call.result'] ?? attrs['ai.toolCall.result'] ?? attrs.output ?? undefined,
  };
}

function toolInfo(attrs: Attributes, span: Span): ToolInfo | undefined {
  const name = firstString(attrs, 'gen_ai.tool.name', 'tool.name', 'ai.toolCall.name')
    ?? (span.kind === 'TOOL' ? firstString(attrs, 'traceloop.entity.name') ?? span.name.replace(/^execute_tool /, '') : undefined);
  if (!name) return undefined;
  const tool: ToolInfo = { name };
  const description = firstString(attrs, 'gen_ai.tool.description', 'tool.description');
  if (description) tool.description = description;
  const callId = firstString(attrs, 'gen_ai.tool.call.id', 'tool.id', 'tool_call.id', 'ai.toolCall.id');
  if (callId) tool.callId = callId;
  if (span.input !== undefined) tool.arguments = toolArguments(span.input);
  if (span.output !== undefined) tool.result = toolArguments(span.output);
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
  const listed = attrs['gen_ai.response.finish_reasons'];
  if (Array.isArray(listed)) return listed.map(asText);
  const single = firstString(attrs, 'llm.finish_reason', 'gen_ai.response.finish_reason', 'llm.response.finish_reason', 'ai.response.finishReason');
  if (single) return [single];
  const fromMessages = output?.map((m) => m.finishReason).filter((r): r is string => r !== undefined);
  return fromMessages?.length ? fromMessages : undefined;
}

function sourceOf(attrs: Attributes): Span['source'] {
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

function timeToFirstTokenMs(attrs: Attributes, raw: RawSpan): number | undefined {
  const ttft = genAi.timeToFirstChunkMs(attrs) ?? firstNumber(attrs, 'ai.response.msToFirstChunk');
  if (ttft !== undefined) return ttft;
  const first = raw.events.find((e) => e.name === 'ai.stream.firstChunk' || e.name === 'gen_ai.content.first_token' || e.name === 'first_token');
  return first && first.timeMs >= raw.startMs ? first.timeMs - raw.startMs : undefined;
}
