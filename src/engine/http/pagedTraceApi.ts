// The query API's paged trace routes (shared/pagedTraceApi.ts): a trace's skeleton, a few spans in
// full, and search within it, from the index; a trace that is not here is first looked up in the
// team backends, as the whole-trace route does.
import { parsePagedTraceParams, type PagedTraceReplies, type PagedTraceRoute } from '../../shared/pagedTraceApi';
import type { Span, TraceDetail, TraceSummary } from '../../shared/spanModel';
import { emptySummary } from '../model/traceSummary';
import { pagedTraceOf } from '../index/pagedTrace';
import type { TraceIndex } from '../index/traceIndex';
import type { ApiEngine } from './api';

/** Spans with their source lines, through the whole-trace `withSources` (code/codeLinks.ts). */
export function spansWithSources(withSources: (detail: TraceDetail) => TraceDetail, spans: Span[]): Span[] {
  return withSources({ summary: emptySummary(''), spans }).spans;
}

export type PagedAnswer = { status: 200; body: PagedTraceReplies[PagedTraceRoute] } | { status: 400 | 404; error: string; backends?: string[] };

export async function answerPagedTrace(
  route: PagedTraceRoute, traceId: string, params: URLSearchParams, index: TraceIndex,
  withSpanSources: (spans: Span[]) => Span[], engine?: ApiEngine,
): Promise<PagedAnswer> {
  const parsed = parsePagedTraceParams(route, params);
  if (typeof parsed === 'string') return { status: 400, error: parsed };
  let paged = pagedTraceOf(index, traceId);
  let problems: string[] = [];
  if (!paged && engine?.backends.size) {
    problems = (await engine.traceAnywhere(traceId)).problems;
    paged = pagedTraceOf(index, traceId);
  }
  if (!paged) return { status: 404, error: `no trace with id ${traceId}`, backends: problems };
  const origin = <T extends { summary: TraceSummary }>(reply: T): T => (engine ? { ...reply, summary: engine.withOrigin(reply.summary) } : reply);
  switch (route) {
    case 'traceSkeleton': return { status: 200, body: origin(paged.skeleton(parsed.after, parsed.first)) };
    case 'traceSpans': {
      const details = paged.spans(parsed.spanIds ?? []);
      return { status: 200, body: { ...details, spans: withSpanSources(details.spans) } };
    }
    case 'traceSearch': return { status: 200, body: paged.search(parsed.q ?? '') };
  }
}
