// Every contributed command and what runs it, in one table keyed by src/shared/commands.ts: the
// compiler refuses a command without a handler, and the contributions test refuses one the
// manifest does not list.
import * as vscode from 'vscode';
import { COMMANDS, type CommandName } from '../../shared/commands';
import type { EngineSettings } from '../../shared/engineProtocol';
import { compareTracesCommand } from '../compare/compareCommand';
import type { ActiveSource } from '../engineConnection/activeSource';
import type { EngineClient } from '../engineConnection/engineClient';
import type { OtherWindowEngine } from '../engineConnection/otherWindowEngine';
import { compareWithBaseline, type BaselineDocuments } from '../testExplorer/compareWithBaseline';
import { saveAsTest } from '../testExplorer/saveAsTest';
import type { FailedTestMessage, TraceTestExplorer } from '../testExplorer/traceTestExplorer';
import type { ReplayController } from '../replay/replayController';
import type { TraceViewPanels } from '../traceView/traceViewPanels';
import type { InsightsPanels } from '../insights/insightsPanels';
import type { SessionsView } from '../views/sessionsView';
import type { StepsView } from '../views/stepsView';
import type { StepGrouping } from '../../shared/spanModel';
import { spanIdOf, traceIdOf, type TreeNode } from '../views/tracesTree';
import type { TracesView } from '../views/tracesView';
import { exportDataset } from './exportDataset';
import { importTraceFiles } from './importTraceFiles';
import { pickSavedFilter } from './savedFilters';
import { clearTraces, copyInstrumentationSnippet, exportTrace, type ClearChoice } from './traceActions';
import { stopTracingCopilotChat, traceCopilotChat } from './traceCopilotChat';
import { openInBackend, searchTeamTraces, setBackendHeader } from './teamBackends';
import type { BackendSecrets } from '../engineConnection/backendSecrets';
import type { DoctorFixPreview, DoctorFixRequest } from '../views/doctorQuickFixes';
import {
  askForFilter, openTraceById, searchTraces, showExpensiveTraces, showFailedTraces, showSlowTraces, showStepTraces,
} from './traceQuickPicks';

/** The parts of the extension the commands act on. */
export interface CommandTargets {
  context: vscode.ExtensionContext;
  output: vscode.LogOutputChannel;
  settings: () => EngineSettings;
  engine: EngineClient;
  source: ActiveSource;
  otherWindow: OtherWindowEngine;
  traces: TracesView;
  steps: StepsView;
  traceViews: TraceViewPanels;
  sessions: SessionsView;
  insights: InsightsPanels;
  traceTests: TraceTestExplorer;
  baselineDocuments: BaselineDocuments;
  replay: ReplayController;
  secrets: BackendSecrets;
  doctorFixPreview: DoctorFixPreview;
}

type Handler = (...args: any[]) => unknown;

