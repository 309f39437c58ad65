// The query API's handler: the routes and replies of src/shared/queryApi.ts, answered from the
// index, and from the team backends for traces that are not here (engine.ts).
import type { ServerResponse } from 'node:http';
import { matchQueryApiRoute, parseTraceQuery, type QueryApiErrorReply, type QueryApiReplies, type QueryApiRoute } from '../../shared/queryApi';
import type { EngineStats, TraceDetail, TraceSummary } from '../../shared/spanModel';
import { BackendError } from '../backends/backendTypes';
import type { TeamBackends } from '../backends/teamBackends';
import { send } from './httpReply';
import type { TraceIndex } from '../index/traceIndex';
import { buildTraceReport } from '../index/traceReport';
import { encodeTracesData } from '../otlp/encodeJson';
import { isPagedTraceRoute } from '../../shared/pagedTraceApi';
import { answerPagedTrace, spansWithSources } from './pagedTraceApi';

/** What the API reads besides the index: the team backends and the traces opened from them (engine.ts). */
export interface ApiEngine {
  withOrigin<T extends TraceSummary>(summary: T): T;
  traceAnywhere(traceId: string): Promise<{ detail?: TraceDetail; problems: string[] }>;
  readonly backends: TeamBackends;
}

/**
 * `withSources` adds what the workspace tells of a trace's spans (code/codeLinks.ts): each one's
 * `source` and how it was found. `stats`: the index's counts, the store's state and the forwarding
 * targets (Engine.stats). Without `engine` the API answers from the index alone (no team backends).
 */
export async function handleApi(
  method: string, url: URL, index: TraceIndex, res: ServerResponse, withSources: (detail: TraceDetail) => TraceDetail = (detail) => detail,
  stats = (): EngineStats => index.stats(), engine?: ApiEngine,
): Promise<void> {
  if (method !== 'GET') {
    res.setHeader('Allow', 'GET');
    return fail(res, 405, `${method} is not allowed on ${url.pathname}; use GET`);
  }
  const matched = matchQueryApiRoute(url.pathname);
  if (!matched) return fail(res, 404, `unknown API path ${url.pathname}`);
  if (matched.badEncoding) return fail(res, 400, `the trace id in ${url.pathname} is not valid percent-encoding`);
  const reply = <R extends QueryApiRoute>(_route: R, body: QueryApiReplies[R]) => json(res, 200, body);
  const { route, traceId = '', backend = '' } = matched;
  if (isPagedTraceRoute(route)) {
    const answer = await answerPagedTrace(route, traceId, url.searchParams, index, (spans) => spansWithSources(withSources, spans), engine);
    return answer.status === 200 ? json(res, 200, answer.body) : fail(res, answer.status, answer.error, answer.backends);
  }
  try {
    switch (route) {
      case 'stats': return reply(route, stats());
      case 'traces': {
        const parsed = parseTraceQuery(url.searchParams);
        if (typeof parsed === 'string') return fail(res, 400, parsed);
        const traces = index.query(parsed);
        return reply(route, { traces: engine ? traces.map((t) => engine.withOrigin(t)) : traces });
      }
      case 'report': {
        const sinceMs = Number(url.searchParams.get('sinceMs') ?? 0);
        if (!Number.isFinite(sinceMs)) return fail(res, 400, `sinceMs must be a number, got "${url.searchParams.get('sinceMs')}"`);
        return reply(route, buildTraceReport(index.tracesSince(sinceMs), sinceMs));
      }
      case 'trace': {
        if (!engine) {
          const detail = index.trace(traceId);
          return detail ? reply(route, withSources(detail)) : fail(res, 404, `no trace with id ${traceId}`);
        }
        const { detail, problems } = await engine.traceAnywhere(traceId);
        if (detail) return reply(route, withSources(detail));
        const where = engine.backends.size ? ` here or in ${engine.backends.list().map((b) => b.name).join(', ')}` : '';
        return fail(res, 404, `no trace with id ${traceId}${where}`, problems);
      }
      case 'traceOtlp': {
        const spans = index.rawSpans(traceId);
        return spans ? reply(route, encodeTracesData(spans)) : fail(res, 404, `no trace with id ${traceId}`);
      }
      case 'backends': return reply(route, { backends: engine?.backends.list() ?? [] });
      case 'backendSearch': {
        if (!engine) return fail(res, 404, `${backend}: no such backend`);
        const limit = url.searchParams.get('limit');
        if (limit !== null && !/^\d+$/.test(limit)) return fail(res, 400, `limit must be a positive integer, got "${limit}"`);
        const traces = await engine.backends.search(backend, url.searchParams.get('q') ?? '', limit === null ? undefined : Number(limit));
        return reply(route, { backend, traces });
      }
      case 'backendTrace': {
        if (!engine) return fail(res, 404, `${backend}: no such backend`);
        const found = await engine.backends.open(traceId, backend);
        const detail = found.backend ? (await engine.traceAnywhere(traceId)).detail : undefined;
        return detail ? reply(route, withSources(detail)) : fail(res, 404, `${backend}: no trace with id ${traceId}`);
      }
    }
  } catch (error) {
    // A backend's failure is the answer, with a status that says which kind; anything else is ours.
    if (!(error instanceof BackendError)) throw error;
    return fail(res, error.status, error.message);
  }
}

function fail(res: ServerResponse, code: number, error: string, backends?: string[]): void {
  json(res, code, { error, ...(backends?.length ? { backends } : {}) } satisfies QueryApiErrorReply);
}

function json(res: ServerResponse, code: number, body: unknown): void {
  send(res, code, 'application/json; charset=utf-8', Buffer.from(JSON.stringify(body)));
}
