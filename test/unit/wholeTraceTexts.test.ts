// The query API's routes that build text from a whole trace in the engine, so the extension host
// only relays it: "Copy trace for AI" (traceForAi) and "Save as Test" (traceTestDraft). Answered
// alike over HTTP and over LSP (answerApi, what the LSP request runs), refused to a foreign Host or Origin.
import assert from 'node:assert/strict';
import { answerApi } from '../../src/engine/http/api';
import { matchQueryApiRoute, queryApiPath, QueryApiStatusError } from '../../src/shared/queryApi';
import { COPY_FOR_AI_BUDGET } from '../../src/shared/traceForAi';
import { agentRunSpans, agentRunTraceId, otlpJsonBody } from '../integration/agentRunTraffic';
import { useEngineWithAgentRun } from './helpers/liveEngine';
import { rawRequest } from './helpers/otelSenders';

const SPANS = 3000;
const TRACE = agentRunTraceId(0x7e47);

describe('whole-trace texts built by the engine (Copy trace for AI, Save as Test)', function () {
  this.timeout(60_000);
  const live = useEngineWithAgentRun(0x7e47, SPANS, 1000);

  const overLsp = async (path: string) => answerApi('GET', new URL(path, 'http://127.0.0.1'), live.engine.apiContext());

  it('matches the routes to their paths', () => {
    assert.deepEqual(matchQueryApiRoute(queryApiPath.traceForAi(TRACE)), { route: 'traceForAi', traceId: TRACE });
    assert.deepEqual(matchQueryApiRoute(queryApiPath.traceTestDraft(TRACE)), { route: 'traceTestDraft', traceId: TRACE });
    assert.deepEqual(matchQueryApiRoute('/api/traces/%E0%A4%A/for-ai'), { route: 'traceForAi', badEncoding: true });
  });

  it('builds the trace as Markdown within the budget, saying how many spans did not fit; the same over LSP', async () => {
    const reply = await live.api.get('traceForAi', TRACE);
    assert.match(reply.text, /^# Trace: agent run 3000\n/);
    assert.ok(reply.text.length <= COPY_FOR_AI_BUDGET + 200, `${reply.text.length} characters`);
    assert.equal(reply.spanCount, SPANS);
    assert.ok(reply.leftOut > 0 && reply.leftOut < SPANS, `${reply.leftOut} left out`);
    assert.match(reply.text, new RegExp(`\\(${reply.leftOut} more spans left out to stay within`));
    const lsp = await overLsp(queryApiPath.traceForAi(TRACE));
    assert.deepEqual({ status: lsp.status, body: lsp.body }, { status: 200, body: reply });
  });

  it('masks secrets in the text for AI', async () => {
    const traceId = agentRunTraceId(0x5ec);
    const spans = agentRunSpans(0x5ec, 3, 1_780_000_000_000);
    const root = spans[spans.length - 1];
    root.attributes = [...root.attributes.filter((a) => a.key !== 'input.value'), { key: 'input.value', value: { stringValue: 'my key is sk-proj-ABCDEFGHIJKLMNOPQRSTUV' } }];
    await fetch(`http://127.0.0.1:${live.engine.httpPort}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: otlpJsonBody(spans) });
    const reply = await live.api.get('traceForAi', traceId);
    assert.doesNotMatch(reply.text, /ABCDEFGHIJKLMNOPQRSTUV/);
    assert.match(reply.text, /\[REDACTED:api-key\]/);
    assert.equal(reply.leftOut, 0);
  });

  it('drafts a test and its baseline from the trace; the same over LSP', async () => {
    const draft = await live.api.get('traceTestDraft', TRACE);
    assert.equal(draft.name, 'agent-run-3000');
    assert.equal(draft.baselinePath, 'baselines/agent-run-3000.otlp.json');
    assert.equal(draft.test.baseline, draft.baselinePath);
    assert.equal(draft.test.name, 'agent run 3000');
    assert.deepEqual((draft.test.expect as { status: string }).status, 'ok');
    const baseline = JSON.parse(draft.baselineJson) as { resourceSpans: { scopeSpans: { spans: unknown[] }[] }[] };
    assert.equal(baseline.resourceSpans.flatMap((r) => r.scopeSpans.flatMap((s) => s.spans)).length, SPANS);
    const lsp = await overLsp(queryApiPath.traceTestDraft(TRACE));
    assert.deepEqual({ status: lsp.status, body: lsp.body }, { status: 200, body: draft });
  });

  it('says 404 for a trace it does not have', async () => {
    for (const route of ['traceForAi', 'traceTestDraft'] as const) {
      await assert.rejects(live.api.get(route, 'f'.repeat(32)), (error: unknown) => error instanceof QueryApiStatusError && error.status === 404);
      assert.equal((await overLsp(queryApiPath[route]('f'.repeat(32)))).status, 404);
    }
  });

  it('refuses a foreign Host or Origin, as every route', async () => {
    for (const path of [queryApiPath.traceForAi(TRACE), queryApiPath.traceTestDraft(TRACE)]) {
      for (const headers of [{ host: 'evil.example:4318' }, { origin: 'https://evil.example' }]) {
        const res = await rawRequest(live.engine.httpPort, { method: 'GET', path, headers });
        assert.equal(res.status, 403, `${path} with ${JSON.stringify(headers)}: ${res.body.toString()}`);
        assert.doesNotMatch(res.body.toString(), /agent run/);
      }
    }
  });
});
