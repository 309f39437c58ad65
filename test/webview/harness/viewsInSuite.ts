// The hooks a suite of trace views needs: one Chromium for the suite, and after each test every
// view it opened checked (no CSP violation, no dialog, no page error, nothing fetched from
// elsewhere) and closed. Call inside describe().
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import type { TraceDetail } from '../../../src/shared/spanModel';
import { launchChromium, WebviewPage, WEBVIEW_ORIGIN } from './webviewPage';

export const SHOTS = '/tmp/webview-shots';

type OpenOptions = Parameters<typeof WebviewPage.open>[1];
export type ShowOptions = OpenOptions & { select?: string; threshold?: number; detailShare?: number };

export function viewsInSuite(): { open(options?: OpenOptions): Promise<WebviewPage>; show(trace: TraceDetail, options?: ShowOptions): Promise<WebviewPage> } {
  let browser: Browser;
  const opened: WebviewPage[] = [];
  before(async () => {
    mkdirSync(SHOTS, { recursive: true });
    browser = await launchChromium();
  });
  afterEach(async () => {
    for (const view of opened.splice(0)) {
      const host = await view.host();
      assert.deepEqual({ violations: host.violations, dialogs: host.dialogs }, { violations: [], dialogs: [] }, 'no CSP violation and no dialog, ever');
      assert.deepEqual(view.errors, [], 'no page errors');
      assert.deepEqual(view.requests.filter((url) => !url.startsWith(WEBVIEW_ORIGIN)), [], 'no remote resources');
      await view.close();
    }
  });
  after(async () => browser?.close());
  const open = async (options: OpenOptions = {}) => {
    const view = await WebviewPage.open(browser, options);
    opened.push(view);
    return view;
  };
  const show = async (trace: TraceDetail, options: ShowOptions = {}) => {
    const view = await open(options);
    await view.sendTrace({ trace, selectSpanId: options.select, settings: { lowScoreThreshold: options.threshold ?? 0.5, detailShare: options.detailShare } });
    return view;
  };
  return { open, show };
}
