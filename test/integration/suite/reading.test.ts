// Reading traces as people do (issue 17), in the editor: rows that tell requests apart, one
// preview panel reused for each click, search that shows where it matched, a filter that refuses
// what cannot match, Clear Traces that can delete what is stored, a log that names the files it
// reads. Screenshots of each, in a light and a dark theme. Runs last: it clears the engine.
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { context as otelContext, trace as otelTrace } from '@opentelemetry/api';
import * as vscode from 'vscode';
import { COMMANDS, type CommandName } from '../../../src/shared/commands';
import { sendSpans, type SentTrace } from '../otlpTraffic';
import { api, config, rowsFor, runAndAccept, shootInBothThemes, shownTexts, sleep, ui, waitFor } from './harness';

const run = (command: CommandName, ...args: unknown[]) => Promise.resolve(vscode.commands.executeCommand(COMMANDS[command], ...args));
const QUICK_PICK_ROWS = '.quick-input-widget .quick-input-list .monaco-list-row';
/** A screenshot of the window in each theme, named after what it shows. */
const shootBothThemes = (name: string) => shootInBothThemes(`reading-${name}`);

/** Support requests with the same root name, told apart by what they asked. */
function sendSupportRequests(requests: { question: string; answer: string; document: string }[], service = 'support-bot'): Promise<SentTrace[]> {
  const now = Date.now();
  return sendSpans(config.httpPort, (tracer) => requests.map((request, i) => {
    const start = now - 2000 + i * 10;
    const root = tracer.startSpan('support.answer', { startTime: start, attributes: { 'openinference.span.kind': 'CHAIN', 'input.value': request.question, 'output.value': request.answer } });
    const context = otelTrace.setSpan(otelContext.active(), root);
    tracer.startSpan('retrieve-documents', { startTime: start + 5, attributes: {
      'openinference.span.kind': 'RETRIEVER', 'retrieval.documents.0.document.content': request.document, 'retrieval.documents.0.document.score': 0.91,
    } }, context).end(start + 200);
    tracer.startSpan('chat gpt-4o-mini', { startTime: start + 200, attributes: {
      'gen_ai.operation.name': 'chat', 'gen_ai.system': 'openai', 'gen_ai.request.model': 'gpt-4o-mini', 'gen_ai.usage.input_tokens': 500, 'gen_ai.usage.output_tokens': 40,
    } }, context).end(start + 900);
    root.end(start + 1000);
    return { traceId: root.spanContext().traceId, name: 'support.answer', service, model: 'gpt-4o-mini', spanNames: ['support.answer', 'retrieve-documents', 'chat gpt-4o-mini'] };
  }), service);
}

const webviewTabs = () => vscode.window.tabGroups.all.flatMap((g) => g.tabs).filter((t) => t.input instanceof vscode.TabInputWebview);

