// OTLP/HTTP ingest and the query API on one port. Every request passes the same guard first:
// a loopback Host (no DNS rebinding) and no foreign browser Origin (no web page may read
// prompts or inject traces). No CORS headers are ever sent. Past capacity, OTLP requests are
// answered 429 with Retry-After before their body is read (otlp/admission.ts); a body that stops
// arriving is answered 408.
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { QUERY_API_PREFIX } from '../../shared/queryApi';
import { ApiEngine, handleApi } from './api';
import { AcrossTraces } from '../index/acrossTraces';
import type { TraceIndex } from '../index/traceIndex';
import { Admission, AdmissionTicket, DEFAULT_ADMISSION, RETRY_AFTER_SECONDS } from '../otlp/admission';
import { DecodeError } from '../otlp/protoReader';
import type { Encoding, Signal } from '../otlp/decoders';
import type { Ingest } from '../otlp/ingest';
import { BadEncodingError, BodyOverBudgetError, BodyTimeoutError, BodyTooLargeError, readBody } from '../otlp/readBody';
import { CONTENT_TYPES, exportResponse, statusBody, UNAVAILABLE } from '../otlp/responses';
import { send } from './httpReply';
import type { EngineStats, TraceDetail } from '../../shared/spanModel';

export interface HttpServerOptions {
  ingest: Ingest;
  index: TraceIndex;
  /** What GET /api/stats answers; by default the index's counts. */
  stats?: () => EngineStats;
  maxBodyBytes: number;
  /** Host names accepted besides loopback ones (for a non-loopback bind the user chose). */
  allowedHosts: string[];
  log: (message: string) => void;
  /** Engine-wide counts and the team backends; without it the API answers from the index alone. */
  engine?: ApiEngine;
  /** Shared with the gRPC receiver so both count against one budget; by default the server's own. */
  admission?: Admission;
  /** Adds what the workspace tells of a trace's spans (code/codeLinks.ts) to `GET /api/traces/{id}`. */
  withSources?: (detail: TraceDetail) => TraceDetail;
  /** Sessions, the LLM calls table and context windows (the engine's own, so their caches are shared). */
  across?: AcrossTraces;
}

const SIGNAL_PATHS: Record<string, Signal> = { '/v1/traces': 'traces', '/v1/logs': 'logs' };

export function createHttpServer(serverOptions: HttpServerOptions): Server {
  const options = {
    ...serverOptions,
    admission: serverOptions.admission ?? new Admission(DEFAULT_ADMISSION),
    across: serverOptions.across ?? new AcrossTraces(serverOptions.index),
  };
  const server = createServer((req, res) => {
    handle(req, res, server, options).catch((error: Error) => {
      options.log(`HTTP ${req.method} ${req.url} failed: ${error.stack ?? error.message}`);
      if (!res.headersSent) sendText(res, 500, 'internal error');
      else res.destroy();
    });
  });
  // Slow or stuck clients must not hold sockets forever.
  server.requestTimeout = 60_000;
  server.headersTimeout = 30_000;
  if (!serverOptions.admission) server.on('close', () => options.admission.close());
  return server;
}

type ServerOptions = HttpServerOptions & { admission: Admission; across: AcrossTraces };

async function handle(req: IncomingMessage, res: ServerResponse, server: Server, options: ServerOptions): Promise<void> {
  const refusal = refuseForeign(req, server, options.allowedHosts);
  if (refusal) {
    req.resume();
    sendText(res, 403, refusal);
    return;
  }
  const url = parseTarget(req.url);
  if (!url) {
    req.resume();
    sendText(res, 400, 'the request target is not a valid path');
    return;
  }
  const signal = SIGNAL_PATHS[url.pathname];
  if (signal) {
    await receive(signal, req, res, options);
    return;
  }
  if (url.pathname.startsWith(QUERY_API_PREFIX)) {
    req.resume();
    await handleApi(req.method ?? 'GET', url, options, res);
    return;
  }
  req.resume();
  sendText(res, 404, `not found: ${url.pathname} (OTLP goes to POST /v1/traces or /v1/logs)`);
}

async function receive(signal: Signal, req: IncomingMessage, res: ServerResponse, options: ServerOptions): Promise<void> {
  if (req.method !== 'POST') {
    req.resume();
    res.setHeader('Allow', 'POST');
    sendText(res, 405, `${req.method} is not allowed on /v1/${signal}; use POST`);
    return;
  }
  const encoding = encodingOf(req.headers['content-type']);
  if (!encoding) {
    req.resume();
    sendText(res, 415, `unsupported Content-Type "${req.headers['content-type'] ?? ''}"; use application/x-protobuf or application/json`);
    return;
  }
  // A chunked body's size is not known until it has arrived: admission counts it as such.
  const declared = req.headers['content-length'] === undefined ? undefined : Number(req.headers['content-length']) || 0;
  const ticket = options.admission.admit(declared);
  if (typeof ticket === 'string') {
    req.resume();
    return sendBusy(res, encoding, ticket);
  }
  try {
    await receiveAdmitted(signal, encoding, req, res, options, ticket);
  } finally {
    ticket.release();
  }
}

