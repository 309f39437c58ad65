// What a person does and sees: open the Traces view, send traces from an instrumented app,
// expand a trace, open a span, run Show Slow Traces and Clear Traces from the command palette,
// and meet a taken port. Every step saves a screenshot (ui-NN-*.png) to look at.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { sendAiRequests, SentTrace } from '../otlpTraffic';
import { PortHolder } from '../portHolder';

export interface FlowOptions {
  httpPort: number;
  shotsDir: string;
}

const STEP_TIMEOUT_MS = 20_000;
const STATUS_ITEM = '[id="ai-trace-inspector.ai-trace-inspector.aiTraceInspector.status"]';
const TRACES_VIEW = '[id="workbench.view.extension.aiTraceInspector"]';

/** Runs the steps in order, stopping at the first failure; prints one line per step. */
export async function runWorkbenchFlow(page: Page, options: FlowOptions): Promise<boolean> {
  const flow = new WorkbenchFlow(page, options);
  let shot = 0;
  console.log('\n  workbench (Playwright)');
  for (const [title, step] of flow.steps()) {
    const name = `ui-${String(++shot).padStart(2, '0')}-${title.toLowerCase().replace(/[^a-z0-9]+/g, '-').slice(0, 40)}`;
    try {
      await step();
      await page.screenshot({ path: join(options.shotsDir, `${name}.png`) });
      console.log(`    ✔ ${title}`);
    } catch (error) {
      await page.screenshot({ path: join(options.shotsDir, `${name}-FAILED.png`) }).catch(() => undefined);
      console.log(`    ✘ ${title}\n      ${((error as Error).stack ?? String(error)).split('\n').slice(0, 6).join('\n      ')}`);
      return false;
    }
  }
  return true;
}

class WorkbenchFlow {
  private sent: SentTrace[] = [];
  private httpPort: number;

  constructor(private readonly page: Page, private readonly options: FlowOptions) {
    this.httpPort = options.httpPort;
  }

  steps(): [string, () => Promise<void>][] {
    return [
      ['opens the Traces view from the activity bar', () => this.openTracesView()],
      ['copies a snippet for the app\'s stack from the welcome view', () => this.copySnippetForStack()],
      ['shows the receiver port in the status bar', () => this.statusBarShows(`:${this.httpPort}`)],
      ['lists traces sent by an OpenTelemetry exporter', () => this.receiveTraces()],
      ['expands a trace into its spans', () => this.expandTrace()],
      ['opens a span when it is clicked', () => this.openSpan()],
      ['Show Slow Traces lists the slow ones from the command palette', () => this.showSlowTraces()],
      ['opens the slow trace chosen', () => this.openChosenTrace()],
      ['Copy trace for AI says what it copied in the status bar', () => this.copyTraceForAi()],
      ['Clear Traces asks first', () => this.askToClear()],
      ['Clear Traces empties the view when confirmed', () => this.confirmClear()],
      ['says when the port is taken by another process', () => this.meetTakenPort()],
      ['moves to a free port when asked and receives there', () => this.useOtherPort()],
    ];
  }

  private get view(): Locator {
    return this.page.locator(TRACES_VIEW);
  }

  private row(label: string): Locator {
    return this.view.locator('.monaco-list-row', { hasText: label }).first();
  }

  private async openTracesView(): Promise<void> {
    await this.page.locator('.activitybar .action-item a[aria-label^="Traces"]').click();
    await this.view.getByText('No traces yet').waitFor({ timeout: STEP_TIMEOUT_MS });
    await this.view.getByRole('button', { name: /Python: OpenAI, Anthropic, LangChain/ }).waitFor();
  }

  /** The welcome view's Node.js link offers each stack; the one picked lands on the clipboard. */
  private async copySnippetForStack(): Promise<void> {
    await this.view.getByRole('button', { name: /Node\.js: openai, LangChain\.js, Vercel AI SDK/ }).click();
    const input = this.page.locator('.quick-input-widget');
    await input.locator('.quick-input-list-row', { hasText: 'LangChain.js' }).waitFor({ timeout: STEP_TIMEOUT_MS });
    await this.page.screenshot({ path: join(this.options.shotsDir, 'ui-snippet-stacks.png') });
    await input.locator('.quick-input-list-row', { hasText: 'Vercel AI SDK' }).click();
    await this.page.locator('.notification-toast', { hasText: 'Copied the Vercel AI SDK snippet' }).waitFor({ timeout: STEP_TIMEOUT_MS });
  }

