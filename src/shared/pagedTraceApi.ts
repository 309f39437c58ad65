// The query API's paged trace routes (see queryApi.ts), over HTTP and over LSP:
//   GET /api/traces/{traceId}/skeleton?after=   → TraceSkeleton: every span's row, or with `after` (a
//                                                revision) only the spans added or changed since; with
//                                                `first=N` only the first N spans in the waterfall's order
//   GET /api/traces/{traceId}/spans?ids=a,b,c   → SpanDetails: those spans in full (at most MAX_DETAIL_SPANS; none: is the trace here)
//   GET /api/traces/{traceId}/search?q=         → SpanSearchResult: the spans whose text contains q
import { MAX_DETAIL_SPANS, type SpanDetails, type SpanSearchResult, type TraceSkeleton } from './traceSkeleton';
// The same pages over LSP, for the extension: pagedTraceRequests.ts.

export interface PagedTraceReplies {
  traceSkeleton: TraceSkeleton;
  traceSpans: SpanDetails;
  traceSearch: SpanSearchResult;
}

export type PagedTraceRoute = keyof PagedTraceReplies;

const trace = (traceId: string) => `/api/traces/${encodeURIComponent(traceId)}`;

export const pagedTracePaths = {
  traceSkeleton: (traceId: string, after?: number, first?: number): string => {
    const query = [after === undefined ? '' : `after=${after}`, first === undefined ? '' : `first=${first}`].filter(Boolean).join('&');
    return `${trace(traceId)}/skeleton${query ? `?${query}` : ''}`;
  },
  traceSpans: (traceId: string, spanIds: string[]): string => `${trace(traceId)}/spans?ids=${spanIds.map(encodeURIComponent).join(',')}`,
  traceSearch: (traceId: string, q: string): string => `${trace(traceId)}/search?${new URLSearchParams({ q })}`,
} satisfies Record<PagedTraceRoute, (...args: never[]) => string>;

const ROUTE_OF_PAGE: Record<string, PagedTraceRoute> = { skeleton: 'traceSkeleton', spans: 'traceSpans', search: 'traceSearch' };

export function matchPagedTraceRoute(pathname: string): { route: PagedTraceRoute; traceId?: string; badEncoding?: boolean } | undefined {
  const match = /^\/api\/traces\/([^/]+)\/(skeleton|spans|search)$/.exec(pathname);
  if (!match) return undefined;
  const route = ROUTE_OF_PAGE[match[2]];
  try {
    return { route, traceId: decodeURIComponent(match[1]) };
  } catch {
    return { route, badEncoding: true };
  }
}

export const isPagedTraceRoute = (route: string): route is PagedTraceRoute => Object.values(ROUTE_OF_PAGE).includes(route as PagedTraceRoute);

/** What a paged route's parameters ask for, or a message saying which parameter is wrong. */
export type PagedTraceParams = { after?: number; first?: number; spanIds?: string[]; q?: string };

const WHOLE_NUMBER = /^\d+$/;

export function parsePagedTraceParams(route: PagedTraceRoute, params: URLSearchParams): PagedTraceParams | string {
  switch (route) {
    case 'traceSkeleton': {
      const after = params.get('after');
      const first = params.get('first');
      if (after !== null && !WHOLE_NUMBER.test(after)) return `after must be a revision (a whole number), got "${after}"`;
      if (first !== null && !(WHOLE_NUMBER.test(first) && Number(first) > 0)) return `first must be a number of spans (1 or more), got "${first}"`;
      if (after !== null && first !== null) return 'first is for a whole skeleton, not with after (a delta)';
      return { ...(after !== null ? { after: Number(after) } : {}), ...(first !== null ? { first: Number(first) } : {}) };
    }
    case 'traceSpans': {
      // No ids asks only whether the trace is here (a 404 if not), at no cost.
      const spanIds = (params.get('ids') ?? '').split(',').filter(Boolean);
      return spanIds.length > MAX_DETAIL_SPANS ? `ids names ${spanIds.length} spans; at most ${MAX_DETAIL_SPANS} at once` : { spanIds };
    }
    case 'traceSearch':
      return { q: params.get('q') ?? '' };
  }
}
