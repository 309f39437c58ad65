import assert from 'node:assert/strict';
import type { TraceSummary } from '../../src/shared/spanModel';
import { TraceIndexes } from '../../src/engine/index/traceIndexes';
import { emptySummary, newTrace, type Trace } from '../../src/engine/model/traceSummary';

function summaryOf(traceId: string, fields: Partial<TraceSummary>): TraceSummary {
  return { ...emptySummary(traceId), spanCount: 1, ...fields };
}

/** Places a trace with this summary and returns it. */
function placed(indexes: TraceIndexes, n: number, fields: Partial<TraceSummary>): Trace {
  const trace = newTrace(String(n).repeat(32));
  const next = summaryOf(trace.traceId, fields);
  indexes.place(trace, trace.summary, next);
  trace.summary = next;
  return trace;
}

const noText = () => new Set<Trace>();
const ids = (traces: Trace[]) => traces.map((t) => t.traceId[0]);

describe('trace indexes', () => {
  it('select newest first by default, or by duration, tokens or cost, up to the limit', () => {
    const indexes = new TraceIndexes();
    placed(indexes, 1, { startMs: 100, durationMs: 30, tokens: { input: 0, output: 0, total: 5 }, costUsd: 3 });
    placed(indexes, 2, { startMs: 200, durationMs: 10, tokens: { input: 0, output: 0, total: 50 }, costUsd: 1 });
    placed(indexes, 3, { startMs: 300, durationMs: 20, tokens: { input: 0, output: 0, total: 7 }, costUsd: 2 });
    assert.deepEqual(ids(indexes.select({}, noText)), ['3', '2', '1']);
    assert.deepEqual(ids(indexes.select({ sort: 'duration' }, noText)), ['1', '3', '2']);
    assert.deepEqual(ids(indexes.select({ sort: 'tokens', limit: 1 }, noText)), ['2']);
    assert.deepEqual(ids(indexes.select({ sort: 'cost' }, noText)), ['1', '3', '2']);
    assert.deepEqual(ids(indexes.select({ minDurationMs: 20 }, noText)), ['3', '1']);
  });

  it('answer facets, errors, text and an extra filter together', () => {
    const indexes = new TraceIndexes();
    const a = placed(indexes, 1, { startMs: 1, services: ['api'], models: ['gpt-4o'], errorCount: 1, sessionId: 's1' });
    placed(indexes, 2, { startMs: 2, services: ['api'], models: ['claude'], userId: 'u1' });
    placed(indexes, 3, { startMs: 3, services: ['worker'], models: ['gpt-4o'], errorCount: 2 });
    assert.deepEqual(ids(indexes.select({ service: 'api' }, noText)), ['2', '1']);
    assert.deepEqual(ids(indexes.select({ model: 'gpt-4o', status: 'error' }, noText)), ['3', '1']);
    assert.deepEqual(ids(indexes.select({ session: 's1' }, noText)), ['1']);
    assert.deepEqual(ids(indexes.select({ user: 'u1' }, noText)), ['2']);
    assert.deepEqual(ids(indexes.select({ service: 'nobody' }, noText)), []);
    assert.deepEqual(ids(indexes.select({ q: 'x' }, () => new Set([a]))), ['1']);
    assert.deepEqual(ids(indexes.select({}, noText, (t) => t.traceId.startsWith('2'))), ['2']);
    assert.equal(indexes.errors.size, 2);
  });

  it('move a trace when its summary changes and forget it when removed', () => {
    const indexes = new TraceIndexes();
    const trace = placed(indexes, 1, { startMs: 10, durationMs: 5, services: ['api'], errorCount: 1 });
    placed(indexes, 2, { startMs: 20, durationMs: 7, services: ['api'] });
    const next = summaryOf(trace.traceId, { startMs: 10, durationMs: 50, services: ['worker'] });
    indexes.place(trace, trace.summary, next);
    trace.summary = next;
    assert.deepEqual(ids(indexes.select({ sort: 'duration' }, noText)), ['1', '2']);
    assert.deepEqual(ids(indexes.select({ service: 'api' }, noText)), ['2']);
    assert.deepEqual(ids(indexes.select({ service: 'worker' }, noText)), ['1']);
    assert.equal(indexes.errors.size, 0);
    indexes.remove(trace);
    assert.deepEqual(ids(indexes.select({}, noText)), ['2']);
    assert.deepEqual(ids(indexes.select({ service: 'worker' }, noText)), []);
    assert.deepEqual([...indexes.byStart.ascending()].map((t) => t.traceId[0]), ['2']);
    indexes.clear();
    assert.deepEqual(indexes.select({}, noText), []);
  });
});
