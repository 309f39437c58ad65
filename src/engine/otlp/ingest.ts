// One path from request bytes to the index, shared by OTLP/HTTP, OTLP/gRPC and (later) files.
import type { TraceIndex } from '../index/traceIndex';
import { type Encoding, OtlpDecoders, type Signal } from './decoders';
import { encodeLogsProto, encodeTracesProto } from './encodeProto';
import { type DecodedBatch, MAX_SPAN_ATTRIBUTES, type RawLog, type RawSpan } from '../model/rawSpan';
import type { StoredSpan } from '../model/storedSpan';

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

/** The index takes a request in slices of at most this long, yielding between them, so queries are answered meanwhile. */
const SLICE_MS = 20;
/** Spans (or log records) in a request's first slice, and at most in any. */
const SLICE_ITEMS = 64;
const MAX_SLICE_ITEMS = 1024;
/** Where accepted requests are also sent (forward/forwarder.ts): OTLP protobuf, as the index holds them. */
export interface RequestForward {
  /** False while no target is set: then nothing is encoded for it. */
  readonly active: boolean;
  /**
   * `body` is the request, or a function that encodes it, called only when it is sent (a request
   * dropped from a full queue is never encoded); `bytes` is its size on the wire as received.
   */
  forward(signal: Signal, body: Buffer | (() => Buffer), bytes: number): void;
}

export class Ingest {
  private readonly decoders: OtlpDecoders;
  /** The request being received in turn, or settled: the next waits for it (receiveInTurn). */
  private lastTurn: Promise<unknown> = Promise.resolve();

  constructor(private readonly index: TraceIndex, private readonly requestLog?: RequestLog, private readonly forwarder?: RequestForward) {
    this.decoders = new OtlpDecoders(index.strings);
  }

  /**
   * Decodes, indexes and (unless replaying) stores a request; throws DecodeError (→ 400) when
   * the body is not a valid request, and then nothing is stored.
   */
  receive(signal: Signal, encoding: Encoding, body: Buffer, options: { persist: boolean } = { persist: true }): IngestResult {
    const decoded = this.decode(signal, encoding, body);
    this.add(signal, decoded, 0, decoded.items.length);
    return this.finish(signal, encoding, body, decoded, options.persist);
  }

  /**
   * receive(), one request at a time and in slices of at most SLICE_MS: between two slices (and
   * two requests) the engine answers queries (the editor's) and reads sockets, so a large request
   * never blocks it for long. The receivers' admission control bounds how many wait.
   */
  receiveInTurn(signal: Signal, encoding: Encoding, body: Buffer): Promise<IngestResult> {
    const turn = this.lastTurn.then(async () => {
      await nextTurn();
      const decoded = this.decode(signal, encoding, body);
      // Slices sized to take about a quarter of SLICE_MS: a few large spans (1 MB prompts) a slice,
      // or hundreds of small ones, so each costs one index call and one look at the clock.
      let size = SLICE_ITEMS;
      for (let from = 0; from < decoded.items.length;) {
        const until = performance.now() + SLICE_MS;
        while (from < decoded.items.length) {
          const begin = performance.now();
          const to = Math.min(decoded.items.length, from + size);
          this.add(signal, decoded, from, to);
          from = to;
          const took = performance.now() - begin;
          size = Math.max(1, Math.min(MAX_SLICE_ITEMS, Math.floor(size * (SLICE_MS / 4) / Math.max(took, 0.01))));
          if (performance.now() >= until) break;
        }
        if (from < decoded.items.length) await nextTurn();
      }
      return this.finish(signal, encoding, body, decoded, true);
    });
    this.lastTurn = turn.catch(() => undefined);
    return turn;
  }

  private decode(signal: Signal, encoding: Encoding, body: Buffer): Decoded {
    if (signal === 'traces') {
      const batch = this.decoders.decode('traces', encoding, body);
      refuseOversized(batch);
      return { batch, items: batch.items };
    }
    const batch = this.decoders.decode('logs', encoding, body);
    return { batch, items: batch.items };
  }

