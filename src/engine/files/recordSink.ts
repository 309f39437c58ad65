// Where a trace file's records go: each JSON text or protobuf record is decoded, converted and
// indexed, its problems kept with their line, and the file's shape decided by its first record.
// A file whose first JSON record is not a trace record is left alone: no spans, no problems.
import type { FileProblem } from '../../shared/engineProtocol';
import type { TraceIndex } from '../index/traceIndex';
import { OtlpDecoders, refuseOversized, type Signal } from '../otlp/decoders';
import { OFF_THREAD_BYTES, offThread } from '../otlp/offThreadDecode';
import { itemsInSlices, stepsInSlices } from '../otlp/slices';
import type { DecodedBatch, RawLog, RawSpan } from '../model/rawSpan';
import { convertOffThread } from './offThreadRecords';
import { type ConvertedText, convertJsonText, MAX_PROBLEMS } from './recordConversion';
import type { RecordContext } from './shapes/shapeContext';

/** Bad records tolerated before the first good one, before the file is judged not traces. */
const MAX_BAD_BEFORE_SHAPE = 5;
const NOT_A_RECORD = 'not a trace record (expected an OTLP document, a span, or a DSPy log entry)';
/** Spans gathered before they are handed to the index in one batch. */
const BATCH_SPANS = 2000;

export type Layout = 'lines' | 'document' | 'protobuf';

/** The index and the OTLP decoders, shared by every file (the decoders cache strings by their bytes). */
export class FileDecoders {
  readonly otlp: OtlpDecoders;
  /** The engine is closing: reads stop at the next record, and what a worker converted is dropped. */
  closed = false;

  constructor(readonly index: TraceIndex) {
    this.otlp = new OtlpDecoders(index.strings);
  }
}

export class RecordSink {
  /** The file's shape: undefined while undecided, null when the file is not traces. */
  shape: string | null | undefined;
  spans = 0;
  /** The file's distinct traces: counted exactly up to a point, then estimated (a file of millions must not hold every id). */
  readonly traceIds = new DistinctCount();
  readonly problems: FileProblem[] = [];
  private moreProblems = 0;
  private readonly held: FileProblem[] = [];
  /** Why the rest of the file was not read (skipRest()). */
  private skipped?: FileProblem;
  private pending: RawSpan[] = [];
  /** Records after a large one still waiting for the worker, in the file's order (drain()). */
  private queued: QueuedRecord[] = [];
  /**
   * Bytes at the end given back: a large last line that is not whole yet (a writer mid-line).
   * The reader resumes before them.
   */
  unfinishedBytes = 0;
  private readonly context: RecordContext;
  /** Set by the reader: how the file is laid out, and whether it is one JSON array. */
  layout: Layout = 'lines';
  inArray = false;
  gzip = false;

  constructor(private readonly decoders: FileDecoders, readonly file: string, fileTimeMs: number) {
    this.context = { file, line: 0, fileTimeMs, strings: decoders.index.strings };
  }

  /** Whether reading on is pointless: the file is not traces, or the rest of it is skipped. */
  get rejected(): boolean {
    return this.shape === null || this.skipped !== undefined;
  }

  /**
   * The rest of the file is not read, because of `problem` (a record too large to hold). The user
   * sees why: among the problems of a file of traces, or as the one problem of a file whose shape
   * was not known yet (then nothing of it is read).
   */
  skipRest(problem: Omit<FileProblem, 'file'>): void {
    if (this.rejected) return;
    this.skipped = { file: this.file, ...problem };
    if (this.shape === undefined) this.shape = null;
    else this.problem(problem);
  }

  /** One JSON text (a line, or a value of a pretty-printed document) starting at `line`. */
  jsonText(text: string, line: number): void {
    if (this.queued.length) {
      this.queued.push({ text, line });
      return;
    }
    this.context.line = line;
    const converted = convertJsonText(text, this.context, this.decoders.otlp.json);
    if (!this.takeParts(converted, line)) return;
    this.add(converted.spans, converted.logs);
  }

