// Starts the engine as a separate Node process through vscode-languageclient and reads traces
// from it. The client restarts a crashed engine; stored traces come back from the store.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { COMMANDS } from '../../shared/commands';
import {
  CloseAction, DocumentSelector, ErrorAction, LanguageClient, LanguageClientOptions,
  ServerOptions, TransportKind,
} from 'vscode-languageclient/node';
import {
  ClearTraces, DeleteStoredTraces, EngineSettings, ExportTrace, FileProblem, FileProblems, GetReport, GetStats, GetTrace, GetTraceJson, ImportFiles, ImportProgress,
  ImportResult, ListBackends, OpenRemoteTrace, QueryApiGet, QueryTraces, SearchBackend, ReceiverStatus, ReceiverStatusChanged, SetReceiving, TakeOver, TracesChanged,
  UpdateSettings, type StoreDeletion,
} from '../../shared/engineProtocol';
import type { EngineStats, StepGrouping, TraceDetail, TraceQuery, TraceReport, TraceSummary } from '../../shared/spanModel';
import { type QueryApiErrorReply, type QueryApiReplies, type QueryApiRoute, QueryApiStatusError, queryRoutePath, type QueryRouteArgs } from '../../shared/queryApi';
import type { TraceTestResult } from '../../shared/traceTests/traceTestFormat';
import { ReadBaseline, RunTraceTest } from '../../shared/traceTests/traceTestProtocol';
import type { TraceSource } from './traceSource';
import { GetSpanDetails, GetTraceSkeleton, SearchTraceSpans } from '../../shared/pagedTraceRequests';

const CODE_DOCUMENTS: DocumentSelector = [
  ...['python', 'typescript', 'typescriptreact', 'javascript', 'javascriptreact'].map((language) => ({ scheme: 'file', language })),
  { scheme: 'file', pattern: '**/*.{prompty,txt,md,jinja,jinja2,j2}' },
];
/** More crashes than this within CRASH_WINDOW_MS and the engine is left stopped, with a way to restart it. */
const MAX_CRASHES = 5;
const CRASH_WINDOW_MS = 3 * 60_000;

function codeSetting(key: string): boolean {
  return vscode.workspace.getConfiguration('aiTraceInspector').get<boolean>(key, true);
}

export class EngineClient implements TraceSource, vscode.Disposable {
  private readonly client: LanguageClient;
  private readonly changed = new vscode.EventEmitter<EngineStats | undefined>();
  private readonly statusChanged = new vscode.EventEmitter<ReceiverStatus>();
  private readonly problemsChanged = new vscode.EventEmitter<{ file: string; problems: FileProblem[] }>();
  private readonly importProgress = new vscode.EventEmitter<{ file: string; bytesRead: number; totalBytes: number }>();
  readonly onDidChange = this.changed.event;
  readonly onDidChangeStatus = this.statusChanged.event;
  /** Problems found in an imported or watched trace file (an empty list clears them). */
  readonly onDidChangeFileProblems = this.problemsChanged.event;
  readonly onImportProgress = this.importProgress.event;
  status: ReceiverStatus = { receiving: false, host: '127.0.0.1' };

  constructor(context: vscode.ExtensionContext, settings: () => EngineSettings, readonly output: vscode.LogOutputChannel) {
    const module = context.asAbsolutePath(path.join('dist', 'server.js'));
    const serverOptions: ServerOptions = {
      run: { module, transport: TransportKind.ipc },
      debug: { module, transport: TransportKind.ipc, options: { execArgv: ['--nolazy', '--inspect=6011'] } },
    };
    const clientOptions: LanguageClientOptions = {
      // Code lenses, hovers and diagnostics on the lines that produced spans (the engine serves them).
      documentSelector: CODE_DOCUMENTS,
      // Hovers link to spans through this one command; trace text in them is fenced as code.
      markdown: { isTrusted: { enabledCommands: [COMMANDS.openTrace] }, supportHtml: false },
      middleware: {
        provideCodeLenses: (document, token, next) => (codeSetting('codeLens.enabled') ? next(document, token) : []),
        handleDiagnostics: (uri, diagnostics, next) => next(uri, codeSetting('diagnostics.enabled') ? diagnostics : []),
      },
      outputChannel: output,
      errorHandler: {
        error: () => ({ action: ErrorAction.Continue }),
        closed: () => this.engineStopped(),
      },
      // A function, so a restarted engine gets the settings of that moment.
      initializationOptions: settings,
    };
    this.client = new LanguageClient('aiTraceInspector.engine', 'AI Trace Inspector Engine', serverOptions, clientOptions);
  }

  private crashes: number[] = [];
  private restartRequested = false;

  /** A crashed engine restarts (the store brings its traces back), unless it keeps crashing. */
  private engineStopped(): { action: CloseAction; handled: boolean } {
    if (this.restartRequested) {
      this.restartRequested = false;
      return { action: CloseAction.Restart, handled: true };
    }
    const now = Date.now();
    this.crashes = [...this.crashes.filter((t) => now - t < CRASH_WINDOW_MS), now];
    if (this.crashes.length <= MAX_CRASHES) {
      this.output.warn(`the engine process stopped; restarting it (${this.crashes.length} in the last 3 minutes)`);
      return { action: CloseAction.Restart, handled: true };
    }
    void vscode.window.showErrorMessage(`The AI Trace Inspector engine stopped ${this.crashes.length} times in 3 minutes and was not restarted again. The log may say why.`,
      'Restart Engine', 'Show Log').then((choice) => {
      if (choice === 'Restart Engine') void this.restart();
      if (choice === 'Show Log') this.output.show();
    });
    return { action: CloseAction.DoNotRestart, handled: true };
  }

