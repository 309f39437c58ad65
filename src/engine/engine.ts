// The trace engine: the index, the store, trace files (imported, tailed, watched), and the OTLP
// receivers (HTTP with the query API, and gRPC). The CLI runs it headless; the extension runs
// the same engine in its own process (server.ts), where the receivers can be stopped and started
// while the index lives on.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { CodeLinks } from './code/codeLinks';
import { TraceFiles, WatchSettings } from './files/traceFiles';
import type { ReceiverProtocol, ReceiverStatus, StoreDeletion } from '../shared/engineProtocol';
import type { DetectorSettings, EngineStats, TraceDetail } from '../shared/spanModel';
import { TraceIndex } from './index/traceIndex';
import { AcrossTraces } from './index/acrossTraces';
import { createHttpServer } from './http/httpServer';
import type { ApiContext } from './http/api';
import { PriceOverride, PriceTable } from './normalize/pricing';
import type { RedactionPattern } from '../shared/redaction';
import { Admission, DEFAULT_ADMISSION } from './otlp/admission';
import { startGrpcReceiver, GrpcReceiver } from './otlp/grpcReceiver';
import { Ingest } from './otlp/ingest';
import { Forwarder } from './forward/forwarder';
import type { TraceSummary } from '../shared/spanModel';
import type { BackendConfig } from '../shared/backends';
import { TeamBackends } from './backends/teamBackends';
import { DEFAULT_RETENTION, RetentionPolicy, TraceStore } from './store/traceStore';
import { HeapGuard, usableHeapBytes } from './heapGuard';
import { stopWorkerThreads } from './otlp/workerThread';
import type { TestTarget } from './traceTests/runTraceTest';

export interface EngineOptions {
  /** Interface to bind; loopback unless the user says otherwise. */
  host?: string;
  /** OTLP/HTTP and API port; 0 picks a free one. */
  httpPort?: number;
  /** OTLP/gRPC port; 0 picks a free one, null turns gRPC off. */
  grpcPort?: number | null;
  /** Largest request body accepted, after decompression. */
  maxBodyBytes?: number;
  /** Extra Host names to accept (besides loopback) when bound beyond loopback. */
  allowedHosts?: string[];
  /** USD per million tokens, by model id. */
  priceOverrides?: Record<string, PriceOverride>;
  /** Context windows in tokens by model id, over the model catalog's (the context-window X-ray). */
  contextLimits?: Record<string, number>;
  /** Folder that keeps received traces across restarts; none keeps them in memory only. */
  storeDir?: string;
  retention?: Partial<RetentionPolicy>;
  /** Spans held in memory before the oldest normal traces are evicted. */
  maxSpans?: number;
  /** The same in (estimated) megabytes; 0 or none: half of this process's heap limit. */
  maxMemoryMb?: number;
  /** A trace at least this long is slow. */
  slowMs?: number;
  /** Thresholds of the loop, weak retrieval, context bloat, spike and cascade detectors. */
  detectors?: DetectorSettings;
  /** How long a trace stays quiet before Trace Doctor counts missing parents and log records as lost. */
  doctorGraceMs?: number;
  /** Patterns masked in everything received, shown, exported and stored; none: off. */
  redaction?: RedactionPattern[];
  /** Workspace folders watched for trace files matching globs. */
  watch?: WatchSettings;
  /** Files or folders read and tailed from the start (the CLI's --watch); not remembered. */
  watchPaths?: string[];
  /** Folders whose sources spans are linked to (the CLI's --workspace; the extension configures `code` itself). */
  workspace?: string[];
  /** OTLP/HTTP base URLs every accepted request is also exported to (receiver.forward, --forward). */
  forward?: string[];
  /** Team backends traces are opened from and searched in when they are not here. */
  backends?: BackendConfig[];
  log?: (message: string) => void;
}

export const DEFAULTS = {
  host: '127.0.0.1',
  httpPort: 4318,
  grpcPort: 4317,
  maxBodyBytes: 64 * 1024 * 1024,
  maxSpans: 1_000_000,
};

const RETENTION_EVERY_MS = 60 * 60 * 1000;

/** A receiver that could not start, and which one. */
export class ReceiverError extends Error {
  constructor(message: string, readonly protocol: ReceiverProtocol, readonly port: number, readonly portInUse = false) {
    super(message);
  }
}

/** A receiver port that another process holds. */
export class PortInUseError extends ReceiverError {
  constructor(port: number, protocol: ReceiverProtocol) {
    super(`port ${port} (OTLP/${protocol === 'http' ? 'HTTP' : 'gRPC'}) is already in use by another process`, protocol, port, true);
  }
}