  private add(signal: Signal, decoded: Decoded, from: number, to: number): void {
    const { items, batch } = decoded;
    const slice = from === 0 && to === items.length ? items : items.slice(from, to);
    if (signal === 'logs') {
      decoded.logsNotKept = (decoded.logsNotKept ?? 0) + this.index.addLogs(slice as RawLog[]);
      return;
    }
    // A span the index refused is refused alone, like one with unusable ids.
    for (const reason of this.index.addSpans(slice as RawSpan[])) {
      batch.rejected++;
      batch.rejectReasons.add(reason);
      decoded.refused = true;
    }
  }

  /** Counts the request, stores it and says how it went. */
  private finish(signal: Signal, encoding: Encoding, body: Buffer, decoded: Decoded, persist: boolean): IngestResult {
    const { batch } = decoded;
    let result: IngestResult;
    if (signal === 'traces') {
      this.index.countRequest(batch.rejected);
      result = { rejected: batch.rejected, message: rejectMessage(batch, 'span') };
    } else {
      this.index.countRequest();
      // Records without span context (and not a coding agent's, which make traces of their own)
      // are accepted but have nowhere to go in a trace viewer: say so.
      const unattached = decoded.logsNotKept ?? 0;
      result = { rejected: 0, message: unattached ? `${unattached} log record(s) carried no trace and span id and were not kept` : undefined };
    }
    if (!persist) return result;
    // With redaction on, the store gets what the index holds (masked), never the raw body: the
    // body also holds what the index never shows (rejected spans, scope attributes, unknown
    // fields), where a secret would reach the disk unmasked. The same goes for forwarding.
    let masked: Buffer | undefined;
    const maskedBody = () => {
      const spans = decoded.refused ? (batch.items as RawSpan[]).filter((span) => (span as Partial<StoredSpan>).facts !== undefined) : batch.items as RawSpan[];
      return (masked ??= signal === 'traces' ? encodeTracesProto(spans) : encodeLogsProto(batch.items as RawLog[]));
    };
    if (this.requestLog) {
      if (this.index.redactor) this.requestLog.append(signal, 'protobuf', maskedBody());
      else this.requestLog.append(signal, encoding, body);
    }
    if (this.forwarder?.active) {
      // Upstreams take protobuf, masked as the index holds it; encoding waits until it is sent.
      const reencode = this.index.redactor || encoding === 'json';
      this.forwarder.forward(signal, reencode ? masked ?? maskedBody : body, body.length);
    }
    return result;
  }
}

interface Decoded {
  batch: DecodedBatch<RawSpan> | DecodedBatch<RawLog>;
  items: (RawSpan | RawLog)[];
  /** Some span was refused by the index: the store keeps only those it holds. */
  refused?: boolean;
  /** Log records the index could not place (no span context, no prompt of a coding agent). */
  logsNotKept?: number;
}

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

/** Takes spans over MAX_SPAN_ATTRIBUTES out of the batch, as refused, counting without walking more than the limit. */
function refuseOversized(batch: DecodedBatch<RawSpan>): void {
  const over = (span: RawSpan) => {
    let count = 0;
    for (const _ in span.attributes) if (++count > MAX_SPAN_ATTRIBUTES) return true;
    for (const event of span.events) {
      for (const _ in event.attributes) if (++count > MAX_SPAN_ATTRIBUTES) return true;
    }
    for (const link of span.links ?? []) {
      for (const _ in link.attributes) if (++count > MAX_SPAN_ATTRIBUTES) return true;
    }
    return false;
  };
  if (!batch.items.some(over)) return;
  const kept = batch.items.filter((span) => !over(span));
  batch.rejected += batch.items.length - kept.length;
  batch.rejectReasons.add(`a span carries more than ${MAX_SPAN_ATTRIBUTES} attributes`);
  batch.items = kept;
}

function rejectMessage(batch: DecodedBatch<unknown>, noun: string): string | undefined {
  if (batch.rejected === 0) return undefined;
  return `${batch.rejected} ${noun}(s) rejected: ${[...batch.rejectReasons].join('; ')}`;
}