  /**
   * One large JSON record (OFF_THREAD_BYTES or more), handled by drain(): parsed, converted,
   * checked and masked on the file record worker (offThreadRecords.ts), then decoded and indexed
   * here in slices. Parsing 44 MB of JSON is one call that holds the engine's thread for seconds.
   * `unlessUnfinished`: a record that is not valid JSON is a line still being written, given back.
   * The bytes move to the worker: the caller must not use them afterwards.
   */
  largeJson(bytes: Buffer, line: number, options: { unlessUnfinished?: boolean } = {}): void {
    this.queued.push({ bytes, line, unlessUnfinished: options.unlessUnfinished });
  }

  /** Handles the records queued behind a large one, in order; the reader awaits it after each chunk. */
  async drain(): Promise<void> {
    // Records before a skipped rest are still the file's (they came before it).
    while (this.queued.length && this.shape !== null && !this.decoders.closed) {
      const record = this.queued[0];
      if ('text' in record) {
        this.queued.shift();
        this.now(() => this.jsonText(record.text, record.line));
        continue;
      }
      if ('protobuf' in record && record.protobuf.length < OFF_THREAD_BYTES) {
        this.queued.shift();
        this.now(() => this.protoRecord(record.protobuf, record.byteOffset));
        continue;
      }
      this.flush(); // what came before it first, in the file's order
      await ('protobuf' in record ? this.largeProtoRecord(record) : this.largeRecord(record));
      this.queued.shift();
    }
    this.queued = [];
  }

  private async largeRecord({ bytes, line, unlessUnfinished }: LargeRecord): Promise<void> {
    const { index } = this.decoders;
    const size = bytes.length; // the bytes move to the worker
    const redaction = index.redactor?.patterns;
    let converted;
    try {
      converted = await convertOffThread(bytes, { file: this.file, line, fileTimeMs: this.context.fileTimeMs, redaction });
    } catch (error) {
      if (!this.decoders.closed) this.problem({ line, reason: (error as Error).message });
      return;
    }
    if (this.decoders.closed) return;
    if (converted.badJson && unlessUnfinished) {
      this.unfinishedBytes = size;
      return;
    }
    if (!this.takeParts(converted, line)) return;
    const spans = (await stepsInSlices(this.decoders.otlp.protobufInSteps('traces', converted.spans))).items;
    const logs = (await stepsInSlices(this.decoders.otlp.protobufInSteps('logs', converted.logs))).items;
    if (this.decoders.closed) return;
    await this.addInSlices(spans, logs, { masked: !!redaction?.length, line });
  }

  /** add() for the many spans of a large record: to the index in slices, as `masked` already. */
  private async addInSlices(spans: RawSpan[], logs: RawLog[], { masked, line }: { masked: boolean; line?: number }): Promise<void> {
    const { index } = this.decoders;
    await itemsInSlices(spans.length, (from, to) => {
      if (this.decoders.closed) return;
      const slice = spans.slice(from, to);
      for (const span of slice) this.traceIds.add(span.traceId);
      this.spans += slice.length;
      for (const reason of new Set(index.addSpans(slice, { masked }))) this.problem({ line, reason });
    });
    await itemsInSlices(logs.length, (from, to) => {
      if (!this.decoders.closed) index.addLogs(logs.slice(from, to), { masked });
    });
  }

  /**
   * What a converted text says about the file, record by record: its shape (the first record
   * decides it), and its problems. False when there is nothing to index (not JSON).
   */
  private takeParts(converted: Omit<ConvertedText, 'spans' | 'logs'>, line: number): boolean {
    if (converted.badJson) {
      this.problem(converted.badJson);
      return false;
    }
    this.inArray ||= converted.inArray && this.shape === undefined;
    for (const part of converted.parts) {
      if ('notRecords' in part) {
        if (this.shape === undefined) this.decide(null);
        for (let i = 0; i < part.notRecords && this.shape !== null; i++) this.problem({ line, reason: NOT_A_RECORD });
      } else if ('problem' in part) {
        this.problem({ line, reason: part.problem });
      } else {
        this.decide(part.label);
      }
    }
    // Past the first MAX_PROBLEMS of a text the file's shape is decided: a count is enough.
    if (this.shape) this.moreProblems += converted.unlistedProblems;
    return true;
  }