/** What the receiver status says of a failure to start: why, which receiver, and the port another process holds. */
export function receiverProblem(error: unknown): NonNullable<ReceiverStatus['problem']> {
  const message = (error as Error).message;
  if (!(error instanceof ReceiverError)) return { message, portInUse: false };
  return { message, port: error.portInUse ? error.port : undefined, portInUse: error.portInUse, protocol: error.protocol };
}

export class Engine {
  readonly index: TraceIndex;
  ingest: Ingest;
  store?: TraceStore;
  /** Trace files on disk: import, tail, watch. */
  readonly files: TraceFiles;
  /** Spans linked to the workspace lines that made them (nothing without a workspace). */
  readonly code: CodeLinks;
  /** Sessions, the LLM calls table and context windows over the index. */
  readonly across: AcrossTraces;
  /**
   * Settles when stored traces are loaded again and the files imported before the last restart
   * (and the --watch paths) are read (the receivers serve meanwhile).
   */
  readonly ready: Promise<void>;
  /** Sends what the receivers accept on to the upstreams in `options.forward`, never delaying the answer. */
  readonly forwarder: Forwarder;
  /** Team backends (Tempo, Jaeger, ClickHouse, Phoenix, Langfuse) and the traces opened from them. */
  readonly backends: TeamBackends;
  private http?: Server;
  private grpc?: GrpcReceiver;
  /** One budget for both receivers: past it they answer "retry later". */
  private admission?: Admission;
  private readonly retentionTimer: NodeJS.Timeout;
  private retaining?: Promise<void>;
  private readonly log: (message: string) => void;
  private readonly evictions = new EvictionLog((message) => this.log(message));
  private readonly heapGuard: HeapGuard;

  constructor(private options: EngineOptions = {}) {
    const log = options.log ?? (() => undefined);
    // Our own log lines mask what redaction masks: a URL or a reason may quote a secret.
    this.log = (message) => log(this.index?.redactor?.text(message) ?? message);
    const limits = indexLimits(options);
    this.index = new TraceIndex(new PriceTable(options.priceOverrides), limits);
    this.index.onEvicted = (traces, spans) => this.evictions.add(traces, spans);
    this.heapGuard = new HeapGuard(this.index, limits.maxBytes, Boolean(options.maxMemoryMb), this.log);
    this.store = this.openStore(options.storeDir);
    this.forwarder = new Forwarder(options.forward ?? [], this.log);
    this.ingest = new Ingest(this.index, this.store, this.forwarder);
    this.backends = new TeamBackends(options.backends ?? [], this.index, () => this.ingest, this.log);
    this.files = new TraceFiles(this.index, options.storeDir, this.log);
    this.code = new CodeLinks(this.index);
    this.across = new AcrossTraces(this.index);
    this.across.contextLimits = options.contextLimits ?? {};
    this.index.onSpansAdded = (spans) => this.code.spansAdded(spans);
    this.index.promptSourceOf = (span) => this.code.promptSourceOf(span);
    const workspaceScanned = options.workspace?.length ? this.code.configure(options.workspace.map((folder) => path.resolve(folder)), {}) : undefined;
    this.retentionTimer = setInterval(() => void this.applyRetention(), RETENTION_EVERY_MS);
    this.retentionTimer.unref();
    this.ready = Promise.all([this.loadStore().then(() => this.loadFiles()), workspaceScanned]).then(() => undefined);
  }

  /** The index's counts, whether the store can be written, and per forwarding target what was sent, is queued and was dropped. */
  stats(): EngineStats {
    const stats: EngineStats = this.index.stats();
    if (this.store?.problem) stats.storeProblem = this.store.problem;
    if (this.forwarder.active) stats.forward = this.forwarder.stats();
    return stats;
  }

  /** What the query API answers from, over HTTP and over the extension's LSP connection alike. */
  apiContext(): ApiContext {
    return { index: this.index, across: this.across, stats: () => this.stats(), engine: this, withSources: (detail) => this.code.withSources(detail) };
  }

  private openStore(dir: string | undefined): TraceStore | undefined {
    if (!dir) return undefined;
    const store = new TraceStore(dir, this.log);
    // A store that fails or recovers changes what the stats say: the views ask again.
    store.onProblemChange = () => this.index.onChange();
    return store;
  }

  get host(): string {
    return this.options.host ?? DEFAULTS.host;
  }

  /** The bound OTLP/HTTP and API port; only while receiving. */
  get httpPort(): number {
    if (!this.http) throw new Error('the receivers are stopped');
    return (this.http.address() as AddressInfo).port;
  }

  get grpcPort(): number | null {
    return this.grpc?.port ?? null;
  }

  get receiving(): boolean {
    return this.http !== undefined;
  }

  /** Where a regression test run sends its telemetry: these receivers, this index. */
  get testTarget(): TestTarget {
    return { index: this.index, host: this.host, httpPort: this.http ? this.httpPort : undefined, grpcPort: this.grpcPort };
  }