async function receiveAdmitted(signal: Signal, encoding: Encoding, req: IncomingMessage, res: ServerResponse,
  options: ServerOptions, ticket: AdmissionTicket): Promise<void> {
  let body: Buffer;
  try {
    body = await readBody(req, options.maxBodyBytes, ticket, options.admission.bodyIdleMs);
  } catch (error) {
    if (error instanceof BodyTimeoutError) {
      // The rest of the body may never come: answer, then close the connection.
      res.setHeader('Connection', 'close');
      res.on('finish', () => req.socket.destroy());
      return sendStatus(res, 408, encoding, error.message);
    }
    if (error instanceof BodyTooLargeError) return sendStatus(res, 413, encoding, error.message);
    if (error instanceof BadEncodingError) return sendStatus(res, 400, encoding, error.message);
    if (error instanceof BodyOverBudgetError) return sendBusy(res, encoding, error.message);
    throw error;
  }
  if (!ticket.bodyReceived()) return sendBusy(res, encoding, `${options.admission.limits.maxRequests} requests are already waiting to be decoded; retry in ${RETRY_AFTER_SECONDS} s`);
  let result;
  try {
    result = await options.ingest.receiveInTurn(signal, encoding, body);
  } catch (error) {
    if (error instanceof DecodeError) return sendStatus(res, 400, encoding, `could not decode the ${encoding} request: ${error.message}`);
    throw error;
  }
  if (result.message) options.log(`partial success on /v1/${signal}: ${result.message}`);
  send(res, 200, CONTENT_TYPES[encoding], exportResponse(signal, encoding, result));
}

/** 429 with Retry-After: the OTel exporters wait and send the same request again. */
function sendBusy(res: ServerResponse, encoding: Encoding, message: string): void {
  res.setHeader('Retry-After', String(RETRY_AFTER_SECONDS));
  send(res, 429, CONTENT_TYPES[encoding], statusBody(encoding, message, UNAVAILABLE));
}

function encodingOf(contentType: string | undefined): Encoding | undefined {
  const media = (contentType ?? '').split(';')[0].trim().toLowerCase();
  if (media === 'application/x-protobuf' || media === 'application/protobuf') return 'protobuf';
  if (media === 'application/json') return 'json';
  return undefined;
}

/** The request target as a URL, or undefined when it cannot be one. */
function parseTarget(target: string | undefined): URL | undefined {
  try {
    return new URL(target ?? '/', 'http://localhost');
  } catch {
    return undefined;
  }
}

/** A Host header is a name or an address and an optional port, nothing else (`127.0.0.1:80@evil.com` is not one). */
const HOST_HEADER = /^(?:\[[0-9a-f:.]+\]|[a-z0-9.-]+)(?::\d{1,5})?$/i;

/** Returns why a request is refused, or undefined when it may proceed. */
export function refuseForeign(req: IncomingMessage, server: Server, allowedHosts: string[]): string | undefined {
  const header = (req.headers.host ?? '').trim();
  const host = hostName(header);
  if (!HOST_HEADER.test(header) || (!isLoopbackName(host) && !allowedHosts.includes(host))) {
    return `Host "${req.headers.host ?? ''}" is not a loopback name; refused to prevent DNS rebinding`;
  }
  const origin = req.headers.origin;
  if (origin !== undefined) {
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    let ours = false;
    try {
      const parsed = new URL(origin);
      ours = parsed.protocol === 'http:' && Number(parsed.port || 80) === port
        && (isLoopbackName(hostName(parsed.host)) || allowedHosts.includes(hostName(parsed.host)));
    } catch {
      ours = false;
    }
    if (!ours) return `cross-origin request from "${origin}" refused`;
  }
  if (req.headers['sec-fetch-site'] === 'cross-site') return 'cross-site browser request refused';
  return undefined;
}

/** The host part of a Host header or URL host, lowercased, without port or IPv6 brackets. */
function hostName(host: string): string {
  const trimmed = host.trim().toLowerCase();
  if (trimmed.startsWith('[')) return trimmed.slice(1, trimmed.indexOf(']'));
  const colon = trimmed.lastIndexOf(':');
  return colon >= 0 && trimmed.indexOf(':') === colon ? trimmed.slice(0, colon) : trimmed;
}

export function isLoopbackName(host: string): boolean {
  return host === 'localhost' || host.endsWith('.localhost') || host === '::1' || /^127(\.\d{1,3}){3}$/.test(host);
}

function sendStatus(res: ServerResponse, code: number, encoding: Encoding, message: string): void {
  send(res, code, CONTENT_TYPES[encoding], statusBody(encoding, message));
}

function sendText(res: ServerResponse, code: number, message: string): void {
  send(res, code, 'text/plain; charset=utf-8', Buffer.from(message + '\n'));
}
