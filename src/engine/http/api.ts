// The query API's handler: the routes and replies of src/shared/queryApi.ts, answered from the
// index, and from the team backends for traces that are not here (engine.ts). The same answers go
// over HTTP (handleApi) and over the extension's LSP connection (answerApi).
import type { ServerResponse } from 'node:http';
import {
  matchQueryApiRoute, parseCallsQuery, parseSessionQuery, parseStepGrouping, parseTraceQuery, type QueryApiErrorReply, type QueryApiReplies, type QueryApiRoute,
} from '../../shared/queryApi';
import type { EngineStats, TraceDetail, TraceSummary } from '../../shared/spanModel';
import { BackendError } from '../backends/backendTypes';
import type { TeamBackends } from '../backends/teamBackends';
import { send } from './httpReply';
import type { AcrossTraces } from '../index/acrossTraces';
import type { TraceIndex } from '../index/traceIndex';
import { buildTraceReport } from '../index/traceReport';
import { encodeTracesData } from '../otlp/encodeJson';
import { isPagedTraceRoute } from '../../shared/pagedTraceApi';
import { answerPagedTrace, spansWithSources } from './pagedTraceApi';
import { traceForAi } from '../../shared/traceForAi';
import { draftTraceTestFiles } from '../../shared/traceTestDraft';

/** What the API reads besides the index: the team backends and the traces opened from them (engine.ts). */
export interface ApiEngine {
  withOrigin<T extends TraceSummary>(summary: T): T;
  traceAnywhere(traceId: string): Promise<{ detail?: TraceDetail; problems: string[] }>;
  readonly backends: TeamBackends;
}

export interface ApiContext {
  index: TraceIndex;
  /** Sessions, the LLM calls table and context windows, over the same index. */
  across: AcrossTraces;
  /** Adds what the workspace tells of a trace's spans (code/codeLinks.ts): each one's `source` and how it was found. */
  withSources?: (detail: TraceDetail) => TraceDetail;
  /** The index's counts, the store's state and the forwarding targets (Engine.stats); by default the index's counts. */
  stats?: () => EngineStats;
  /** The team backends; without it the API answers from the index alone. */
  engine?: ApiEngine;
}

export interface ApiAnswer {
  status: number;
  body: unknown;
}

export async function handleApi(method: string, url: URL, context: ApiContext, res: ServerResponse): Promise<void> {
  if (method !== 'GET') res.setHeader('Allow', 'GET');
  const { status, body } = await answerApi(method, url, context);
  send(res, status, 'application/json; charset=utf-8', Buffer.from(JSON.stringify(body)));
}