  private async statusBarShows(text: string): Promise<void> {
    await this.page.locator(STATUS_ITEM, { hasText: text }).waitFor({ timeout: STEP_TIMEOUT_MS });
  }

  private async receiveTraces(): Promise<void> {
    this.sent = await sendAiRequests(this.httpPort, [
      { name: 'answer-refund-question', durationMs: 840, inputTokens: 1200, outputTokens: 85 },
      { name: 'summarize-ticket', durationMs: 5300, inputTokens: 5400, outputTokens: 320 },
      { name: 'classify-intent', durationMs: 420, inputTokens: 300, outputTokens: 5, error: 'RateLimitError: 429 Too Many Requests' },
    ]);
    for (const trace of this.sent) await this.row(trace.name).waitFor({ timeout: STEP_TIMEOUT_MS });
    const failed = this.row('classify-intent');
    assert.equal(await failed.locator('.codicon-error').count(), 1, 'the failed trace has an error icon');
    assert.match(await this.row('summarize-ticket').innerText(), /5\.30 s/);
    await this.statusBarShows(`:${this.httpPort}`);
    // The counts follow the rows by one refresh of the engine's stats: wait for them.
    let counts = '';
    for (const deadline = Date.now() + STEP_TIMEOUT_MS; Date.now() < deadline; await new Promise((resolve) => setTimeout(resolve, 100))) {
      counts = (await this.page.locator(STATUS_ITEM).innerText()).replace(/\s+/g, ' ');
      if (/ 3 · 1$/.test(counts)) break;
    }
    assert.match(counts, / 3 · 1$/);
  }

  private async expandTrace(): Promise<void> {
    const trace = this.sent[0];
    // The trace row is its root: it opens straight onto the root's children.
    await this.row(trace.name).locator('.monaco-tl-twistie').click();
    for (const name of trace.spanNames.slice(1)) await this.row(name).waitFor({ timeout: STEP_TIMEOUT_MS });
    assert.equal(await this.row(trace.spanNames[2]).locator('.codicon-sparkle').count(), 1, 'the LLM span has the sparkle icon');
    assert.match(await this.row(trace.spanNames[2]).innerText(), /gpt-4o-mini/);
  }

  /**
   * The Traces view redraws after the engine's changes (coalesced: spans still arriving, Trace
   * Doctor settling the traces a few seconds later, the age tick). A redraw between locating the
   * row and the click reuses or replaces its element, so the click can land elsewhere or select
   * nothing, and no panel opens. A person sees their row not selected and clicks again; so does
   * this, only then, and the span must still open in the editor.
   */
  private async openSpan(): Promise<void> {
    const span = this.sent[0].spanNames[2];
    const selected = this.view.locator('.monaco-list-row.selected', { hasText: span });
    for (const deadline = Date.now() + STEP_TIMEOUT_MS; ;) {
      await this.row(span).click();
      if (await selected.waitFor({ timeout: 2000 }).then(() => true, () => false)) break;
      if (Date.now() > deadline) throw new Error(`a click on "${span}" never selected its row`);
    }
    await this.editorShows(span);
  }

  /**
   * Waits until the editor in front shows `text`: in a text editor (the read-only JSON of a
   * trace) or in the visible webview (the waterfall), whose content sits in nested iframes.
   */
  private async editorShows(text: string): Promise<void> {
    const deadline = Date.now() + STEP_TIMEOUT_MS;
    while (Date.now() < deadline) {
      if (await this.page.locator('.editor-instance .view-lines', { hasText: text }).isVisible()) return;
      for (const frame of this.page.frames()) {
        if (frame.name() === 'active-frame' || frame.url().includes('fake.html')) {
          if (await frame.getByText(text).first().isVisible().catch(() => false)) return;
        }
      }
      await this.page.waitForTimeout(200);
    }
    throw new Error(`no editor shows "${text}"`);
  }

  private async runCommand(title: string): Promise<void> {
    await this.page.keyboard.press('F1');
    const input = this.page.locator('.quick-input-widget .quick-input-box input');
    await input.waitFor({ state: 'visible' });
    await input.fill(`>${title}`);
    await this.page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first().waitFor();
    await input.press('Enter');
  }

  private async showSlowTraces(): Promise<void> {
    await this.runCommand('AI Trace Inspector: Show Slow Traces');
    const rows = this.page.locator('.quick-input-list .monaco-list-row');
    await rows.filter({ hasText: 'summarize-ticket' }).waitFor({ timeout: STEP_TIMEOUT_MS });
    const texts = await rows.allInnerTexts();
    assert.equal(texts.length, 1, `only the slow trace: ${texts.join(' | ')}`);
    assert.match(texts[0], /5\.30 s/);
    assert.match(texts[0], /slowest step/);
  }

