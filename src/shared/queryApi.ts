// The engine's HTTP query API: a contract the extension (a window attached to another window's
// engine), the CLI's users and their scripts build on. The routes and what they answer live here,
// so the engine's handler (engine/http/api.ts) and its clients cannot drift apart.
//   GET /api/stats                 → EngineStats
//   GET /api/traces?limit=&sort=start|duration|tokens|cost&minDurationMs=&status=error&q=&service=&model=&session=&user=&filter=&matches=
//                                  → { traces: TraceSummary[] }, sorted descending; matches=true: each with the `match` its text found
//   GET /api/report?sinceMs=       → TraceReport: per step and per model, traces since then
//   GET /api/traces/{traceId}      → TraceDetail ({ summary, spans }), or 404; an id unknown here is
//                                    looked up in the team backends (summary.origin names which)
//   GET /api/traces/{traceId}/otlp → the trace as OTLP/JSON TracesData (export), or 404
//   GET /api/traces/{traceId}/skeleton|spans|search → the trace in pages (pagedTraceApi.ts)
//   GET /api/backends              → { backends: BackendListing[] } (never their headers)
//   GET /api/backends/{name}/search?q=&limit= → { backend, traces: RemoteTraceHit[] }
//   GET /api/backends/{name}/traces/{traceId} → that backend's trace, loaded into the engine: TraceDetail
// Any other answer is { error } with a 4xx status: 400 a bad parameter, 404 an unknown trace or path, 405 not GET;
// a team backend's failure is 502 (refused, malformed), 504 (unreachable) or 413 (too large), its message naming the backend.
import type { BackendListing, RemoteTraceHit } from './backends';
import { matchPagedTraceRoute, pagedTracePaths, type PagedTraceReplies } from './pagedTraceApi';
import type { EngineStats, TraceDetail, TraceQuery, TraceReport, TraceSort, TraceSummary } from './spanModel';
import { parseFilter } from './traceFilter';

/** What each route answers with 200. */
export interface QueryApiReplies extends PagedTraceReplies {
  stats: EngineStats;
  traces: { traces: TraceSummary[] };
  report: TraceReport;
  trace: TraceDetail;
  /** OTLP/JSON TracesData. */
  traceOtlp: object;
  backends: { backends: BackendListing[] };
  backendSearch: { backend: string; traces: RemoteTraceHit[] };
  backendTrace: TraceDetail;
}

export type QueryApiRoute = keyof QueryApiReplies;

/** The body of every answer that is not a 200. */
export interface QueryApiErrorReply {
  error: string;
  /** A trace found nowhere: per team backend, why it did not have it. */
  backends?: string[];
}

/** Every path starts with this; the receivers' own paths (/v1/...) never do. */
export const QUERY_API_PREFIX = '/api/';

/** The path (with its query string) of each route, as clients ask for it. */
export const queryApiPath = {
  stats: (): string => '/api/stats',
  traces: (query: TraceQuery = {}): string => `/api/traces?${traceQueryParams(query)}`,
  report: (sinceMs: number): string => `/api/report?sinceMs=${sinceMs}`,
  trace: (traceId: string): string => `/api/traces/${encodeURIComponent(traceId)}`,
  traceOtlp: (traceId: string): string => `/api/traces/${encodeURIComponent(traceId)}/otlp`,
  backends: (): string => '/api/backends',
  backendSearch: (backend: string, q: string, limit?: number): string =>
    `/api/backends/${encodeURIComponent(backend)}/search?${new URLSearchParams({ q, ...(limit ? { limit: String(limit) } : {}) })}`,
  backendTrace: (backend: string, traceId: string): string => `/api/backends/${encodeURIComponent(backend)}/traces/${encodeURIComponent(traceId)}`,
  ...pagedTracePaths,
} satisfies Record<QueryApiRoute, (...args: never[]) => string>;

type RouteArgs<R extends QueryApiRoute> = Parameters<(typeof queryApiPath)[R]>;

/** Which route a request path names (and the trace id in it); undefined: no route. */
/** The route of a path; `badEncoding` when its trace id (or backend name) is not valid percent-encoding (`%E0%A4%A`): never a throw. */
export function matchQueryApiRoute(pathname: string): { route: QueryApiRoute; traceId?: string; backend?: string; badEncoding?: boolean } | undefined {
  if (pathname === '/api/stats') return { route: 'stats' };
  if (pathname === '/api/traces') return { route: 'traces' };
  if (pathname === '/api/report') return { route: 'report' };
  if (pathname === '/api/backends') return { route: 'backends' };
  const paged = matchPagedTraceRoute(pathname);
  if (paged) return paged;
  const backend = /^\/api\/backends\/([^/]+)\/(?:search|traces\/([^/]+))$/.exec(pathname);
  if (backend) {
    const backendRoute = backend[2] === undefined ? 'backendSearch' : 'backendTrace';
    try {
      const name = decodeURIComponent(backend[1]);
      return backend[2] === undefined ? { route: backendRoute, backend: name } : { route: backendRoute, backend: name, traceId: decodeURIComponent(backend[2]) };
    } catch {
      return { route: backendRoute, badEncoding: true };
    }
  }
  const match = /^\/api\/traces\/([^/]+)(\/otlp)?$/.exec(pathname);
  if (!match) return undefined;
  const route = match[2] ? 'traceOtlp' : 'trace';
  try {
    return { route, traceId: decodeURIComponent(match[1]) };
  } catch {
    return { route, badEncoding: true };
  }
}

