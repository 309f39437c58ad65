// Starts the engine as a separate Node process through vscode-languageclient and reads traces
// from it. The client restarts a crashed engine; stored traces come back from the store.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { LanguageClient, LanguageClientOptions, ServerOptions, TransportKind } from 'vscode-languageclient/node';
import {
  ClearTraces, EngineSettings, ExportTrace, GetStats, GetTrace, QueryTraces, ReceiverStatus,
  ReceiverStatusChanged, SetReceiving, TracesChanged, UpdateSettings,
} from '../shared/engineProtocol';
import type { EngineStats, TraceDetail, TraceQuery, TraceSummary } from '../shared/spanModel';
import type { TraceSource } from './traceSource';

export class EngineClient implements TraceSource, vscode.Disposable {
  private readonly client: LanguageClient;
  private readonly changed = new vscode.EventEmitter<EngineStats | undefined>();
  private readonly statusChanged = new vscode.EventEmitter<ReceiverStatus>();
  readonly onDidChange = this.changed.event;
  readonly onDidChangeStatus = this.statusChanged.event;
  status: ReceiverStatus = { receiving: false, host: '127.0.0.1' };

  constructor(context: vscode.ExtensionContext, settings: () => EngineSettings, readonly output: vscode.OutputChannel) {
    const module = context.asAbsolutePath(path.join('dist', 'server.js'));
    const serverOptions: ServerOptions = {
      run: { module, transport: TransportKind.ipc },
      debug: { module, transport: TransportKind.ipc, options: { execArgv: ['--nolazy', '--inspect=6011'] } },
    };
    const clientOptions: LanguageClientOptions = {
      documentSelector: [],
      outputChannel: output,
      // A function, so a restarted engine gets the settings of that moment.
      initializationOptions: settings,
    };
    this.client = new LanguageClient('aiTraceInspector.engine', 'AI Trace Inspector Engine', serverOptions, clientOptions);
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

  async exportOtlp(traceId: string): Promise<object | undefined> {
    return (await this.client.sendRequest(ExportTrace, { traceId })) ?? undefined;
  }

  stats(): Promise<EngineStats> {
    return this.client.sendRequest(GetStats);
  }

  async clear(): Promise<void> {
    await this.client.sendRequest(ClearTraces);
  }

  setReceiving(receiving: boolean): Promise<ReceiverStatus> {
    return this.client.sendRequest(SetReceiving, { receiving });
  }

  updateSettings(settings: EngineSettings): Promise<ReceiverStatus> {
    return this.client.sendRequest(UpdateSettings, settings);
  }

  async dispose(): Promise<void> {
    this.changed.dispose();
    this.statusChanged.dispose();
    await this.client.stop();
  }
}
