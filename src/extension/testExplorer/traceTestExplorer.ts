// Test Explorer for regression tests: a TestController that lists the workspace's
// `*.tracetest.json` files (following creates, edits and deletes), runs one, several or all in the
// engine process, and reports each as passed or failed with its duration and one message per
// failed expectation. A failed test offers Open Trace and Compare with Baseline. Invalid files
// also get diagnostics while they are edited.
import * as vscode from 'vscode';
import { COMMANDS } from '../../shared/commands';
import {
  failureText, parseTraceTest, problemText, TEST_FILE_SUFFIX, type ExpectationFailure, type TestFileProblem, type TraceTestResult,
} from '../../shared/traceTests/traceTestFormat';
import type { EngineClient } from '../engineConnection/engineClient';

export const TEST_CONTROLLER_ID = 'aiTraceInspectorTraceTests';
/** A failed expectation's message in Test Explorer; package.json's testing/message menus key on it. */
export const FAILURE_CONTEXT = 'traceTestFailure';
const TEST_GLOB = `**/*${TEST_FILE_SUFFIX}`;
const EXCLUDE_GLOB = '**/{node_modules,.git}/**';
/** More test files than anyone writes by hand; the search of a huge workspace stops there. */
const MAX_TEST_FILES = 5_000;

/** What Open Trace and Compare with Baseline receive from a failed test's message. */
export interface FailedTestMessage {
  test: vscode.TestItem;
  message: vscode.TestMessage;
}

export class TraceTestExplorer implements vscode.Disposable {
  readonly controller = vscode.tests.createTestController(TEST_CONTROLLER_ID, 'AI Trace Tests');
  private readonly diagnostics = vscode.languages.createDiagnosticCollection('AI Trace Inspector tests');
  /** The last result of each test file (by URI), for the commands on a failed test and for tests. */
  readonly results = new Map<string, TraceTestResult>();
  private readonly started = new vscode.EventEmitter<vscode.TestItem>();
  private readonly finished = new vscode.EventEmitter<TraceTestResult>();
  /** Fires when a test starts running. */
  readonly onDidStartTest = this.started.event;
  /** Fires when a test's run is over (passed, failed or invalid). */
  readonly onDidFinishTest = this.finished.event;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(private readonly engine: EngineClient) {
    this.controller.createRunProfile('Run', vscode.TestRunProfileKind.Run, (request, token) => this.run(request, token), true);
    this.controller.refreshHandler = () => this.findAll();
    const watcher = vscode.workspace.createFileSystemWatcher(TEST_GLOB);
    this.disposables.push(
      this.controller, this.diagnostics, this.started, this.finished, watcher,
      watcher.onDidCreate((uri) => void this.update(uri)),
      watcher.onDidChange((uri) => void this.update(uri)),
      watcher.onDidDelete((uri) => this.remove(uri)),
      // Unsaved edits: diagnostics follow the text as it is typed.
      vscode.workspace.onDidChangeTextDocument(({ document }) => {
        if (document.uri.scheme === 'file' && document.uri.fsPath.endsWith(TEST_FILE_SUFFIX)) this.show(document.uri, document.getText());
      }),
      vscode.workspace.onDidChangeWorkspaceFolders(() => void this.findAll()),
    );
    void this.findAll();
  }

  /** Reads every test file of the workspace into the list. */
  async findAll(): Promise<void> {
    const uris = await vscode.workspace.findFiles(TEST_GLOB, EXCLUDE_GLOB, MAX_TEST_FILES);
    const found = new Set(uris.map((u) => u.toString()));
    this.controller.items.forEach((item) => {
      if (!found.has(item.id)) this.remove(item.uri!);
    });
    await Promise.all(uris.map((uri) => this.update(uri)));
  }

  private async update(uri: vscode.Uri): Promise<void> {
    if (/[\\/](node_modules|\.git)[\\/]/.test(uri.fsPath)) return;
    let text: string;
    try {
      text = Buffer.from(await vscode.workspace.fs.readFile(uri)).toString('utf8');
    } catch {
      return this.remove(uri);
    }
    this.show(uri, text);
  }

