// Traces for the webview tests and bench, made by the real engine: raw spans (as the OTLP
// decoders produce them) and the shared fixture files go through ingest, normalization and the
// trace index, and come out as the TraceDetail the host sends.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { TraceIndex } from '../../../src/engine/index/traceIndex';
import { PriceTable } from '../../../src/engine/normalize/pricing';
import { Ingest } from '../../../src/engine/otlp/ingest';
import type { RawSpan } from '../../../src/engine/model/rawSpan';
import type { Attributes, TraceDetail } from '../../../src/shared/spanModel';
import { fixtureAttributes, rawSpan, FIXTURES } from '../../unit/helpers/rawSpans';
import { SkeletonBuilder, skeletonRowOfSpan, type TraceSkeleton } from '../../../src/shared/traceSkeleton';

const T0 = 1_780_000_000_000;
const hex = (n: number, width: number) => n.toString(16).padStart(width, '0');

interface SpanSpec {
  id: number;
  parent?: number;
  name: string;
  start: number;
  end: number;
  attributes?: Attributes;
  service?: string;
  error?: string;
  events?: RawSpan['events'];
}

/** Indexes the spans of one trace and returns it as the engine's API would. */
export function traceOf(traceNumber: number, specs: SpanSpec[]): TraceDetail {
  const index = new TraceIndex(new PriceTable());
  const spans = rawSpansOf(traceNumber, specs);
  index.addSpans(spans);
  return index.trace(spans[0].traceId)!;
}

/** The spans as the OTLP decoders produce them (to index, or to encode and send). */
export function rawSpansOf(traceNumber: number, specs: SpanSpec[]): RawSpan[] {
  const traceId = hex(traceNumber, 32);
  return specs.map((s) => rawSpan(s.attributes ?? {}, {
    traceId,
    spanId: hex(s.id, 16),
    parentSpanId: s.parent === undefined ? undefined : hex(s.parent, 16),
    name: s.name,
    startMs: T0 + s.start,
    endMs: T0 + s.end,
    statusCode: s.error ? 2 : 0,
    statusMessage: s.error,
    events: s.events ?? [],
    ...(s.service ? { resource: { attributes: { 'service.name': s.service }, service: s.service } } : {}),
  }));
}

export const spanIdOf = (n: number) => hex(n, 16);

/** The fixture file of three small traces from the real OTel JS SDK, through OTLP/JSON ingest. */
export function tutorialTraces(): TraceDetail[] {
  const index = new TraceIndex(new PriceTable());
  const ingest = new Ingest(index);
  const lines = readFileSync(join(FIXTURES, 'otel-js', 'tutorial-adhoc.otlp.jsonl'), 'utf8').split('\n').filter(Boolean);
  for (const line of lines) ingest.receive('traces', 'json', Buffer.from(line), { persist: false });
  return index.query({ sort: 'start', limit: 10 }).map((summary) => index.trace(summary.traceId)!);
}

/**
 * A RAG request in two services: a retrieval with low scores, a rerank that takes 4.2 s of
 * 5.3 s, an LLM call with tool calls (OpenInference fixture) and the tool's execution (GenAI).
 */
export function ragTrace(): TraceDetail {
  return traceOf(0xa1, RAG_SPANS);
}

export const RAG_SPANS: SpanSpec[] = [
    { id: 1, name: 'answer', start: 0, end: 5300, attributes: { 'openinference.span.kind': 'CHAIN', 'input.value': 'Weather in Paris?', 'code.filepath': 'app/rag.py', 'code.lineno': 42, 'code.function': 'answer' } },
    { id: 2, parent: 1, name: 'retrieve', start: 20, end: 700, service: 'search-service', attributes: {
      'openinference.span.kind': 'RETRIEVER', 'input.value': 'weather paris',
      'retrieval.documents.0.document.id': 'doc-17', 'retrieval.documents.0.document.score': 0.42, 'retrieval.documents.0.document.content': 'Paris climate: mild, rainy autumns.',
      'retrieval.documents.1.document.id': 'doc-3', 'retrieval.documents.1.document.score': 0.31, 'retrieval.documents.1.document.content': 'Tokyo weather report for May.',
    } },
    { id: 3, parent: 1, name: 'rerank', start: 720, end: 4920, attributes: { 'openinference.span.kind': 'RERANKER' } },
    { id: 4, parent: 1, name: 'ChatCompletion', start: 4950, end: 5240, attributes: fixtureAttributes('openinference_client_span_tool_calls.json') },
    { id: 5, parent: 1, name: 'execute_tool get_weather', start: 5245, end: 5290, attributes: fixtureAttributes('otel_genai_tool_execution_span.json') },
    { id: 6, parent: 4, name: 'http POST', start: 4960, end: 5230, attributes: { 'http.request.method': 'POST' } },
];

/** An agent loop of `count` spans: steps with an LLM call and a tool call each, some failing. */
export function agentRun(count: number, traceNumber = 0xb1): TraceDetail {
  const specs: SpanSpec[] = [{ id: 1, name: 'agent run', start: 0, end: count * 10, attributes: { 'openinference.span.kind': 'AGENT' } }];
  for (let id = 2; id <= count; id += 3) {
    const start = (id - 2) * 10;
    specs.push({ id, parent: 1, name: `step ${Math.ceil(id / 3)}`, start, end: start + 28, attributes: { 'openinference.span.kind': 'CHAIN' } });
    if (id + 1 <= count) specs.push({ id: id + 1, parent: id, name: 'llm', start: start + 1, end: start + 20, attributes: { 'openinference.span.kind': 'LLM', 'llm.model_name': 'gpt-4o-mini', 'llm.token_count.prompt': 900, 'llm.token_count.completion': 60, 'llm.input_messages.0.message.role': 'user', 'llm.input_messages.0.message.content': `step ${id}` } });
    if (id + 2 <= count) specs.push({ id: id + 2, parent: id, name: 'search_docs', start: start + 21, end: start + 27, attributes: { 'openinference.span.kind': 'TOOL', 'tool.name': 'search_docs' }, error: id % 300 === 2 ? 'timeout' : undefined });
  }
  return traceOf(traceNumber, specs);
}

/** What the engine sends as a live trace grows: the rows of the spans that are new or changed since `previous`. */
export function skeletonDelta(previous: TraceDetail, next: TraceDetail, after: number): TraceSkeleton {
  const before = new Map(previous.spans.map((span) => [span.spanId, JSON.stringify(skeletonRowOfSpan(span))]));
  const builder = new SkeletonBuilder(next.summary.traceId, next.summary.startMs);
  for (const span of next.spans) {
    const row = skeletonRowOfSpan(span);
    if (before.get(span.spanId) !== JSON.stringify(row)) builder.add(row);
  }
  return builder.build(next.summary, after + 1, { after, diagnoses: next.diagnoses, inferredParents: next.inferredParents });
}
