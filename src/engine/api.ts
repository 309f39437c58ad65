// The query API: a contract the extension, the CLI and users' scripts build on.
//   GET /api/stats                 → EngineStats
//   GET /api/traces?limit=&sort=start|duration|tokens|cost&minDurationMs=&status=error&q=&service=&model=&session=&user=&filter=
//                                  → { traces: TraceSummary[] }, sorted descending
//   GET /api/report?sinceMs=       → TraceReport: per step and per model, traces since then
//   GET /api/traces/{traceId}      → { summary, spans } or 404
//   GET /api/traces/{traceId}/otlp → the trace as OTLP/JSON TracesData (export), or 404
import type { ServerResponse } from 'node:http';
import type { EngineStats, TraceQuery, TraceSort } from '../shared/spanModel';
import { parseFilter } from '../shared/traceFilter';
import { send } from './httpReply';
import type { TraceIndex } from './index/traceIndex';
import { buildTraceReport } from './index/traceReport';
import { encodeTracesData } from './otlp/encodeJson';
import type { RawSpan } from './otlp/otlpTypes';

const SORTS: TraceSort[] = ['start', 'duration', 'tokens', 'cost'];

/** `stats`: the index's counts and the store's state (Engine.stats). */
export function handleApi(method: string, url: URL, index: TraceIndex, res: ServerResponse, stats = (): EngineStats => index.stats()): void {
  if (method !== 'GET') {
    res.setHeader('Allow', 'GET');
    return json(res, 405, { error: `${method} is not allowed on ${url.pathname}; use GET` });
  }
  if (url.pathname === '/api/stats') return json(res, 200, stats());
  if (url.pathname === '/api/traces') {
    const parsed = parseQuery(url.searchParams);
    if (typeof parsed === 'string') return json(res, 400, { error: parsed });
    return json(res, 200, { traces: index.query(parsed) });
  }
  if (url.pathname === '/api/report') {
    const sinceMs = Number(url.searchParams.get('sinceMs') ?? 0);
    if (!Number.isFinite(sinceMs)) return json(res, 400, { error: `sinceMs must be a number, got "${url.searchParams.get('sinceMs')}"` });
    return json(res, 200, buildTraceReport(index.tracesSince(sinceMs), sinceMs));
  }
  const match = /^\/api\/traces\/([^/]+)(\/otlp)?$/.exec(url.pathname);
  if (match) {
    const traceId = decodedSegment(match[1]);
    if (traceId === undefined) return json(res, 400, { error: `the trace id in ${url.pathname} is not valid percent-encoding` });
    const found = match[2] ? index.rawSpans(traceId) : index.trace(traceId);
    if (!found) return json(res, 404, { error: `no trace with id ${traceId}` });
    return json(res, 200, match[2] ? encodeTracesData(found as RawSpan[]) : found);
  }
  json(res, 404, { error: `unknown API path ${url.pathname}` });
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

/** A path segment decoded, or undefined when its percent-encoding is broken (`%E0%A4%A`). */
function decodedSegment(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

function json(res: ServerResponse, code: number, body: unknown): void {
  send(res, code, 'application/json; charset=utf-8', Buffer.from(JSON.stringify(body)));
}