/** The engine could not be reached at all (its window closed, the port went): not the same as "no such trace". */
export class EngineUnreachableError extends Error {
  constructor(readonly port: number, cause: unknown) {
    super(`The AI Trace Inspector engine on port ${port} did not answer (${cause instanceof Error ? cause.message : String(cause)}).`);
  }
}

/** The engine answered, with an error status (400 a bad query, 404 no such trace or path). */
export class QueryApiStatusError extends Error {
  constructor(readonly path: string, readonly status: number, readonly detail: string, readonly backends: string[] = []) {
    super(`${path} answered ${status}${detail ? `: ${detail}` : ''}`);
  }
}

/** Asks an engine on this machine; each failure says whether nothing answered or what the engine said. */
export class QueryApiClient {
  constructor(readonly port: number) {}

  /** A route's reply, e.g. `get('trace', traceId)`. */
  async get<R extends QueryApiRoute>(route: R, ...args: RouteArgs<R>): Promise<QueryApiReplies[R]> {
    return JSON.parse(await this.text(route, ...args)) as QueryApiReplies[R];
  }

  /** A route's reply as JSON text; throws EngineUnreachableError when nothing answered, QueryApiStatusError for a status other than 200. */
  async text<R extends QueryApiRoute>(route: R, ...args: RouteArgs<R>): Promise<string> {
    const path = (queryApiPath[route] as (...a: RouteArgs<R>) => string)(...args);
    let response: Response;
    let text: string;
    try {
      response = await fetch(`http://127.0.0.1:${this.port}${path}`);
      text = await response.text();
    } catch (error) {
      throw new EngineUnreachableError(this.port, error);
    }
    if (!response.ok) {
      const reply = errorReply(text);
      throw new QueryApiStatusError(path, response.status, reply.error ?? '', reply.backends);
    }
    return text;
  }
}

function errorReply(text: string): Partial<QueryApiErrorReply> {
  try {
    return JSON.parse(text) as Partial<QueryApiErrorReply>;
  } catch {
    return {};
  }
}

const SORTS: TraceSort[] = ['start', 'duration', 'tokens', 'cost'];

/** A query as /api/traces parameters (what parseTraceQuery reads back). */
export function traceQueryParams(query: TraceQuery): URLSearchParams {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) if (value !== undefined) params.set(key, String(value));
  return params;
}

/** The query /api/traces parameters ask for, or a message saying which parameter is wrong. */
export function parseTraceQuery(params: URLSearchParams): TraceQuery | string {
  const query: TraceQuery = {};
  const limit = params.get('limit');
  if (limit !== null) {
    if (!/^\d+$/.test(limit) || Number(limit) < 1) return `limit must be a positive integer, got "${limit}"`;
    query.limit = Number(limit);
  }
  const sort = params.get('sort');
  if (sort !== null) {
    if (!SORTS.includes(sort as TraceSort)) return `sort must be one of ${SORTS.join(', ')}, got "${sort}"`;
    query.sort = sort as TraceSort;
  }
  const minDuration = params.get('minDurationMs');
  if (minDuration !== null) {
    const n = Number(minDuration);
    if (minDuration.trim() === '' || !Number.isFinite(n)) return `minDurationMs must be a number, got "${minDuration}"`;
    query.minDurationMs = n;
  }
  const status = params.get('status');
  if (status !== null) {
    if (status !== 'error') return `status can only be "error", got "${status}"`;
    query.status = 'error';
  }
  const filter = params.get('filter');
  if (filter) {
    try {
      parseFilter(filter);
    } catch (error) {
      return `filter: ${(error as Error).message}`;
    }
    query.filter = filter;
  }
  const matches = params.get('matches');
  if (matches !== null) {
    if (matches !== 'true' && matches !== 'false') return `matches must be true or false, got "${matches}"`;
    query.matches = matches === 'true';
  }
  for (const key of ['q', 'service', 'model', 'session', 'user'] as const) {
    const value = params.get(key);
    if (value !== null && value !== '') query[key] = value;
  }
  return query;
}
