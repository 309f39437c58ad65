// Activation wires the parts together and does nothing else: the engine process, the trace
// source, the tree, the status bar, the commands, and settings that apply without a reload.
import * as vscode from 'vscode';
import type { ReceiverStatus } from '../shared/engineProtocol';
import type { EngineStats } from '../shared/spanModel';
import { ActiveSource } from './activeSource';
import { registerTraceTools } from './chat/traceTools';
import { COMPARE_SCHEME, ComparisonDocuments, compareTracesCommand } from './compare/compareCommand';
import { exportDataset } from './commands/exportDataset';
import { importTraceFiles } from './commands/importTraceFiles';
import { stopTracingCopilotChat, traceCopilotChat } from './commands/traceCopilotChat';
import { clearTraces, copyInstrumentationSnippet, exportTrace } from './commands/traceActions';
import { pickSavedFilter } from './commands/savedFilters';
import {
  askForFilter, openTraceById, searchTraces, showExpensiveTraces, showFailedTraces, showSlowTraces, showStepTraces,
} from './commands/traceQuickPicks';
import { EngineClient } from './engineClient';
import { FileDiagnostics } from './fileDiagnostics';
import { HttpTraceSource } from './httpTraceSource';
import { resolvePortConflict } from './portConflict';
import { readEngineSettings, SECTION } from './settings';
import { TracesStatusBar } from './statusBar';
import { STEP_SORTS, StepsTreeProvider } from './stepsTree';
import { TracesTreeProvider, TreeNode } from './tracesTree';
import { TraceViewPanels } from './traceView/traceViewPanels';

const DEFAULT_HTTP_PORT = 4318;
const DEFAULT_GRPC_PORT = 4317;

/** What tests (and other extensions) can reach after activation. */
export interface ExtensionApi {
  engine: EngineClient;
  source: ActiveSource;
  tree: TracesTreeProvider;
  view: vscode.TreeView<TreeNode>;
  steps: StepsTreeProvider;
}

/**
 * Above the traces while the store cannot be written (they would not survive a restart), and once
 * the memory cap has evicted some: the user must not think they were never received.
 */
function viewMessage(stats: EngineStats | undefined): string | undefined {
  const messages: string[] = [];
  if (stats?.storeProblem) messages.push(`Traces are not being saved: the store ${stats.storeProblem}.`);
  if (stats?.evictedTraces) {
    messages.push(`Memory cap reached: ${stats.evictedTraces.toLocaleString('en-US')} older traces were evicted from memory (normal ones first, `
      + 'slow and failed ones last). Raise the settings memory.maxSpans or memory.maxMegabytes to keep more.');
  }
  return messages.length ? messages.join(' ') : undefined;
}

