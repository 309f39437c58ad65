import assert from 'node:assert/strict';
import { barGeometry, clampZoom, scaleZoom, tickLabel, ticks } from '../../webview/waterfall/timeAxis';
import { skeletonOfDetail } from '../../src/shared/traceSkeleton';
import type { TraceDetail } from '../../src/shared/spanModel';
import { TraceColumns } from '../../webview/waterfall/traceColumns';
import { bottleneck, buildWaterfall, rowAt, visibleRows } from '../../webview/waterfall/waterfallModel';
import { agentRun, ragTrace, spanIdOf, traceOf, tutorialTraces } from './harness/traces';

/** A trace as the webview lays it out (from its skeleton), with every row made, to check them all. */
function layout(trace: TraceDetail) {
  const model = buildWaterfall(new TraceColumns(skeletonOfDetail(trace)));
  return { ...model, rows: Array.from({ length: model.count }, (_, i) => rowAt(model, i)) };
}

describe('waterfall layout', () => {
  it('orders rows depth-first with depth, self time and share of the trace', () => {
    const model = layout(ragTrace());
    assert.deepEqual(model.rows.map((r) => [r.span.name, r.depth]), [
      ['answer', 0], ['retrieve', 1], ['rerank', 1], ['ChatCompletion', 1], ['http POST', 2], ['execute_tool get_weather', 1],
    ]);
    const byName = (name: string) => model.rows.find((r) => r.span.name === name)!;
    assert.equal(model.durationMs, 5300);
    assert.equal(byName('ChatCompletion').selfMs, 290 - 270, 'the HTTP child covers all but 20 ms');
    assert.equal(byName('answer').selfMs, 5300 - 680 - 4200 - 290 - 45);
    assert.ok(Math.abs(byName('rerank').share - 4200 / 5300) < 1e-9);
    assert.deepEqual(model.services, ['search-service', 'test-app']);
    assert.equal(byName('answer').subtreeEnd, 6);
    assert.equal(byName('ChatCompletion').subtreeEnd, 5);
  });

  it('names the slowest steps by self time, the bottleneck first', () => {
    const model = layout(ragTrace());
    assert.equal(bottleneck(model)?.span.name, 'rerank');
    assert.deepEqual(model.rows.filter((r) => r.slowestRank).sort((a, b) => a.slowestRank! - b.slowestRank!).map((r) => r.span.name),
      ['rerank', 'retrieve'], 'http POST took 5% of the trace: not worth a badge');
  });

  it('puts only the spans the trace waited for on the critical path', () => {
    // Two parallel calls: the trace waits for the slow one; the fast one is off the path.
    const trace = traceOf(0xc1, [
      { id: 1, name: 'root', start: 0, end: 1000 },
      { id: 2, parent: 1, name: 'fast', start: 10, end: 300 },
      { id: 3, parent: 1, name: 'slow', start: 10, end: 900 },
      { id: 4, parent: 3, name: 'slow-inner-early', start: 20, end: 100 },
      { id: 5, parent: 3, name: 'slow-inner-late', start: 200, end: 880 },
      { id: 6, parent: 1, name: 'after', start: 910, end: 990 },
    ]);
    const model = layout(trace);
    const critical = model.rows.filter((r) => r.critical).map((r) => r.span.name);
    assert.deepEqual(critical, ['root', 'slow', 'slow-inner-early', 'slow-inner-late', 'after']);
  });

  it('hides collapsed subtrees and survives a 10,000-span agent run', () => {
    const model = layout(agentRun(10_000));
    assert.equal(model.rows.length, 10_000);
    assert.equal(visibleRows(model, new Set()).length, 10_000);
    assert.equal(visibleRows(model, new Set([spanIdOf(1)])).length, 1);
    const steps = model.rows.filter((r) => r.depth === 1).map((r) => r.span.spanId);
    assert.equal(visibleRows(model, new Set(steps)).length, 1 + steps.length);
  });

  it('lays out the real SDK fixture traces', () => {
    for (const trace of tutorialTraces()) {
      const model = layout(trace);
      assert.equal(model.rows.length, trace.spans.length);
      assert.ok(model.rows.every((r) => r.selfMs >= 0 && r.selfMs <= r.span.durationMs));
      assert.equal(model.rows[0].critical, true, 'the root is always on the path');
    }
  });
});

describe('time axis', () => {
  it('places bars in percent of the visible range and clips them to it', () => {
    assert.deepEqual(barGeometry(0, 500, 1000, { start: 0, end: 1 }), { left: 0, width: 50 });
    assert.deepEqual(barGeometry(250, 500, 1000, { start: 0.5, end: 1 }), { left: 0, width: 50 });
    assert.equal(barGeometry(0, 100, 1000, { start: 0.5, end: 1 }), undefined, 'out of view');
  });

  it('puts round ticks across the range', () => {
    assert.deepEqual(ticks(5300, { start: 0, end: 1 }, 6).map((t) => t.ms), [0, 1000, 2000, 3000, 4000, 5000]);
    const zoomed = ticks(5300, { start: 0.5, end: 0.6 }, 6);
    assert.ok(zoomed.every((t) => t.ms >= 2650 && t.ms <= 3180 && t.percent >= 0 && t.percent <= 100));
    assert.ok(zoomed.length >= 3);
  });

  it('labels ticks briefly, in the unit their spacing needs', () => {
    assert.deepEqual(ticks(100_000, { start: 0, end: 1 }, 6).map((t) => t.label), ['0', '0:20', '0:40', '1:00', '1:20', '1:40']);
    assert.deepEqual(ticks(5300, { start: 0.5, end: 0.6 }, 6).map((t) => t.label), ['2.7 s', '2.8 s', '2.9 s', '3 s', '3.1 s']);
    assert.equal(tickLabel(250, 50), '250 ms');
    assert.equal(tickLabel(0.25, 0.05), '0.25 ms');
  });

  it('zooms around the middle and never past the trace', () => {
    assert.deepEqual(scaleZoom({ start: 0, end: 1 }, 0.5), { start: 0.25, end: 0.75 });
    assert.deepEqual(scaleZoom({ start: 0.1, end: 0.3 }, 8), { start: 0, end: 1 });
    const tiny = clampZoom({ start: 0.5, end: 0.5 });
    assert.ok(tiny.end > tiny.start);
  });
});
