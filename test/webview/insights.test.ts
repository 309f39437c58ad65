// The insights bundle in headless Chromium behind the host's real HTML and CSP: the LLM calls
// table at 100,000 calls (pages asked for as they scroll into view, a bounded number of DOM
// rows, sorting by a header), a session as a conversation, and a call's context-window X-ray,
// with screenshots in light and dark (/tmp/webview-shots).
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import type { InsightsWebviewMessage } from '../../src/shared/insightsProtocol';
import type { CallsQuery, ContextXray, LlmCallRow, SessionDetail } from '../../src/shared/sessionModel';
import { launchChromium, WebviewPage } from './harness/webviewPage';

const SHOTS = '/tmp/webview-shots';
const TOTAL = 100_000;
const HOSTILE = '<img src=x onerror="window.__pwned=1">';

type PageRequest = Extract<InsightsWebviewMessage, { type: 'callsPage' }>;

function callRow(i: number): LlmCallRow {
  return {
    traceId: (i + 1).toString(16).padStart(32, '0'), spanId: (i + 1).toString(16).padStart(16, '0'), name: 'ChatCompletion',
    startMs: Date.UTC(2026, 11, 4, 9, 0, 0) + i * 1000, durationMs: 400 + (i % 900), model: i % 3 ? 'gpt-4o-mini-2024-07-18' : 'claude-sonnet-4-5',
    promptSource: i % 2 ? 'app/prompts/support.md:3' : 'app/agent.py:42', promptStart: i === 1 ? HOSTILE : `Customer ${10000 + i} asks: where is my order and can I get a refund?`,
    inputTokens: 350 + (i % 50), outputTokens: 60 + (i % 20), cachedTokens: i % 4 ? 256 : 0, timeToFirstTokenMs: 120 + (i % 80),
    costUsd: 0.0001 * (1 + (i % 7)), status: i % 97 === 0 ? 'error' : 'ok',
  };
}

function xray(i: number, history: number): ContextXray {
  const parts = { system: 420, tools: 180, documents: i === 0 ? 900 : 0, history, toolResults: i > 1 ? 120 : 0, newMessage: 40 };
  const inputTokens = Object.values(parts).reduce((a, b) => a + b, 0);
  return {
    traceId: 'a'.repeat(32), spanId: `${i}`.padStart(16, '0'), model: 'gpt-4o-mini', inputTokens, parts,
    largest: (Object.keys(parts) as (keyof typeof parts)[]).filter((p) => parts[p] >= inputTokens * 0.1).sort((a, b) => parts[b] - parts[a]),
    counting: 'usage', tokenizer: 'o200k_base (gpt-tokenizer)', contextLimit: 128_000, limitSource: 'catalog', cachedTokens: i === 2 ? 0 : 512, uncachedTokens: inputTokens - (i === 2 ? 0 : 512),
  };
}

const SESSION: SessionDetail = {
  summary: { sessionId: 'chat-session-7f3a', userId: 'user-ada', turns: 3, startMs: Date.UTC(2026, 11, 4, 9), durationMs: 94_000,
    tokens: { input: 4100, output: 310, total: 4410 }, costUsd: 0.0021, errors: 1, firstUserMessage: 'How tall is Hornbjargsviti?', models: ['gpt-4o-mini'] },
  turns: [
    { traceId: 'a'.repeat(32), name: 'chat turn 1', startMs: Date.UTC(2026, 11, 4, 9), durationMs: 1200, status: 'ok', tokens: { input: 1200, output: 90, total: 1290 },
      costUsd: 0.0006, llmCalls: 1, userInput: 'How tall is Hornbjargsviti?', answer: 'Hornbjargsviti is 9 metres tall.' },
    { traceId: 'b'.repeat(32), name: 'chat turn 2', startMs: Date.UTC(2026, 11, 4, 9, 0, 40), durationMs: 1800, status: 'ok', tokens: { input: 1300, output: 100, total: 1400 },
      costUsd: 0.0007, llmCalls: 1, userInput: `When was it built? ${HOSTILE}`, answer: 'It was built in 1930.',
      findings: [{ detector: 'contextBloat', message: 'prompt tokens 3.1× the step median' }] },
    { traceId: 'c'.repeat(32), name: 'chat turn 3', startMs: Date.UTC(2026, 11, 4, 9, 1, 30), durationMs: 4000, status: 'error', tokens: { input: 1600, output: 120, total: 1720 },
      costUsd: 0.0008, llmCalls: 1, userInput: 'Is it still staffed?', errorMessage: 'RateLimitError: 429 Too Many Requests' },
  ],
  context: {
    calls: [xray(0, 0), xray(1, 380), xray(2, 760)],
    breaks: [{ traceId: 'c'.repeat(32), spanId: '2'.padStart(16, '0'), previousSpanId: '1'.padStart(16, '0'), messageIndex: 0, role: 'system',
      reason: 'message 1 (system) differs from the previous call\'s: the system prompt changed' }],
  },
};

