// Every command of the palette, run the way a person runs it: quick picks accepted, input boxes
// typed into, notification buttons clicked, and what it produced checked (an editor, a file,
// the clipboard, the receiver's port).
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { COMMANDS, type CommandName } from '../../../src/shared/commands';
import { sendAiRequests, SentTrace } from '../otlpTraffic';
import {
  api, config, engineStatsAt, extension, rowsFor, runAndAccept, shownTexts, sleep, statusBarText, ui, waitFor, waitForTraceEditor,
} from './harness';

const run = (command: CommandName, ...args: unknown[]) => Promise.resolve(vscode.commands.executeCommand(COMMANDS[command], ...args));
const QUICK_PICK_ROWS = '.quick-input-widget .quick-input-list .monaco-list-row';

/**
 * Accepts the save dialog (code-server's own, an input box holding the path) once it proposes
 * `name` in the workspace, as a person pressing Enter; resolves with the written file.
 */
async function saveProposedFile(name: string): Promise<string> {
  const file = join(config.workspace, name);
  await waitFor(`the save dialog to propose ${name}`, async () => (await ui({ do: 'quickInputValue' })).endsWith(name));
  await ui({ do: 'press', key: 'Enter' });
  await waitFor(`${file} to be written`, () => existsSync(file) && readFileSync(file, 'utf8').length > 0);
  return file;
}