  private async openChosenTrace(): Promise<void> {
    await this.page.keyboard.press('Enter');
    await this.editorShows('summarize-ticket');
  }

  /** The button is in the trace panel's webview; its confirmation in the workbench's status bar. */
  private async copyTraceForAi(): Promise<void> {
    const deadline = Date.now() + STEP_TIMEOUT_MS;
    for (let clicked = false; !clicked && Date.now() < deadline;) {
      for (const frame of this.page.frames()) {
        const copy = frame.locator('vscode-button', { hasText: 'Copy trace for AI' });
        if (await copy.isVisible().catch(() => false)) {
          await copy.click();
          clicked = true;
          break;
        }
      }
      if (!clicked) await this.page.waitForTimeout(200);
    }
    await this.page.locator('.part.statusbar', { hasText: 'Copied the trace as Markdown' }).waitFor({ timeout: STEP_TIMEOUT_MS });
    assert.match(String(await this.page.evaluate('navigator.clipboard.readText()')), /summarize-ticket/);
  }

  private async askToClear(): Promise<void> {
    await this.runCommand('AI Trace Inspector: Clear Traces');
    const dialog = this.page.locator('.monaco-dialog-box');
    await dialog.waitFor({ timeout: STEP_TIMEOUT_MS });
    assert.match(await dialog.innerText(), /Clear 3 traces\?/);
    assert.match(await dialog.innerText(), /Also Delete Everything Stored/);
  }

  private async confirmClear(): Promise<void> {
    await this.page.locator('.monaco-dialog-box .monaco-button', { hasText: 'Clear the View' }).first().click();
    await this.view.getByText('No traces yet').waitFor({ timeout: STEP_TIMEOUT_MS });
    await this.page.locator(STATUS_ITEM, { hasText: /:\d+ · 0$/ }).waitFor({ timeout: STEP_TIMEOUT_MS });
  }

  private blocker?: PortHolder;
  private blocked = 0;

  private async meetTakenPort(): Promise<void> {
    this.blocker = await PortHolder.start();
    this.blocked = this.blocker.port;
    await this.setPortInSettingsEditor(this.blocked);
    const toast = this.page.locator('.notification-toast', { hasText: `Port ${this.blocked} is in use by another process` });
    await toast.waitFor({ timeout: STEP_TIMEOUT_MS });
    await toast.locator('.monaco-button', { hasText: 'Use Port' }).waitFor();
    await this.statusBarShows(`port ${this.blocked} in use`);
  }

  /** As a person: the Settings editor, search, type the port; no reload follows. */
  private async setPortInSettingsEditor(port: number): Promise<void> {
    await this.runCommand('Preferences: Open User Settings');
    const editor = this.page.locator('.settings-editor');
    await editor.waitFor({ timeout: STEP_TIMEOUT_MS });
    await this.page.keyboard.type('aiTraceInspector.receiver.httpPort');
    // The search is fuzzy and may list other settings too: take the port's own item.
    const input = editor.locator('.setting-item-number', { hasText: 'Receiver: Http Port' }).locator('input').first();
    await input.waitFor({ timeout: STEP_TIMEOUT_MS });
    await editor.getByText(/\d+ Settings? Found/).waitFor({ timeout: STEP_TIMEOUT_MS });
    // The list may render again while the search settles, dropping what was typed: type until it stays.
    for (let attempt = 1; ; attempt++) {
      await input.click();
      await this.page.keyboard.press('Control+A');
      await this.page.keyboard.type(String(port));
      await this.page.keyboard.press('Tab');
      await this.page.waitForTimeout(500);
      if ((await input.inputValue()) === String(port)) break;
      if (attempt === 10) throw new Error(`the Settings editor did not keep the port ${port}`);
    }
  }

  private async useOtherPort(): Promise<void> {
    try {
      const button = this.page.locator('.notification-toast .monaco-button', { hasText: 'Use Port' }).first();
      const offered = Number((await button.innerText()).match(/\d+/)?.[0]);
      await button.click();
      await this.statusBarShows(`:${offered}`);
      this.httpPort = offered;
      const [trace] = await sendAiRequests(offered, [{ name: 'after-moving-port', durationMs: 300, inputTokens: 40, outputTokens: 8 }]);
      await this.row(trace.name).waitFor({ timeout: STEP_TIMEOUT_MS });
    } finally {
      await this.blocker?.release();
    }
  }
}
