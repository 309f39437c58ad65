// A trace that is still growing (a live agent run): the host sends a delta (the spans new or
// changed since) each time spans arrive. The waterfall must take them without keeping old views
// alive: the listeners on window and document and the observers the page holds stay as many as
// after the first message, and a waterfall replaced by another trace's leaves none behind.
import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import { agentRun, skeletonDelta, spanIdOf } from './harness/traces';
import { COUNT_LIVE_LISTENERS, type LiveListeners } from './harness/liveListeners';
import { launchChromium, WebviewPage } from './harness/webviewPage';

const GROWTH_MESSAGES = 50;
const FIRST_SPANS = 10;
const SPANS_PER_MESSAGE = 3;

const liveListeners = (view: WebviewPage) =>
  view.page.evaluate(() => (window as unknown as { __liveListeners(): LiveListeners }).__liveListeners());

/** Until the render of `spans` spans is on screen and its deferred detail has drawn. */
async function rendered(view: WebviewPage, spans: number): Promise<void> {
  await view.page.waitForFunction((text) => document.querySelector('.trace-facts')?.textContent?.includes(text), ` · ${spans} spans`);
  await view.page.evaluate(() => new Promise((done) => requestAnimationFrame(() => setTimeout(done, 20))));
}

describe('a growing trace in the webview', function () {
  let browser: Browser;
  let view: WebviewPage | undefined;
  before(async () => (browser = await launchChromium()));
  afterEach(async () => {
    assert.deepEqual(view?.errors, [], 'no page errors');
    await view?.close();
  });
  after(async () => browser?.close());

  it(`keeps one waterfall and a flat count of window/document listeners and observers over ${GROWTH_MESSAGES} growth messages`, async () => {
    view = await WebviewPage.open(browser, { beforeBundle: COUNT_LIVE_LISTENERS });
    await view.sendTrace({ trace: agentRun(FIRST_SPANS), selectSpanId: spanIdOf(3) });
    await rendered(view, FIRST_SPANS);
    const afterFirst = await liveListeners(view);
    assert.ok((afterFirst.listeners['window mousemove'] ?? 0) >= 1 && (afterFirst.observers.ResizeObserver ?? 0) >= 1,
      `the counter sees the waterfall's own listeners and observers: ${JSON.stringify(afterFirst)}`);

    const counts: LiveListeners[] = [];
    let spans = FIRST_SPANS;
    let previous = agentRun(FIRST_SPANS);
    for (let message = 1; message <= GROWTH_MESSAGES; message++) {
      spans += SPANS_PER_MESSAGE;
      const next = agentRun(spans);
      await view.sendSkeleton(next, { skeleton: skeletonDelta(previous, next, message) });
      previous = next;
      await rendered(view, spans);
      counts.push(await liveListeners(view));
    }
    const grown = counts.findIndex((count) => JSON.stringify(count) !== JSON.stringify(afterFirst));
    assert.equal(grown, -1, `after growth message ${grown + 1}: ${JSON.stringify(counts[grown])}, after the first trace: ${JSON.stringify(afterFirst)}`);

    assert.equal(await view.page.locator('.waterfall').count(), 1, 'one waterfall in the page');
    assert.equal(await view.page.locator('.span-title').innerText(), 'llm', 'the selected span stays selected');
    await view.page.locator('.waterfall-body').focus();
    await view.page.keyboard.press('End');
    await view.page.keyboard.press('Enter');
    assert.equal((await view.host()).state?.selectedSpanId, spanIdOf(spans), 'the last span that arrived is in the waterfall');

    // Another trace in the same panel: a new waterfall, the old one disposed.
    await view.sendSkeleton(agentRun(FIRST_SPANS, 0xb2));
    await rendered(view, FIRST_SPANS);
    assert.deepEqual(await liveListeners(view), afterFirst, 'the replaced waterfall left nothing behind');
    assert.equal(await view.page.locator('.waterfall').count(), 1);
  });
});
