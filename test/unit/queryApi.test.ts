import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { startEngine, type Engine } from '../../src/engine/engine';
import {
  EngineUnreachableError, matchQueryApiRoute, parseTraceQuery, QueryApiClient, queryApiPath, QueryApiStatusError, traceQueryParams,
} from '../../src/shared/queryApi';
import type { TraceQuery } from '../../src/shared/spanModel';
import { rawSpan } from './helpers/rawSpans';

const TRACE = 'e'.repeat(32);

/** A port nothing listens on (it was free a moment ago). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('query API contract (src/shared/queryApi.ts)', () => {
  it('reads back every query parameter a client writes', () => {
    const query: TraceQuery = { limit: 5, sort: 'cost', minDurationMs: 1500, status: 'error', q: 'refund', service: 'api',
      model: 'gpt-4o', session: 's', user: 'u', filter: 'kind = LLM' };
    assert.deepEqual(parseTraceQuery(traceQueryParams(query)), query);
    assert.equal(parseTraceQuery(new URLSearchParams('sort=size')), 'sort must be one of start, duration, tokens, cost, got "size"');
  });

  it('matches each client path to its route', () => {
    assert.deepEqual(matchQueryApiRoute(queryApiPath.stats()), { route: 'stats' });
    assert.deepEqual(matchQueryApiRoute(new URL(queryApiPath.traces({ limit: 1 }), 'http://x').pathname), { route: 'traces' });
    assert.deepEqual(matchQueryApiRoute(new URL(queryApiPath.report(5), 'http://x').pathname), { route: 'report' });
    assert.deepEqual(matchQueryApiRoute(queryApiPath.trace('a/b')), { route: 'trace', traceId: 'a/b' });
    assert.deepEqual(matchQueryApiRoute(queryApiPath.traceOtlp(TRACE)), { route: 'traceOtlp', traceId: TRACE });
    assert.equal(matchQueryApiRoute('/api/nothing'), undefined);
  });

  describe('against an engine', () => {
    let engine: Engine;
    let api: QueryApiClient;
    before(async () => {
      engine = await startEngine({ httpPort: 0, grpcPort: null });
      engine.index.addSpans([rawSpan({}, { traceId: TRACE, name: 'answer' })]);
      api = new QueryApiClient(engine.httpPort);
    });
    after(() => engine.close());

    it('answers every route with its reply type', async () => {
      assert.equal((await api.get('stats')).traces, 1);
      assert.deepEqual((await api.get('traces', { q: 'answer' })).traces.map((t) => t.traceId), [TRACE]);
      assert.equal((await api.get('report', 0)).traces, 1);
      assert.equal((await api.get('trace', TRACE)).summary.name, 'answer');
      assert.ok('resourceSpans' in (await api.get('traceOtlp', TRACE)));
      assert.equal(JSON.parse(await api.text('trace', TRACE)).spans.length, 1);
    });

    it('says 404 for a trace it does not have, and 400 with the reason for a bad query', async () => {
      const missing = await api.get('trace', 'f'.repeat(32)).catch((e: unknown) => e);
      assert.ok(missing instanceof QueryApiStatusError);
      assert.equal(missing.status, 404);
      assert.match(missing.message, /no trace with id f{32}/);
      const bad = await api.get('traces', { minDurationMs: Number.NaN }).catch((e: unknown) => e);
      assert.ok(bad instanceof QueryApiStatusError);
      assert.equal(bad.status, 400);
      assert.match(bad.message, /minDurationMs must be a number/);
    });
  });

  it('reports an engine that does not answer as unreachable, not as a missing trace', async () => {
    const port = await closedPort();
    const error = await new QueryApiClient(port).get('trace', TRACE).catch((e: unknown) => e);
    assert.ok(error instanceof EngineUnreachableError, String(error));
    assert.equal(error.port, port);
    assert.match(error.message, new RegExp(`engine on port ${port} did not answer`));
  });
});
