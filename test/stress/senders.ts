// Clients that behave as the OTel exporters do under throttling: a 429/503 (HTTP) or
// UNAVAILABLE/RESOURCE_EXHAUSTED (gRPC) is waited out for the time the engine asks, then the
// same request is sent again; only an answer of success counts as acknowledged.
import * as grpc from '@grpc/grpc-js';
import { Agent } from 'node:http';
import { Reader } from 'protobufjs';
import { CONTENT_TYPE, Encoding } from './workload';
import { RequestTimeout, send, sleep } from './http';

export interface SendTally {
  /** Requests answered with success, and their latency (last attempt, send to answer). */
  acked: number;
  latenciesMs: number[];
  /** Answers that said "retry later", and whether each carried the delay to wait. */
  throttled: number;
  throttledWithoutDelay: number;
  /** Anything else: other statuses, timeouts, connection errors (each retried). */
  failures: Map<string, number>;
}

export function newTally(): SendTally {
  return { acked: 0, latenciesMs: [], throttled: 0, throttledWithoutDelay: 0, failures: new Map() };
}

const MAX_ATTEMPTS = 30;

function countFailure(tally: SendTally, what: string): void {
  tally.failures.set(what, (tally.failures.get(what) ?? 0) + 1);
}

/** POSTs until the engine answers 200; resolves false if it never does within the attempts. */
export async function postUntilAccepted(port: number, encoding: Encoding, body: Buffer, agent: Agent, tally: SendTally,
  timeoutMs = 30_000): Promise<boolean> {
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    try {
      const reply = await send(port, '/v1/traces', { body, agent, timeoutMs, headers: { 'content-type': CONTENT_TYPE[encoding] } });
      if (reply.status === 200) {
        tally.acked++;
        tally.latenciesMs.push(reply.ms);
        return true;
      }
      if (reply.status === 429 || reply.status === 503) {
        tally.throttled++;
        const seconds = Number(reply.headers['retry-after']);
        if (!(seconds >= 0)) tally.throttledWithoutDelay++;
        await sleep((seconds >= 0 ? seconds : 1) * 1000 * (1 + Math.random() * 0.2));
        continue;
      }
      countFailure(tally, `HTTP ${reply.status}`);
    } catch (error) {
      countFailure(tally, error instanceof RequestTimeout ? 'timeout' : (error as NodeJS.ErrnoException).code ?? 'error');
    }
    await sleep(500);
  }
  return false;
}

const TRACE_EXPORT = '/opentelemetry.proto.collector.trace.v1.TraceService/Export';
const identity = (b: Buffer) => b;

/** A gRPC channel that sends raw ExportTraceServiceRequest bytes, as the OTel gRPC exporters do. */
export class GrpcTraceClient {
  private readonly client: grpc.Client;

  constructor(port: number) {
    this.client = new grpc.Client(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
  }

  export(body: Buffer, timeoutMs = 30_000): Promise<{ code: number; retryDelayMs?: number; ms: number }> {
    const begin = process.hrtime.bigint();
    return new Promise((resolve) => {
      this.client.makeUnaryRequest(TRACE_EXPORT, identity, identity, body, new grpc.Metadata(), { deadline: Date.now() + timeoutMs },
        (error) => resolve({
          code: error?.code ?? grpc.status.OK,
          retryDelayMs: error ? retryDelayMs(error.metadata) : undefined,
          ms: Number(process.hrtime.bigint() - begin) / 1e6,
        }));
    });
  }

  async exportUntilAccepted(body: Buffer, tally: SendTally): Promise<boolean> {
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const { code, retryDelayMs: delay, ms } = await this.export(body);
      if (code === grpc.status.OK) {
        tally.acked++;
        tally.latenciesMs.push(ms);
        return true;
      }
      if (code === grpc.status.UNAVAILABLE || code === grpc.status.RESOURCE_EXHAUSTED) {
        tally.throttled++;
        if (delay === undefined) tally.throttledWithoutDelay++;
        await sleep((delay ?? 1000) * (1 + Math.random() * 0.2));
        continue;
      }
      countFailure(tally, `gRPC ${grpc.status[code] ?? code}`);
      await sleep(500);
    }
    return false;
  }

  close(): void {
    this.client.close();
  }
}

/**
 * The retry delay in a google.rpc.Status's RetryInfo detail (trailer grpc-status-details-bin):
 * Status.details[0].value → RetryInfo.retry_delay → Duration.seconds.
 */
export function retryDelayMs(metadata: grpc.Metadata | undefined): number | undefined {
  const details = metadata?.get('grpc-status-details-bin')[0];
  if (!Buffer.isBuffer(details)) return undefined;
  const any = lengthField(details, 3);
  const retryInfo = any && lengthField(any, 2);
  const duration = retryInfo && lengthField(retryInfo, 1);
  if (!duration) return undefined;
  const reader = Reader.create(duration);
  let seconds = 0;
  while (reader.pos < reader.len) {
    const tag = reader.uint32();
    if (tag === 0x08) seconds = Number(reader.int64());
    else reader.skipType(tag & 7);
  }
  return seconds * 1000;
}

/** The bytes of the first length-delimited field `number` of a message. */
function lengthField(buf: Uint8Array, number: number): Uint8Array | undefined {
  const reader = Reader.create(buf);
  while (reader.pos < reader.len) {
    const tag = reader.uint32();
    if (tag === ((number << 3) | 2)) return reader.bytes();
    reader.skipType(tag & 7);
  }
  return undefined;
}
