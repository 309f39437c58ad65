// Trace Doctor in the real webview bundle: the Doctor section under the header, orphans under
// their inferred parent with a tag that says so, and the switch back to the spans as received.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import { TraceIndex } from '../../src/engine/index/traceIndex';
import { PriceTable } from '../../src/engine/normalize/pricing';
import type { TraceDetail } from '../../src/shared/spanModel';
import { rawSpansOf, spanIdOf } from './harness/traces';
import { launchChromium, WebviewPage } from './harness/webviewPage';

const SHOTS = '/tmp/webview-shots';

/** A job whose middle span never arrived (its process died): the write is an orphan. */
function traceWithOrphan(): TraceDetail {
  const index = new TraceIndex(new PriceTable(), { doctorGraceMs: 0 });
  const spans = rawSpansOf(0xd0c, [
    { id: 1, name: 'handle job', start: 0, end: 1000 },
    { id: 3, parent: 2, name: 'write result', start: 200, end: 300 },
  ]);
  index.addSpans(spans);
  return index.trace(spans[0].traceId)!;
}

describe('Trace Doctor in the trace view', function () {
  let browser: Browser;
  let view: WebviewPage | undefined;

  before(async () => {
    browser = await launchChromium();
  });
  afterEach(async () => {
    if (!view) return;
    const host = await view.host();
    assert.deepEqual(host.violations, [], 'no CSP violation');
    assert.deepEqual(view.errors, [], 'no page errors');
    await view.close();
  });
  after(async () => browser?.close());

  const rowOf = (name: string) => view!.page.locator('.row:not([hidden])', { hasText: name });

  it('lists the diagnoses with evidence and fix, and shows an orphan under its inferred parent, reversibly', async () => {
    view = await WebviewPage.open(browser);
    await view.sendTrace({ trace: traceWithOrphan() });
    const doctor = view.page.locator('.trace-header .doctor');
    assert.match(await doctor.locator('.doctor-title').innerText(), /^Doctor: 1 problem$/);
    const diagnosis = doctor.locator('.diagnosis');
    await diagnosis.locator('summary').click();
    assert.match(await diagnosis.innerText(), /orphan spans Spans arrived whose parent never did\./);
    assert.match(await diagnosis.locator('.diagnosis-evidence').innerText(), /write result names parent 0000000000000002/);
    assert.match(await diagnosis.locator('.diagnosis-fix').innerText(), /^Fix: Make every process/);
    mkdirSync(SHOTS, { recursive: true });
    await view.page.screenshot({ path: `${SHOTS}/doctor.png` });

    const orphan = rowOf('write result');
    assert.equal(await orphan.getAttribute('aria-level'), '2', 'under the job, inferred');
    const tag = orphan.locator('.inferred-tag');
    assert.equal(await tag.isVisible(), true);
    assert.match(await tag.getAttribute('title') ?? '', /^inferred: its parent 0000000000000002 never arrived; handle job/);

    await doctor.locator('.doctor-toggle').click();
    assert.equal(await rowOf('write result').getAttribute('aria-level'), '1', 'as received: a root of its own');
    assert.equal(await rowOf('write result').locator('.inferred-tag').isVisible(), false);
    assert.match(await view.page.locator('.doctor').innerText(), /1 span shown as received/);
    await view.page.locator('.doctor-toggle').click();
    assert.equal(await rowOf('write result').getAttribute('aria-level'), '2');

    await view.page.locator('.diagnosis summary').click();
    await view.page.locator('.diagnosis-evidence a').click();
    assert.equal(await view.page.locator('.span-title').innerText(), 'write result');
    assert.equal((await view.host()).posted.find((m) => m.type === 'ready') !== undefined, true);
    assert.equal(spanIdOf(3), '0000000000000003');
  });
});