  /** The file's item (named after its test) and its diagnostics. */
  private show(uri: vscode.Uri, text: string): void {
    const { test, problems } = parseTraceTest(text, uri.fsPath);
    const item = this.controller.items.get(uri.toString()) ?? this.controller.createTestItem(uri.toString(), '', uri);
    item.label = test?.name ?? vscode.workspace.asRelativePath(uri);
    item.description = vscode.workspace.asRelativePath(uri);
    item.error = problems.length ? `Invalid test file: ${problems.map(problemText).join('; ')}` : undefined;
    item.range = new vscode.Range(0, 0, 0, 0);
    this.controller.items.add(item);
    this.diagnostics.set(uri, problems.map((p) => diagnostic(p)));
  }

  private remove(uri: vscode.Uri): void {
    this.controller.items.delete(uri.toString());
    this.diagnostics.delete(uri);
    this.results.delete(uri.toString());
  }

  /** Runs the requested tests one after another (each runs the user's app). */
  async run(request: vscode.TestRunRequest, token: vscode.CancellationToken): Promise<void> {
    const items: vscode.TestItem[] = [];
    if (request.include) items.push(...request.include);
    else this.controller.items.forEach((item) => items.push(item));
    const excluded = new Set(request.exclude?.map((i) => i.id));
    const run = this.controller.createTestRun(request);
    const queue = items.filter((item) => !excluded.has(item.id));
    for (const item of queue) run.enqueued(item);
    for (const item of queue) {
      if (token.isCancellationRequested) {
        run.skipped(item);
        continue;
      }
      run.started(item);
      this.started.fire(item);
      // The engine reads the file from disk: run what the user sees, saved.
      await vscode.workspace.textDocuments.find((d) => d.uri.toString() === item.id && d.isDirty)?.save();
      const started = Date.now();
      const result = await this.engine.runTraceTest(item.uri!.fsPath, token).catch((error: Error): TraceTestResult => ({
        file: item.uri!.fsPath, name: item.label, outcome: 'failed', durationMs: Date.now() - started, problems: [], traceIds: [],
        failures: [{ expectation: 'run', expected: 'the engine to run the test', actual: error.message }],
      }));
      this.report(run, item, result);
    }
    run.end();
  }

  private report(run: vscode.TestRun, item: vscode.TestItem, result: TraceTestResult): void {
    this.results.set(item.id, result);
    if (result.outcome === 'passed') run.passed(item, result.durationMs);
    else if (result.outcome === 'invalid') {
      run.errored(item, result.problems.map((p) => {
        const message = new vscode.TestMessage(`Invalid test file: ${problemText(p)}`);
        message.location = new vscode.Location(item.uri!, new vscode.Position(Math.max(0, (p.line ?? 1) - 1), 0));
        return message;
      }), result.durationMs);
    } else run.failed(item, result.failures.map((f) => failureMessage(item, f, result)), result.durationMs);
    this.finished.fire(result);
  }

  /** Open Trace on a failed test: its trace (the one the failure names, else the run's first). */
  async openTrace(target?: FailedTestMessage | string): Promise<void> {
    const traceId = typeof target === 'string' ? target : this.traceOf(target);
    if (!traceId) return void vscode.window.showWarningMessage('This test run sent no trace to open.');
    await vscode.commands.executeCommand(COMMANDS.openTrace, traceId);
  }

  traceOf(target?: FailedTestMessage): string | undefined {
    const result = target && this.results.get(target.test.id);
    const named = result?.failures.find((f) => target!.message.message.toString().includes(failureText(f)))?.traceId;
    return named ?? result?.traceIds[0];
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}

function failureMessage(item: vscode.TestItem, failure: ExpectationFailure, result: TraceTestResult): vscode.TestMessage {
  // Text, not expectedOutput/actualOutput: the editor would show those as "actual != expected",
  // which reads wrong for "≤ 213 tokens".
  const message = new vscode.TestMessage(failureText(failure));
  message.contextValue = result.baselineFile && result.traceIds.length ? `${FAILURE_CONTEXT} baseline` : FAILURE_CONTEXT;
  message.location = new vscode.Location(item.uri!, new vscode.Position(0, 0));
  return message;
}

function diagnostic(problem: TestFileProblem): vscode.Diagnostic {
  const line = Math.max(0, (problem.line ?? 1) - 1);
  const found = new vscode.Diagnostic(new vscode.Range(line, 0, line, Number.MAX_SAFE_INTEGER), problemText(problem), vscode.DiagnosticSeverity.Error);
  found.source = 'AI Trace Inspector';
  return found;
}
