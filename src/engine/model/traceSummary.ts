// A trace as the engine holds it, and its summary: one pass over its spans, pure, so every
// part that keeps traces (the index, the store, reports) agrees on what a trace's numbers are.
import type { SpanKind, TraceSummary } from '../../shared/spanModel';
import { spanStatus, type StoredSpan } from './storedSpan';

export interface Trace {
  readonly traceId: string;
  readonly spans: Map<string, StoredSpan>;
  summary: TraceSummary;
  /** False once evicted or cleared; stale postings in the string table check it. */
  live: boolean;
  /** Spans whose parent has not arrived (kept, and shown as roots). */
  orphans: number;
  /** What this trace is estimated to hold in memory (index/memoryAccount.ts)... */
  bytes: number;
  /** ...of which its share of the string table's text. */
  text: number;
  /** Counts the changes to its spans (new spans, late log records): a trace view asks for what changed after the one it has. */
  revision: number;
  /** Its gist (index/traceGist.ts) and the root and root revision it was read from, reused while they stand. */
  gist?: { root: StoredSpan; revision: number | undefined; input?: string; output?: string };
}

const MODEL_KINDS = new Set<SpanKind>(['LLM', 'EMBEDDING', 'RERANKER']);

/** A trace with no spans yet: its summary says so (spanCount 0). */
export function newTrace(traceId: string): Trace {
  return { traceId, spans: new Map(), summary: emptySummary(traceId), live: true, orphans: 0, bytes: 0, text: 0, revision: 0 };
}

export function emptySummary(traceId: string): TraceSummary {
  return {
    traceId, name: '', service: '', services: [], startMs: 0, durationMs: 0, spanCount: 0, status: 'unset', errorCount: 0,
    tokens: { input: 0, output: 0, total: 0 }, costUsd: 0, models: [],
  };
}

/**
 * A trace's summary. Tokens and cost count only spans with usage and no descendant with usage,
 * so a wrapper (ai.generateText, a framework chain) and its provider call are not added twice.
 */
export function summarize(trace: Trace): TraceSummary {
  const spans = [...trace.spans.values()];
  let start = Infinity;
  let end = -Infinity;
  let errorCount = 0;
  let anyOk = false;
  const services = new Set<string>();
  const models = new Set<string>();
  const hasUsageBelow = new Set<string>();
  for (const span of spans) {
    start = Math.min(start, span.startMs);
    end = Math.max(end, span.endMs);
    if (span.statusCode === 2) errorCount++;
    if (span.statusCode === 1) anyOk = true;
    services.add(span.resource.service);
    // Models come from the calls themselves; a wrapper names only the model it asked for.
    if (span.facts.model && MODEL_KINDS.has(span.facts.kind)) models.add(span.facts.model);
    if (span.facts.tokens || span.facts.costUsd !== undefined) markAncestors(trace, span, hasUsageBelow);
  }
  const tokens = { input: 0, output: 0, total: 0 };
  let costUsd = 0;
  for (const span of spans) {
    if (hasUsageBelow.has(span.spanId)) continue;
    const t = span.facts.tokens;
    if (t) {
      tokens.input += t.input ?? 0;
      tokens.output += t.output ?? 0;
      tokens.total += t.total ?? 0;
    }
    costUsd += span.facts.costUsd ?? 0;
  }
  if (models.size === 0) for (const span of spans) if (span.facts.model) models.add(span.facts.model);
  const root = pickRoot(trace, spans);
  let slowest: StoredSpan | undefined;
  let firstError: StoredSpan | undefined;
  for (const span of spans) {
    if (span !== root && (!slowest || span.endMs - span.startMs > slowest.endMs - slowest.startMs)) slowest = span;
    // A parent that failed because a child did usually says less than the child: prefer a span
    // that tells why (a status message or an exception), then the earliest.
    if (span.statusCode === 2 && (!firstError || tellsWhy(span) > tellsWhy(firstError)
      || (tellsWhy(span) === tellsWhy(firstError) && span.startMs < firstError.startMs))) firstError = span;
  }
  const sessionSpan = spans.find((s) => s.facts.sessionId);
  const userSpan = spans.find((s) => s.facts.userId);
  return {
    traceId: trace.traceId,
    name: root.name,
    service: root.resource.service,
    services: [...services],
    startMs: start,
    durationMs: Math.max(0, end - start),
    spanCount: spans.length,
    status: errorCount > 0 ? 'error' : anyOk ? 'ok' : spanStatus(root.statusCode),
    errorCount,
    tokens,
    costUsd,
    models: [...models],
    sessionId: sessionSpan?.facts.sessionId,
    userId: userSpan?.facts.userId,
    slowestStep: slowest && { name: slowest.name, durationMs: slowest.endMs - slowest.startMs },
    errorMessage: firstError && errorMessageOf(firstError),
  };
}

function tellsWhy(span: StoredSpan): number {
  return span.statusMessage || span.events.some((e) => e.name === 'exception') ? 1 : 0;
}

function errorMessageOf(span: StoredSpan): string {
  const exception = span.events.find((e) => e.name === 'exception')?.attributes;
  const fromException = exception && [exception['exception.type'], exception['exception.message']].filter((v) => typeof v === 'string').join(': ');
  return span.statusMessage || fromException || `${span.name} failed`;
}

export function countOrphans(trace: Trace): number {
  let n = 0;
  for (const span of trace.spans.values()) if (span.parentSpanId && !trace.spans.has(span.parentSpanId)) n++;
  return n;
}

/** Marks every known ancestor of a span, stopping at a cycle or an unknown parent. */
function markAncestors(trace: Trace, span: StoredSpan, marked: Set<string>): void {
  let parentId = span.parentSpanId;
  let steps = 0;
  while (parentId && steps++ < trace.spans.size) {
    if (marked.has(parentId)) return;
    marked.add(parentId);
    parentId = trace.spans.get(parentId)?.parentSpanId;
  }
}

/** The trace's root span (or the orphan standing in for it); undefined for a trace with no spans. */
export function rootOf(trace: Trace): StoredSpan | undefined {
  return trace.spans.size ? pickRoot(trace, [...trace.spans.values()]) : undefined;
}

/** The root span; where the root never arrived, the earliest orphan stands in. */
function pickRoot(trace: Trace, spans: StoredSpan[]): StoredSpan {
  let best: StoredSpan | undefined;
  for (const span of spans) {
    const isRoot = !span.parentSpanId;
    const isOrphan = !isRoot && !trace.spans.has(span.parentSpanId!);
    if (!isRoot && !isOrphan) continue;
    if (!best || (isRoot && best.parentSpanId) || (!!best.parentSpanId === !isRoot && span.startMs < best.startMs)) best = span;
  }
  return best ?? spans[0];
}