  get description(): string {
    return this.status.receiving ? `port ${this.status.httpPort}` : 'receiver off';
  }

  async start(): Promise<void> {
    this.client.onNotification(TracesChanged, (stats) => this.changed.fire(stats));
    this.client.onNotification(ReceiverStatusChanged, (status) => {
      this.status = status;
      this.statusChanged.fire(status);
    });
    this.client.onNotification(FileProblems, (event) => this.problemsChanged.fire(event));
    this.client.onNotification(ImportProgress, (event) => this.importProgress.fire(event));
    await this.client.start();
  }

  /** The engine's process id, for tests that check a crashed engine comes back. */
  get processId(): number | undefined {
    return (this.client as unknown as { _serverProcess?: { pid?: number } })._serverProcess?.pid;
  }

  query(query: TraceQuery): Promise<TraceSummary[]> {
    return this.client.sendRequest(QueryTraces, query);
  }

  async trace(traceId: string): Promise<TraceDetail | undefined> {
    return (await this.client.sendRequest(GetTrace, { traceId })) ?? undefined;
  }

  async traceJson(traceId: string): Promise<{ summary: TraceSummary; json: string } | undefined> {
    return (await this.client.sendRequest(GetTraceJson, { traceId })) ?? undefined;
  }

  async traceSkeleton(traceId: string, after?: number, first?: number): ReturnType<TraceSource['traceSkeleton']> {
    return (await this.client.sendRequest(GetTraceSkeleton, { traceId, after, first })) ?? undefined;
  }

  async spanDetails(traceId: string, spanIds: string[]): ReturnType<TraceSource['spanDetails']> {
    return (await this.client.sendRequest(GetSpanDetails, { traceId, spanIds }))?.json;
  }

  async searchSpans(traceId: string, text: string): ReturnType<TraceSource['searchSpans']> {
    return (await this.client.sendRequest(SearchTraceSpans, { traceId, text })) ?? undefined;
  }

  async exportOtlp(traceId: string): Promise<object | undefined> {
    return (await this.client.sendRequest(ExportTrace, { traceId })) ?? undefined;
  }

  /** Runs a regression test file in the engine, against its receivers; cancelling stops the command. */
  runTraceTest(file: string, token?: vscode.CancellationToken): Promise<TraceTestResult> {
    return this.client.sendRequest(RunTraceTest, { file }, token);
  }

  /** A test's baseline file read as traces (the engine decodes it). */
  readBaseline(file: string): Promise<TraceDetail[]> {
    return this.client.sendRequest(ReadBaseline, { file });
  }

  stats(): Promise<EngineStats> {
    return this.client.sendRequest(GetStats);
  }

  report(sinceMs: number, groupBy?: StepGrouping): Promise<TraceReport> {
    return this.client.sendRequest(GetReport, { sinceMs, groupBy });
  }

  backends(): ReturnType<TraceSource['backends']> {
    return this.client.sendRequest(ListBackends);
  }

  openRemote(traceId: string, backend?: string): ReturnType<TraceSource['openRemote']> {
    return this.client.sendRequest(OpenRemoteTrace, { traceId, backend });
  }

  searchBackend(backend: string, query: string, limit?: number): ReturnType<TraceSource['searchBackend']> {
    return this.client.sendRequest(SearchBackend, { backend, query, limit });
  }

  async clear(): Promise<void> {
    await this.client.sendRequest(ClearTraces);
  }

  deleteStored(): Promise<StoreDeletion> {
    return this.client.sendRequest(DeleteStoredTraces);
  }

  /** The engine answers the query API's routes over LSP too, exactly as over HTTP. */
  async ask<R extends QueryApiRoute>(route: R, ...args: QueryRouteArgs<R>): Promise<QueryApiReplies[R]> {
    const path = queryRoutePath(route, ...args);
    const { status, body } = await this.client.sendRequest(QueryApiGet, { path });
    if (status !== 200) {
      const reply = body as Partial<QueryApiErrorReply>;
      throw new QueryApiStatusError(path, status, reply.error ?? '', reply.backends);
    }
    return body as QueryApiReplies[R];
  }

  setReceiving(receiving: boolean): Promise<ReceiverStatus> {
    return this.client.sendRequest(SetReceiving, { receiving });
  }

  /** Reads trace files or folders into the engine; with `watch`, it keeps tailing them. */
  importFiles(paths: string[], watch: boolean): Promise<ImportResult[]> {
    return this.client.sendRequest(ImportFiles, { paths, watch });
  }

  updateSettings(settings: EngineSettings): Promise<ReceiverStatus> {
    return this.client.sendRequest(UpdateSettings, settings);
  }

  /** After the engine that held the ports stopped: reload the shared store and claim the ports. */
  takeOver(): Promise<ReceiverStatus> {
    return this.client.sendRequest(TakeOver);
  }

  /**
   * A fresh engine process: it reloads the store and tries the ports again. The running one is
   * asked to exit and comes back the way a crashed one does (a client stop and start would lose
   * the code lens and hover registrations).
   */
  async restart(): Promise<void> {
    this.crashes = [];
    const pid = this.processId;
    if (!this.client.isRunning() || !pid) return this.client.start();
    this.restartRequested = true;
    process.kill(pid, 'SIGTERM');
  }

  async dispose(): Promise<void> {
    this.changed.dispose();
    this.statusChanged.dispose();
    this.problemsChanged.dispose();
    this.importProgress.dispose();
    await this.client.stop();
  }
}
