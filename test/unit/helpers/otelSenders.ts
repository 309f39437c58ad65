// What the receiver tests send with: an engine on ephemeral ports per suite, spans and log
// records made by the real OpenTelemetry JS SDK and shipped by the real OTLP exporters
// (HTTP protobuf, HTTP JSON, gRPC), and raw HTTP requests for what no exporter would send
// (broken bodies, foreign Host or Origin headers, gzip bombs).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { IncomingHttpHeaders, OutgoingHttpHeaders, request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Tracer } from '@opentelemetry/api';
import type { Logger } from '@opentelemetry/api-logs';
import { OTLPLogExporter as GrpcLogExporter } from '@opentelemetry/exporter-logs-otlp-grpc';
import { OTLPLogExporter as JsonLogExporter } from '@opentelemetry/exporter-logs-otlp-http';
import { OTLPLogExporter as ProtoLogExporter } from '@opentelemetry/exporter-logs-otlp-proto';
import { OTLPTraceExporter as GrpcTraceExporter } from '@opentelemetry/exporter-trace-otlp-grpc';
import { OTLPTraceExporter as JsonTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as ProtoTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { CompressionAlgorithm } from '@opentelemetry/otlp-exporter-base';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { InMemoryLogRecordExporter, LoggerProvider, ReadableLogRecord, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
import { BasicTracerProvider, InMemorySpanExporter, ReadableSpan, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { Reader } from 'protobufjs';
import { Engine, EngineOptions, startEngine } from '../../../src/engine/engine';
import { EngineApiClient } from './engineApiClient';
import { FIXTURES } from './rawSpans';

export interface EngineUnderTest {
  engine: Engine;
  api: EngineApiClient;
}

/** Starts an engine on ephemeral ports before the suite's tests and closes it after them. */
export function useEngine(options: EngineOptions = {}): EngineUnderTest {
  const handle = {} as EngineUnderTest;
  before(async () => {
    handle.engine = await startEngine({ host: '127.0.0.1', httpPort: 0, grpcPort: 0, ...options });
    handle.api = new EngineApiClient(handle.engine.httpPort);
  });
  after(() => handle.engine?.close());
  return handle;
}

// ---- the SDK side ----

export type Transport = 'http/protobuf' | 'http/json' | 'grpc';
export const TRANSPORTS: Transport[] = ['http/protobuf', 'http/json', 'grpc'];

interface ExporterConfig {
  url: string;
  compression?: CompressionAlgorithm;
}

interface Exporter<T> {
  export(items: T[], done: (result: { code: number; error?: Error }) => void): void;
  shutdown(): Promise<void>;
}

type ExporterClass<T> = new (config: ExporterConfig) => Exporter<T>;

const TRACE_EXPORTERS: Record<Transport, ExporterClass<ReadableSpan>> = {
  'http/protobuf': ProtoTraceExporter, 'http/json': JsonTraceExporter, grpc: GrpcTraceExporter,
};
const LOG_EXPORTERS: Record<Transport, ExporterClass<ReadableLogRecord>> = {
  'http/protobuf': ProtoLogExporter, 'http/json': JsonLogExporter, grpc: GrpcLogExporter,
};

/** ExportResultCode.SUCCESS of @opentelemetry/core. */
const EXPORT_SUCCESS = 0;

/** The URL a user would configure: the signal path for OTLP/HTTP, the bare address for gRPC. */
function exporterUrl(engine: Engine, transport: Transport, signal: 'traces' | 'logs'): string {
  return transport === 'grpc' ? `http://127.0.0.1:${engine.grpcPort}` : `http://127.0.0.1:${engine.httpPort}/v1/${signal}`;
}

async function exportWith<T>(exporter: Exporter<T>, items: T[]): Promise<void> {
  try {
    const result = await new Promise<{ code: number; error?: Error }>((resolve) => exporter.export(items, resolve));
    assert.equal(result.code, EXPORT_SUCCESS, `the exporter reported a failure: ${result.error?.message}`);
  } finally {
    await exporter.shutdown();
  }
}

/** Ships the spans with the real exporter for the transport; fails unless the engine accepted them. */
export function exportSpans(engine: Engine, transport: Transport, spans: ReadableSpan[], gzip = false): Promise<void> {
  const compression = gzip ? CompressionAlgorithm.GZIP : CompressionAlgorithm.NONE;
  return exportWith(new TRACE_EXPORTERS[transport]({ url: exporterUrl(engine, transport, 'traces'), compression }), spans);
}

export function exportLogs(engine: Engine, transport: Transport, logs: ReadableLogRecord[]): Promise<void> {
  return exportWith(new LOG_EXPORTERS[transport]({ url: exporterUrl(engine, transport, 'logs') }), logs);
}

const resourceOf = (serviceName: string) => resourceFromAttributes({ 'service.name': serviceName });

/** The spans `build` ends, as the SDK hands them to an exporter. */
export async function recordSpans(serviceName: string, build: (tracer: Tracer) => void): Promise<ReadableSpan[]> {
  const memory = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ resource: resourceOf(serviceName), spanProcessors: [new SimpleSpanProcessor(memory)] });
  build(provider.getTracer('otlp-receiver-test', '1.0.0'));
  await provider.forceFlush();
  return memory.getFinishedSpans();
}

/** The log records `build` emits, as the SDK hands them to an exporter. */
export async function recordLogs(serviceName: string, build: (logger: Logger) => void): Promise<ReadableLogRecord[]> {
  const memory = new InMemoryLogRecordExporter();
  const provider = new LoggerProvider({ resource: resourceOf(serviceName), processors: [new SimpleLogRecordProcessor({ exporter: memory })] });
  build(provider.getLogger('otlp-receiver-test', '1.0.0'));
  await provider.forceFlush();
  return memory.getFinishedLogRecords();
}

/** The span with its ids replaced, e.g. by ones the OTLP spec calls invalid. */
export function withIds(span: ReadableSpan, ids: { traceId?: string; spanId?: string }): ReadableSpan {
  const spanContext = { ...span.spanContext(), ...ids };
  return Object.create(span, { spanContext: { value: () => spanContext } }) as ReadableSpan;
}

// ---- raw HTTP ----

export const PROTOBUF = 'application/x-protobuf';
export const JSON_TYPE = 'application/json';

export interface RawRequest {
  method?: string;
  path?: string;
  /** Lowercase names; `host` replaces the loopback Host this sends by default. */
  headers?: OutgoingHttpHeaders;
  body?: Buffer | string;
}

export interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** One request over a fresh connection, with exactly the Host and Origin headers asked for. */
export function rawRequest(port: number, req: RawRequest): Promise<RawResponse> {
  const headers = { host: `127.0.0.1:${port}`, ...req.headers };
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest({ host: '127.0.0.1', port, method: req.method ?? 'POST', path: req.path ?? '/v1/traces', headers, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
        res.on('error', reject);
      });
    outgoing.on('error', reject);
    outgoing.end(req.body);
  });
}

