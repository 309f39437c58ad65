import assert from 'node:assert/strict';
import { formatCost, formatDuration, formatRelativeTime, formatTokens, noIcons, traceDescription } from '../../src/shared/format';
import { buildSpanTree } from '../../src/shared/spanTree';
import { digestWithCount } from '../../src/shared/traceDigest';
import { emptySummary } from '../../src/engine/model/traceSummary';
import type { Span, TraceSummary } from '../../src/shared/spanModel';

function span(spanId: string, parentSpanId: string | undefined, startMs: number): Span {
  return {
    traceId: 't', spanId, parentSpanId, name: spanId, kind: 'CHAIN', otelKind: 'INTERNAL', service: 's', startMs, durationMs: 1,
    status: 'ok', attributes: {}, resource: {}, events: [],
  };
}

describe('sidebar formatting', () => {
  it('formats durations, tokens and cost for reading at a glance', () => {
    assert.equal(formatDuration(0.5), '0.50 ms');
    assert.equal(formatDuration(820), '820 ms');
    assert.equal(formatDuration(4200), '4.20 s');
    assert.equal(formatDuration(95_000), '1 min 35 s');
    assert.equal(formatTokens(950), '950 tok');
    assert.equal(formatTokens(1320), '1.3k tok');
    assert.equal(formatTokens(2_500_000), '2.5M tok');
    assert.equal(formatCost(0), '$0');
    assert.equal(formatCost(0.00123), '$0.0012');
    assert.equal(formatCost(1.5), '$1.50');
    assert.equal(formatCost(0.000004), '<$0.0001');
    assert.equal(noIcons('run $(rocket) now'), 'run \\$(rocket) now', 'a trace name cannot draw icons in a quick pick');
    assert.equal(formatRelativeTime(1_000_000 - 120_000, 1_000_000), '2m ago');
  });

  it('describes a trace row with duration, tokens, cost, errors, age and service', () => {
    const summary: TraceSummary = {
      traceId: 'x', name: 'answer', service: 'bot', services: ['bot'], startMs: 0, durationMs: 5300, spanCount: 3,
      status: 'error', errorCount: 2, tokens: { input: 1000, output: 300, total: 1300 }, costUsd: 0.0042, models: ['gpt-4o'],
    };
    assert.equal(traceDescription(summary, 3_600_000 * 3), '5.30 s · 1.3k tok · $0.0042 · 2 errors · 3h ago · bot');
  });
});

describe('span tree', () => {
  it('nests children under parents by start time and keeps orphans as roots', () => {
    const roots = buildSpanTree([span('c2', 'root', 30), span('root', undefined, 0), span('c1', 'root', 10), span('orphan', 'missing', 5)]);
    assert.deepEqual(roots.map((n) => n.span.spanId), ['root', 'orphan']);
    assert.deepEqual(roots[0].children.map((n) => n.span.spanId), ['c1', 'c2']);
  });

  it('survives a parent cycle', () => {
    const roots = buildSpanTree([span('a', 'b', 0), span('b', 'a', 1)]);
    const count = (nodes: ReturnType<typeof buildSpanTree>): number => nodes.reduce((n, node) => n + 1 + count(node.children), 0);
    assert.equal(count(roots), 2, 'every span shows exactly once');
  });

  it('nests a hostile chain of 100,000 spans, hanging off a cycle, in one pass; the digest walks it without recursing', () => {
    const chain = Array.from({ length: 100_000 }, (_, i) => span(`s${i}`, i ? `s${i - 1}` : 'c1', i));
    const roots = buildSpanTree([span('c1', 'c2', 0), span('c2', 'c1', 0), ...chain]);
    assert.deepEqual(roots.map((n) => n.span.spanId), ['c1', 'c2'], 'the cycle\'s spans are roots');
    let depth = 0;
    for (let node = roots[0].children[0]; node; node = node.children[0]) depth++;
    assert.equal(depth, chain.length, 'the chain nests under the cycle, whole');
    const { text, omitted } = digestWithCount({ summary: emptySummary('t'), spans: [span('c1', 'c2', 0), span('c2', 'c1', 0), ...chain] }, 2000);
    assert.ok(text.length < 2200 && omitted > 99_000, `${text.length} characters, ${omitted} left out`);
  });
});
