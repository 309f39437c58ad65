// The query API's handler: the routes and replies of src/shared/queryApi.ts, answered from the index.
// The same answers go over HTTP (handleApi) and over the extension's LSP connection (answerApi).
import type { ServerResponse } from 'node:http';
import {
  matchQueryApiRoute, parseCallsQuery, parseSessionQuery, parseTraceQuery, type QueryApiErrorReply, type QueryApiReplies, type QueryApiRoute,
} from '../../shared/queryApi';
import type { TraceDetail } from '../../shared/spanModel';
import { send } from './httpReply';
import type { AcrossTraces } from '../index/acrossTraces';
import type { TraceIndex } from '../index/traceIndex';
import { buildTraceReport } from '../index/traceReport';
import { encodeTracesData } from '../otlp/encodeJson';

export interface ApiContext {
  index: TraceIndex;
  /** Sessions, the LLM calls table and context windows, over the same index. */
  across: AcrossTraces;
  /** Adds what the workspace tells of a trace's spans (code/codeLinks.ts): each one's `source` and how it was found. */
  withSources?: (detail: TraceDetail) => TraceDetail;
}

export interface ApiAnswer {
  status: number;
  body: unknown;
}

export function handleApi(method: string, url: URL, context: ApiContext, res: ServerResponse): void {
  if (method !== 'GET') res.setHeader('Allow', 'GET');
  const { status, body } = answerApi(method, url, context);
  send(res, status, 'application/json; charset=utf-8', Buffer.from(JSON.stringify(body)));
}

export function answerApi(method: string, url: URL, { index, across, withSources = (detail) => detail }: ApiContext): ApiAnswer {
  if (method !== 'GET') return fail(405, `${method} is not allowed on ${url.pathname}; use GET`);
  const matched = matchQueryApiRoute(url.pathname);
  if (!matched) return fail(404, `unknown API path ${url.pathname}`);
  const reply = <R extends QueryApiRoute>(_route: R, body: QueryApiReplies[R]): ApiAnswer => ({ status: 200, body });
  const { route, traceId = '', spanId = '', sessionId = '' } = matched;
  switch (route) {
    case 'stats': return reply(route, index.stats());
    case 'traces': {
      const parsed = parseTraceQuery(url.searchParams);
      if (typeof parsed === 'string') return fail(400, parsed);
      return reply(route, { traces: index.query(parsed) });
    }
    case 'report': {
      const sinceMs = Number(url.searchParams.get('sinceMs') ?? 0);
      if (!Number.isFinite(sinceMs)) return fail(400, `sinceMs must be a number, got "${url.searchParams.get('sinceMs')}"`);
      return reply(route, buildTraceReport(index.tracesSince(sinceMs), sinceMs));
    }
    case 'trace': {
      const detail = index.trace(traceId);
      return detail ? reply(route, withSources(detail)) : fail(404, `no trace with id ${traceId}`);
    }
    case 'traceOtlp': {
      const spans = index.rawSpans(traceId);
      return spans ? reply(route, encodeTracesData(spans)) : fail(404, `no trace with id ${traceId}`);
    }
    case 'spanContext': {
      const context = across.spanContext(traceId, spanId);
      return context ? reply(route, context) : fail(404, `no span ${spanId} in a trace with id ${traceId}`);
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
}

function fail(status: number, error: string): ApiAnswer {
  return { status, body: { error } satisfies QueryApiErrorReply };
}
