// Loads the real webview bundle into headless Chromium behind the host's real HTML (same CSP,
// same nonce scheme, from webviewHtml). Only the VS Code host is stood in for: a small
// acquireVsCodeApi that records what the webview posts and keeps its setState, and a way to send
// it host messages.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { newNonce, webviewHtml } from '../../../src/extension/traceView/webviewHtml';
import type { TraceDetail } from '../../../src/shared/spanModel';
import { skeletonOfDetail, type TraceSkeleton } from '../../../src/shared/traceSkeleton';
import { toJson, type HostMessage, type TraceViewSettings, type TraceViewState, type WebviewMessage } from '../../../src/shared/webviewProtocol';
import { THEMES, type ThemeName } from './themes';
import type { InsightsHostMessage, InsightsWebviewMessage } from '../../../src/shared/insightsProtocol';

/** Which bundle the page loads: the trace view (webview) or the insights panel. */
type Bundle = 'webview' | 'insights';

const DIST = join(__dirname, '..', '..', '..', 'dist');
/** Stands in for webview.cspSource: the webview's resources come from this origin only. */
export const WEBVIEW_ORIGIN = 'https://webview.test';

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}

/**
 * The stand-in for the VS Code host, as source text (Playwright runs it before the page's own
 * scripts, outside its CSP, like VS Code's own webview preload).
 */
function hostShim(state: TraceViewState | undefined, theme: { bodyClass: string; vars: Record<string, string> }): string {
  return `(() => {
    const host = { posted: [], detailRequests: [], searches: [], spans: {}, state: ${JSON.stringify(state ?? null)} ?? undefined, violations: [] };
    window.__host = host;
    // The host relays span detail requests to the engine: here the spans the test sent stand in for it.
    const answerDetails = (message) => {
      host.detailRequests.push(message.spanIds);
      const spans = message.spanIds.map((id) => host.spans[id]).filter(Boolean);
      setTimeout(() => window.postMessage({ type: 'spans', spanIds: message.spanIds, details: JSON.stringify({ traceId: message.traceId, spans }) }, '*'), 0);
    };
    // ...and searches (the engine's search is tested in test/unit/pagedTrace.test.ts): any span whose JSON has the text.
    const answerSearch = (message) => {
      host.searches.push(message.text);
      const needle = message.text.toLowerCase();
      const spanIds = Object.values(host.spans).filter((span) => JSON.stringify(span).toLowerCase().includes(needle)).map((span) => span.spanId);
      setTimeout(() => window.postMessage({ type: 'searchResult', text: message.text, result: { spanIds, total: spanIds.length } }, '*'), 0);
    };
    const relayed = { spanDetails: answerDetails, searchSpans: answerSearch };
    window.acquireVsCodeApi = () => ({
      postMessage: (message) => relayed[message.type] ? relayed[message.type](message) : host.posted.push(JSON.parse(JSON.stringify(message))),
      getState: () => host.state,
      setState: (next) => { host.state = JSON.parse(JSON.stringify(next)); },
    });
    document.addEventListener('securitypolicyviolation', (e) =>
      host.violations.push(e.violatedDirective + ' ' + e.blockedURI + ' ' + e.sourceFile + ':' + e.lineNumber + ':' + e.columnNumber));
    // What VS Code does for a webview: theme variables on <html>, the theme kind on <body>.
    const vars = ${JSON.stringify(theme.vars)};
    const applyTheme = () => {
      for (const [name, value] of Object.entries(vars)) document.documentElement.style.setProperty(name, value);
    };
    if (document.documentElement) applyTheme();
    else new MutationObserver((_, observer) => { if (document.documentElement) { observer.disconnect(); applyTheme(); } }).observe(document, { childList: true });
    document.addEventListener('DOMContentLoaded', () => document.body.classList.add(${JSON.stringify(theme.bodyClass)}));
  })();`;
}

export interface HostRecord {
  posted: WebviewMessage[];
  /** The span ids of each detail request, and the text of each search, answered from the spans sent (not in `posted`). */
  detailRequests: string[][];
  searches: string[];
  state: TraceViewState | undefined;
  violations: string[];
  dialogs: string[];
}

export class WebviewPage {
  readonly html: string;
  readonly dialogs: string[] = [];
  readonly requests: string[] = [];
  /** Uncaught errors and console errors of the page: a test expects none. */
  readonly errors: string[] = [];

