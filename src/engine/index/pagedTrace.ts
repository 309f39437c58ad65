// A trace in pages for the trace view and the query API (shared/traceSkeleton.ts): the skeleton
// is built from what ingest already computed for each span (its facts), never by normalizing the
// trace; only the spans asked for in detail are normalized. Nothing here keeps a copy of the trace.
import type { Span } from '../../shared/spanModel';
import { MAX_DETAIL_SPANS, MAX_SEARCH_HITS, SkeletonBuilder, skeletonRowOfSpan, totalTokens, type SkeletonRowInput, type SpanSearchResult, type TraceSkeleton } from '../../shared/traceSkeleton';
import { spanStatus, type StoredSpan } from '../model/storedSpan';
import type { Trace } from '../model/traceSummary';
import { normalizeSpan, statusMessageOf, timeToFirstTokenMs } from '../normalize/normalizeSpan';
import type { TraceDiagnosis } from './doctor/doctor';
import type { TraceIndex } from './traceIndex';
import { matchIn } from './textMatch';

/**
 * The skeleton of every span, or with `after` only of the spans added or changed after that
 * revision (a live trace grows by these deltas). Diagnoses and inferred parents come whole each
 * time: they are bounded, and a new span can change them.
 */
export function traceSkeleton(trace: Trace, diagnosis: TraceDiagnosis, after?: number, first?: number): TraceSkeleton {
  const builder = new SkeletonBuilder(trace.traceId, trace.summary.startMs);
  if (first !== undefined && after === undefined) {
    const rows = firstInTreeOrder(trace, diagnosis, first);
    for (const row of rows) builder.add(row);
    return builder.build(trace.summary, trace.revision, {
      rest: trace.spans.size + diagnosis.adoptedSpans.length - rows.length,
      diagnoses: diagnosis.diagnoses,
      inferredParents: diagnosis.inferredParents,
    });
  }
  // One pass in arrival order: the webview orders the tree itself.
  for (const span of trace.spans.values()) {
    if (after === undefined || (span.revision ?? 0) > after) builder.add(rowOf(span));
  }
  for (const adopted of diagnosis.adoptedSpans) builder.add(skeletonRowOfSpan(adopted));
  return builder.build(trace.summary, trace.revision, {
    after,
    diagnoses: diagnosis.diagnoses,
    inferredParents: diagnosis.inferredParents,
  });
}

/**
 * The first `limit` spans in the waterfall's order (depth first, children by start, orphans under
 * the parent Trace Doctor inferred), so a view draws its first screens before the whole skeleton
 * comes. Only the spans returned are made into rows; the rest are only grouped by parent.
 */
function firstInTreeOrder(trace: Trace, diagnosis: TraceDiagnosis, limit: number): SkeletonRowInput[] {
  type Node = StoredSpan | Span;
  const adopted = new Map(diagnosis.adoptedSpans.map((span) => [span.spanId, span]));
  const inferred = new Map(diagnosis.inferredParents.map((i) => [i.spanId, i]));
  const children = new Map<string, Node[]>();
  const roots: Node[] = [];
  const place = (node: Node) => {
    const repaired = inferred.get(node.spanId);
    const parent = repaired?.traceId === node.traceId ? repaired.parentSpanId : node.parentSpanId;
    if (!parent || parent === node.spanId || !(trace.spans.has(parent) || adopted.has(parent))) return roots.push(node);
    const siblings = children.get(parent);
    if (siblings) siblings.push(node);
    else children.set(parent, [node]);
  };
  for (const span of trace.spans.values()) place(span);
  for (const span of adopted.values()) place(span);
  // Each span has one parent, so the walk from the roots meets each once (spans in a parent cycle never).
  const byStart = (a: Node, b: Node) => a.startMs - b.startMs;
  const stack = roots.sort(byStart).reverse();
  const rows: SkeletonRowInput[] = [];
  while (stack.length && rows.length < limit) {
    const node = stack.pop()!;
    rows.push(adopted.get(node.spanId) === node ? skeletonRowOfSpan(node as Span) : rowOf(node as StoredSpan));
    const kids = children.get(node.spanId);
    if (kids) for (let i = kids.sort(byStart).length - 1; i >= 0; i--) stack.push(kids[i]);
  }
  return rows;
}

function rowOf(span: StoredSpan): SkeletonRowInput {
  const { facts } = span;
  return {
    traceId: span.traceId, spanId: span.spanId, parentSpanId: span.parentSpanId, name: span.name, kind: facts.kind, service: span.resource.service,
    startMs: span.startMs, durationMs: span.endMs - span.startMs, status: spanStatus(span.statusCode), statusMessage: statusMessageOf(span),
    model: facts.model, tokens: totalTokens(facts.tokens),
    costUsd: facts.costUsd, timeToFirstTokenMs: timeToFirstTokenMs(span.attributes, span), findings: span.findings?.map((f) => f.message),
  };
}

/** The spans asked for, normalized, in the order asked; a span adopted from another trace is found among the adopted ones. */
export function spanDetails(trace: Trace, spanIds: string[], adopted: () => Span[]): Span[] {
  const spans: Span[] = [];
  for (const spanId of spanIds.slice(0, MAX_DETAIL_SPANS)) {
    const stored = trace.spans.get(spanId);
    const span = stored ? normalizeSpan(stored) : adopted().find((s) => s.spanId === spanId);
    if (span) spans.push(span);
  }
  return spans;
}

/** The spans whose name, attributes or events contain the text (any case), in arrival order. */
export function searchSpans(trace: Trace, text: string): SpanSearchResult {
  const needle = text.toLowerCase();
  const spanIds: string[] = [];
  let total = 0;
  if (!needle) return { spanIds, total };
  for (const span of trace.spans.values()) {
    if (!matchIn(span, needle)) continue;
    total++;
    if (spanIds.length < MAX_SEARCH_HITS) spanIds.push(span.spanId);
  }
  return { spanIds, total };
}

/** The three pages of a trace held in the index, by id (any case); undefined: no such trace. */
export function pagedTraceOf(index: TraceIndex, traceId: string) {
  const trace = index.traceOf(traceId.toLowerCase());
  if (!trace) return undefined;
  const diagnosis = () => index.doctor.diagnoseOnce(trace);
  return {
    skeleton: (after?: number, first?: number) => traceSkeleton(trace, diagnosis(), after, first),
    spans: (spanIds: string[]) => ({ traceId: trace.traceId, spans: spanDetails(trace, spanIds, () => diagnosis().adoptedSpans) }),
    search: (text: string) => searchSpans(trace, text),
  };
}
