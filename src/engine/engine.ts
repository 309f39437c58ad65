// The trace engine: OTLP receivers (HTTP and gRPC), the index, and the query API. The CLI runs
// it headless; the extension runs the same engine in its own process.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { TraceIndex } from './index/traceIndex';
import { DEFAULT_RETENTION, RetentionPolicy, TraceStore } from './store/traceStore';
import { createHttpServer } from './httpServer';
import { PriceOverride, PriceTable } from './normalize/pricing';
import { startGrpcReceiver, GrpcReceiver } from './otlp/grpcReceiver';
import { Ingest } from './otlp/ingest';

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
  /** Folder that keeps received traces across restarts; none keeps them in memory only. */
  storeDir?: string;
  retention?: Partial<RetentionPolicy>;
  /** Spans held in memory before the oldest normal traces are evicted. */
  maxSpans?: number;
  /** A trace at least this long is slow. */
  slowMs?: number;
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

export interface Engine {
  readonly host: string;
  readonly httpPort: number;
  readonly grpcPort: number | null;
  readonly index: TraceIndex;
  readonly ingest: Ingest;
  readonly store?: TraceStore;
  /** Settles when stored traces are loaded again (the receivers serve meanwhile). */
  readonly ready: Promise<void>;
  close(): Promise<void>;
}

export async function startEngine(options: EngineOptions = {}): Promise<Engine> {
  const host = options.host ?? DEFAULTS.host;
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULTS.maxBodyBytes;
  const log = options.log ?? (() => undefined);
  const index = new TraceIndex(new PriceTable(options.priceOverrides),
    { maxSpans: options.maxSpans ?? DEFAULTS.maxSpans, slowMs: options.slowMs });
  const store = options.storeDir ? new TraceStore(options.storeDir, log) : undefined;
  const ingest = new Ingest(index, store);
  const allowedHosts = [...(options.allowedHosts ?? []), ...(isWildcard(host) ? [] : [host.toLowerCase()])];
  const http = createHttpServer({ ingest, index, maxBodyBytes, allowedHosts, log });
  await listen(http, host, options.httpPort ?? DEFAULTS.httpPort);
  let grpc: GrpcReceiver | undefined;
  const grpcPort = options.grpcPort === undefined ? DEFAULTS.grpcPort : options.grpcPort;
  if (grpcPort !== null) {
    try {
      grpc = await startGrpcReceiver(ingest, host, grpcPort, maxBodyBytes, log);
    } catch (error) {
      http.close();
      throw error;
    }
  }
  const retention = { ...DEFAULT_RETENTION, ...options.retention };
  const runRetention = () => {
    if (!store) return;
    try {
      const report = store.applyRetention(index, retention);
      if (report.deletedFiles) log(`retention: ${report.deletedFiles} file(s) retired, ${report.keptTraces} failed or slow trace(s) kept, ${report.droppedTraces} dropped`);
    } catch (error) {
      log(`retention failed: ${(error as Error).message}`);
    }
  };
  const timer = setInterval(runRetention, RETENTION_EVERY_MS);
  timer.unref();
  const ready = (async () => {
    if (!store) return;
    const loaded = await store.replay(ingest);
    if (loaded.requests) log(`store: loaded ${loaded.requests} request(s) from ${loaded.files} file(s) in ${store.dir}`);
    for (const problem of loaded.problems) log(`store: ${problem}`);
    runRetention();
  })();
  return {
    host,
    httpPort: (http.address() as AddressInfo).port,
    grpcPort: grpc?.port ?? null,
    index,
    ingest,
    store,
    ready,
    async close() {
      clearInterval(timer);
      await ready.catch(() => undefined);
      store?.close();
      await Promise.all([
        new Promise<void>((resolve) => { http.close(() => resolve()); http.closeAllConnections(); }),
        grpc?.close(),
      ]);
    },
  };
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