  private constructor(readonly page: Page, readonly nonce: string, bundle: Bundle) {
    this.html = webviewHtml({ cspSource: WEBVIEW_ORIGIN, nonce, scriptUri: `${WEBVIEW_ORIGIN}/dist/${bundle}.js`, styleUri: `${WEBVIEW_ORIGIN}/dist/${bundle}.css` });
  }

  /** `beforeBundle`: a script that runs in the page before anything else (to instrument it). */
  static async open(browser: Browser, options: { theme?: ThemeName; state?: TraceViewState; width?: number; height?: number; beforeBundle?: string; bundle?: Bundle } = {}): Promise<WebviewPage> {
    const page = await browser.newPage({ viewport: { width: options.width ?? 1400, height: options.height ?? 860 } });
    const view = new WebviewPage(page, newNonce(), options.bundle ?? 'webview');
    page.on('dialog', (dialog) => {
      view.dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    page.on('request', (request) => view.requests.push(request.url()));
    page.on('pageerror', (error) => view.errors.push(error.stack ?? error.message));
    page.on('console', (message) => message.type() === 'error' && view.errors.push(message.text()));
    await page.route('**/*', async (route) => {
      const url = new URL(route.request().url());
      if (url.origin !== WEBVIEW_ORIGIN) return route.abort();
      if (url.pathname === '/index.html') return route.fulfill({ contentType: 'text/html', body: view.html });
      const file = url.pathname.match(/^\/dist\/((?:webview|insights)\.(?:js|css))$/)?.[1];
      if (!file) return route.fulfill({ status: 404, body: '' });
      return route.fulfill({ contentType: file.endsWith('.js') ? 'text/javascript' : 'text/css', body: readFileSync(join(DIST, file)) });
    });
    const theme = THEMES[options.theme ?? 'dark'];
    if (options.beforeBundle) await page.addInitScript(options.beforeBundle);
    await page.addInitScript(hostShim(options.state, theme));
    await page.goto(`${WEBVIEW_ORIGIN}/index.html`);
    await page.waitForFunction(() => (window as unknown as { __host: HostRecord }).__host.posted.some((m) => m.type === 'ready'), undefined, { timeout: 10_000 })
      .catch((error: Error) => {
        throw new Error(`the webview never said ready: ${error.message}\n${view.errors.join('\n')}`);
      });
    return view;
  }

  /** Sends a message as the host would (webview.postMessage). */
  async send(message: HostMessage | InsightsHostMessage): Promise<void> {
    // VS Code serializes host messages too; JSON keeps the shim honest about what can travel.
    await this.page.evaluate((json) => window.postMessage(JSON.parse(json), '*'), JSON.stringify(message));
  }

  async sendTrace(message: { trace: TraceDetail; selectSpanId?: string; settings?: TraceViewSettings }): Promise<void> {
    await this.sendSkeleton(message.trace, message);
    await this.page.waitForSelector(`.span-detail`);
  }

  /**
   * Sends a trace as the host does, as its skeleton (or a delta: `skeleton` made by the caller),
   * and keeps its spans in the page for the detail requests to be answered from.
   */
  async sendSkeleton(trace: TraceDetail, options: { skeleton?: TraceSkeleton; selectSpanId?: string; settings?: TraceViewSettings } = {}): Promise<void> {
    const spans = Object.fromEntries([...trace.spans, ...(trace.adoptedSpans ?? [])].map((span) => [span.spanId, span]));
    await this.page.evaluate((json) => Object.assign((window as unknown as { __host: { spans: object } }).__host.spans, JSON.parse(json)), JSON.stringify(spans));
    await this.send({ type: 'skeleton', settings: options.settings ?? { lowScoreThreshold: 0.5 }, selectSpanId: options.selectSpanId, skeleton: toJson(options.skeleton ?? skeletonOfDetail(trace)) });
  }

  host(): Promise<HostRecord> {
    return this.page.evaluate(() => {
      const host = (window as unknown as { __host: HostRecord & { spans?: object } }).__host;
      return { ...host, spans: undefined, dialogs: [] };
    }).then((record) => ({ ...record, dialogs: this.dialogs }));
  }

  async posted<M extends WebviewMessage | InsightsWebviewMessage = WebviewMessage>(type: M['type']): Promise<M[]> {
    return ((await this.host()).posted as unknown as M[]).filter((m) => m.type === type);
  }

  async close(): Promise<void> {
    await this.page.close();
  }
}
