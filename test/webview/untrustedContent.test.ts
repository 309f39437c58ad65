// Every byte of a trace is untrusted: an XSS corpus in every field the view renders must show
// as text and run nothing, under the host's real CSP, in real Chromium.
import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import type { Span, TraceDetail } from '../../src/shared/spanModel';
import { contentSecurityPolicy } from '../../src/extension/traceView/webviewHtml';
import { spanIdOf, traceOf } from './harness/traces';
import { launchChromium, WebviewPage } from './harness/webviewPage';

const CORPUS = [
  '<script>window.__xss = "script"; alert(1)</script>',
  '<img src=x onerror="window.__xss=\'img\'; alert(2)">',
  '<svg onload="window.__xss=\'svg\'">',
  '"><iframe src="javascript:window.__xss=\'iframe\'"></iframe>',
  '<a href="javascript:window.__xss=\'link\'">click</a>',
  '<details open ontoggle="window.__xss=\'toggle\'">',
  '<style>body { display: none }</style>',
  '${window.__xss = "template"}',
  '{{constructor.constructor("window.__xss=\'angular\'")()}}',
];
const PAYLOAD = CORPUS.join(' ');
const HOSTILE_PATH = "/app/<img src=x onerror=alert('frame')>.py";

/** A trace whose every rendered field carries the corpus: through the engine, then every model field. */
function hostileTrace(): TraceDetail {
  const attributes = {
    'openinference.span.kind': 'LLM', 'llm.model_name': PAYLOAD, [`x.${CORPUS[1]}`]: PAYLOAD,
    'llm.input_messages.0.message.role': 'user', 'llm.input_messages.0.message.content': PAYLOAD,
  };
  const trace = traceOf(0xe1, [
    { id: 1, name: PAYLOAD, start: 0, end: 1000, service: PAYLOAD, attributes: { 'input.value': PAYLOAD, 'output.value': `{"answer": ${JSON.stringify(PAYLOAD)}}` } },
    { id: 2, parent: 1, name: PAYLOAD, start: 10, end: 600, attributes, error: PAYLOAD, events: [
      { name: 'exception', timeMs: 1_780_000_000_100, attributes: { 'exception.type': PAYLOAD, 'exception.message': PAYLOAD, 'exception.stacktrace': `${PAYLOAD}\n  File "${HOSTILE_PATH}", line 3, in <module>` } },
      { name: PAYLOAD, timeMs: 1_780_000_000_200, attributes: { [PAYLOAD]: PAYLOAD }, body: PAYLOAD },
    ] },
    { id: 3, parent: 1, name: 'retrieve', start: 600, end: 800, attributes: { 'openinference.span.kind': 'RETRIEVER' } },
    { id: 4, parent: 1, name: 'tool', start: 800, end: 900, attributes: { 'openinference.span.kind': 'TOOL' } },
  ]);
  const [, llm, retriever, tool] = trace.spans.sort((a, b) => a.spanId.localeCompare(b.spanId));
  const everywhere: Partial<Span> = {
    provider: PAYLOAD, finishReasons: [PAYLOAD], sessionId: PAYLOAD, userId: PAYLOAD, statusMessage: PAYLOAD,
    invocationParameters: { [PAYLOAD]: PAYLOAD }, source: { file: PAYLOAD, line: 1, function: PAYLOAD },
    outputMessages: [{ role: PAYLOAD, name: PAYLOAD, content: PAYLOAD, finishReason: PAYLOAD, toolCallId: PAYLOAD,
      toolCalls: [{ id: PAYLOAD, name: PAYLOAD, arguments: PAYLOAD }], parts: [{ type: PAYLOAD, url: PAYLOAD }] }],
    links: [{ traceId: PAYLOAD, spanId: PAYLOAD, attributes: {} }],
  };
  Object.assign(llm, everywhere);
  Object.assign(retriever, { documents: [{ id: PAYLOAD, content: PAYLOAD, score: 0.1, metadata: { [PAYLOAD]: PAYLOAD } }] });
  Object.assign(tool, { tool: { name: PAYLOAD, description: PAYLOAD, callId: PAYLOAD, arguments: PAYLOAD, result: { [PAYLOAD]: PAYLOAD } } });
  Object.assign(trace.summary, { name: PAYLOAD, models: [PAYLOAD], errorMessage: PAYLOAD });
  return trace;
}

describe('untrusted trace content in the webview', () => {
  let browser: Browser;
  before(async () => (browser = await launchChromium()));
  after(async () => browser?.close());

  it('the host CSP allows no inline script or eval', () => {
    const csp = contentSecurityPolicy('https://file+.vscode-resource.vscode-cdn.net', 'abc');
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval|unsafe-hashes|https?:\s|\*/);
  });

  it('shows the XSS corpus as text in every field and runs none of it', async () => {
    const trace = hostileTrace();
    const view = await WebviewPage.open(browser, { theme: 'dark' });
    await view.sendTrace({ trace, selectSpanId: spanIdOf(2) });
    const page = view.page;
    // Every span's detail, every tab, every fold-out and "Show all".
    for (const id of [1, 2, 3, 4]) {
      await page.locator(`.row[data-span-id="${spanIdOf(id)}"]`).click();
      let shown = await page.locator('.detail-header').innerText();
      for (const tab of ['content', 'events', 'attributes']) {
        await page.locator(`vscode-panel-tab#tab-${tab}`).click();
        for (const details of await page.locator(`#view-${tab} details:not([open])`).all()) await details.locator('summary').click();
        for (const more of await page.locator(`#view-${tab} vscode-button`, { hasText: 'Show all' }).all()) await more.click();
        shown += await page.locator(`#view-${tab}`).innerText();
      }
      assert.ok(shown.includes(CORPUS[1]), `span ${id} shows the payload as text`);
    }
    await page.locator('vscode-panel-tab#tab-content').click();
    await page.locator(`.row[data-span-id="${spanIdOf(2)}"]`).click();
    const everything = await page.locator('#app').innerText();
    for (const payload of CORPUS) assert.ok(everything.includes(payload), `shown as text: ${payload}`);
    await page.screenshot({ path: '/tmp/webview-shots/xss-dark.png' });

    const verdict = await page.evaluate(() => ({
      flag: (window as unknown as { __xss?: unknown }).__xss,
      scripts: document.querySelectorAll('script').length,
      injected: document.querySelectorAll('#app img, #app svg, #app iframe, #app style, #app details[ontoggle], #app [onerror], #app [onload]').length,
      javascriptLinks: [...document.querySelectorAll('a')].filter((a) => a.getAttribute('href') !== '#').length,
      bodyVisible: getComputedStyle(document.body).display !== 'none',
    }));
    assert.deepEqual(verdict, { flag: undefined, scripts: 1, injected: 0, javascriptLinks: 0, bodyVisible: true });
    const host = await view.host();
    assert.deepEqual(host.violations, [], 'nothing even tried to run and got blocked');
    assert.deepEqual(host.dialogs, []);
    assert.deepEqual(view.errors, []);
    // The stack frame in the corpus is still a link, and it posts the path as data.
    await page.locator('#view-content .stack .source-link').first().click();
    const open = (await view.posted('openSource'))[0];
    assert.deepEqual(open, { type: 'openSource', location: { file: HOSTILE_PATH, line: 3, function: '<module>' } });
    await view.close();
  });
});
