import assert from 'node:assert/strict';
import { countOrphans, emptySummary, newTrace, summarize } from '../../src/engine/model/traceSummary';
import { storedSpan, T0, traceOf } from './helpers/storedSpans';

const TRACE = 'a'.repeat(32);

describe('trace summary (model)', () => {
  it('says a new trace has no spans yet', () => {
    const trace = newTrace(TRACE);
    assert.deepEqual(trace.summary, emptySummary(TRACE));
    assert.equal(trace.summary.spanCount, 0);
    assert.equal(trace.live, true);
  });

  it('names the trace after its root and spans the earliest start to the latest end', () => {
    const trace = traceOf([
      storedSpan({ traceId: TRACE, spanId: '0000000000000002', parentSpanId: '0000000000000001', name: 'retrieve', startMs: T0 + 10, endMs: T0 + 900 }),
      storedSpan({ traceId: TRACE, spanId: '0000000000000001', name: 'answer', startMs: T0, endMs: T0 + 1000, statusCode: 1 }),
      storedSpan({ traceId: TRACE, spanId: '0000000000000003', parentSpanId: '0000000000000001', name: 'late', startMs: T0 + 950, endMs: T0 + 1200 }),
    ]);
    const summary = summarize(trace);
    assert.equal(summary.name, 'answer');
    assert.equal(summary.startMs, T0);
    assert.equal(summary.durationMs, 1200);
    assert.equal(summary.spanCount, 3);
    assert.equal(summary.status, 'ok');
    assert.deepEqual(summary.slowestStep, { name: 'retrieve', durationMs: 890 });
  });

  it('counts tokens and cost once: a wrapper with usage above a provider call adds nothing', () => {
    const trace = traceOf([
      storedSpan({ traceId: TRACE, spanId: '0000000000000001', name: 'ai.generateText', startMs: T0, endMs: T0 + 10,
        facts: { kind: 'CHAIN', model: 'gpt-4o', tokens: { input: 10, output: 5, total: 15 }, costUsd: 0.5 } }),
      storedSpan({ traceId: TRACE, spanId: '0000000000000002', parentSpanId: '0000000000000001', name: 'chat', startMs: T0, endMs: T0 + 9,
        facts: { kind: 'LLM', model: 'gpt-4o-mini', tokens: { input: 10, output: 5, total: 15 }, costUsd: 0.5 } }),
    ]);
    const summary = summarize(trace);
    assert.deepEqual(summary.tokens, { input: 10, output: 5, total: 15 });
    assert.equal(summary.costUsd, 0.5);
    // Models come from the calls, not from what the wrapper asked for.
    assert.deepEqual(summary.models, ['gpt-4o-mini']);
  });

  it('reports the failure that says why, over its parent that only failed because of it', () => {
    const trace = traceOf([
      storedSpan({ traceId: TRACE, spanId: '0000000000000001', name: 'agent', startMs: T0, endMs: T0 + 10, statusCode: 2 }),
      storedSpan({ traceId: TRACE, spanId: '0000000000000002', parentSpanId: '0000000000000001', name: 'tool', startMs: T0 + 1, endMs: T0 + 5, statusCode: 2,
        events: [{ name: 'exception', timeMs: T0 + 4, attributes: { 'exception.type': 'ValueError', 'exception.message': 'bad city' } }] }),
    ]);
    const summary = summarize(trace);
    assert.equal(summary.status, 'error');
    assert.equal(summary.errorCount, 2);
    assert.equal(summary.errorMessage, 'ValueError: bad city');
  });

  it('lets the earliest orphan stand in for a root that never arrived, and counts orphans', () => {
    const trace = traceOf([
      storedSpan({ traceId: TRACE, spanId: '0000000000000003', parentSpanId: 'ffffffffffffffff', name: 'second', startMs: T0 + 5, endMs: T0 + 6 }),
      storedSpan({ traceId: TRACE, spanId: '0000000000000002', parentSpanId: 'ffffffffffffffff', name: 'first', startMs: T0, endMs: T0 + 1 }),
    ]);
    assert.equal(summarize(trace).name, 'first');
    assert.equal(countOrphans(trace), 2);
  });

  it('stops at a parent cycle instead of walking it forever', () => {
    const trace = traceOf([
      storedSpan({ traceId: TRACE, spanId: '0000000000000001', parentSpanId: '0000000000000002', name: 'a', startMs: T0, endMs: T0 + 1,
        facts: { kind: 'LLM', tokens: { input: 1, output: 1, total: 2 } } }),
      storedSpan({ traceId: TRACE, spanId: '0000000000000002', parentSpanId: '0000000000000001', name: 'b', startMs: T0, endMs: T0 + 2,
        facts: { kind: 'LLM', tokens: { input: 1, output: 1, total: 2 } } }),
    ]);
    const summary = summarize(trace);
    assert.equal(summary.spanCount, 2);
    assert.equal(countOrphans(trace), 0);
  });
});