  /** Binds the receivers; throws PortInUseError naming the port another process holds. */
  async startReceivers(): Promise<void> {
    if (this.http) return;
    const { host, options } = this;
    const maxBodyBytes = options.maxBodyBytes ?? DEFAULTS.maxBodyBytes;
    const allowedHosts = [...(options.allowedHosts ?? []), ...(isWildcard(host) ? [] : [host.toLowerCase()])];
    const admission = new Admission(DEFAULT_ADMISSION);
    const http = createHttpServer({ ingest: this.ingest, maxBodyBytes, allowedHosts, log: this.log, admission, ...this.apiContext() });
    const httpPort = options.httpPort ?? DEFAULTS.httpPort;
    await listen(http, host, httpPort).catch((error: NodeJS.ErrnoException) => {
      admission.close();
      throw error.code === 'EADDRINUSE' ? new PortInUseError(httpPort, 'http') : new ReceiverError(error.message, 'http', httpPort);
    });
    const grpcPort = options.grpcPort === undefined ? DEFAULTS.grpcPort : options.grpcPort;
    if (grpcPort !== null) {
      try {
        this.grpc = await startGrpcReceiver(this.ingest, host, grpcPort, maxBodyBytes, this.log, admission);
      } catch (error) {
        await closeServer(http);
        admission.close();
        const message = String((error as Error).message);
        throw /address already in use|No address added/i.test(message) ? new PortInUseError(grpcPort, 'grpc') : new ReceiverError(message, 'grpc', grpcPort);
      }
    }
    this.http = http;
    this.admission = admission;
  }

  async stopReceivers(): Promise<void> {
    const { http, grpc } = this;
    this.http = undefined;
    this.grpc = undefined;
    this.admission?.close();
    this.admission = undefined;
    await Promise.all([http && closeServer(http), grpc?.close()]);
  }

  /**
   * Takes new settings without losing the traces in memory: limits and prices apply from now
   * on, and a new store folder is used for what arrives next. New ports, host or store stop the
   * receivers; the caller starts them again (and hears of a taken port). Other settings (prices,
   * detectors, a saved filter) leave them alone: no dropped connections, and no moment where
   * another window could take the port.
   */
  async reconfigure(options: EngineOptions): Promise<void> {
    const receiverKey = (o: EngineOptions) => JSON.stringify([o.host, o.httpPort, o.grpcPort, o.maxBodyBytes, o.allowedHosts, o.storeDir]);
    if (receiverKey(options) !== receiverKey(this.options)) await this.stopReceivers();
    this.options = { ...options, log: options.log ?? this.options.log };
    const limits = indexLimits(options);
    this.index.configure(new PriceTable(options.priceOverrides), limits);
    this.heapGuard.configure(limits.maxBytes, Boolean(options.maxMemoryMb));
    this.forwarder.setTargets(options.forward ?? []);
    this.backends.configure(options.backends ?? []);
    this.across.contextLimits = options.contextLimits ?? {};
    if (options.storeDir !== this.store?.dir) {
      this.store?.close();
      this.store = this.openStore(options.storeDir);
      this.ingest = new Ingest(this.index, this.store, this.forwarder);
      this.files.setStoreDir(options.storeDir);
    }
    void this.files.watchWorkspace(options.watch);
  }

  /** A summary marked with the backend its trace was opened from, if any. */
  withOrigin<T extends TraceSummary>(summary: T): T {
    const origin = this.backends.originOf(summary.traceId);
    return origin ? { ...summary, origin } : summary;
  }

  /** A trace from the index, or else from the first team backend that has it (then kept in the index). */
  async traceAnywhere(traceId: string): Promise<{ detail?: TraceDetail; problems: string[] }> {
    const local = this.index.trace(traceId) ?? this.index.trace(traceId.toLowerCase());
    if (local) return { detail: { ...local, summary: this.withOrigin(local.summary) }, problems: [] };
    if (!this.backends.size) return { problems: [] };
    const found = await this.backends.open(traceId);
    const detail = found.backend ? this.index.trace(traceId.toLowerCase()) : undefined;
    return detail ? { detail: { ...detail, summary: this.withOrigin(detail.summary) }, problems: [] } : { problems: found.problems };
  }

  /** Forgets every trace in memory, remote ones included. */
  clearTraces(): void {
    this.index.clear();
    this.backends.clear();
  }

  /** One retention pass at a time: it runs in slices, and the hourly timer may fire during one. */
  applyRetention(): Promise<void> {
    const store = this.store;
    if (!store) return Promise.resolve();
    this.retaining ??= store.applyRetention(this.index, { ...DEFAULT_RETENTION, ...this.options.retention }).then((report) => {
      if (report.deletedFiles) {
        this.log(`retention: ${report.deletedFiles} file(s) retired, ${report.keptTraces} failed or slow trace(s) kept, ${report.droppedTraces} dropped`);
      }
    }, (error: Error) => this.log(`retention failed: ${error.message}`)).finally(() => { this.retaining = undefined; });
    return this.retaining;
  }

