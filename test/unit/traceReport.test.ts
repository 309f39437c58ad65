import assert from 'node:assert/strict';
import { buildTraceReport, percentile } from '../../src/engine/index/traceReport';
import { reportText, traceDigest, traceLines } from '../../src/shared/traceDigest';
import { fixtureAttributes, normalized, rawSpan } from './helpers/rawSpans';

const T0 = 1_700_000_000_000;

/** Three requests: a fast one, a slow one whose rerank dominates, a failed one. */
function agentTraffic() {
  const spans = [];
  for (const [n, rerankMs, failed] of [[1, 100, false], [2, 4200, false], [3, 900, true]] as const) {
    const traceId = String(n).repeat(32);
    const start = T0 + n * 60_000;
    const llmAttrs = { ...fixtureAttributes('openinference_client_span_tool_calls.json') };
    spans.push(
      rawSpan({ 'openinference.span.kind': 'CHAIN' }, { traceId, spanId: `${n}000000000000001`, name: 'answer_question', startMs: start, endMs: start + rerankMs + 1100, statusCode: failed ? 2 : 1 }),
      rawSpan({ 'openinference.span.kind': 'RERANKER' }, { traceId, spanId: `${n}000000000000002`, parentSpanId: `${n}000000000000001`, name: 'rerank', startMs: start, endMs: start + rerankMs }),
      rawSpan(llmAttrs, { traceId, spanId: `${n}000000000000003`, parentSpanId: `${n}000000000000001`, name: 'chat', startMs: start + rerankMs, endMs: start + rerankMs + 1000,
        statusCode: failed ? 2 : 1, statusMessage: failed ? 'RateLimitError: <script>alert(1)</script>' : undefined }),
    );
  }
  return normalized(spans).index;
}

describe('trace report (Steps view, chat summary tool)', () => {
  it('gives per-step counts, errors, percentiles and the slowest step of failed traces', () => {
    const index = agentTraffic();
    const report = buildTraceReport(index.tracesSince(0), 0);
    assert.equal(report.traces, 3);
    assert.equal(report.errorTraces, 1);
    const rerank = report.steps.find((s) => s.name === 'rerank')!;
    assert.equal(rerank.kind, 'RERANKER');
    assert.equal(rerank.count, 3);
    assert.equal(rerank.maxMs, 4200);
    assert.equal(rerank.p50Ms, 900);
    const chat = report.steps.find((s) => s.name === 'chat')!;
    assert.equal(chat.errors, 1);
    // In the failed request (rerank 900 ms, chat 1000 ms) the LLM call was the slowest step.
    assert.equal(chat.slowestInFailed, 1);
    assert.equal(rerank.slowestInFailed, 0);
    assert.ok(report.byModel.length >= 1 && report.byModel[0].calls === 3);
  });

  it('counts only the traces inside the window', () => {
    const index = agentTraffic();
    assert.equal(buildTraceReport(index.tracesSince(T0 + 2 * 60_000), T0 + 2 * 60_000).traces, 2);
  });

  it('takes nearest-rank percentiles', () => {
    assert.equal(percentile([], 0.5), 0);
    assert.equal(percentile([1, 2, 3, 4], 0.5), 2);
    assert.equal(percentile([1, 2, 3, 4], 0.95), 4);
  });
});

describe('chat tool answers', () => {
  it('name trace ids and the slowest step in one line per trace', () => {
    const index = agentTraffic();
    const text = traceLines(index.query({ sort: 'duration', limit: 5 }));
    const first = text.split('\n')[0];
    assert.match(first, /^- 2{32} \| answer_question \| 5\.30 s \| ok/);
    assert.match(first, /slowest step: rerank 4\.20 s/);
    assert.match(text, /FAILED: RateLimitError/);
  });

  it('summarize the window with error rate, models and steps', () => {
    const index = agentTraffic();
    const text = reportText(buildTraceReport(index.tracesSince(0), 0));
    assert.match(text, /3 traces, 1 failed \(33% error rate\)/);
    assert.match(text, /By model:\n- /);
    assert.match(text, /RERANKER rerank \(test-app\): 3×/);
  });

  it('condense one trace to its steps, prompts and responses within the budget', () => {
    const index = agentTraffic();
    const detail = index.trace('3'.repeat(32))!;
    const digest = traceDigest(detail, 8000);
    assert.match(digest, /^Trace 3{32}: answer_question/);
    assert.match(digest, /\n- CHAIN answer_question/);
    assert.match(digest, /\n {2}- RERANKER rerank \| 900 ms/);
    assert.match(digest, /ERROR: RateLimitError/);
    assert.match(digest, /\n {4}user: /, 'the prompt the model saw');
    const small = traceDigest(detail, 300);
    assert.ok(small.length < 600, `the budget holds: ${small.length}`);
    assert.match(small, /more spans left out/);
  });
});
