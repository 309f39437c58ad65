// Trace Doctor in the editor: traffic whose LLM calls recorded no content gives one Problems entry
// per service and problem (not one per span), on a document that says what to change; a burst of
// one-span traces offers a quick fix on the app's tracer set-up file; a real app in the workspace,
// traced wrong, gets its fix shown as a diff, applied, and runs again without the problem; a new
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
    const edits = actions[0].edit!.get(document.uri);
    assert.deepEqual(edits.map((e) => e.range.start.line), [0, 0, 2]);
    assert.match(edits[2].newText, /context\.setGlobalContextManager\(new AsyncLocalStorageContextManager\(\)\.enable\(\)\);/);
  });

  it('applies a quick fix to a real tracer set-up in the workspace through its diff, and the app then runs without the problem', async function () {
    this.timeout(120_000);
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
      const action = await waitFor('the code action on the set-up code', async () => {
        const all = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', document.uri, new vscode.Range(line, 0, line, 0));
        return all?.find((a) => a.title.startsWith('Trace Doctor: set captureMessageContent: true (doctor-fix-app: '));
      });
      // As a person does: the quick-fix menu on the line, then the fix. Its edit needs
      // confirmation, so VS Code shows it in Refactor Preview and waits for Apply.
      void vscode.commands.executeCommand('editor.action.codeAction', { kind: 'quickfix.traceDoctor', apply: 'never' });
      const rows = await waitFor('the quick-fix menu', async () => {
        const shown = await shownTexts('.action-widget .monaco-list-row.action');
        return shown.some((row) => row.includes('set captureMessageContent: true')) ? shown : undefined;
      });
      // The menu takes keys (a pointer guard stops clicks until the mouse moves): down to the fix, Enter.
      for (let i = 0; i < rows.findIndex((row) => row.includes('set captureMessageContent: true')); i++) await ui({ do: 'press', key: 'ArrowDown' });
      await ui({ do: 'screenshot', name: 'suites-doctor-quick-fix-menu' });
      await ui({ do: 'press', key: 'Enter' });
      await waitFor('the diff in Refactor Preview', async () => (await shownTexts('.bulk-edit-panel')).join('\n').includes('captureMessageContent: true'));
      await ui({ do: 'screenshot', name: 'suites-doctor-quick-fix-diff' });
      // An edit that needs confirmation comes unticked: the person ticks it, then applies.
      await ui({ do: 'clickElement', selector: '.bulk-edit-panel input[type="checkbox"]' });
      await ui({ do: 'click', text: 'Apply', within: '.bulk-edit-panel' });
      await waitFor('the fix in the file', () => document.getText().includes('captureMessageContent: true'));
      await document.save();
      assert.equal(readFileSync(file, 'utf8'), tracedAppSource(true, true), 'the fix turned the one option on, nothing else');

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