export function registerCommands(targets: CommandTargets): vscode.Disposable[] {
  const {
    context, output, settings, engine, source, otherWindow, traces, steps, traceViews, sessions, insights, traceTests, baselineDocuments, replay, secrets,
    doctorFixPreview,
  } = targets;
  const askForText = async (ask: () => Thenable<string | undefined>) => {
    const text = await ask();
    if (text !== undefined) traces.setFilter({ text });
  };
  const handlers: Record<CommandName, Handler> = {
    openTrace: (traceId: string, spanId?: string) => traceViews.open(traceId, spanId),
    openTraceToSide: (node?: TreeNode) => node && traceViews.open(traceIdOf(node), spanIdOf(node), { toSide: true }),
    openTraceById: () => openTraceById(source),
    showSlowTraces: () => showSlowTraces(source),
    showFailedTraces: () => showFailedTraces(source),
    showExpensiveTraces: () => showExpensiveTraces(source),
    searchTraces: () => searchTraces(source),
    showStepTraces: (step) => showStepTraces(source, step),

    importTraceFile: (uri?: vscode.Uri, uris?: vscode.Uri[]) => {
      if (otherWindow.isAttached) return vscode.window.showWarningMessage('This window shows the engine of another window; import the file there.');
      return importTraceFiles(engine, uris ?? (uri instanceof vscode.Uri ? [uri] : undefined));
    },
    exportTrace: (node?: TreeNode) => exportTrace(source, node),
    exportDataset: (node?: TreeNode, nodes?: TreeNode[]) => exportDataset(source, traces.filters.text, node, nodes),
    compareTraces: (node?: TreeNode, nodes?: TreeNode[]) => compareTracesCommand(source, node, nodes),
    clearTraces: (choice?: ClearChoice) => clearTraces(source, choice === 'view' || choice === 'everything' ? choice : undefined),
    copySnippet: (which?: string) => copyInstrumentationSnippet(settings().httpPort, which),

    refresh: () => {
      traces.tree.refreshNow();
      sessions.refresh();
    },
    filterErrors: () => traces.setFilter({ errorsOnly: !traces.filters.errorsOnly }),
    filterSlow: () => traces.setFilter({ slowOnly: !traces.filters.slowOnly }),
    filterText: () => askForText(() => askForFilter('Filter Traces', traces.filters.text)),
    applySavedFilter: () => askForText(() => pickSavedFilter(traces.filters.text)),
    clearFilters: () => traces.setFilter({ errorsOnly: false, slowOnly: false, text: '' }),
    sortSteps: () => steps.pickSort(),
    groupSteps: (grouping?: StepGrouping) => steps.pickGrouping(grouping),

    openSession: (sessionId: string) => insights.open({ mode: 'session', sessionId }),
    showLlmCalls: (filter?: string) => insights.open({ mode: 'calls', query: typeof filter === 'string' ? { filter } : {} }),
    showContextXray: (traceId: string, spanId: string) => insights.open({ mode: 'xray', traceId, spanId }),
    filterTracesBySession: (node?: { session?: { sessionId: string } }) => {
      if (node?.session) traces.setFilter({ text: `session = "${node.session.sessionId.replace(/["\\]/g, '\\$&')}"` });
    },

    startReceiver: () => engine.setReceiving(true),
    stopReceiver: () => engine.setReceiving(false),
    restartEngine: () => engine.restart(),
    showLog: () => output.show(),

    traceCopilotChat: (choice?: { captureContent: boolean }) => traceCopilotChat(context, engine.status.httpPort ?? settings().httpPort, choice),
    stopTracingCopilotChat: () => stopTracingCopilotChat(context),

    saveAsTest: (node?: TreeNode, target?: vscode.Uri) => saveAsTest(source, node, target instanceof vscode.Uri ? target : undefined),
    openTestTrace: (target?: FailedTestMessage | string) => traceTests.openTrace(target),
    compareWithBaseline: (target?: FailedTestMessage) => compareWithBaseline(traceTests, engine, source, baselineDocuments, target),

    replaySpan: (from?: string | TreeNode, spanId?: string) => replay.openRequest(from, spanId),
    runReplay: (uri?: vscode.Uri) => replay.run(uri),
    runReplayTimes: (uri?: vscode.Uri, times?: number) => replay.runTimes(uri, typeof times === 'number' ? times : undefined),
    compareReplay: (uri?: vscode.Uri) => replay.compare(uri),
    chooseReplayTarget: () => replay.chooseTarget(),
    setReplayApiKey: () => replay.targets.setApiKey(),
    searchTeamTraces: () => searchTeamTraces(source),
    setBackendHeader: () => setBackendHeader(secrets, () => engine.updateSettings(settings())),
    openInBackend: (node?: TreeNode) => openInBackend(source, node),
    previewDoctorFix: (request: DoctorFixRequest) => doctorFixPreview.preview(request),
    applyDoctorFix: (proposed?: vscode.Uri) => doctorFixPreview.answer('apply', proposed),
    cancelDoctorFix: (proposed?: vscode.Uri) => doctorFixPreview.answer('cancel', proposed),
  };
  return Object.entries(handlers).map(([name, run]) => vscode.commands.registerCommand(COMMANDS[name as CommandName], run));
}
