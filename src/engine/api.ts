// The query API: a contract the extension, the CLI and users' scripts build on.
//   GET /api/stats                 → EngineStats
//   GET /api/traces?limit=&sort=start|duration|tokens|cost&minDurationMs=&status=error&q=&service=&model=&session=&user=&filter=
//                                  → { traces: TraceSummary[] }, sorted descending
//   GET /api/report?sinceMs=       → TraceReport: per step and per model, traces since then
//   GET /api/traces/{traceId}      → { summary, spans } or 404
//   GET /api/traces/{traceId}/otlp → the trace as OTLP/JSON TracesData (export), or 404
//   GET /api/backends              → { backends: [{ name, type, url, traceUrl? }] } (never headers)
//   GET /api/backends/{name}/search?q=&limit= → { backend, traces: RemoteTraceHit[] }
//   GET /api/backends/{name}/traces/{traceId} → that backend's trace, loaded here: { summary, spans }
// A trace id unknown here is looked up in the team backends (the summary's `origin` names which).
import type { ServerResponse } from 'node:http';
import type { EngineStats, TraceDetail, TraceQuery, TraceSort, TraceSummary } from '../shared/spanModel';
import { BackendError } from './backends/backendTypes';
import type { TeamBackends } from './backends/teamBackends';
import { parseFilter } from '../shared/traceFilter';
import { send } from './httpReply';
import type { TraceIndex } from './index/traceIndex';
import { buildTraceReport } from './index/traceReport';
import { encodeTracesData } from './otlp/encodeJson';
import type { RawSpan } from './otlp/otlpTypes';

const SORTS: TraceSort[] = ['start', 'duration', 'tokens', 'cost'];

/** What the API reads besides the index: engine-wide counts and the team backends (engine.ts). */
export interface ApiEngine {
  stats(): EngineStats;
  withOrigin<T extends TraceSummary>(summary: T): T;
  traceAnywhere(traceId: string): Promise<{ detail?: TraceDetail; problems: string[] }>;
  readonly backends: TeamBackends;
}

export function handleApi(method: string, url: URL, index: TraceIndex, res: ServerResponse, engine?: ApiEngine): Promise<void> | void {
  if (method !== 'GET') {
    res.setHeader('Allow', 'GET');
    return json(res, 405, { error: `${method} is not allowed on ${url.pathname}; use GET` });
  }
  if (url.pathname === '/api/stats') return json(res, 200, engine ? engine.stats() : index.stats());
  if (url.pathname === '/api/traces') {
    const parsed = parseQuery(url.searchParams);
    if (typeof parsed === 'string') return json(res, 400, { error: parsed });
    const traces = index.query(parsed);
    return json(res, 200, { traces: engine ? traces.map((t) => engine.withOrigin(t)) : traces });
  }
  if (url.pathname === '/api/report') {
    const sinceMs = Number(url.searchParams.get('sinceMs') ?? 0);
    if (!Number.isFinite(sinceMs)) return json(res, 400, { error: `sinceMs must be a number, got "${url.searchParams.get('sinceMs')}"` });
    return json(res, 200, buildTraceReport(index.tracesSince(sinceMs), sinceMs));
  }
  if (engine && url.pathname.startsWith('/api/backends')) return backendsApi(url, engine, res);
  const match = /^\/api\/traces\/([^/]+)(\/otlp)?$/.exec(url.pathname);
  if (match) {
    const traceId = decodeURIComponent(match[1]);
    if (match[2]) {
      const spans = index.rawSpans(traceId);
      return spans ? json(res, 200, encodeTracesData(spans as RawSpan[])) : json(res, 404, { error: `no trace with id ${traceId}` });
    }
    if (engine) return traceAnywhere(traceId, engine, res);
    const found = index.trace(traceId);
    return found ? json(res, 200, found) : json(res, 404, { error: `no trace with id ${traceId}` });
  }
  json(res, 404, { error: `unknown API path ${url.pathname}` });
}

async function traceAnywhere(traceId: string, engine: ApiEngine, res: ServerResponse): Promise<void> {
  try {
    const { detail, problems } = await engine.traceAnywhere(traceId);
    if (detail) return json(res, 200, detail);
    const where = engine.backends.size ? ` here or in ${engine.backends.list().map((b) => b.name).join(', ')}` : '';
    json(res, 404, { error: `no trace with id ${traceId}${where}`, ...(problems.length ? { backends: problems } : {}) });
  } catch (error) {
    backendFailure(res, error);
  }
}

async function backendsApi(url: URL, engine: ApiEngine, res: ServerResponse): Promise<void> {
  if (url.pathname === '/api/backends') return json(res, 200, { backends: engine.backends.list() });
  const match = /^\/api\/backends\/([^/]+)\/(search|traces\/([^/]+))$/.exec(url.pathname);
  if (!match) return json(res, 404, { error: `unknown API path ${url.pathname}` });
  const name = decodeURIComponent(match[1]);
  try {
    if (match[2] === 'search') {
      const limit = url.searchParams.get('limit');
      if (limit !== null && !/^\d+$/.test(limit)) return json(res, 400, { error: `limit must be a positive integer, got "${limit}"` });
      const traces = await engine.backends.search(name, url.searchParams.get('q') ?? '', limit === null ? undefined : Number(limit));
      return json(res, 200, { backend: name, traces });
    }
    const traceId = decodeURIComponent(match[3]);
    const found = await engine.backends.open(traceId, name);
    const detail = found.backend ? (await engine.traceAnywhere(traceId)).detail : undefined;
    return detail ? json(res, 200, detail) : json(res, 404, { error: `${name}: no trace with id ${traceId}` });
  } catch (error) {
    backendFailure(res, error);
  }
}

function backendFailure(res: ServerResponse, error: unknown): void {
  if (!(error instanceof BackendError)) throw error;
  json(res, error.status, { error: error.message });
}

/** The query, or a message saying which parameter is wrong. */
export function parseQuery(params: URLSearchParams): TraceQuery | string {
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
  for (const key of ['q', 'service', 'model', 'session', 'user'] as const) {
    const value = params.get(key);
    if (value !== null && value !== '') query[key] = value;
  }
  return query;
}

function json(res: ServerResponse, code: number, body: unknown): void {
  send(res, code, 'application/json; charset=utf-8', Buffer.from(JSON.stringify(body)));
}
