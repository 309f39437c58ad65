// The trace engine: OTLP receivers (HTTP and gRPC), the index, and the query API. The CLI runs
// it headless; the extension runs the same engine in its own process.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { TraceIndex } from './index/traceIndex';
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
  log?: (message: string) => void;
}

export const DEFAULTS = {
  host: '127.0.0.1',
  httpPort: 4318,
  grpcPort: 4317,
  maxBodyBytes: 64 * 1024 * 1024,
};

export interface Engine {
  readonly host: string;
  readonly httpPort: number;
  readonly grpcPort: number | null;
  readonly index: TraceIndex;
  readonly ingest: Ingest;
  close(): Promise<void>;
}

export async function startEngine(options: EngineOptions = {}): Promise<Engine> {
  const host = options.host ?? DEFAULTS.host;
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULTS.maxBodyBytes;
  const log = options.log ?? (() => undefined);
  const index = new TraceIndex(new PriceTable(options.priceOverrides));
  const ingest = new Ingest(index);
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
  return {
    host,
    httpPort: (http.address() as AddressInfo).port,
    grpcPort: grpc?.port ?? null,
    index,
    ingest,
    async close() {
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
