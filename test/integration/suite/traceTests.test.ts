// Regression tests in the editor, as a user meets them: a good run of a real instrumented app (the
// OTel SDK and OpenInference's openai instrumentation against the fake OpenAI server) is saved as
// a test, which Test Explorer runs and passes; the prompt is broken and the same test fails with
// the reason; Compare with Baseline opens the diff. An invalid test file gets diagnostics.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import * as vscode from 'vscode';
import { COMMANDS } from '../../../src/shared/commands';
import { failureText, type TraceTestResult } from '../../../src/shared/traceTests/traceTestFormat';
import { startFakeOpenAiServer, type FakeOpenAiServer } from '../../unit/helpers/fakeOpenAiServer';
import { api, config, extension, ui, waitFor, waitForTraceEditor, withoutWholeTraces } from './harness';

const execFileAsync = promisify(execFile);

describe('regression tests in Test Explorer', function () {
  this.timeout(120_000);
  let fakeApi: FakeOpenAiServer;
  let app: string;
  let testFile: vscode.Uri;
  const question = `Where is my order 1042? (ref qxtests${Date.now().toString(36).replace(/\d/g, '')})`;

  /**
   * Runs every test through Test Explorer's own command and waits for this file's result. The
   * workbench learns of new tests a moment after the extension lists them: until it has, Run All
   * runs nothing, so it is asked again until the test starts.
   */
  async function runFromTestExplorer(): Promise<TraceTestResult> {
    const { traceTests } = await api();
    let started = false;
    const listeners: vscode.Disposable[] = [];
    const finished = new Promise<TraceTestResult>((resolve) => {
      listeners.push(traceTests.onDidStartTest((item) => (started ||= item.id === testFile.toString())));
      listeners.push(traceTests.onDidFinishTest((result) => {
        if (result.file === testFile.fsPath) resolve(result);
      }));
    });
    try {
      await waitFor('Test Explorer to start the test', async () => {
        if (!started) await vscode.commands.executeCommand('testing.runAll');
        await new Promise((resolve) => setTimeout(resolve, 3000));
        return started;
      }, 30_000);
      return await finished;
    } finally {
      for (const listener of listeners) listener.dispose();
    }
  }

  const editTest = (edit: (test: any) => void) => {
    const test = JSON.parse(readFileSync(testFile.fsPath, 'utf8'));
    edit(test);
    writeFileSync(testFile.fsPath, JSON.stringify(test, null, 2));
  };

  before(async () => {
    await api();
    fakeApi = await startFakeOpenAiServer();
    app = join(extension().extensionPath, 'test', 'fixtures', 'trace-test-app', 'app.cjs');
  });

  after(() => fakeApi?.close());

  it('saves a good run as a test, with its trace as the baseline', async () => {
    const { source } = await api();
    // The user's app, run by hand against this window's receiver.
    await execFileAsync(process.execPath, [app, question], {
      env: { ...process.env, OPENAI_BASE_URL: fakeApi.baseURL, OPENAI_API_KEY: 'not-a-key', OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${config.httpPort}` },
      timeout: 60_000,
    });
    const [trace] = await waitFor('the good run\'s trace', async () => {
      const found = await source.query({ q: question.slice(-10, -1) });
      return found.length ? found : undefined;
    });
    const target = vscode.Uri.file(join(config.workspace, 'tests', 'support-agent.tracetest.json'));
    mkdirSync(join(config.workspace, 'tests'), { recursive: true });
    // Drafted by the engine: the host never reads the whole trace.
    testFile = (await withoutWholeTraces(() => Promise.resolve(vscode.commands.executeCommand<vscode.Uri>(COMMANDS.saveAsTest, { type: 'trace', trace }, target))))!;
    assert.equal(testFile.fsPath, target.fsPath);
    const saved = JSON.parse(readFileSync(testFile.fsPath, 'utf8'));
    assert.equal(saved.run.command, `node app.js '${question}'`);
    assert.deepEqual(saved.expect.toolSequence, ['get_weather']);
    assert.deepEqual(saved.expect.noFindings, ['loop']);
    assert.equal(saved.baseline, 'baselines/support-agent.otlp.json');
    const baseline = JSON.parse(readFileSync(join(config.workspace, 'tests', 'baselines', 'support-agent.otlp.json'), 'utf8'));
    assert.equal(baseline.resourceSpans[0].scopeSpans.flatMap((s: { spans: unknown[] }) => s.spans).length, trace.spanCount);
  });

  it('lists the test and runs it from Test Explorer: it passes', async () => {
    const { traceTests } = await api();
    // The user points the command at the app (and its fake model) and allows for a slow machine.
    editTest((test) => {
      test.run.command = `node "${app}" '${question}'`;
      test.run.env = { OPENAI_BASE_URL: fakeApi.baseURL, OPENAI_API_KEY: 'not-a-key' };
      test.expect.maxDurationMs = 30_000;
    });
    const item = await waitFor('the test in Test Explorer', () => traceTests.controller.items.get(testFile.toString()));
    assert.equal(item.label, 'support-agent', 'named after the trace');
    const result = await runFromTestExplorer();
    assert.deepEqual(result.failures.map(failureText), []);
    assert.equal(result.outcome, 'passed');
    assert.equal(result.traceIds.length, 1);
  });

  it('fails once the prompt is broken, saying which expectation and why; Compare with Baseline opens the diff', async () => {
    const { traceTests } = await api();
    editTest((test) => {
      test.run.env.APP_VARIANT = 'regressed';
    });
    const result = await runFromTestExplorer();
    assert.equal(result.outcome, 'failed');
    const [traceId] = result.traceIds;
    const messages = result.failures.map(failureText);
    assert.ok(messages.includes(`noFindings: expected no loop finding, got a loop finding (trace ${traceId})`), messages.join('\n'));
    assert.ok(messages.some((m) => /^maxLlmCalls: expected ≤ 3 LLM call\(s\), got 7 LLM call\(s\)/.test(m)), messages.join('\n'));
    assert.ok(messages.some((m) => /^maxTokens: expected ≤ 213 tokens, got 627 tokens/.test(m)), messages.join('\n'));

    await vscode.commands.executeCommand('workbench.view.testing.focus');
    await vscode.commands.executeCommand('testing.showMostRecentOutput').then(undefined, () => undefined);
    await ui({ do: 'screenshot', name: 'suites-test-explorer' });

    const item = traceTests.controller.items.get(testFile.toString())!;
    const message = new vscode.TestMessage(messages[0]);
    await vscode.commands.executeCommand(COMMANDS.compareWithBaseline, { test: item, message });
    const tab = await waitFor('the baseline diff', () => {
      const active = vscode.window.tabGroups.activeTabGroup.activeTab;
      return active?.input instanceof vscode.TabInputTextDiff ? active : undefined;
    });
    assert.match(tab.label, /baseline ↔ this run/);
    const input = tab.input as vscode.TabInputTextDiff;
    const [left, right] = await Promise.all([vscode.workspace.openTextDocument(input.original), vscode.workspace.openTextDocument(input.modified)]);
    assert.match(right.getText(), /## TOOL get_weather #6/, 'the run called the tool six times');
    assert.match(left.getText(), /## TOOL get_weather #6\n\(not in this trace\)/, 'the baseline called it once');
    await ui({ do: 'screenshot', name: 'suites-compare-baseline' });

    await vscode.commands.executeCommand(COMMANDS.openTestTrace, { test: item, message });
    await waitForTraceEditor({ traceId, name: 'support-agent' });
  });

  it('marks an invalid test file with a diagnostic on the key, and lists it as invalid', async () => {
    const { traceTests } = await api();
    const bad = vscode.Uri.file(join(config.workspace, 'tests', 'broken.tracetest.json'));
    writeFileSync(bad.fsPath, '{\n  "run": {"command": "node app.js"},\n  "expect": {\n    "maxTokens": "many"\n  }\n}\n');
    const [diagnostic] = await waitFor('a diagnostic on the broken test file', () => {
      const found = vscode.languages.getDiagnostics(bad).filter((d) => d.source === 'AI Trace Inspector');
      return found.length ? found : undefined;
    });
    assert.equal(diagnostic.range.start.line, 3);
    assert.match(diagnostic.message, /^expect\.maxTokens: must be a number ≥ 0 or a multiple of the baseline such as "1\.2x", got "many"$/);
    const item = await waitFor('the invalid test in the list', () => traceTests.controller.items.get(bad.toString()));
    assert.match(String(item.error), /Invalid test file: expect\.maxTokens/);
  });
});

