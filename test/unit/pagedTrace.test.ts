import assert from 'node:assert/strict';
import { matchQueryApiRoute, queryApiPath, QueryApiStatusError } from '../../src/shared/queryApi';
import { SPAN_KINDS, type Span } from '../../src/shared/spanModel';
import type { TraceSkeleton } from '../../src/shared/traceSkeleton';
import { agentRunSpans, agentRunTraceId, sendOtlpJson } from '../integration/agentRunTraffic';
import { useEngineWithAgentRun } from './helpers/liveEngine';

const SPANS = 1500;
const TRACE_NUMBER = 0x5e1;
const TRACE = agentRunTraceId(TRACE_NUMBER);

/** The skeleton's rows as objects, to compare with the whole trace's spans. */
function rowsOf(skeleton: TraceSkeleton) {
  const { rows, strings } = skeleton;
  const ids = rows.ids ? rows.ids.split(' ') : [];
  const parents = rows.parents.split(' ');
  return ids.map((spanId, i) => ({
    spanId, parentSpanId: parents[i] || undefined, name: strings[rows.name[i]], kind: SPAN_KINDS[rows.kind[i]], service: strings[rows.service[i]],
    startMs: skeleton.baseMs + rows.start[i], durationMs: rows.duration[i], status: ['unset', 'ok', 'error'][rows.status[i]],
    model: rows.model[i] >= 0 ? strings[rows.model[i]] : undefined, tokens: rows.tokens[i],
  }));
}

const rowOfSpan = (span: Span) => ({
  spanId: span.spanId, parentSpanId: span.parentSpanId, name: span.name, kind: span.kind, service: span.service, startMs: span.startMs,
  durationMs: span.durationMs, status: span.status, model: span.model, tokens: span.tokens?.total ?? 0,
});

const near = (a: number, b: number) => Math.abs(a - b) < 0.002;