describe('commands', () => {
  let sent: SentTrace[];
  let byName: (name: string) => SentTrace;

  before(async () => {
    sent = await sendAiRequests(config.httpPort, [
      { name: 'draft-reply', durationMs: 9100, inputTokens: 2100, outputTokens: 640 },
      { name: 'lookup-order', durationMs: 2600, inputTokens: 800, outputTokens: 40 },
      { name: 'escalate-ticket', durationMs: 700, inputTokens: 500, outputTokens: 20, error: 'ToolError: CRM timed out' },
      { name: 'write-essay', durationMs: 1500, inputTokens: 90_000, outputTokens: 12_000, model: 'gpt-4o' },
    ]);
    byName = (name) => sent.find((t) => t.name === name)!;
    await rowsFor(sent);
  });

  // A trace that a test opened must not take the focus (and so close the input box) in the next.
  afterEach(async () => {
    await vscode.commands.executeCommand('workbench.action.closeQuickOpen');
    await vscode.commands.executeCommand('notifications.clearAll');
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('lists every contributed command in the palette under one category', async () => {
    const contributed = extension().packageJSON.contributes.commands as { command: string; category: string }[];
    assert.deepEqual([...new Set(contributed.map((c) => c.category))], ['AI Trace Inspector']);
    const registered = new Set(await vscode.commands.getCommands(true));
    assert.deepEqual(contributed.map((c) => c.command).filter((id) => !registered.has(id)), [], 'contributed but not registered');
  });

  it('opens a span when its row is clicked', async () => {
    const { tree } = await api();
    const trace = byName('lookup-order');
    const rows = await rowsFor([trace]);
    // A trace row opens onto its root's children.
    const [, llm] = await tree.getChildren(rows.get(trace.traceId));
    const { command } = tree.getTreeItem(llm);
    assert.ok(command, 'a span row has a command');
    await vscode.commands.executeCommand(command.command, ...(command.arguments ?? []));
    await waitForTraceEditor({ ...trace, spanId: llm.type === 'span' ? llm.node.row.spanId : undefined });
  });

  it('Show Slow Traces lists only traces over the threshold, slowest first, with the slowest step', async () => {
    const done = run('showSlowTraces');
    const rows = await waitFor('the slow traces quick pick', async () => {
      const shown = await shownTexts(QUICK_PICK_ROWS);
      return shown.some((r) => r.includes('lookup-order')) ? shown : undefined;
    });
    // Of this suite's traces: the two over 2 s, slowest first; not the 1.5 s and 0.7 s ones.
    const names = rows.map((r) => sent.find((t) => r.includes(t.name))?.name).filter(Boolean);
    assert.deepEqual(names, ['draft-reply', 'lookup-order']);
    assert.match(rows[0], /9\.10 s/);
    assert.match(rows[0], /slowest step: chat gpt-4o-mini/);
    await ui({ do: 'screenshot', name: 'suites-slow-traces' });
    await ui({ do: 'press', key: 'Escape' });
    await done;
  });

  it('Show Slow Traces opens the trace chosen', async () => {
    await runAndAccept(run('showSlowTraces'));
    await waitForTraceEditor(byName('draft-reply'));
  });

  it('Show Failed Traces opens a failed trace', async () => {
    await runAndAccept(run('showFailedTraces'));
    const { source } = await api();
    const [newestFailed] = await source.query({ status: 'error', limit: 1 });
    assert.equal(newestFailed.status, 'error');
    await waitForTraceEditor({ traceId: newestFailed.traceId, name: newestFailed.name });
  });

  it('Show Most Expensive Traces opens the costliest trace', async () => {
    await runAndAccept(run('showExpensiveTraces'));
    await waitForTraceEditor(byName('write-essay'));
  });

  it('Search Traces finds a trace by text in its input', async () => {
    const done = run('searchTraces');
    await ui({ do: 'quickInput', text: 'question for lookup-order', enter: true });
    await runAndAccept(done);
    await waitForTraceEditor(byName('lookup-order'));
  });

  it('Open Trace by ID refuses what is not a trace id, then opens the trace typed', async () => {
    const trace = byName('escalate-ticket');
    const done = run('openTraceById');
    await ui({ do: 'quickInput', text: 'order-12345', enter: false });
    const [message] = await waitFor('the validation message', async () => {
      const shown = await shownTexts('.quick-input-widget .quick-input-message');
      return shown[0]?.includes('32 hex') ? shown : undefined;
    });
    assert.match(message, /32 hex characters/);
    await ui({ do: 'quickInput', text: trace.traceId.toUpperCase(), enter: true });
    await done;
    await waitForTraceEditor(trace);
  });

  it('Open Trace by ID says so when no such trace is loaded', async () => {
    const done = run('openTraceById');
    await ui({ do: 'quickInput', text: 'f'.repeat(32), enter: true });
    await done;
    const toasts = await waitFor('the warning', async () => {
      const shown = await shownTexts('.notification-toast');
      return shown.some((t) => t.includes('is not loaded')) ? shown : undefined;
    });
    assert.ok(toasts.some((t) => t.includes('f'.repeat(32))));
  });

  it('Export Trace on a row writes the trace as OTLP/JSON and opens it on request', async () => {
    const { tree } = await api();
    const trace = byName('draft-reply');
    const row = (await rowsFor([trace])).get(trace.traceId)!;
    assert.equal(tree.getTreeItem(row).contextValue, 'trace', 'the row offers Export inline');
    const done = run('exportTrace', row);
    const file = await saveProposedFile(`trace-${trace.traceId}.otlp.json`);
    const otlp = JSON.parse(readFileSync(file, 'utf8')) as { resourceSpans: { scopeSpans: { spans: { traceId: string; name: string }[] }[] }[] };
    const spans = otlp.resourceSpans.flatMap((r) => r.scopeSpans.flatMap((s) => s.spans));
    assert.deepEqual(spans.map((s) => s.name).sort(), [...trace.spanNames].sort());
    assert.ok(spans.every((s) => s.traceId === trace.traceId), 'hex trace ids of this trace only');
    await ui({ do: 'click', text: 'Open', within: '.notification-toast' });
    await done;
    assert.equal(vscode.window.activeTextEditor?.document.uri.fsPath, file);
  });

  it('Export Trace from the palette asks which trace first, newest on top', async () => {
    const { source } = await api();
    const [newest] = await source.query({ limit: 1 });
    const done = run('exportTrace');
    const rows = await waitFor('the trace chooser', async () => {
      const shown = await shownTexts(QUICK_PICK_ROWS);
      return shown.length ? shown : undefined;
    });
    assert.ok(rows[0].includes(newest.name), `first row: ${rows[0]}`);
    await ui({ do: 'press', key: 'Enter' });
    const file = await saveProposedFile(`trace-${newest.traceId}.otlp.json`);
    assert.ok(readFileSync(file, 'utf8').includes(newest.traceId));
    await vscode.commands.executeCommand('notifications.clearAll');
    await done;
  });

  it('Copy Instrumentation Snippet puts a snippet for this port on the clipboard', async () => {
    await run('copySnippet', 'node-openai');
    const node = await vscode.env.clipboard.readText();
    assert.ok(node.includes(`http://127.0.0.1:${config.httpPort}/v1/traces`), node);
    assert.match(node, /OTLPTraceExporter/);
    await run('copySnippet', 'python-openai');
    assert.match(await vscode.env.clipboard.readText(), new RegExp(`OTLPSpanExporter\\(endpoint="http://127.0.0.1:${config.httpPort}/v1/traces"\\)`));
  });

  it('Stop Receiver frees the port and Start Receiver takes it again', async () => {
    await run('stopReceiver');
    await waitFor('the port to stop answering', async () => (await engineStatsAt(config.httpPort)) === undefined);
    await waitFor('the status bar to say the receiver is off', async () => (await statusBarText()).includes('off'));
    await run('startReceiver');
    await waitFor('the port to answer again', () => engineStatsAt(config.httpPort));
    await waitFor('the status bar to show the port', async () => (await statusBarText()).includes(`:${config.httpPort}`));
  });

  it('Show Log shows the extension\'s output', async () => {
    await run('showLog');
    const shown = await waitFor('the output panel', async () => {
      const texts = await shownTexts('.part.panel');
      return texts.some((t) => /OUTPUT/i.test(t)) ? texts : undefined;
    });
    assert.ok(shown.length);
    await sleep(300);
    await ui({ do: 'screenshot', name: 'suites-show-log' });
    await vscode.commands.executeCommand('workbench.action.closePanel');
  });
});
