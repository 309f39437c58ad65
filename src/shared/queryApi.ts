// The engine's HTTP query API: a contract the extension (a window attached to another window's
// engine), the CLI's users and their scripts build on. The routes and what they answer live here,
// so the engine's handler (engine/http/api.ts) and its clients cannot drift apart.
//   GET /api/stats                 → EngineStats
//   GET /api/traces?limit=&sort=start|duration|tokens|cost&minDurationMs=&status=error&q=&service=&model=&session=&user=&filter=&matches=
//                                  → { traces: TraceSummary[] }, sorted descending; matches=true: each with the `match` its text found
//   GET /api/report?sinceMs=&groupBy=name|promptSource|model → TraceReport: per step and per model, traces since then
//   GET /api/traces/{traceId}      → TraceDetail ({ summary, spans }), or 404; an id unknown here is
//                                    looked up in the team backends (summary.origin names which)
//   GET /api/traces/{traceId}/otlp → the trace as OTLP/JSON TracesData (export), or 404
//   GET /api/traces/{traceId}/for-ai → TraceForAi: the trace as Markdown for a chat, within a budget,
//                                    secrets masked ("Copy trace for AI"), or 404
//   GET /api/traces/{traceId}/test-draft → TraceTestDraft: a regression test drafted from the trace,
//                                    with the trace as its baseline's OTLP/JSON text ("Save as Test"), or 404
//   GET /api/traces/{traceId}/skeleton|spans|search → the trace in pages (pagedTraceApi.ts)
//   GET /api/backends              → { backends: BackendListing[] } (never their headers)
//   GET /api/backends/{name}/search?q=&limit= → { backend, traces: RemoteTraceHit[] }
//   GET /api/backends/{name}/traces/{traceId} → that backend's trace, loaded into the engine: TraceDetail
//   GET /api/traces/{traceId}/spans/{spanId}/context → { xray: ContextXray, cacheBreak? }, or 404
//   GET /api/sessions?limit=&user=&filter= → { sessions: SessionSummary[] }, the latest active first
//   GET /api/sessions/{sessionId}  → SessionDetail (turns, context growth, cache breaks), or 404
//   GET /api/calls?filter=&sort=&order=asc|desc&offset=&limit= → CallsPage: LLM calls across traces
// Any other answer is { error } with a 4xx status: 400 a bad parameter, 404 an unknown trace or path, 405 not GET;
// a team backend's failure is 502 (refused, malformed), 504 (unreachable) or 413 (too large), its message naming the backend.
import type { BackendListing, RemoteTraceHit } from './backends';
import { matchPagedTraceRoute, pagedTracePaths, type PagedTraceReplies } from './pagedTraceApi';
import { STEP_GROUPINGS, type EngineStats, type StepGrouping, type TraceDetail, type TraceQuery, type TraceReport, type TraceSort, type TraceSummary } from './spanModel';
import { CALL_SORTS, type CacheBreak, type CallSort, type CallsPage, type CallsQuery, type ContextXray, type SessionDetail, type SessionQuery, type SessionSummary } from './sessionModel';
import { parseFilter } from './traceFilter';
import type { TraceForAi } from './traceForAi';
import type { TraceTestDraft } from './traceTestDraft';

/** What each route answers with 200. */
export interface QueryApiReplies extends PagedTraceReplies {
  stats: EngineStats;
  traces: { traces: TraceSummary[] };
  report: TraceReport;
  trace: TraceDetail;
  /** OTLP/JSON TracesData. */
  traceOtlp: object;
  traceForAi: TraceForAi;
  traceTestDraft: TraceTestDraft;
  backends: { backends: BackendListing[] };
  backendSearch: { backend: string; traces: RemoteTraceHit[] };
  backendTrace: TraceDetail;
  spanContext: { xray: ContextXray; cacheBreak?: CacheBreak };
  sessions: { sessions: SessionSummary[] };
  session: SessionDetail;
  calls: CallsPage;
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
  report: (sinceMs: number, groupBy?: StepGrouping): string => `/api/report?sinceMs=${sinceMs}${groupBy ? `&groupBy=${groupBy}` : ''}`,
  trace: (traceId: string): string => `/api/traces/${encodeURIComponent(traceId)}`,
  traceOtlp: (traceId: string): string => `/api/traces/${encodeURIComponent(traceId)}/otlp`,
  traceForAi: (traceId: string): string => `/api/traces/${encodeURIComponent(traceId)}/for-ai`,
  traceTestDraft: (traceId: string): string => `/api/traces/${encodeURIComponent(traceId)}/test-draft`,
  backends: (): string => '/api/backends',
  backendSearch: (backend: string, q: string, limit?: number): string =>
    `/api/backends/${encodeURIComponent(backend)}/search?${new URLSearchParams({ q, ...(limit ? { limit: String(limit) } : {}) })}`,
  backendTrace: (backend: string, traceId: string): string => `/api/backends/${encodeURIComponent(backend)}/traces/${encodeURIComponent(traceId)}`,
  ...pagedTracePaths,
  spanContext: (traceId: string, spanId: string): string => `/api/traces/${encodeURIComponent(traceId)}/spans/${encodeURIComponent(spanId)}/context`,
  sessions: (query: SessionQuery = {}): string => `/api/sessions?${queryParams(query)}`,
  session: (sessionId: string): string => `/api/sessions/${encodeURIComponent(sessionId)}`,
  calls: (query: CallsQuery = {}): string => `/api/calls?${queryParams(query)}`,
} satisfies Record<QueryApiRoute, (...args: never[]) => string>;

