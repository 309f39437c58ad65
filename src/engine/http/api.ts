// The query API's handler: the routes and replies of src/shared/queryApi.ts, answered from the index.
import type { ServerResponse } from 'node:http';
import { matchQueryApiRoute, parseTraceQuery, type QueryApiErrorReply, type QueryApiReplies, type QueryApiRoute } from '../../shared/queryApi';
import type { EngineStats, TraceDetail } from '../../shared/spanModel';
import { send } from './httpReply';
import type { TraceIndex } from '../index/traceIndex';
import { buildTraceReport } from '../index/traceReport';
import { encodeTracesData } from '../otlp/encodeJson';

/**
 * `withSources` adds what the workspace tells of a trace's spans (code/codeLinks.ts): each one's
 * `source` and how it was found. `stats`: the index's counts and the store's state (Engine.stats).
 */
export function handleApi(
  method: string, url: URL, index: TraceIndex, res: ServerResponse, withSources: (detail: TraceDetail) => TraceDetail = (detail) => detail,
  stats = (): EngineStats => index.stats(),
): void {
  if (method !== 'GET') {
    res.setHeader('Allow', 'GET');
    return fail(res, 405, `${method} is not allowed on ${url.pathname}; use GET`);
  }
  const matched = matchQueryApiRoute(url.pathname);
  if (!matched) return fail(res, 404, `unknown API path ${url.pathname}`);
  if (matched.badEncoding) return fail(res, 400, `the trace id in ${url.pathname} is not valid percent-encoding`);
  const reply = <R extends QueryApiRoute>(_route: R, body: QueryApiReplies[R]) => json(res, 200, body);
  const { route, traceId = '' } = matched;
  switch (route) {
    case 'stats': return reply(route, stats());
    case 'traces': {
      const parsed = parseTraceQuery(url.searchParams);
      if (typeof parsed === 'string') return fail(res, 400, parsed);
      return reply(route, { traces: index.query(parsed) });
    }
    case 'report': {
      const sinceMs = Number(url.searchParams.get('sinceMs') ?? 0);
      if (!Number.isFinite(sinceMs)) return fail(res, 400, `sinceMs must be a number, got "${url.searchParams.get('sinceMs')}"`);
      return reply(route, buildTraceReport(index.tracesSince(sinceMs), sinceMs));
    }
    case 'trace': {
      const detail = index.trace(traceId);
      return detail ? reply(route, withSources(detail)) : fail(res, 404, `no trace with id ${traceId}`);
    }
    case 'traceOtlp': {
      const spans = index.rawSpans(traceId);
      return spans ? reply(route, encodeTracesData(spans)) : fail(res, 404, `no trace with id ${traceId}`);
    }
  }
}

function fail(res: ServerResponse, code: number, error: string): void {
  json(res, code, { error } satisfies QueryApiErrorReply);
}

function json(res: ServerResponse, code: number, body: unknown): void {
  send(res, code, 'application/json; charset=utf-8', Buffer.from(JSON.stringify(body)));
}