describe('insights webview (sessions, LLM calls, context window)', function () {
  this.timeout(60_000);
  let browser: Browser;
  before(async () => {
    mkdirSync(SHOTS, { recursive: true });
    browser = await launchChromium();
  });
  after(() => browser?.close());

  /** Answers every page the table asked for and has not been answered yet. */
  async function answerPages(view: WebviewPage, answered: Set<number>, order: (i: number) => number = (i) => i): Promise<PageRequest[]> {
    const asked = await view.posted<PageRequest>('callsPage');
    for (const request of asked) {
      if (answered.has(request.requestId)) continue;
      answered.add(request.requestId);
      const query: CallsQuery = request.query;
      const offset = query.offset ?? 0;
      const calls = Array.from({ length: Math.min(query.limit ?? 200, TOTAL - offset) }, (_, k) => callRow(order(offset + k)));
      await view.send({ type: 'callsPage', page: { total: TOTAL, offset, calls }, requestId: request.requestId });
    }
    return asked;
  }

  for (const theme of ['dark', 'light'] as const) {
    it(`keeps a bounded number of rows for ${TOTAL.toLocaleString('en')} calls, asks for pages as they scroll into view, sorts by a header (${theme})`, async () => {
      const view = await WebviewPage.open(browser, { bundle: 'insights', theme });
      const answered = new Set<number>();
      await view.send({ type: 'show', state: { mode: 'calls', query: {} } });
      await view.send({ type: 'callsChanged' });
      await view.page.waitForFunction(() => (window as unknown as { __host: { posted: { type: string }[] } }).__host.posted.some((m) => m.type === 'callsPage'));
      await answerPages(view, answered);
      await view.page.waitForSelector('.calls-viewport .calls-row:not(.loading)');
      const domRows = await view.page.locator('.calls-viewport .calls-row').count();
      assert.ok(domRows > 10 && domRows < 100, `DOM rows stay bounded: ${domRows}`);
      assert.equal(await view.page.locator('.calls-status').textContent(), '100,000 calls');
      assert.equal(await view.page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned), undefined);
      assert.equal(await view.page.locator('.calls-viewport img').count(), 0, 'a prompt is shown as text');
      await view.page.screenshot({ path: `${SHOTS}/llm-calls-${theme}.png` });

      // Scroll to the middle: the page there is asked for, and its rows are drawn once answered.
      await view.page.locator('.calls-viewport').evaluate((el) => (el.scrollTop = 50_000 * 24));
      await view.page.waitForFunction(() => (window as unknown as { __host: { posted: { type: string; query?: { offset?: number } }[] } }).__host.posted
        .some((m) => m.type === 'callsPage' && m.query?.offset === 50_000));
      await answerPages(view, answered);
      await view.page.waitForFunction(() => [...document.querySelectorAll('.calls-viewport .calls-row')].some((r) => r.textContent?.includes('Customer 60000 ')));
      assert.ok(await view.page.locator('.calls-viewport .calls-row').count() < 100);

      // Sorting is the engine's: a header click asks again from the first page, by that column.
      await view.page.locator('.calls-header .calls-cell', { hasText: 'cost' }).click();
      const sorted = (await view.posted<PageRequest>('callsPage')).at(-1)!;
      assert.deepEqual({ sort: sorted.query.sort, order: sorted.query.order, offset: sorted.query.offset }, { sort: 'cost', order: 'desc', offset: 0 });
      assert.deepEqual(view.errors, []);
      assert.deepEqual((await view.host()).violations, []);
      await view.close();
    });

    it(`shows a session as a conversation with its context growth and cache break (${theme})`, async () => {
      const view = await WebviewPage.open(browser, { bundle: 'insights', theme, height: 1100 });
      await view.send({ type: 'show', state: { mode: 'session', sessionId: SESSION.summary.sessionId } });
      await view.send({ type: 'session', session: SESSION });
      await view.page.waitForSelector('.turn');
      assert.equal(await view.page.locator('.turn').count(), 3);
      assert.match((await view.page.locator('.turn').nth(1).textContent()) ?? '', /When was it built\? <img src=x/);
      assert.equal(await view.page.locator('.session img').count(), 0);
      assert.match((await view.page.locator('.growth-table tr.cache-break').textContent()) ?? '', /system prompt changed/);
      await view.page.screenshot({ path: `${SHOTS}/session-${theme}.png`, fullPage: true });
      await view.page.locator('.turn vscode-button').first().click();
      assert.deepEqual((await view.posted('openTrace' as never)).at(-1), { type: 'openTrace', traceId: 'a'.repeat(32) });
      assert.deepEqual(view.errors, []);
      await view.close();
    });

    it(`shows a call's context window against its limit, largest parts first (${theme})`, async () => {
      const view = await WebviewPage.open(browser, { bundle: 'insights', theme });
      const call = SESSION.context.calls[0];
      await view.send({ type: 'show', state: { mode: 'xray', traceId: call.traceId, spanId: call.spanId } });
      await view.send({ type: 'xray', xray: call, callName: 'ChatCompletion' });
      await view.page.waitForSelector('.context-bar');
      const summary = (await view.page.locator('.insights-header p').first().textContent()) ?? '';
      assert.match(summary, /of 128k .*context window, from the models\.dev catalog.*largest: retrieved documents, system/);
      // Two bars of the four parts: against the context window, and the prompt alone (its parts visible however small it is).
      assert.equal(await view.page.locator('.context-bar').count(), 2);
      assert.equal(await view.page.locator('.context-bar').nth(1).locator('.context-segment').count(), 4);
      const promptBarWidth = await view.page.locator('.context-bar').nth(1).evaluate((bar) => [...bar.children].reduce((sum, s) => sum + s.getBoundingClientRect().width, 0) / bar.getBoundingClientRect().width);
      assert.ok(promptBarWidth > 0.98, `the prompt's bar is full: ${promptBarWidth}`);
      await view.page.screenshot({ path: `${SHOTS}/context-xray-${theme}.png` });
      assert.deepEqual(view.errors, []);
      await view.close();
    });
  }
});