export type QueryRouteArgs<R extends QueryApiRoute> = Parameters<(typeof queryApiPath)[R]>;
type RouteArgs<R extends QueryApiRoute> = QueryRouteArgs<R>;

/** The path of a route with its arguments. */
export function queryRoutePath<R extends QueryApiRoute>(route: R, ...args: QueryRouteArgs<R>): string {
  return (queryApiPath[route] as (...a: QueryRouteArgs<R>) => string)(...args);
}

/** Which route a request path names and the ids in it; undefined: no route. */
export interface QueryApiRouteMatch {
  route: QueryApiRoute;
  traceId?: string;
  spanId?: string;
  sessionId?: string;
  backend?: string;
  /** An id in the path is not valid percent-encoding (`%E0%A4%A`). */
  badEncoding?: boolean;
}

/** The routes below /api/traces/{traceId}/ that answer from the whole trace. */
const TRACE_SUBROUTES: Record<string, QueryApiRoute> = { otlp: 'traceOtlp', 'for-ai': 'traceForAi', 'test-draft': 'traceTestDraft' };

/** The route of a path; `badEncoding` when an id (or backend name) in it is not valid percent-encoding: never a throw. */
export function matchQueryApiRoute(pathname: string): QueryApiRouteMatch | undefined {
  if (pathname === '/api/stats') return { route: 'stats' };
  if (pathname === '/api/traces') return { route: 'traces' };
  if (pathname === '/api/report') return { route: 'report' };
  if (pathname === '/api/backends') return { route: 'backends' };
  const paged = matchPagedTraceRoute(pathname);
  if (paged) return paged;
  if (pathname === '/api/sessions') return { route: 'sessions' };
  if (pathname === '/api/calls') return { route: 'calls' };
  const session = /^\/api\/sessions\/([^/]+)$/.exec(pathname);
  if (session) return withDecodedIds('session', { sessionId: session[1] });
  const context = /^\/api\/traces\/([^/]+)\/spans\/([^/]+)\/context$/.exec(pathname);
  if (context) return withDecodedIds('spanContext', { traceId: context[1], spanId: context[2] });
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
  const match = /^\/api\/traces\/([^/]+)(?:\/(otlp|for-ai|test-draft))?$/.exec(pathname);
  if (!match) return undefined;
  const route = match[2] ? TRACE_SUBROUTES[match[2]] : 'trace';
  try {
    return { route, traceId: decodeURIComponent(match[1]) };
  } catch {
    return { route, badEncoding: true };
  }
}

/** The route with its ids decoded, or `badEncoding`. */
function withDecodedIds(route: QueryApiRoute, encoded: Pick<QueryApiRouteMatch, 'traceId' | 'spanId' | 'sessionId'>): QueryApiRouteMatch {
  try {
    return { route, ...Object.fromEntries(Object.entries(encoded).map(([key, value]) => [key, decodeURIComponent(value)])) };
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
    const path = queryRoutePath(route, ...args);
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
  return queryParams(query);
}

function queryParams(query: object): URLSearchParams {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) if (value !== undefined) params.set(key, String(value));
  return params;
}

/** Sets `query.filter` from the parameter; says what is wrong with it, if anything. */
function readFilter(params: URLSearchParams, query: { filter?: string }): string | undefined {
  const filter = params.get('filter');
  if (!filter) return undefined;
  try {
    parseFilter(filter);
  } catch (error) {
    return `filter: ${(error as Error).message}`;
  }
  query.filter = filter;
  return undefined;
}

function readCount(params: URLSearchParams, key: string, min: number): number | string | undefined {
  const value = params.get(key);
  if (value === null || value === '') return undefined;
  if (!/^\d+$/.test(value) || Number(value) < min) return `${key} must be an integer of at least ${min}, got "${value}"`;
  return Number(value);
}

/** How /api/report groups steps, or what is wrong with the parameter. */
export function parseStepGrouping(params: URLSearchParams): StepGrouping | { error: string } {
  const groupBy = params.get('groupBy') ?? 'name';
  return STEP_GROUPINGS.includes(groupBy as StepGrouping) ? groupBy as StepGrouping : { error: `groupBy must be one of ${STEP_GROUPINGS.join(', ')}, got "${groupBy}"` };
}

/** What /api/sessions parameters ask for, or which one is wrong. */
export function parseSessionQuery(params: URLSearchParams): SessionQuery | string {
  const query: SessionQuery = {};
  const limit = readCount(params, 'limit', 1);
  if (typeof limit === 'string') return limit;
  if (limit !== undefined) query.limit = limit;
  const user = params.get('user');
  if (user) query.user = user;
  const wrong = readFilter(params, query);
  if (wrong) return wrong;
  return query;
}

/** What /api/calls parameters ask for, or which one is wrong. */
export function parseCallsQuery(params: URLSearchParams): CallsQuery | string {
  const query: CallsQuery = {};
  for (const key of ['offset', 'limit'] as const) {
    const n = readCount(params, key, key === 'limit' ? 1 : 0);
    if (typeof n === 'string') return n;
    if (n !== undefined) query[key] = n;
  }
  const sort = params.get('sort');
  if (sort) {
    if (!CALL_SORTS.includes(sort as CallSort)) return `sort must be one of ${CALL_SORTS.join(', ')}, got "${sort}"`;
    query.sort = sort as CallSort;
  }
  const order = params.get('order');
  if (order) {
    if (order !== 'asc' && order !== 'desc') return `order must be asc or desc, got "${order}"`;
    query.order = order;
  }
  const wrong = readFilter(params, query);
  if (wrong) return wrong;
  return query;
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
  const wrong = readFilter(params, query);
  if (wrong) return wrong;
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
