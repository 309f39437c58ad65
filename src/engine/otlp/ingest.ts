// One path from request bytes to the index, shared by OTLP/HTTP, OTLP/gRPC and (later) files.
import type { TraceIndex } from '../index/traceIndex';
import { type Encoding, OtlpDecoders, type Signal } from './decoders';
import { encodeLogsProto, encodeTracesProto } from './encodeProto';
import type { DecodedBatch } from '../model/rawSpan';

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
  private readonly decoders: OtlpDecoders;
  /** Requests waiting for their turn (receiveInTurn), the running one first. */
  private readonly turns: (() => void)[] = [];

  constructor(private readonly index: TraceIndex, private readonly requestLog?: RequestLog) {
    this.decoders = new OtlpDecoders(index.strings);
  }

  /**
   * Decodes, indexes and (unless replaying) stores a request; throws DecodeError (→ 400) when
   * the body is not a valid request, and then nothing is stored.
   */
  receive(signal: Signal, encoding: Encoding, body: Buffer, options: { persist: boolean } = { persist: true }): IngestResult {
    const { result, stored } = signal === 'traces' ? this.traces(encoding, body) : this.logs(encoding, body);
    if (!options.persist || !this.requestLog) return result;
    // With redaction on, the store gets what the index holds (masked), never the raw body: the
    // body also holds what the index never shows (rejected spans, scope attributes, unknown
    // fields), where a secret would reach the disk unmasked.
    if (this.index.redactor) this.requestLog.append(signal, 'protobuf', stored());
    else this.requestLog.append(signal, encoding, body);
    return result;
  }

  /**
   * receive(), one request per event-loop turn: between two requests the engine answers
   * queries (the editor's) and reads sockets, instead of working off a backlog in one go.
   * The receivers' admission control bounds how many wait.
   */
  receiveInTurn(signal: Signal, encoding: Encoding, body: Buffer): Promise<IngestResult> {
    return new Promise((resolve, reject) => {
      this.turns.push(() => {
        try {
          resolve(this.receive(signal, encoding, body));
        } catch (error) {
          reject(error);
        }
      });
      if (this.turns.length === 1) setImmediate(this.nextTurn);
    });
  }

  private readonly nextTurn = (): void => {
    this.turns[0]();
    this.turns.shift();
    if (this.turns.length) setImmediate(this.nextTurn);
  };

  /** The result, and the request as the index now holds it (OTLP protobuf), for a redacting store. */
  private traces(encoding: Encoding, body: Buffer): { result: IngestResult; stored: () => Buffer } {
    const batch = this.decoders.decode('traces', encoding, body);
    this.index.addSpans(batch.items);
    this.index.countRequest(batch.rejected);
    return { result: { rejected: batch.rejected, message: rejectMessage(batch, 'span') }, stored: () => encodeTracesProto(batch.items) };
  }

  private logs(encoding: Encoding, body: Buffer): { result: IngestResult; stored: () => Buffer } {
    const batch = this.decoders.decode('logs', encoding, body);
    const unattached = this.index.addLogs(batch.items);
    this.index.countRequest();
    // Records without span context are accepted but have nowhere to go in a trace viewer: say so.
    const message = unattached ? `${unattached} log record(s) carried no trace and span id and were not kept` : undefined;
    return { result: { rejected: 0, message }, stored: () => encodeLogsProto(batch.items) };
  }
}

function rejectMessage(batch: DecodedBatch<unknown>, noun: string): string | undefined {
  if (batch.rejected === 0) return undefined;
  return `${batch.rejected} ${noun}(s) rejected: ${[...batch.rejectReasons].join('; ')}`;
}