describe('a trace in pages: skeleton, span detail, search, deltas (query API and engine)', function () {
  this.timeout(60_000);
  const live = useEngineWithAgentRun(TRACE_NUMBER, SPANS);

  it('matches the paged routes to their paths', () => {
    assert.deepEqual(matchQueryApiRoute(queryApiPath.traceSkeleton(TRACE, 3).split('?')[0]), { route: 'traceSkeleton', traceId: TRACE });
    assert.deepEqual(matchQueryApiRoute(queryApiPath.traceSpans(TRACE, ['a', 'b']).split('?')[0]), { route: 'traceSpans', traceId: TRACE });
    assert.deepEqual(matchQueryApiRoute(queryApiPath.traceSearch(TRACE, 'x').split('?')[0]), { route: 'traceSearch', traceId: TRACE });
    assert.deepEqual(matchQueryApiRoute('/api/traces/%E0%A4%A/skeleton'), { route: 'traceSkeleton', badEncoding: true });
  });

  it('gives every span in the skeleton, as the whole trace has it, in tens of bytes a span', async () => {
    const [json, whole] = await Promise.all([live.api.text('traceSkeleton', TRACE), live.api.get('trace', TRACE)]);
    const skeleton = JSON.parse(json) as TraceSkeleton;
    assert.equal(whole.spans.length, SPANS);
    const rows = new Map(rowsOf(skeleton).map((row) => [row.spanId, row]));
    assert.equal(rows.size, whole.spans.length);
    for (const span of whole.spans) {
      const row = rows.get(span.spanId)!;
      const expected = rowOfSpan(span);
      assert.ok(near(row.startMs, expected.startMs) && near(row.durationMs, expected.durationMs), `${span.spanId}: times`);
      assert.deepEqual({ ...row, startMs: 0, durationMs: 0 }, { ...expected, startMs: 0, durationMs: 0 });
    }
    assert.deepEqual(skeleton.summary, whole.summary);
    const perSpan = json.length / rows.size;
    assert.ok(perSpan < 100, `${perSpan.toFixed(0)} bytes a span in the skeleton`);
    assert.ok(JSON.stringify(whole).length / json.length > 10, 'the whole trace is far larger (its ~1 KB prompts)');
  });

  it('gives a first part: the first spans in the waterfall\'s order (depth first, children by start), and how many it left out', async () => {
    const whole = await live.api.get('trace', TRACE);
    const children = new Map<string | undefined, Span[]>();
    for (const span of whole.spans) children.set(span.parentSpanId, [...(children.get(span.parentSpanId) ?? []), span]);
    const inTreeOrder: string[] = [];
    const visit = (span: Span) => {
      inTreeOrder.push(span.spanId);
      for (const child of (children.get(span.spanId) ?? []).sort((a, b) => a.startMs - b.startMs)) visit(child);
    };
    for (const root of children.get(undefined)!) visit(root);
    assert.equal(inTreeOrder.length, SPANS);

    const first = await live.api.get('traceSkeleton', TRACE, undefined, 200);
    assert.deepEqual(rowsOf(first).map((row) => row.spanId), inTreeOrder.slice(0, 200));
    assert.equal(first.rest, SPANS - 200);
    assert.deepEqual(first.summary, whole.summary, 'with the whole trace\'s summary');
    const all = await live.api.get('traceSkeleton', TRACE, undefined, SPANS);
    assert.equal(all.rest, undefined, 'nothing left out');
    assert.deepEqual(rowsOf(all).map((row) => row.spanId), inTreeOrder);
  });

  it('gives a few spans in full, exactly as the whole trace has them, in the order asked', async () => {
    const whole = await live.api.get('trace', TRACE);
    const wanted = [whole.spans[700], whole.spans[3], whole.spans[whole.spans.length - 1]];
    const details = await live.api.get('traceSpans', TRACE, [...wanted.map((s) => s.spanId), 'ffffffffffffffff']);
    assert.equal(details.traceId, TRACE);
    assert.deepEqual(details.spans, wanted, 'an unknown id is left out');
    assert.ok(details.spans.some((s) => s.inputMessages?.[0].content.startsWith('Turn ')), 'with its prompt');
    assert.deepEqual((await live.api.get('traceSpans', TRACE, [])).spans, [], 'no ids: only whether the trace is here');
  });

  it('finds the spans whose text matches anywhere in them, not only in the skeleton', async () => {
    const whole = await live.api.get('trace', TRACE);
    const expected = whole.spans.filter((s) => JSON.stringify(s.attributes).includes('test/7')).map((s) => s.spanId);
    assert.ok(expected.length > 5);
    const found = await live.api.get('traceSearch', TRACE, 'TEST/7');
    assert.deepEqual(new Set(found.spanIds), new Set(expected));
    assert.equal(found.total, expected.length);
    assert.deepEqual(await live.api.get('traceSearch', TRACE, 'no such text anywhere'), { spanIds: [], total: 0 });
  });

  it('grows by deltas: only the spans new or changed after a revision, none when nothing changed', async () => {
    const first = await live.api.get('traceSkeleton', TRACE);
    const unchanged = await live.api.get('traceSkeleton', TRACE, first.revision);
    assert.equal(unchanged.revision, first.revision);
    assert.equal(unchanged.after, first.revision);
    assert.equal(unchanged.rows.ids, '', 'nothing changed: no rows');

    // Ten more spans of the run arrive, then a late log record for one of the first spans.
    const more = agentRunSpans(TRACE_NUMBER, 10, 1_780_000_900_000).slice(0, 10).map((s, i) => ({ ...s, spanId: `ab${String(i).padStart(14, '0')}` }));
    await sendOtlpJson(live.engine.httpPort, more);
    const delta = await live.api.get('traceSkeleton', TRACE, first.revision);
    assert.ok(delta.revision > first.revision);
    assert.deepEqual(rowsOf(delta).map((r) => r.spanId).sort(), more.map((s) => s.spanId).sort());
    assert.equal(delta.summary.spanCount, SPANS + 10, 'with the summary as it is now');

    const firstSpanId = rowsOf(first)[0].spanId;
    live.engine.index.addLogs([{ traceId: TRACE, spanId: firstSpanId, event: { name: 'gen_ai.choice', timeMs: 1_780_000_000_100, attributes: {}, body: 'late', fromLog: true } }]);
    const afterLog = await live.api.get('traceSkeleton', TRACE, delta.revision);
    assert.deepEqual(rowsOf(afterLog).map((r) => r.spanId), [firstSpanId], 'the span with a late log record, to fetch again');
  });

  it('says 404 for a trace it does not have and 400 with the reason for bad parameters', async () => {
    const missing = await live.api.get('traceSkeleton', 'f'.repeat(32)).catch((e: unknown) => e);
    assert.ok(missing instanceof QueryApiStatusError && missing.status === 404);
    const badAfter = await fetch(`http://127.0.0.1:${live.engine.httpPort}/api/traces/${TRACE}/skeleton?after=soon`);
    assert.equal(badAfter.status, 400);
    assert.match((await badAfter.json() as { error: string }).error, /after must be a revision/);
    for (const query of ['first=0', 'first=many', 'first=5&after=1']) {
      const bad = await fetch(`http://127.0.0.1:${live.engine.httpPort}/api/traces/${TRACE}/skeleton?${query}`);
      assert.equal(bad.status, 400, query);
      assert.match((await bad.json() as { error: string }).error, /first/, query);
    }
    const tooMany = await fetch(`http://127.0.0.1:${live.engine.httpPort}${queryApiPath.traceSpans(TRACE, Array.from({ length: 101 }, (_, i) => String(i)))}`);
    assert.equal(tooMany.status, 400);
  });
});
