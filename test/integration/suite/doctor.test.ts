// Trace Doctor in the editor: traffic whose LLM calls recorded no content gives one Problems entry
// per service and problem (not one per span), on a document that says what to change; a burst of
// one-span traces offers a quick fix on the app's tracer set-up file; a real app in the workspace,
// traced wrong, gets its fix shown as a diff with Apply / Cancel (Cancel, and Apply on a file changed
// meanwhile, leave it alone), applied as one undoable edit, and runs again without the problem; a new
// kind of problem is hinted in the status bar once, and the hint opens Problems.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { TraceDetail, TraceSummary } from '../../../src/shared/spanModel';
import { startFakeOpenAiServer } from '../../unit/helpers/fakeOpenAiServer';
import { runTracedApp, tracedAppSource } from '../../unit/helpers/tracedNodeApp';
import { sendAiRequests, sendSpans } from '../otlpTraffic';
import { COMMANDS } from '../../../src/shared/commands';
import { serviceUri } from '../../../src/extension/views/doctorProblems';
import { DOCTOR_FIX_SCHEME, type DoctorFixRequest } from '../../../src/extension/views/doctorQuickFixes';
import { api, config, EXTENSION_ID, extension, shownTexts, sleep, ui, waitFor } from './harness';

const HINT = `[id="${EXTENSION_ID}.aiTraceInspector.doctorHint"]`;

function doctorEntry(service: string, kind: string): [vscode.Uri, vscode.Diagnostic[]] | undefined {
  return vscode.languages.getDiagnostics().find(([u, list]) => u.scheme === 'ai-trace-doctor'
    && u.toString() === serviceUri(service).toString() && list.some((d) => d.code === kind));
}

/** The Trace Doctor problems VS Code holds for a service, once one of `kind` is among them. */
function doctorProblems(service: string, kind: string): vscode.Diagnostic[] | undefined {
  const entry = doctorEntry(service, kind);
  return entry?.[1];
}

/** The service's traces as the query API returns them, with their diagnoses. */
async function tracesOf(service: string): Promise<TraceDetail[]> {
  const base = `http://127.0.0.1:${config.httpPort}`;
  const { traces } = (await (await fetch(`${base}/api/traces?service=${encodeURIComponent(service)}`)).json()) as { traces: TraceSummary[] };
  assert.ok(traces.length, `traces from ${service} arrived`);
  return Promise.all(traces.map(async (t) => (await (await fetch(`${base}/api/traces/${t.traceId}`)).json()) as TraceDetail));
}

const TOASTS = '.notifications-toasts';
const MENU_ROWS = '.action-widget .monaco-list-row.action';
const APPLY_BUTTON = '.editor-actions .action-label[aria-label^="Apply Trace Doctor Fix"]';

/**
 * As a person does: the quick-fix menu on the line (it takes keys: a pointer guard stops clicks until
 * the mouse moves), down to the fix, Enter. The menu is asked again if it did not show, as a person
 * would press the key again.
 */
async function pickFix(fix: string, screenshot?: string): Promise<void> {
  const menu = async () => {
    if (Number(await ui({ do: 'countVisible', selector: MENU_ROWS })) === 0) return undefined;
    const shown = await shownTexts(MENU_ROWS);
    return shown.some((row) => row.includes(fix)) ? shown : undefined;
  };
  let rows: string[] | undefined;
  for (let attempt = 0; attempt < 4 && !rows; attempt++) {
    void vscode.commands.executeCommand('editor.action.codeAction', { kind: 'quickfix.traceDoctor', apply: 'never' });
    rows = await waitFor('the quick-fix menu', menu, 5000).catch(() => undefined);
  }
  assert.ok(rows, `the quick-fix menu offered ${fix}`);
  for (let i = 0; i < rows.findIndex((row) => row.includes(fix)); i++) await ui({ do: 'press', key: 'ArrowDown' });
  if (screenshot) await ui({ do: 'screenshot', name: screenshot });
  await ui({ do: 'press', key: 'Enter' });
}

/** The open diff of a quick fix on `file`: the file on the left, what the fix makes of it on the right. */
function fixDiffTab(file: string): vscode.TabInputTextDiff | undefined {
  return vscode.window.tabGroups.all.flatMap((g) => g.tabs).map((t) => t.input)
    .find((input): input is vscode.TabInputTextDiff => input instanceof vscode.TabInputTextDiff
      && input.original.fsPath === file && input.modified.scheme === DOCTOR_FIX_SCHEME);
}