  /** A record now, not behind queued ones (drain() hands them over in order). */
  private now(take: () => void): void {
    const queued = this.queued;
    this.queued = [];
    try {
      take();
    } finally {
      this.queued = queued;
    }
  }

  /**
   * One OTLP protobuf request (TracesData or LogsData) at a byte offset of the file. A large one
   * (OFF_THREAD_BYTES or more) waits for drain(), which has it decoded, checked and masked on the
   * decoding worker, then decoded and indexed here in slices, as a large request body is.
   */
  protoRecord(body: Buffer, byteOffset: number): void {
    if (this.queued.length || body.length >= OFF_THREAD_BYTES) {
      this.queued.push({ protobuf: body, byteOffset });
      return;
    }
    // Nothing in the bytes says which signal they hold: traces first, then logs.
    const traces = attempt(() => {
      const batch = this.decoders.otlp.decode('traces', 'protobuf', body);
      refuseOversized(batch);
      return batch;
    });
    const logs = traces.batch?.items.length ? undefined : attempt(() => this.decoders.otlp.decode('logs', 'protobuf', body)).batch?.items;
    const taken = this.takeProto(byteOffset, traces, logs);
    if (taken) this.add(taken.spans, taken.logs);
  }

  private async largeProtoRecord({ protobuf, byteOffset }: { protobuf: Buffer; byteOffset: number }): Promise<void> {
    const { index } = this.decoders;
    const redaction = index.redactor?.patterns;
    const decoded = async <S extends Signal>(signal: S) => {
      const transcoded = await offThread.transcode(signal, 'protobuf', protobuf, { redaction, keepBody: true });
      const batch = await stepsInSlices(this.decoders.otlp.protobufInSteps(signal, transcoded.body));
      batch.rejected += transcoded.rejected;
      for (const reason of transcoded.rejectReasons) batch.rejectReasons.add(reason);
      return batch;
    };
    const settled = <T>(decoding: Promise<T>): Promise<Attempt<T>> => decoding.then((batch) => ({ batch }), (failure: unknown) => ({ failure }));
    const traces = await settled(decoded('traces'));
    if (this.decoders.closed) return;
    const logs = traces.batch?.items.length ? undefined : (await settled(decoded('logs'))).batch?.items;
    if (this.decoders.closed) return;
    const taken = this.takeProto(byteOffset, traces, logs);
    if (taken) await this.addInSlices(taken.spans, taken.logs ?? [], { masked: !!redaction?.length });
  }

  /** What a protobuf record held, decoded as traces and (when they hold no spans) as logs; the spans or log records to add. */
  private takeProto(byteOffset: number, traces: Attempt<DecodedBatch<RawSpan>>, logs: RawLog[] | undefined): { spans: RawSpan[]; logs?: RawLog[] } | undefined {
    if (logs?.length) {
      this.decide('OTLP protobuf');
      return { spans: [], logs };
    }
    if (!traces.batch) {
      this.problem({ reason: `record at byte ${byteOffset} is not OTLP protobuf: ${(traces.failure as Error).message}` });
      return undefined;
    }
    this.decide('OTLP protobuf');
    if (traces.batch.rejected) {
      this.problem({ reason: `record at byte ${byteOffset}: ${traces.batch.rejected} span(s) rejected: ${[...traces.batch.rejectReasons].join('; ')}` });
    }
    return { spans: traces.batch.items };
  }

  problem(problem: Omit<FileProblem, 'file'>): void {
    const full = { file: this.file, ...problem };
    if (this.shape === undefined) {
      // Before the shape is known a bad line may just mean "not a trace file": hold it.
      this.held.push(full);
      if (this.held.length >= MAX_BAD_BEFORE_SHAPE) this.decide(null);
    } else if (this.shape !== null) {
      if (this.problems.length < MAX_PROBLEMS) this.problems.push(full);
      else this.moreProblems++;
    }
  }

