// One path from request bytes to the index, shared by OTLP/HTTP, OTLP/gRPC and (later) files.
import type { TraceIndex } from '../index/traceIndex';
import { JsonDecoder } from './decodeJson';
import { ProtoDecoder } from './decodeProto';
import type { DecodedBatch } from './otlpTypes';

export type Encoding = 'protobuf' | 'json';
export type Signal = 'traces' | 'logs';

export interface IngestResult {
  /** Items refused (spans with unusable ids); the rest were stored. */
  rejected: number;
  /** For a partial success: why, in a sentence a developer can act on. */
  message?: string;
}

/** Where acknowledged requests are kept (store/traceStore.ts). */
export interface RequestLog {
  append(signal: Signal, encoding: Encoding, body: Buffer): void;
}

export class Ingest {
  private readonly proto: ProtoDecoder;
  private readonly json: JsonDecoder;

  constructor(private readonly index: TraceIndex, private readonly requestLog?: RequestLog) {
    this.proto = new ProtoDecoder(index.strings);
    this.json = new JsonDecoder(index.strings);
  }

  /**
   * Decodes, indexes and (unless replaying) stores a request; throws DecodeError (→ 400) when
   * the body is not a valid request, and then nothing is stored.
   */
  receive(signal: Signal, encoding: Encoding, body: Buffer, options: { persist: boolean } = { persist: true }): IngestResult {
    const result = signal === 'traces' ? this.traces(encoding, body) : this.logs(encoding, body);
    if (options.persist) this.requestLog?.append(signal, encoding, body);
    return result;
  }

  private traces(encoding: Encoding, body: Buffer): IngestResult {
    const batch = encoding === 'protobuf' ? this.proto.traces(body) : this.json.tracesText(body.toString('utf8'));
    this.index.addSpans(batch.items);
    this.index.countRequest(batch.rejected);
    return { rejected: batch.rejected, message: rejectMessage(batch, 'span') };
  }

  private logs(encoding: Encoding, body: Buffer): IngestResult {
    const batch = encoding === 'protobuf' ? this.proto.logs(body) : this.json.logsText(body.toString('utf8'));
    const unattached = this.index.addLogs(batch.items);
    this.index.countRequest();
    // Records without span context are accepted but have nowhere to go in a trace viewer: say so.
    return {
      rejected: 0,
      message: unattached ? `${unattached} log record(s) carried no trace and span id and were not kept` : undefined,
    };
  }
}

function rejectMessage(batch: DecodedBatch<unknown>, noun: string): string | undefined {
  if (batch.rejected === 0) return undefined;
  return `${batch.rejected} ${noun}(s) rejected: ${[...batch.rejectReasons].join('; ')}`;
}