describe('reading traces (issue 17)', () => {
  let refund: SentTrace;
  let cancel: SentTrace;

  before(async () => {
    const { source } = await api();
    await source.clear();
    [refund, cancel] = await sendSupportRequests([
      { question: 'Where is my refund for order A-17?', answer: 'Your refund was sent on Monday.', document: 'Refund policy: refunds are sent within 5 days of the return.' },
      { question: 'Please cancel order B-2', answer: 'Order B-2 is cancelled.', document: 'Orders can be cancelled until they ship.' },
    ]);
    await rowsFor([refund, cancel]);
  });

  afterEach(async () => {
    await vscode.commands.executeCommand('workbench.action.closeQuickOpen');
    await vscode.commands.executeCommand('notifications.clearAll');
  });

  after(async () => {
    await vscode.workspace.getConfiguration('workbench').update('colorTheme', undefined, vscode.ConfigurationTarget.Global);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('tells rows apart by their input, with the output in the tooltip, and opens a trace onto its root\'s children', async () => {
    const { tree } = await api();
    const rows = await rowsFor([refund, cancel]);
    const [a, b] = [refund, cancel].map((t) => tree.getTreeItem(rows.get(t.traceId)!));
    assert.match(String(a.description), /“Where is my refund for order A-17\?”$/);
    assert.match(String(b.description), /“Please cancel order B-2”$/);
    assert.doesNotMatch(String(a.description), /support-bot/, 'one service: rows do not repeat it');
    assert.match(String(a.description), /<1m ago/);
    // The tooltip is Markdown with its text escaped: read it as shown.
    const tooltip = (a.tooltip as vscode.MarkdownString).value.replace(/&nbsp;/g, ' ').replace(/\\(.)/g, '$1');
    assert.match(tooltip, /Output: Your refund was sent on Monday\./);
    const children = await tree.getChildren(rows.get(refund.traceId));
    assert.deepEqual(children.map((n) => tree.getTreeItem(n).label), ['retrieve-documents', 'chat gpt-4o-mini']);

    const [other] = await sendSupportRequests([{ question: 'What does shipping cost?', answer: '$5', document: 'Shipping rates' }], 'billing-bot');
    const withService = await waitFor('rows from two services to name them', async () => {
      tree.refreshNow();
      const item = tree.getTreeItem((await rowsFor([other])).get(other.traceId)!);
      return String(item.description).includes('billing-bot') ? item : undefined;
    });
    assert.match(String(withService.description), /billing-bot · “What does shipping cost\?”/);
    await vscode.commands.executeCommand('aiTraceInspector.traces.focus');
    await shootBothThemes('rows');
  });

  it('redraws the rows only when what they show changes: not for an engine change they do not show', async () => {
    const { tree } = await api();
    await tree.refreshIfChanged();
    let redraws = 0;
    const listening = tree.onDidChangeTreeData(() => redraws++);
    try {
      // What every engine change (Trace Doctor settling, another window's poll) and the age timer do.
      tree.scheduleRefresh();
      await sleep(2000);
      assert.equal(redraws, 0, 'nothing the rows show changed');
      assert.equal(await tree.refreshIfChanged(), false);
      // A new trace is shown at once.
      const [other] = await sendSupportRequests([{ question: 'Is there a discount for students?', answer: 'Yes, 10%.', document: 'Discounts' }]);
      await waitFor('a redraw for the new trace', () => redraws > 0);
      await rowsFor([other]);
    } finally {
      listening.dispose();
    }
  });

  it('redraws the rows by itself when their ages change, so they stay true', async () => {
    const { tree } = await api();
    await tree.refreshIfChanged();
    const redrawn = new Promise<void>((resolve) => {
      const listening = tree.onDidChangeTreeData(() => {
        listening.dispose();
        resolve();
      });
    });
    // An hour on, "<1m ago" says "1h ago": only the age timer redraws (every 15 s while the view shows).
    tree.now = () => Date.now() + 3_600_000;
    try {
      await Promise.race([redrawn, sleep(25_000).then(() => assert.fail('no redraw within 25 s'))]);
    } finally {
      tree.now = Date.now;
      tree.refreshNow();
    }
  });

  it('shows each clicked trace in one preview panel; a double click keeps it; Open to the Side opens a second', async () => {
    const { traceViews, tree } = await api();
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await run('openTrace', refund.traceId);
    await waitFor('the preview of the refund trace', () => traceViews.shown.length === 1 && traceViews.shown[0].title === 'Preview: support.answer');
    await sleep(700); // two clicks, not a double click
    await run('openTrace', cancel.traceId);
    await waitFor('the preview to show the cancel trace', () => traceViews.shown[0]?.traceId === cancel.traceId);
    assert.equal(traceViews.shown.length, 1, 'the same panel, replaced');
    await waitFor('one trace tab', () => webviewTabs().length === 1 && vscode.window.tabGroups.all.flatMap((g) => g.tabs).length === 1);
    await shootBothThemes('preview');

    // Clicked twice in a row (a double click on the row runs its command twice): kept.
    await run('openTrace', cancel.traceId);
    await run('openTrace', cancel.traceId);
    assert.deepEqual(traceViews.shown.map((p) => [p.traceId, p.preview, p.title]), [[cancel.traceId, false, 'Trace: support.answer']]);
    await sleep(700);
    await run('openTrace', refund.traceId);
    await waitFor('a new preview beside the kept one', () => traceViews.shown.length === 2);
    assert.deepEqual(traceViews.shown.map((p) => [p.traceId, p.preview]).sort(), [[cancel.traceId, false], [refund.traceId, true]].sort());
    await waitFor('the new preview to show its trace', () => traceViews.shown.every((p) => p.title.endsWith(': support.answer')));

    // Open to the Side, from the row's context menu.
    const rows = await rowsFor([cancel]);
    const [retrieval] = await tree.getChildren(rows.get(cancel.traceId));
    await run('openTraceToSide', retrieval);
    await waitFor('a panel beside', () => vscode.window.tabGroups.all.length === 2 && webviewTabs().length === 3);
    assert.equal(traceViews.shown.filter((p) => !p.preview).length, 2);
    // Each panel's webview asked for its trace and got it (the title names it then).
    await waitFor('every panel to show its trace', () => traceViews.shown.every((p) => p.title.endsWith(': support.answer')));
    await shootBothThemes('to-the-side');
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('Search Traces shows where each trace matched: the span, the field and the text around it', async () => {
    const done = run('searchTraces');
    await ui({ do: 'quickInput', text: 'within 5 days', enter: true });
    const shown = await waitFor('the matches', async () => {
      const texts = await shownTexts(QUICK_PICK_ROWS);
      return texts.some((t) => t.includes('«within 5 days»')) ? texts : undefined;
    });
    assert.equal(shown.length, 1, shown.join(' | '));
    assert.match(shown[0], /retrieve-documents · retrieval\.documents\.0\.document\.content: Refund policy: refunds are sent «within 5 days» of the return\./);
    await shootBothThemes('search');
    await runAndAccept(done);
  });

  it('refuses an unknown kind in the filter, naming the valid ones', async () => {
    const done = run('filterText');
    await ui({ do: 'quickInput', text: 'kind = RETRIVER', enter: false });
    const [message] = await waitFor('the validation message', async () => {
      const texts = await shownTexts('.quick-input-widget .quick-input-message');
      return texts[0]?.includes('Unknown kind') ? texts : undefined;
    });
    assert.match(message, /Unknown kind "RETRIVER"; kind is one of: LLM, CHAIN, RETRIEVER, TOOL/);
    await shootBothThemes('filter-kind');
    await vscode.commands.executeCommand('workbench.action.closeQuickOpen');
    await done;
  });

  it('names each imported file in the log with its spans and problems, and that it is tailed', async () => {
    const { engine } = await api();
    const dir = mkdtempSync(join(tmpdir(), 'ati-reading-'));
    const file = join(dir, 'support.jsonl');
    writeFileSync(file, '{"trace_id": "r1", "inputs": {"question": "hi"}, "outputs": {"answer": "hello"}, "total_latency_ms": 120}\nnot json\n');
    await engine.importFiles([file], true);
    await run('showLog');
    // The panel wraps long lines: compare without the wrapping.
    const unwrapped = (text: string) => text.replace(/\s+/g, '');
    const expected = unwrapped(`imported ${file}: DSPy request log, 1 span(s) in 1 trace(s), 1 problem(s); tailing it`);
    await waitFor('the import in the log', async () => unwrapped((await shownTexts('.part.panel .view-lines')).join('')).includes(expected));
    await shootBothThemes('log');
    await vscode.commands.executeCommand('workbench.action.closePanel');
  });

  // The question itself is a modal dialog, which VS Code does not show while extension tests run:
  // the Playwright flow (ui/workbenchFlow.ts) answers it; here each answer is given as the argument.
  it('Clear Traces clears the view, or also deletes everything stored, as chosen', async () => {
    const { source } = await api();
    const stored = () => readdirSync(config.storeDir).filter((f) => /\.otlp\.(pb|jsonl)$/.test(f));
    await run('clearTraces', 'view');
    assert.equal((await source.stats()).traces, 0);
    assert.ok(stored().length > 0, 'clearing the view keeps the store');

    await sendSupportRequests([{ question: 'One more', answer: 'ok', document: 'doc' }]);
    await waitFor('the new trace', async () => (await source.stats()).traces > 0);
    await run('clearTraces', 'everything');
    assert.equal((await source.stats()).traces, 0);
    assert.deepEqual(stored(), [], 'no segment left in the store');
    await vscode.commands.executeCommand('aiTraceInspector.traces.focus');
    await shootBothThemes('cleared');
  });
});
