// A trace in pages in the webview: drawn from its skeleton, the detail of the selected span
// fetched when chosen (with its neighbours ahead), search across every span's text. And a live
// trace that grows by deltas from the real engine index, 10 spans a second for a minute.
import assert from 'node:assert/strict';
import { pagedTraceOf } from '../../src/engine/index/pagedTrace';
import { TraceIndex } from '../../src/engine/index/traceIndex';
import { PriceTable } from '../../src/engine/normalize/pricing';
import type { Span } from '../../src/shared/spanModel';
import { MAX_DETAIL_SPANS, skeletonOfDetail } from '../../src/shared/traceSkeleton';
import { agentRun, rawSpansOf, spanIdOf } from './harness/traces';
import { viewsInSuite } from './harness/viewsInSuite';
import type { WebviewPage } from './harness/webviewPage';

const requestedIds = async (view: WebviewPage) => (await view.host()).detailRequests.flat();

describe('a trace in pages in the webview', function () {
  this.timeout(150_000);
  const { open, show } = viewsInSuite();

  it('draws from the skeleton and fetches only the detail of the spans chosen or about to show', async () => {
    const trace = agentRun(10_000);
    const view = await show(trace, { height: 800 });
    const asked = await requestedIds(view);
    assert.ok(asked.includes(spanIdOf(1)), 'the selected root');
    assert.ok(asked.length <= 60, `${asked.length} spans fetched to show the first screen, of 10,000`);
    assert.ok((await view.host()).detailRequests.every((ids) => ids.length <= MAX_DETAIL_SPANS));

    await view.page.locator('.waterfall-body').focus();
    await view.page.keyboard.press('End');
    await view.page.keyboard.press('Enter');
    const last = trace.spans.reduce((a, b) => (b.startMs >= a.startMs ? b : a));
    await view.page.locator(`.span-detail[data-span-id="${last.spanId}"]`).waitFor();
    assert.ok((await requestedIds(view)).length < 200, 'scrolling to the end fetched the end, not the trace');
    // The header's figures come from the summary and the skeleton: every span counted.
    assert.match(await view.page.locator('.trace-facts').innerText(), /10000 spans/);
    assert.match(await view.page.locator('.trace-title-line').innerText(), /34 errors/);
  });

  it('draws a first part at once and takes every span when it comes: the selection asked for, the figures and the end wait for it', async () => {
    const index = new TraceIndex(new PriceTable());
    const specs: { id: number; parent?: number; name: string; start: number; end: number; error?: string }[] = [{ id: 1, name: 'agent run', start: 0, end: 40_000 }];
    for (let id = 2; id <= 3000; id += 2) {
      specs.push({ id, parent: 1, name: `step ${id}`, start: id * 10, end: id * 10 + 15 });
      specs.push({ id: id + 1, parent: id, name: 'llm', start: id * 10 + 1, end: id * 10 + 12, error: id === 2998 ? 'timeout' : undefined });
    }
    specs.push({ id: 4000, parent: 1, name: 'rerank', start: 30_010, end: 39_000 });
    const raw = rawSpansOf(0x1f5, specs);
    index.addSpans(raw);
    const traceId = raw[0].traceId;
    const paged = pagedTraceOf(index, traceId)!;
    const view = await open({ height: 700 });
    await view.page.evaluate((json) => Object.assign((window as unknown as { __host: { spans: object } }).__host.spans, JSON.parse(json)),
      JSON.stringify(Object.fromEntries(specs.map((s) => [spanIdOf(s.id), index.span(traceId, spanIdOf(s.id))]))));
    const firstPart = paged.skeleton(undefined, 100);
    assert.equal(firstPart.rest, specs.length - 100);
    const wanted = spanIdOf(2999);
    await view.send({ type: 'skeleton', settings: { lowScoreThreshold: 0.5 }, skeleton: JSON.stringify(firstPart), selectSpanId: wanted });
    await view.page.locator('.waterfall[aria-busy="true"] .row .span-name', { hasText: 'agent run' }).waitFor();
    const facts = await view.page.locator('.trace-facts').innerText();
    assert.match(facts, new RegExp(`${specs.length} spans · loading ${specs.length - 100}…`), 'every span counted, the rest said to be coming');
    assert.equal(await view.page.locator('.bottleneck, .trace-title-line .error-tag, .row.critical').count(), 0, 'no bottleneck, errors or critical path from a part of the trace');

    await view.send({ type: 'skeleton', settings: { lowScoreThreshold: 0.5 }, skeleton: JSON.stringify(paged.skeleton()) });
    await view.page.locator('.waterfall[aria-busy="false"]').waitFor();
    await view.page.locator(`.span-detail[data-span-id="${wanted}"]`).waitFor();
    assert.equal(await view.page.locator('.row.cursor').getAttribute('data-span-id'), wanted, 'the span asked for, which the first part did not have, is selected');
    assert.match(await view.page.locator('.bottleneck').innerText(), /rerank took/);
    assert.match(await view.page.locator('.trace-title-line').innerText(), /1 error/);
    assert.doesNotMatch(await view.page.locator('.trace-facts').innerText(), /loading/);
    const body = view.page.locator('.waterfall-body');
    await body.focus();
    await body.press('End');
    assert.equal(await view.page.locator('.row.cursor .span-name').innerText(), 'rerank', 'End reaches the last span of the whole trace');
  });

  it('lays out the rest of a 100,000-span trace in slices, handing the thread back between them', async () => {
    const trace = agentRun(100_000);
    const view = await open({ height: 700 });
    const firstPart = { ...skeletonOfDetail({ summary: trace.summary, spans: trace.spans.slice(0, 500) }), rest: trace.spans.length - 500 };
    await view.send({ type: 'skeleton', settings: { lowScoreThreshold: 0.5 }, skeleton: JSON.stringify(firstPart) });
    await view.page.locator('.waterfall[aria-busy="true"] .row').first().waitFor();
    await view.page.evaluate(() => performance.clearMarks('layout-slice'));
    await view.send({ type: 'skeleton', settings: { lowScoreThreshold: 0.5 }, skeleton: JSON.stringify(skeletonOfDetail(trace)) });
    await view.page.locator('.waterfall[aria-busy="false"]').waitFor({ timeout: 60_000 });
    // Laying out 100,000 rows takes far longer than a slice: the thread was handed back between slices.
    const slices = await view.page.evaluate(() => performance.getEntriesByName('layout-slice').length);
    assert.ok(slices > 1, `${slices} hand-backs`);
    assert.match(await view.page.locator('.trace-facts').innerText(), /100000 spans/);
    assert.doesNotMatch(await view.page.locator('.trace-facts').innerText(), /loading/);
    const body = view.page.locator('.waterfall-body');
    await body.focus();
    await body.press('End');
    const last = trace.spans.reduce((a, b) => (b.startMs >= a.startMs ? b : a));
    assert.equal(await view.page.locator('.row.cursor').getAttribute('data-span-id'), last.spanId, 'End reaches the last span of the whole trace');
  });

  it('finds text that only the full spans hold, walks the matches with Enter, and marks them', async () => {
    const trace = agentRun(3000);
    const view = await show(trace);
    // 'step 299' is in the prompts of a few LLM calls (and a chain's name): not in the skeleton's columns for the prompts.
    const expected = trace.spans.filter((s: Span) => JSON.stringify(s).toLowerCase().includes('step 299'));
    assert.ok(expected.length >= 3 && expected.some((s) => s.inputMessages?.[0]?.content === 'step 2999'));
    const field = view.page.locator('.trace-search input');
    await field.fill('step 299');
    await field.press('Enter');
    await view.page.locator('.search-count', { hasText: `1 of ${expected.length}` }).waitFor();
    await view.page.locator(`.span-detail[data-span-id="${expected[0].spanId}"]`).waitFor();
    await field.press('Enter');
    await view.page.locator('.search-count', { hasText: `2 of ${expected.length}` }).waitFor();
    await view.page.locator(`.span-detail[data-span-id="${expected[1].spanId}"]`).waitFor();
    assert.ok(await view.page.locator('.row.search-match').count() >= 1, 'the matches in view are marked in the waterfall');
    assert.deepEqual((await view.host()).searches, ['step 299'], 'the search went to the host once, not through the rows held');
    await field.fill('');
    await field.press('Enter');
    assert.equal(await view.page.locator('.row.search-match').count(), 0);
  });

  it('follows a live trace receiving 10 spans a second for a minute by deltas from the engine: scrollable and right throughout', async () => {
    const SECONDS = 60;
    const PER_SECOND = 10;
    const index = new TraceIndex(new PriceTable());
    const specs: { id: number; parent?: number; name: string; start: number; end: number }[] = [{ id: 1, name: 'agent run', start: 0, end: 10 }];
    index.addSpans(rawSpansOf(0x11fe, specs));
    const traceId = rawSpansOf(0x11fe, specs)[0].traceId;
    const view = await open({ height: 700 });
    const full = (ids: string[]) => ids.map((id) => index.span(traceId, id)!);
    const sendSpansOf = async (ids: string[]) => {
      const spans = full(ids);
      await view.page.evaluate((json) => Object.assign((window as unknown as { __host: { spans: object } }).__host.spans, JSON.parse(json)),
        JSON.stringify(Object.fromEntries(spans.map((s) => [s.spanId, s]))));
    };
    const first = pagedTraceOf(index, traceId)!.skeleton();
    await sendSpansOf([spanIdOf(1)]);
    await view.send({ type: 'skeleton', settings: { lowScoreThreshold: 0.5 }, skeleton: JSON.stringify(first) });
    let revision = first.revision;
    let id = 1;
    const startedAt = Date.now();
    const deltaSizes: number[] = [];
    for (let second = 1; second <= SECONDS; second++) {
      // Ten spans over the second, as they come; the engine's change notice coalesces to 4 a second.
      for (let quarter = 0; quarter < 4; quarter++) {
        const arriving: typeof specs = [];
        for (let i = 0; i < (quarter < 2 ? 3 : 2); i++) {
          id++;
          // Under the root or the span before: the span that arrived last is the last row.
          arriving.push({ id, parent: id % 7 === 0 ? 1 : id - 1, name: `step ${id}`, start: id * 10, end: id * 10 + 8 });
        }
        // The root ends with its last step.
        index.addSpans([...rawSpansOf(0x11fe, arriving), ...rawSpansOf(0x11fe, [{ ...specs[0], end: id * 10 + 9 }])]);
        const delta = pagedTraceOf(index, traceId)!.skeleton(revision);
        revision = delta.revision;
        deltaSizes.push(delta.rows.name.length);
        await sendSpansOf(delta.rows.ids.split(' '));
        await view.send({ type: 'skeleton', settings: { lowScoreThreshold: 0.5 }, skeleton: JSON.stringify(delta) });
        const due = startedAt + (second - 1) * 1000 + (quarter + 1) * 250;
        await view.page.waitForTimeout(Math.max(0, due - Date.now()));
      }
      if (second % 10 === 0) {
        // Every 10 s: the count is right, End reaches the span that arrived last, and its detail opens.
        await view.page.waitForFunction((n) => document.querySelector('.trace-facts')?.textContent?.includes(` · ${n} spans`), id);
        const body = view.page.locator('.waterfall-body');
        await body.focus();
        await body.press('End');
        await body.press('Enter');
        await view.page.locator(`.span-detail[data-span-id="${spanIdOf(id)}"]`).waitFor({ timeout: 5000 });
        assert.ok(await body.evaluate((el) => el.scrollTop > 0 || el.scrollHeight <= el.clientHeight), 'scrolled to the end');
        await body.press('Home');
        assert.equal(await view.page.locator('.row.cursor .span-name').innerText(), 'agent run');
      }
    }
    assert.equal(id - 1, SECONDS * PER_SECOND);
    assert.ok(deltaSizes.every((n) => n <= 4), `each delta carries the new spans and the grown root, never the trace: ${Math.max(...deltaSizes)}`);
    assert.ok(await view.page.locator('.row').count() < 80, 'rows stay virtualized');
    assert.equal(await view.page.locator('.waterfall').count(), 1, 'one waterfall throughout');
  });
});
