// Activation wires the parts together and does nothing else: the engine process and the trace
// source, the views, the status, the trace view, the commands, the chat tools, and settings that
// apply without a reload.
import * as vscode from 'vscode';
import { registerTraceTools } from './chat/traceTools';
import { registerCommands } from './commands/registerCommands';
import { COMPARE_SCHEME, ComparisonDocuments } from './compare/compareCommand';
import { ActiveSource } from './engineConnection/activeSource';
import { EngineClient } from './engineConnection/engineClient';
import { OtherWindowEngine } from './engineConnection/otherWindowEngine';
import { configuredBackends, followSettingChanges, readEngineSettings } from './engineConnection/settings';
import { BackendSecrets } from './engineConnection/backendSecrets';
import { CONTEXT_KEYS } from '../shared/commands';
import { registerReplayTool } from './replay/replayTool';
import { ReplayController } from './replay/replayController';
import { BASELINE_SCHEME, BaselineDocuments } from './testExplorer/compareWithBaseline';
import { TraceTestExplorer } from './testExplorer/traceTestExplorer';
import { TraceViewPanels } from './traceView/traceViewPanels';
import { DoctorProblems } from './views/doctorProblems';
import { DOCTOR_FIX_SCHEME, DoctorFixPreview } from './views/doctorQuickFixes';
import { FileDiagnostics } from './views/fileDiagnostics';
import { SidebarStatus } from './views/sidebarStatus';
import type { StepsTreeProvider } from './views/stepsTree';
import type { TracesTreeProvider, TreeNode } from './views/tracesTree';
import { StepsView } from './views/stepsView';
import { SessionsView } from './views/sessionsView';
import { InsightsPanels } from './insights/insightsPanels';
import { TracesView } from './views/tracesView';

/** What tests (and other extensions) can reach after activation. */
export interface ExtensionApi {
  engine: EngineClient;
  source: ActiveSource;
  tree: TracesTreeProvider;
  view: vscode.TreeView<TreeNode>;
  steps: StepsTreeProvider;
  traceViews: TraceViewPanels;
  traceTests: TraceTestExplorer;
  sessions: SessionsView;
}

export async function activate(context: vscode.ExtensionContext): Promise<ExtensionApi> {
  const output = vscode.window.createOutputChannel('AI Trace Inspector', { log: true });
  // Team backend headers come from SecretStorage, read before the engine starts with them.
  const secrets = new BackendSecrets(context.secrets);
  await secrets.load();
  const settings = () => readEngineSettings(vscode.Uri.joinPath(context.globalStorageUri, 'store').fsPath, (name) => secrets.headersFor(name));
  const showBackendLinks = () => void vscode.commands.executeCommand('setContext', CONTEXT_KEYS.backendLinks, configuredBackends().some((b) => b.traceUrl));
  const engine = new EngineClient(context, settings, output);
  const source = new ActiveSource(engine);
  const otherWindow = new OtherWindowEngine(engine, source, output);
  const traces = new TracesView(source);
  const steps = new StepsView(source, context.globalState);
  const status = new SidebarStatus(engine, source, otherWindow, traces.view);
  const fileDiagnostics = new FileDiagnostics();
  const doctorProblems = new DoctorProblems(source);
  const traceViews = new TraceViewPanels(context, source);
  const sessions = new SessionsView(source);
  const insights = new InsightsPanels(context, source);
  const replay = new ReplayController(context, source, () => engine.status.httpPort ?? settings().httpPort);
  const traceTests = new TraceTestExplorer(engine);
  const baselineDocuments = new BaselineDocuments();
  const doctorFixPreview = new DoctorFixPreview();
  context.subscriptions.push(traceTests,
    vscode.workspace.registerTextDocumentContentProvider(BASELINE_SCHEME, baselineDocuments),
    output, engine, source, otherWindow, traces, steps, status, fileDiagnostics, doctorProblems, doctorFixPreview, traceViews, sessions, insights, secrets,
    secrets.onDidChange(() => void engine.updateSettings(settings()).catch((error: Error) => output.error(`backend headers not applied: ${error.message}`))),
    engine.onDidChangeFileProblems(({ file, problems }) => fileDiagnostics.show(file, problems)),
    traceViews.register(),
    insights.register(),
    vscode.workspace.registerTextDocumentContentProvider(COMPARE_SCHEME, new ComparisonDocuments(source)),
    vscode.workspace.registerTextDocumentContentProvider(DOCTOR_FIX_SCHEME, doctorFixPreview),
    ...registerCommands({
      context, output, settings, engine, source, otherWindow, traces, steps, traceViews, sessions, insights, traceTests, baselineDocuments, replay, secrets,
      doctorFixPreview,
    }),
    ...registerTraceTools(source),
    ...replay.register(),
    registerReplayTool(replay),
    ...followSettingChanges(engine, settings, {
      changed: () => {
        traces.tree.refreshNow();
        showBackendLinks();
      },
      applied: () => status.refresh(),
      failed: (error) => output.error(`settings not applied: ${error.message}`),
    }),
  );
  showBackendLinks();
  await engine.start();
  return { engine, source, tree: traces.tree, view: traces.view, steps: steps.tree, traceViews, traceTests, sessions };
}

export function deactivate(): void {
  // Everything is in context.subscriptions; the engine process stops with the client.
}
