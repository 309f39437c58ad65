import assert from 'node:assert/strict';
import { TraceIndex } from '../../src/engine/index/traceIndex';
import { PriceTable } from '../../src/engine/normalize/pricing';
import { rawSpan } from './helpers/rawSpans';
import { T0 } from './helpers/storedSpans';

const TRACE = 'c'.repeat(32);

describe('trace index (assembly)', () => {
  it('assembles a trace from spans arriving in any order, a re-sent span replacing the first copy', () => {
    const index = new TraceIndex(new PriceTable());
    let changes = 0;
    index.onChange = () => changes++;
    index.addSpans([rawSpan({}, { traceId: TRACE, spanId: '0000000000000002', parentSpanId: '0000000000000001', name: 'child', startMs: T0 + 1, endMs: T0 + 2 })]);
    assert.equal(index.stats().orphanSpans, 1);
    index.addSpans([rawSpan({}, { traceId: TRACE, spanId: '0000000000000001', name: 'root', startMs: T0, endMs: T0 + 10 })]);
    index.addSpans([rawSpan({}, { traceId: TRACE, spanId: '0000000000000001', name: 'root', startMs: T0, endMs: T0 + 20 })]);
    const detail = index.trace(TRACE.toUpperCase())!;
    assert.equal(detail.summary.name, 'root');
    assert.equal(detail.summary.durationMs, 20);
    assert.deepEqual(detail.spans.map((s) => s.name), ['root', 'child']);
    assert.deepEqual({ traces: index.stats().traces, spans: index.stats().spans, orphans: index.stats().orphanSpans }, { traces: 1, spans: 2, orphans: 0 });
    assert.equal(changes, 3);
    assert.equal(index.version, 3);
  });

  it('attaches a log record that came before its span once the span arrives, and once only', () => {
    const index = new TraceIndex(new PriceTable());
    const log = { traceId: TRACE, spanId: '0000000000000001', event: { name: 'gen_ai.user.message', timeMs: T0, attributes: {}, body: 'hi', fromLog: true } };
    assert.equal(index.addLogs([log, { event: { ...log.event } }]), 1, 'the record without span context is counted');
    assert.equal(index.stats().pendingLogs, 1);
    index.addSpans([rawSpan({}, { traceId: TRACE, spanId: '0000000000000001', startMs: T0, endMs: T0 + 1 })]);
    index.addLogs([{ ...log, event: { ...log.event } }]); // read again
    assert.equal(index.stats().pendingLogs, 0);
    assert.deepEqual(index.rawSpans(TRACE)![0].events.map((e) => e.body), ['hi']);
    assert.equal(index.query({ q: 'hi' }).length, 1, 'the record is found by text');
  });

  it('evicts old normal traces past the span cap, and clears everything', () => {
    const index = new TraceIndex(new PriceTable(), { maxSpans: 2 });
    const evictions: number[] = [];
    index.onEvicted = (traces) => evictions.push(traces);
    for (let n = 1; n <= 3; n++) index.addSpans([rawSpan({}, { traceId: String(n).repeat(32), startMs: T0 + n, endMs: T0 + n + 1 })]);
    assert.deepEqual(index.query({}).map((t) => t.traceId[0]), ['3', '2']);
    assert.deepEqual(evictions, [1]);
    assert.equal(index.stats().evictedTraces, 1);
    assert.equal(index.liveTrace('1'.repeat(32)), undefined);
    index.clear();
    assert.deepEqual(index.stats(), { ...index.stats(), traces: 0, spans: 0, errorTraces: 0, memoryBytes: 0, evictedTraces: 0 });
  });
});