export async function activate(context: vscode.ExtensionContext): Promise<ExtensionApi> {
  const output = vscode.window.createOutputChannel('AI Trace Inspector', { log: true });
  const settings = () => readEngineSettings(vscode.Uri.joinPath(context.globalStorageUri, 'store').fsPath);
  const engine = new EngineClient(context, settings, output);
  const source = new ActiveSource(engine);
  const tree = new TracesTreeProvider(source);
  const view = vscode.window.createTreeView('aiTraceInspector.traces', { treeDataProvider: tree, showCollapseAll: true, canSelectMany: true });
  const statusBar = new TracesStatusBar();
  const fileDiagnostics = new FileDiagnostics();
  const traceViews = new TraceViewPanels(context, source);
  const steps = new StepsTreeProvider(source);
  const stepsView = vscode.window.createTreeView('aiTraceInspector.steps', { treeDataProvider: steps });
  stepsView.description = `by ${steps.sortLabel.toLowerCase()}`;
  let attached: HttpTraceSource | undefined;
  let lastStats: EngineStats | undefined;
  context.subscriptions.push(output, engine, source, tree, view, statusBar, fileDiagnostics, steps, stepsView,
    engine.onDidChangeFileProblems(({ file, problems }) => fileDiagnostics.show(file, problems)),
    traceViews, traceViews.register(),
    vscode.workspace.registerTextDocumentContentProvider(COMPARE_SCHEME, new ComparisonDocuments(source)));

  const showStatus = () => {
    statusBar.update(engine.status, lastStats, attached?.description);
    // The welcome text names the ports only when they are the defaults (package.json viewsWelcome).
    const { httpPort, grpcPort } = engine.status;
    const defaultPorts = (httpPort ?? DEFAULT_HTTP_PORT) === DEFAULT_HTTP_PORT && (grpcPort ?? DEFAULT_GRPC_PORT) === DEFAULT_GRPC_PORT;
    void vscode.commands.executeCommand('setContext', 'aiTraceInspector.defaultPorts', defaultPorts && !attached);
  };
  const onStats = (stats: EngineStats | undefined) => {
    lastStats = stats;
    view.message = viewMessage(stats);
    void vscode.commands.executeCommand('setContext', 'aiTraceInspector.empty', (stats?.traces ?? 0) === 0);
    showStatus();
  };
  source.onDidChange((stats) => (stats ? onStats(stats) : source.stats().then(onStats, () => undefined)));
  // Another window's engine holds the port: show its traces here, and take over (reload the
  // shared store, claim the ports) when that window closes.
  const attach = (port: number) => {
    const other = new HttpTraceSource(port);
    attached = other;
    source.use(other);
    other.onDidDisconnect(async () => {
      output.info(`the engine on port ${port} stopped answering; this window takes over`);
      attached = undefined;
      other.dispose();
      source.use(engine);
      await engine.takeOver();
      showStatus();
    });
    showStatus();
  };
  engine.onDidChangeStatus(async (status: ReceiverStatus) => {
    showStatus();
    if (!status.problem?.portInUse || attached) return;
    const choice = await resolvePortConflict(status);
    if (choice.action === 'attach') attach(choice.port);
  });
  context.subscriptions.push({ dispose: () => attached?.dispose() });

  const setFilter = (change: Partial<TracesTreeProvider['filters']>) => {
    Object.assign(tree.filters, change);
    view.description = tree.filterDescription();
    void vscode.commands.executeCommand('setContext', 'aiTraceInspector.filtered', view.description !== undefined);
    tree.refreshNow();
  };
  const command = (id: string, run: (...args: any[]) => unknown) =>
    context.subscriptions.push(vscode.commands.registerCommand(`aiTraceInspector.${id}`, run));
  command('openTrace', (traceId: string, spanId?: string) => traceViews.open(traceId, spanId));
  command('showSlowTraces', () => showSlowTraces(source));
  command('showFailedTraces', () => showFailedTraces(source));
  command('showExpensiveTraces', () => showExpensiveTraces(source));
  command('searchTraces', () => searchTraces(source));
  command('openTraceById', () => openTraceById(source));
  command('exportTrace', (node?: TreeNode) => exportTrace(source, node));
  command('clearTraces', () => clearTraces(source));
  command('compareTraces', (node?: TreeNode, nodes?: TreeNode[]) => compareTracesCommand(source, node, nodes));
  command('exportDataset', (node?: TreeNode, nodes?: TreeNode[]) => exportDataset(source, tree.filters.text, node, nodes));
  command('importTraceFile', (uri?: vscode.Uri, uris?: vscode.Uri[]) => {
    if (attached) return vscode.window.showWarningMessage('This window shows the engine of another window; import the file there.');
    return importTraceFiles(engine, uris ?? (uri instanceof vscode.Uri ? [uri] : undefined));
  });
  command('startReceiver', () => engine.setReceiving(true));
  command('stopReceiver', () => engine.setReceiving(false));
  command('copySnippet', (language?: 'python' | 'node') => copyInstrumentationSnippet(settings().httpPort, language));
  command('showLog', () => output.show());
  command('restartEngine', () => engine.restart());
  command('traceCopilotChat', (choice?: { captureContent: boolean }) => traceCopilotChat(context, engine.status.httpPort ?? settings().httpPort, choice));
  command('stopTracingCopilotChat', () => stopTracingCopilotChat(context));
  command('refresh', () => tree.refreshNow());
  command('filterErrors', () => setFilter({ errorsOnly: !tree.filters.errorsOnly }));
  command('filterSlow', () => setFilter({ slowOnly: !tree.filters.slowOnly }));
  command('filterText', async () => {
    const text = await askForFilter('Filter Traces', tree.filters.text);
    if (text !== undefined) setFilter({ text });
  });
  command('applySavedFilter', async () => {
    const text = await pickSavedFilter(tree.filters.text);
    if (text !== undefined) setFilter({ text });
  });
  command('showStepTraces', (step) => showStepTraces(source, step));
  command('sortSteps', async () => {
    const picked = await vscode.window.showQuickPick(STEP_SORTS.map((s) => ({ ...s, picked: s.sort === steps.sort })), { title: 'Sort Steps By' });
    if (!picked) return;
    steps.sort = picked.sort;
    stepsView.description = `by ${picked.label.toLowerCase()}`;
    steps.refresh();
  });
  command('clearFilters', () => setFilter({ errorsOnly: false, slowOnly: false, text: '' }));

  const applySettings = () =>
    void engine.updateSettings(settings()).then(showStatus, (error: Error) => output.error(`settings not applied: ${error.message}`));
  context.subscriptions.push(vscode.workspace.onDidChangeConfiguration((event) => {
    if (!event.affectsConfiguration(SECTION)) return;
    tree.refreshNow();
    applySettings();
  }), vscode.workspace.onDidChangeWorkspaceFolders(applySettings));

  context.subscriptions.push(...registerTraceTools(source));

  void vscode.commands.executeCommand('setContext', 'aiTraceInspector.empty', true);
  await engine.start();
  return { engine, source, tree, view, steps };
}

export function deactivate(): void {
  // Everything is in context.subscriptions; the engine process stops with the client.
}