  /**
   * Forgets every trace for good: the index, the store's segments, and the imported files that
   * would be read again after a restart (they stop being tailed; the files themselves stay).
   */
  async deleteStored(): Promise<StoreDeletion> {
    await this.ready.catch(() => undefined);
    const forgottenImports = await this.files.forgetImported();
    const { deletedFiles, problems } = this.store?.deleteAll() ?? { deletedFiles: 0, problems: [] };
    this.index.clear();
    this.log(`cleared: ${deletedFiles} stored file(s) deleted from ${this.store?.dir ?? 'no store'}, ${forgottenImports} imported path(s) no longer read`);
    for (const problem of problems) this.log(`clearing the store: ${problem}`);
    return { deletedFiles, forgottenImports, problems };
  }

  async close(): Promise<void> {
    clearInterval(this.retentionTimer);
    this.heapGuard.dispose();
    this.evictions.dispose();
    // Reads stop first; a large record converting on a worker thread (seconds for 50 MB, maybe
    // while the engine starts) is dropped, not waited for, and no worker keeps the process alive.
    const filesClosed = this.files.close();
    stopWorkerThreads();
    await this.ready.catch(() => undefined);
    await this.stopReceivers();
    this.forwarder.close();
    await this.backends.close();
    await filesClosed;
    await this.code.close();
    this.store?.close();
  }

  private async loadFiles(): Promise<void> {
    await this.files.restoreRemembered();
    // Each file read is logged by TraceFiles.
    if (this.options.watchPaths?.length) await this.files.import(this.options.watchPaths, { watch: true });
    await this.files.watchWorkspace(this.options.watch);
  }

  /** Reads the store again: another engine may have written to it meanwhile. Known spans are replaced, not doubled. */
  async reloadStore(): Promise<void> {
    await this.ready;
    await this.loadStore();
  }

  private async loadStore(): Promise<void> {
    if (!this.store) return;
    const loaded = await this.store.replay(this.ingest);
    if (loaded.requests) this.log(`store: loaded ${loaded.requests} request(s) from ${loaded.files} file(s) in ${this.store.dir}`);
    for (const problem of loaded.problems) this.log(`store: ${problem}`);
    await this.applyRetention();
  }
}

/** An engine with its receivers listening. */
export async function startEngine(options: EngineOptions = {}): Promise<Engine> {
  const engine = new Engine(options);
  try {
    await engine.startReceivers();
  } catch (error) {
    await engine.close();
    throw error;
  }
  return engine;
}

function indexLimits(options: EngineOptions) {
  return {
    maxSpans: options.maxSpans ?? DEFAULTS.maxSpans, maxBytes: maxMemoryBytes(options.maxMemoryMb),
    slowMs: options.slowMs, detectors: options.detectors, redaction: options.redaction, doctorGraceMs: options.doctorGraceMs,
  };
}

/**
 * The memory cap in bytes. By default half the heap this process may grow to, which leaves room
 * for the requests being decoded, queries and garbage: the engine evicts, it never runs out. A
 * larger setting is held to 80% of the heap: past that the process would die instead. The heap
 * guard lowers it further while the heap holds more than the estimate says (heapGuard.ts).
 */
export function maxMemoryBytes(maxMemoryMb: number | undefined): number {
  const heap = usableHeapBytes();
  return Math.floor(maxMemoryMb ? Math.min(maxMemoryMb * 1024 * 1024, heap * 0.8) : heap / 2);
}

const EVICTION_LOG_EVERY_MS = 60_000;

/** Says in the log that the memory cap evicted traces: at once the first time, then once a minute. */
class EvictionLog {
  private traces = 0;
  private spans = 0;
  private timer?: NodeJS.Timeout;
  private said = false;

  constructor(private readonly log: (message: string) => void) {}

  add(traces: number, spans: number): void {
    this.traces += traces;
    this.spans += spans;
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      this.flush();
    }, this.said ? EVICTION_LOG_EVERY_MS : 0);
    this.timer.unref();
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private flush(): void {
    this.log(`memory cap: evicted ${this.traces} trace(s) (${this.spans} spans), the oldest normal ones first; `
      + 'raise aiTraceInspector.memory.maxSpans or memory.maxMegabytes (--max-spans, --max-memory-mb) to keep more in memory');
    this.said = true;
    this.traces = 0;
    this.spans = 0;
  }
}

function isWildcard(host: string): boolean {
  return host === '0.0.0.0' || host === '::';
}

function listen(server: Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