/** POSTs an OTLP body to /v1/traces (or another path) with the given Content-Type. */
export function postOtlp(port: number, contentType: string, body: Buffer | string, more: RawRequest = {}): Promise<RawResponse> {
  return rawRequest(port, { ...more, body, headers: { 'content-type': contentType, ...more.headers } });
}

/** `message` (field 2) of a protobuf google.rpc.Status. */
export function rpcStatusMessage(body: Buffer): string | undefined {
  const reader = Reader.create(body);
  let message: string | undefined;
  while (reader.pos < reader.len) {
    const tag = reader.uint32();
    if (tag === ((2 << 3) | 2)) message = reader.string();
    else reader.skipType(tag & 7);
  }
  return message;
}

/**
 * A gzip body that inflates to `members` × 16 MiB of zeros: a multi-member gzip stream (RFC 1952 §2.2)
 * of one small member repeated, so building it never holds the inflated size in memory.
 */
export function gzipBomb(members: number): Buffer {
  const member = gzipSync(Buffer.alloc(16 * 1024 * 1024), { level: 9 });
  return Buffer.concat(Array.from({ length: members }, () => member));
}

export function sharedFixture(path: string): Buffer {
  return readFileSync(join(FIXTURES, path));
}

// ---- assertions ----

/** Asserts the named fields of `actual` equal `expected`; fields not named are not compared. */
export function assertFields<T extends object>(actual: T | undefined, expected: Partial<T>, what: string): void {
  assert.ok(actual, `${what}: missing`);
  const picked = Object.fromEntries(Object.keys(expected).map((key) => [key, actual[key as keyof T]]));
  assert.deepEqual(picked, expected, what);
}

/** The media type of a response, without parameters. */
export const mediaType = (res: RawResponse) => res.headers['content-type']?.split(';')[0].trim();

/** A 200 with an ExportServiceResponse that has no partial_success, in the request's encoding. */
export function assertFullSuccess(res: RawResponse, requestContentType: string): void {
  assert.equal(res.status, 200, `answered ${res.status}: ${res.body.toString()}`);
  const type = requestContentType.split(';')[0];
  assert.equal(mediaType(res), type, 'the response carries the request content type');
  if (type === PROTOBUF) assert.equal(res.body.length, 0, 'an empty protobuf response is zero bytes');
  else assert.deepEqual(JSON.parse(res.body.toString()), {});
}

export function assertNoCorsHeaders(res: RawResponse): void {
  assert.deepEqual(Object.keys(res.headers).filter((name) => name.startsWith('access-control-')), []);
}
