// One path from request bytes to the index, shared by OTLP/HTTP, OTLP/gRPC and (later) files.
import type { TraceIndex } from '../index/traceIndex';
import { type Encoding, OtlpDecoders, OVERSIZED_REASON, oversized, type Signal } from './decoders';
import { encodeLogsProto, encodeTracesProto } from './encodeProto';
import { OFF_THREAD_BYTES, OffThreadDecoder, type Transcoded } from './offThreadDecode';
import type { DecodedBatch, RawLog, RawSpan } from '../model/rawSpan';
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
  /** append(), yielding to the event loop while a large body is written; one at a time. */
  appendInPieces(signal: Signal, encoding: Encoding, body: Buffer): Promise<void>;
}

/** The index takes a request in slices of at most this long, yielding between them, so queries are answered meanwhile. */
const SLICE_MS = 20;
/** Spans (or log records) in a request's first slice, and at most in any. */
const SLICE_ITEMS = 64;
const MAX_SLICE_ITEMS = 1024;
/** One worker thread for the engine process, started at the first large request. */
const offThread = new OffThreadDecoder();
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
    const result = this.count(signal, decoded);
    if (options.persist) void this.persist(signal, encoding, body, decoded, { inPieces: false, bytes: body.length });
    return result;
  }

  /**
   * receive(), one request at a time and in slices of at most SLICE_MS: between two slices (and
   * two requests) the engine answers queries (the editor's) and reads sockets, so a large request
   * never blocks it for long. The receivers' admission control bounds how many wait.
   */
  receiveInTurn(signal: Signal, encoding: Encoding, body: Buffer): Promise<IngestResult> {
    // A large body goes to the worker at once, so it is decoded while earlier requests are indexed.
    // With redaction on, what is stored and forwarded is the worker's masked copy: the body can move.
    const redaction = this.index.redactor?.patterns;
    const bytes = body.length;
    const large = bytes >= OFF_THREAD_BYTES;
    const transcoded = large && (encoding === 'json' || redaction) ? offThread.transcode(signal, encoding, body, { redaction, keepBody: !redaction }) : undefined;
    transcoded?.catch(() => undefined); // awaited in its turn; failing before it is no unhandled rejection
    const turn = this.lastTurn.then(async () => {
      await nextTurn();
      const decoded = large ? await this.decodeInSlices(signal, body, await transcoded) : this.decode(signal, encoding, body);
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
      const result = this.count(signal, decoded);
      await this.persist(signal, encoding, body, decoded, { inPieces: true, bytes });
      return result;
    });
    this.lastTurn = turn.catch(() => undefined);
    return turn;
  }

  /**
   * A large protobuf body (the request's own, or the worker's transcoding of it) decoded in slices
   * of SLICE_MS, yielding between them. Decoded whole before anything is indexed: a body that
   * turns out invalid halfway is refused (400) with nothing of it kept.
   */
  private async decodeInSlices(signal: Signal, body: Buffer, transcoded: Transcoded | undefined): Promise<Decoded> {
    const steps = this.decoders.protobufInSteps(signal, transcoded?.body ?? body);
    let step = steps.next();
    while (!step.done) {
      const until = performance.now() + SLICE_MS;
      while (!step.done && performance.now() < until) step = steps.next();
      if (!step.done) await nextTurn();
    }
    const batch = step.value;
    if (!transcoded) return { batch, items: batch.items };
    batch.rejected += transcoded.rejected;
    for (const reason of transcoded.rejectReasons) batch.rejectReasons.add(reason);
    // With redaction on, the worker masked it: it is not masked again, and it is what the store keeps.
    return { batch, items: batch.items, encoded: transcoded.body, masked: transcoded.masked };
  }

  private decode(signal: Signal, encoding: Encoding, body: Buffer): Decoded {
    const batch = this.decoders.decode(signal, encoding, body);
    return { batch, items: batch.items };
  }

  private add(signal: Signal, decoded: Decoded, from: number, to: number): void {
    const { items, batch } = decoded;
    const slice = from === 0 && to === items.length ? items : items.slice(from, to);
    const { masked } = decoded;
    if (signal === 'logs') {
      decoded.logsNotKept = (decoded.logsNotKept ?? 0) + this.index.addLogs(slice as RawLog[], { masked });
      return;
    }
    // A span over the attribute limit, or one the index refused, is refused alone, like one with unusable ids.
    const fit = (slice as RawSpan[]).filter((span) => !oversized(span));
    if (fit.length < slice.length) this.refuse(decoded, slice.length - fit.length, OVERSIZED_REASON);
    for (const reason of this.index.addSpans(fit, { masked })) this.refuse(decoded, 1, reason);
  }

  private refuse(decoded: Decoded, spans: number, reason: string): void {
    decoded.batch.rejected += spans;
    decoded.batch.rejectReasons.add(reason);
    decoded.refused = true;
  }

  /** Counts the request and says how it went. */
  private count(signal: Signal, decoded: Decoded): IngestResult {
    const { batch } = decoded;
    if (signal === 'traces') {
      this.index.countRequest(batch.rejected);
      return { rejected: batch.rejected, message: rejectMessage(batch, 'span') };
    }
    this.index.countRequest();
    // Records without span context (and not a coding agent's, which make traces of their own)
    // are accepted but have nowhere to go in a trace viewer: say so.
    const unattached = decoded.logsNotKept ?? 0;
    return { rejected: 0, message: unattached ? `${unattached} log record(s) carried no trace and span id and were not kept` : undefined };
  }

  /**
   * Stores the request (`inPieces`: yielding while a large one is written) and forwards it.
   * `bytes`: the body's size as received (with redaction on, a large body moved to the worker).
   */
  private persist(signal: Signal, encoding: Encoding, body: Buffer, decoded: Decoded, { inPieces, bytes }: { inPieces: boolean; bytes: number }): Promise<void> | void {
    const { batch } = decoded;
    // With redaction on, the store gets what the index holds (masked), never the raw body: the
    // body also holds what the index never shows (rejected spans, scope attributes, unknown
    // fields), where a secret would reach the disk unmasked. The same goes for forwarding.
    let masked = decoded.refused ? undefined : decoded.encoded;
    const maskedBody = () => {
      const spans = decoded.refused ? (batch.items as RawSpan[]).filter((span) => (span as Partial<StoredSpan>).facts !== undefined) : batch.items as RawSpan[];
      return (masked ??= signal === 'traces' ? encodeTracesProto(spans) : encodeLogsProto(batch.items as RawLog[]));
    };
    let written: Promise<void> | void = undefined;
    if (this.requestLog) {
      const [storedEncoding, stored]: [Encoding, Buffer] = this.index.redactor ? ['protobuf', maskedBody()] : [encoding, body];
      written = inPieces ? this.requestLog.appendInPieces(signal, storedEncoding, stored) : this.requestLog.append(signal, storedEncoding, stored);
    }
    if (this.forwarder?.active) {
      // Upstreams take protobuf, masked as the index holds it; encoding waits until it is sent.
      const reencode = this.index.redactor || encoding === 'json';
      this.forwarder.forward(signal, reencode ? masked ?? maskedBody : body, bytes);
    }
    return written;
  }
}

interface Decoded {
  batch: DecodedBatch<RawSpan | RawLog>;
  items: (RawSpan | RawLog)[];
  /** Some span was refused by the index: the store keeps only those it holds. */
  refused?: boolean;
  /** The items as OTLP protobuf, from the worker (offThreadDecode.ts): masked when redaction is on. */
  encoded?: Buffer;
  /** Masked already (by the worker): the index must not mask them again. */
  masked?: boolean;
  /** Log records the index could not place (no span context, no prompt of a coding agent). */
  logsNotKept?: number;
}

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

function rejectMessage(batch: DecodedBatch<unknown>, noun: string): string | undefined {
  if (batch.rejected === 0) return undefined;
  return `${batch.rejected} ${noun}(s) rejected: ${[...batch.rejectReasons].join('; ')}`;
}