export async function answerApi(method: string, url: URL, context: ApiContext): Promise<ApiAnswer> {
  const { index, across, withSources = (detail) => detail, stats = () => index.stats(), engine } = context;
  if (method !== 'GET') return fail(405, `${method} is not allowed on ${url.pathname}; use GET`);
  const matched = matchQueryApiRoute(url.pathname);
  if (!matched) return fail(404, `unknown API path ${url.pathname}`);
  if (matched.badEncoding) return fail(400, `an id in ${url.pathname} is not valid percent-encoding`);
  const reply = <R extends QueryApiRoute>(_route: R, body: QueryApiReplies[R]): ApiAnswer => ({ status: 200, body });
  const { route, traceId = '', backend = '', spanId = '', sessionId = '' } = matched;
  if (isPagedTraceRoute(route)) {
    const answer = await answerPagedTrace(route, traceId, url.searchParams, index, (spans) => spansWithSources(withSources, spans), engine);
    return answer.status === 200 ? { status: 200, body: answer.body } : fail(answer.status, answer.error, answer.backends);
  }
  try {
    switch (route) {
      case 'stats': return reply(route, stats());
      case 'traces': {
        const parsed = parseTraceQuery(url.searchParams);
        if (typeof parsed === 'string') return fail(400, parsed);
        const traces = index.query(parsed);
        return reply(route, { traces: engine ? traces.map((t) => engine.withOrigin(t)) : traces });
      }
      case 'report': {
        const sinceMs = Number(url.searchParams.get('sinceMs') ?? 0);
        if (!Number.isFinite(sinceMs)) return fail(400, `sinceMs must be a number, got "${url.searchParams.get('sinceMs')}"`);
        const groupBy = parseStepGrouping(url.searchParams);
        if (typeof groupBy !== 'string') return fail(400, groupBy.error);
        return reply(route, buildTraceReport(index.tracesSince(sinceMs), sinceMs, groupBy, index.promptSourceOf));
      }
      case 'trace':
      case 'traceForAi': {
        // The text for a chat is built here, so a client (the extension host) only relays it.
        const answer = (detail: TraceDetail) => (route === 'trace' ? reply(route, withSources(detail)) : reply('traceForAi', traceForAi(withSources(detail))));
        if (!engine) {
          const detail = index.trace(traceId);
          return detail ? answer(detail) : fail(404, `no trace with id ${traceId}`);
        }
        const { detail, problems } = await engine.traceAnywhere(traceId);
        if (detail) return answer(detail);
        const where = engine.backends.size ? ` here or in ${engine.backends.list().map((b) => b.name).join(', ')}` : '';
        return fail(404, `no trace with id ${traceId}${where}`, problems);
      }
      case 'traceOtlp': {
        const spans = index.rawSpans(traceId);
        return spans ? reply(route, encodeTracesData(spans)) : fail(404, `no trace with id ${traceId}`);
      }
      case 'traceTestDraft': {
        // Drafted here from the whole trace, so Save as Test on the extension host only writes two files.
        const [detail, spans] = [index.trace(traceId), index.rawSpans(traceId)];
        return detail && spans ? reply(route, draftTraceTestFiles(detail, encodeTracesData(spans))) : fail(404, `no trace with id ${traceId}`);
      }
      case 'backends': return reply(route, { backends: engine?.backends.list() ?? [] });
      case 'backendSearch': {
        if (!engine) return fail(404, `${backend}: no such backend`);
        const limit = url.searchParams.get('limit');
        if (limit !== null && !/^\d+$/.test(limit)) return fail(400, `limit must be a positive integer, got "${limit}"`);
        const traces = await engine.backends.search(backend, url.searchParams.get('q') ?? '', limit === null ? undefined : Number(limit));
        return reply(route, { backend, traces });
      }
      case 'backendTrace': {
        if (!engine) return fail(404, `${backend}: no such backend`);
        const found = await engine.backends.open(traceId, backend);
        const detail = found.backend ? (await engine.traceAnywhere(traceId)).detail : undefined;
        return detail ? reply(route, withSources(detail)) : fail(404, `${backend}: no trace with id ${traceId}`);
      }
      case 'spanContext': {
        const spanContext = across.spanContext(traceId, spanId);
        return spanContext ? reply(route, spanContext) : fail(404, `no span ${spanId} in a trace with id ${traceId}`);
      }
      case 'sessions': {
        const parsed = parseSessionQuery(url.searchParams);
        if (typeof parsed === 'string') return fail(400, parsed);
        return reply(route, { sessions: across.sessions.list(parsed) });
      }
      case 'session': {
        const detail = across.sessions.detail(sessionId);
        return detail ? reply(route, detail) : fail(404, `no session with id ${sessionId}`);
      }
      case 'calls': {
        const parsed = parseCallsQuery(url.searchParams);
        if (typeof parsed === 'string') return fail(400, parsed);
        return reply(route, across.calls.page(parsed));
      }
    }
  } catch (error) {
    // A backend's failure is the answer, with a status that says which kind; anything else is ours.
    if (!(error instanceof BackendError)) throw error;
    return fail(error.status, error.message);
  }
}

function fail(status: number, error: string, backends?: string[]): ApiAnswer {
  return { status, body: { error, ...(backends?.length ? { backends } : {}) } satisfies QueryApiErrorReply };
}