const waitForFixDiff = (file: string) => waitFor('the fix\'s diff', () => fixDiffTab(file));

/** The notification shown with the diff, asking Apply or Cancel. */
const waitForQuestion = () => waitFor('Apply or Cancel', async () => (await shownTexts(`${TOASTS} .notification-toast`)).find((t) => t.includes('Apply "')));

async function hintShown(): Promise<boolean> {
  return Number(await ui({ do: 'countVisible', selector: HINT })) > 0;
}

describe('Trace Doctor in the Problems panel', () => {
  it('shows one entry per service and problem, opening a document with the evidence and the fix', async () => {
    const sent = await sendAiRequests(config.httpPort, [
      { name: 'doctor-one', durationMs: 300, inputTokens: 10, outputTokens: 5 },
      { name: 'doctor-two', durationMs: 300, inputTokens: 10, outputTokens: 5 },
    ]);
    const service = sent[0].service;
    // The engine counts content as missing once the traces have been quiet for its grace period.
    const [uri, diagnostics] = await waitFor('a Trace Doctor problem for the service', () => doctorEntry(service, 'contentCaptureOff'));
    const capture = diagnostics.filter((d) => d.code === 'contentCaptureOff');
    assert.equal(capture.length, 1, 'one entry for the service, however many spans and traces show it');
    assert.equal(capture[0].source, 'Trace Doctor');
    assert.match(capture[0].message, /No prompt and response recorded: content capture is off\. \d+ trace\(s\)\. Fix: /);
    const document = await vscode.workspace.openTextDocument(uri);
    const line = document.lineAt(capture[0].range.start.line).text;
    assert.match(line, /^ {2}content capture off: /);
    assert.match(document.getText(), /evidence: chat gpt-4o-mini \(scope [^)]+\) has no prompt and response on the span/);
  });

  it('offers the fix as a code action on the app\'s set-up file', async () => {
    // Six LLM calls that each started a trace of their own: nothing propagates context.
    await sendSpans(config.httpPort, (tracer) => {
      for (let i = 0; i < 6; i++) tracer.startSpan('chat', { attributes: { 'openinference.span.kind': 'LLM', 'input.value': 'q', 'output.value': 'a', 'llm.token_count.prompt': 3 } }).end();
    }, 'doctor-burst');
    await waitFor('the burst diagnosis', () => vscode.languages.getDiagnostics()
      .some(([u, list]) => u.scheme === 'ai-trace-doctor' && list.some((d) => d.code === 'noContextPropagation')));
    const file = join(mkdtempSync(join(tmpdir(), 'doctor-setup-')), 'tracing.ts');
    writeFileSync(file, "import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';\n\nconst provider = new BasicTracerProvider();\n");
    const document = await vscode.workspace.openTextDocument(vscode.Uri.file(file));
    const actions = await waitFor('the Trace Doctor code action', async () => {
      const all = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', document.uri, new vscode.Range(2, 0, 2, 0));
      const found = all?.filter((a) => a.title.startsWith('Trace Doctor: keep the active context across async calls'));
      return found?.length ? found : undefined;
    });
    // Picking it runs the command that shows the diff and asks; it carries the edits, made against this version.
    assert.equal(actions[0].edit, undefined, 'nothing applies without the diff and the question');
    assert.equal(actions[0].command?.command, COMMANDS.previewDoctorFix);
    const [request] = actions[0].command!.arguments as [DoctorFixRequest];
    assert.equal(request.version, document.version);
    assert.deepEqual(request.edits.map((e) => e.line), [0, 0, 2]);
    assert.match(request.edits[2].text, /context\.setGlobalContextManager\(new AsyncLocalStorageContextManager\(\)\.enable\(\)\);/);
  });

  it('applies a quick fix to a real tracer set-up in the workspace through its diff, and the app then runs without the problem', async function () {
    this.timeout(180_000);
    const fakeApi = await startFakeOpenAiServer();
    const repo = extension().extensionPath;
    const file = join(config.workspace, 'tracing.ts');
    // The packages the set-up imports, where the editor's TypeScript looks for them.
    if (!existsSync(join(config.workspace, 'node_modules'))) symlinkSync(join(repo, 'node_modules'), join(config.workspace, 'node_modules'));
    const run = async (service: string) => {
      await runTracedApp(file, repo, { SERVICE_NAME: service, FAKE_OPENAI: fakeApi.baseURL, OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${config.httpPort}` });
    };
    try {
      // Content capture off, logs exported: the set-up's own option is what hides the prompts.
      writeFileSync(file, tracedAppSource(false, true));
      await run('doctor-fix-app');
      await waitFor('the app\'s content capture problem', () => doctorProblems('doctor-fix-app', 'contentCaptureOff'), 30_000);
      // The trace view's Doctor section says the same about the trace.
      const [wrong] = await tracesOf('doctor-fix-app');
      const { traceViews } = await api();
      await vscode.commands.executeCommand(COMMANDS.openTrace, wrong.summary.traceId);
      await waitFor('the trace view', () => traceViews.shown.some((p) => p.traceId === wrong.summary.traceId));
      await sleep(1500); // the webview draws after it is shown
      await ui({ do: 'screenshot', name: 'suites-doctor-trace-view' });
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');

      const document = await vscode.workspace.openTextDocument(vscode.Uri.file(file));
      const line = document.getText().split('\n').findIndex((l) => l.includes('captureMessageContent: false'));
      await vscode.window.showTextDocument(document, { selection: new vscode.Range(line, 0, line, 0) });
      await waitFor('the code action on the set-up code', async () => {
        const all = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', document.uri, new vscode.Range(line, 0, line, 0));
        return all?.some((a) => a.title.startsWith('Trace Doctor: set captureMessageContent: true (doctor-fix-app: '));
      });
      const before = document.getText();
      const fixed = tracedAppSource(true, true);

      // Cancel: the diff goes, the file is as it was.
      await pickFix('set captureMessageContent: true', 'suites-doctor-quick-fix-menu');
      const diff = await waitForFixDiff(file);
      assert.equal((await vscode.workspace.openTextDocument(diff.modified)).getText(), fixed, 'the diff shows the file with the one option on');
      // The diff editor draws once it has computed the change: the line as it is and as the fix leaves it.
      await waitFor('the changed line on both sides of the diff', async () => {
        // The editor draws spaces as no-break spaces.
        const shown = (await shownTexts('.monaco-diff-editor')).join('\n').replace(/\u00a0/g, ' ');
        return shown.includes('captureMessageContent: false') && shown.includes('captureMessageContent: true');
      });
      const question = await waitForQuestion();
      assert.match(question, /Apply "Trace Doctor: set captureMessageContent: true" to tracing\.ts\? The diff shows the change\./);
      assert.equal(Number(await ui({ do: 'countVisible', selector: APPLY_BUTTON })), 1, 'the diff has its own Apply, which stays when the notification hides');
      await ui({ do: 'screenshot', name: 'suites-doctor-quick-fix-diff' });
      await ui({ do: 'click', text: 'Cancel', within: TOASTS });
      await waitFor('the diff to close', () => !fixDiffTab(file));
      assert.equal(document.getText(), before, 'Cancel changes nothing');
      assert.equal(document.isDirty, false);

      // The file changes while the diff is shown: Apply refuses the stale fix and says so.
      await vscode.window.showTextDocument(document, { selection: new vscode.Range(line, 0, line, 0) });
      await pickFix('set captureMessageContent: true');
      await waitForFixDiff(file);
      await waitForQuestion();
      const typed = new vscode.WorkspaceEdit();
      typed.insert(document.uri, new vscode.Position(0, 0), '// typed meanwhile\n');
      assert.ok(await vscode.workspace.applyEdit(typed));
      await ui({ do: 'click', text: 'Apply', within: TOASTS });
      await waitFor('the refusal', async () => (await shownTexts(TOASTS)).some((t) => t.includes('tracing.ts changed since the fix')));
      assert.equal(document.getText(), `// typed meanwhile\n${before}`, 'only what was typed');
      await vscode.commands.executeCommand('notifications.clearAll');
      await vscode.window.showTextDocument(document);
      await vscode.commands.executeCommand('undo');
      assert.equal(document.getText(), before);

      // Apply in the diff's title bar: exactly the text the diff promised, unsaved, and one Undo takes it back.
      await vscode.window.showTextDocument(document, { selection: new vscode.Range(line, 0, line, 0) });
      await pickFix('set captureMessageContent: true');
      await waitForFixDiff(file);
      await waitForQuestion();
      await ui({ do: 'clickElement', selector: APPLY_BUTTON });
      await waitFor('the fix in the file', () => document.getText() === fixed);
      await waitFor('the diff to close', () => !fixDiffTab(file));
      assert.equal(document.isDirty, true, 'applied as an edit, not saved behind the person\'s back');
      assert.equal(vscode.window.activeTextEditor?.document.uri.toString(), document.uri.toString(), 'the fixed file is in front');
      // The notification outlived its diff: its Apply says the fix was already answered and applies nothing twice.
      await ui({ do: 'click', text: 'Apply', within: TOASTS });
      await waitFor('the notice', async () => (await shownTexts(TOASTS)).some((t) => t.includes('was already answered in its diff')));
      assert.equal(document.getText(), fixed);
      await vscode.commands.executeCommand('notifications.clearAll');
      await vscode.window.showTextDocument(document);
      await vscode.commands.executeCommand('undo');
      assert.equal(document.getText(), before, 'one Undo takes the whole fix back');
      await vscode.commands.executeCommand('redo');
      assert.equal(document.getText(), fixed);
      await document.save();
      assert.equal(readFileSync(file, 'utf8'), fixed, 'the fix turned the one option on, nothing else');

      await run('doctor-fix-app-fixed');
      const [detail] = await tracesOf('doctor-fix-app-fixed');
      assert.deepEqual((detail.diagnoses ?? []).map((d) => d.kind), [], 'the prompt is recorded now');
      assert.ok(detail.spans.some((s) => s.inputMessages?.length), 'with its prompt');
    } finally {
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
      await fakeApi.close();
    }
  });

  it('hints a new kind of problem in the status bar, not again for the same kind, and the hint opens Problems', async function () {
    this.timeout(90_000);
    // An app that records usage under Sentry's legacy keys, which no convention reads.
    const sentryStyleCall = (service: string) => sendSpans(config.httpPort, (tracer) => tracer.startSpan('chat gpt-4o-mini', {
      attributes: { 'ai.model_id': 'gpt-4o-mini', 'input.value': 'q', 'output.value': 'a', 'ai.prompt_tokens.used': 31, 'ai.completion_tokens.used': 14 },
    }).end(), service);
    await sentryStyleCall('doctor-hint-one');
    await waitFor('the first usage key problem', () => doctorProblems('doctor-hint-one', 'usageNonStandardKey'), 30_000);
    await waitFor('the status-bar hint', hintShown);
    const [hint] = await shownTexts(HINT);
    assert.match(hint, /Trace Doctor: usage under a non-standard key in doctor-hint-one( and \d+ more)?, see Problems/);
    await ui({ do: 'screenshot', name: 'suites-doctor-status-hint' });

    await ui({ do: 'clickElement', selector: HINT });
    await waitFor('the Problems panel', async () => Number(await ui({ do: 'countVisible', selector: '.markers-panel' })) > 0);
    await ui({ do: 'screenshot', name: 'suites-doctor-problems' });
    await vscode.commands.executeCommand('workbench.action.closePanel');

    // The hint goes by itself; the same kind from another service does not bring it back.
    await waitFor('the hint to go', async () => !(await hintShown()), 30_000);
    await sentryStyleCall('doctor-hint-two');
    await waitFor('the second service\'s usage key problem', () => doctorProblems('doctor-hint-two', 'usageNonStandardKey'), 30_000);
    await sleep(500);
    assert.equal(await hintShown(), false, 'no hint for a kind already hinted');

    // A kind not seen before in this window is hinted again.
    await sendSpans(config.httpPort, (tracer) => tracer.startSpan('chat gpt-4o-mini', {
      attributes: { 'openinference.span.kind': 'LLM', 'llm.model_name': 'gpt-4o-mini', 'input.value': 'q', 'output.value': 'a', 'llm.is_streaming': true },
    }).end(), 'doctor-hint-three');
    await waitFor('the stream problem', () => doctorProblems('doctor-hint-three', 'streamWithoutUsage'), 30_000);
    await waitFor('the hint for the new kind', hintShown);
    assert.match((await shownTexts(HINT))[0], /Trace Doctor: stream without usage in doctor-hint-three/);
  });
});