  /** The problems as reported: the first ones, and how many more there were; for a file not read, why (if it was skipped). */
  reportedProblems(): FileProblem[] {
    if (this.shape === null) return this.skipped ? [this.skipped] : [];
    if (!this.moreProblems) return this.problems;
    return [...this.problems, { file: this.file, reason: `${this.moreProblems} more problem(s) not listed` }];
  }

  /** Hands gathered spans to the index (call between chunks and at the end). */
  flush(): void {
    if (!this.pending.length) return;
    const spans = this.pending;
    this.pending = [];
    // A span the index could not take is a problem of the file; the others are indexed.
    for (const reason of new Set(this.decoders.index.addSpans(spans))) this.problem({ reason });
  }

  /** The label the user sees: the first record's shape and how the file holds it. */
  label(): string | null {
    if (this.shape === undefined || this.shape === null) return null;
    let label = this.shape;
    if (label === 'OTLP/JSON' && this.layout === 'lines') label = 'OTLP/JSON lines';
    if (this.inArray) label = `JSON array of ${label}`;
    return this.gzip ? `${label}, gzip` : label;
  }

  private decide(shape: string | null): void {
    if (this.shape !== undefined) return;
    this.shape = shape;
    if (shape !== null) for (const held of this.held.splice(0)) this.problem(held);
  }

  private add(spans: RawSpan[], logs?: RawLog[]): void {
    for (const span of spans) {
      this.traceIds.add(span.traceId);
      this.pending.push(span);
    }
    this.spans += spans.length;
    if (this.pending.length >= BATCH_SPANS) this.flush();
    if (logs?.length) {
      this.flush(); // their spans first, so the records attach
      this.decoders.index.addLogs(logs); // it attaches a record read before (the file read again) once
    }
  }
}

interface LargeRecord {
  bytes: Buffer;
  line: number;
  unlessUnfinished?: boolean;
}

type QueuedRecord = LargeRecord | { text: string; line: number } | { protobuf: Buffer; byteOffset: number };

/** A decoding that either gave a batch or failed. */
interface Attempt<T> {
  batch?: T;
  failure?: unknown;
}

function attempt<T>(decode: () => T): Attempt<T> {
  try {
    return { batch: decode() };
  } catch (failure) {
    return { failure };
  }
}

/**
 * Counts distinct strings: exactly (a Set) up to EXACT_UP_TO, then by linear counting over a
 * 1 MiB bitmap, within about 1% up to millions, in constant memory.
 */
export class DistinctCount {
  private exact: Set<string> | undefined = new Set();
  private bits: Uint8Array | undefined;
  private zeroBits = BITMAP_BITS;

  add(value: string): void {
    if (this.exact) {
      this.exact.add(value);
      if (this.exact.size <= EXACT_UP_TO) return;
      this.bits = new Uint8Array(BITMAP_BITS / 8);
      for (const seen of this.exact) this.mark(seen);
      this.exact = undefined;
      return;
    }
    this.mark(value);
  }

  get size(): number {
    if (this.exact) return this.exact.size;
    return Math.round(-BITMAP_BITS * Math.log(Math.max(this.zeroBits, 1) / BITMAP_BITS));
  }

  private mark(value: string): void {
    let h = 2166136261;
    for (let i = 0; i < value.length; i++) h = Math.imul(h ^ value.charCodeAt(i), 16777619);
    h = Math.imul(h ^ (h >>> 15), 0x2c1b3c6d);
    const bit = (h >>> 0) % BITMAP_BITS;
    const byte = bit >>> 3;
    const mask = 1 << (bit & 7);
    if ((this.bits![byte] & mask) === 0) {
      this.bits![byte] |= mask;
      this.zeroBits--;
    }
  }
}

const EXACT_UP_TO = 100_000;
const BITMAP_BITS = 8 * 1024 * 1024;
