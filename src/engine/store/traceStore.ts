// Keeps what the receivers acknowledged, so a reload or a crash loses nothing that got a 200.
//
// Format (open and documented; README "Where traces are kept"): the store folder holds segment
// files, each written in order and never edited in place:
//   traces-<time>.otlp.pb / logs-<time>.otlp.pb   requests as received (with redaction on: as
//                                                  masked, re-encoded), each prefixed by its
//                                                  4-byte big-endian length (the Collector's
//                                                  file-exporter proto format)
//   traces-<time>.otlp.jsonl / logs-<time>.otlp.jsonl  OTLP/JSON requests, one per line
//   kept-<time>.otlp.jsonl                        traces that retention kept past the normal age
//                                                  (failed or slow) or sampling kept, with the
//                                                  replaced file's time; OTLP/JSON TracesData per line
//   keptlogs-<time>.otlp.jsonl                    the log records (prompts and responses sent as
//                                                  logs) of those traces; OTLP/JSON LogsData
import { closeSync, existsSync, fstatSync, ftruncateSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, statSync, unlinkSync, utimesSync, writeSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Ingest } from '../otlp/ingest';
import { encodeLogsData, encodeTracesData } from '../otlp/encodeJson';
import { type Encoding, OtlpDecoders, type Signal, type SignalItems } from '../otlp/decoders';
import type { RawSpan } from '../model/rawSpan';
import { StringTable } from '../model/stringTable';
import type { RetentionClass } from '../index/memoryAccount';
import type { TraceIndex } from '../index/traceIndex';
import { maxOf, minOf, pushAll } from '../../shared/arrays';

export interface RetentionPolicy {
  normalDays: number;
  slowDays: number;
  errorDays: number;
  /** The store's size bound; past it the oldest files go first. */
  maxBytes: number;
  /** Share (0..1) of normal traces kept once their segment is closed; failed and slow ones are all kept. */
  sampleNormal?: number;
}

export const DEFAULT_RETENTION: RetentionPolicy = { normalDays: 7, slowDays: 30, errorDays: 90, maxBytes: 2 * 1024 ** 3, sampleNormal: 1 };

const SEGMENT_BYTES = 64 * 1024 * 1024;
const SEGMENT_MS = 60 * 60 * 1000;
const DAY_MS = 24 * 60 * 60 * 1000;
/** Acknowledged requests held while the disk is full; beyond it they live in memory only. */
const UNSAVED_BYTES = 64 * 1024 * 1024;
/** How often a failed store tries again on its own (space may return without new requests). */
const RETRY_MS = 2000;
const SEGMENT_NAME = /^(traces|logs|kept|keptlogs)-(\d{8}T\d{9}Z)(-\d+)*\.otlp\.(pb|jsonl)$/;

/** A record larger than this is written in pieces of this size, yielding between them: 64 MB written at once held the event loop for 150 ms. */
const PIECE_BYTES = 4 * 1024 * 1024;

interface OpenSegment {
  fd: number;
  bytes: number;
  openedAt: number;
  /** A record is being written in pieces: the segment may be retired meanwhile, but its file stays open until the record is whole. */
  writing?: boolean;
  closeWhenWritten?: boolean;
}

export interface RetentionReport {
  deletedFiles: number;
  keptTraces: number;
  droppedTraces: number;
}

export class TraceStore {
  private readonly open = new Map<string, OpenSegment>();
  /** Set while the store cannot be written: shown in the stats, the status bar and the Traces view. */
  problem?: string;
  /** Called when `problem` changes. */
  onProblemChange: () => void = () => undefined;
  /** Acknowledged requests not on disk yet (the disk was full), oldest first; written as soon as it works again. */
  private readonly unsaved: { signal: Signal; encoding: Encoding; record: Buffer }[] = [];
  private unsavedBytes = 0;
  /** Requests that did not fit in `unsaved`: in memory only, gone after a restart. */
  private lostRequests = 0;
  private retryTimer?: NodeJS.Timeout;

  constructor(readonly dir: string, private readonly log: (message: string) => void) {
    const problem = storeFolderProblem(dir);
    if (problem) {
      this.fail(problem);
      return;
    }
    try {
      mkdirSync(dir, { recursive: true });
    } catch (error) {
      this.fail(`cannot create ${dir} (${(error as Error).message})`);
    }
  }

  /**
   * Appends one acknowledged request, synchronously so it is in the file before the 200 goes out.
   * A write that fails (disk full, no permission) never stops the receiver: the request waits in
   * memory (up to UNSAVED_BYTES) and is written, in order, as soon as writing works again.
   */
  append(signal: Signal, encoding: Encoding, body: Buffer): void {
    const record = encoding === 'protobuf' ? lengthPrefixed(body) : oneLine(body);
    if (this.unsaved.length === 0 && this.write(signal, encoding, record)) return;
    if (this.unsavedBytes + record.length <= UNSAVED_BYTES) {
      this.unsaved.push({ signal, encoding, record });
      this.unsavedBytes += record.length;
    } else {
      this.lostRequests++;
    }
    this.writeUnsaved();
  }

  /**
   * append(), for a large body: written a piece at a time, yielding to the event loop between
   * pieces, and resolved once the record is whole on disk. A failure (a full disk) cuts the
   * segment back to its last whole record and keeps the request in memory, as append() does.
   * Callers append one at a time (Ingest takes requests in turn).
   */
  async appendInPieces(signal: Signal, encoding: Encoding, body: Buffer): Promise<void> {
    if (body.length <= PIECE_BYTES || this.unsaved.length) return this.append(signal, encoding, body);
    const pieces = encoding === 'protobuf' ? [lengthPrefix(body.length), body] : body.includes(10) ? [oneLine(body)] : [body, NEWLINE];
    let segment: OpenSegment | undefined;
    try {
      segment = this.segment(signal, encoding);
      segment.writing = true;
      for (const piece of pieces) {
        for (let done = 0; done < piece.length;) {
          done += writeSync(segment.fd, piece, done, Math.min(PIECE_BYTES, piece.length - done));
          if (done < piece.length) await new Promise((resolve) => setImmediate(resolve));
        }
      }
      segment.bytes += pieces.reduce((sum, piece) => sum + piece.length, 0);
    } catch (error) {
      if (segment) this.cutBack(signal, encoding, segment);
      this.fail(`cannot write to ${this.dir} (${(error as Error).message})`);
      this.append(signal, encoding, body); // waits in memory, written once writing works again
    } finally {
      if (segment) {
        segment.writing = false;
        if (segment.closeWhenWritten) closeQuietly(segment.fd);
      }
    }
  }

  /** Writes the requests that waited, oldest first; clears the problem once all are on disk. */
  private writeUnsaved(): void {
    while (this.unsaved.length) {
      const { signal, encoding, record } = this.unsaved[0];
      if (!this.write(signal, encoding, record)) {
        this.retryTimer ??= setInterval(() => this.writeUnsaved(), RETRY_MS).unref();
        return;
      }
      this.unsaved.shift();
      this.unsavedBytes -= record.length;
    }
    clearInterval(this.retryTimer);
    this.retryTimer = undefined;
    if (this.problem) {
      this.log(`store: writing to ${this.dir} works again; the requests that waited are on disk`
        + (this.lostRequests ? ` except ${this.lostRequests} that did not fit in memory (they are shown until a restart)` : ''));
      this.problem = undefined;
      this.lostRequests = 0;
      this.onProblemChange();
    }
  }

  /**
   * One whole record or nothing: a write cut short (ENOSPC after some bytes) is cut back to the
   * last whole record, so the length framing holds and later records stay readable.
   */
  private write(signal: Signal, encoding: Encoding, record: Buffer): boolean {
    let segment: OpenSegment | undefined;
    try {
      segment = this.segment(signal, encoding);
      for (let done = 0; done < record.length;) done += writeSync(segment.fd, record, done, record.length - done);
      segment.bytes += record.length;
      return true;
    } catch (error) {
      if (segment) this.cutBack(signal, encoding, segment);
      this.fail(`cannot write to ${this.dir} (${(error as Error).message})`);
      return false;
    }
  }

  /** Truncates a segment to its whole records; if even that fails, the next write starts a new segment. */
  private cutBack(signal: Signal, encoding: Encoding, segment: OpenSegment): void {
    try {
      ftruncateSync(segment.fd, segment.bytes);
    } catch {
      this.open.delete(`${signal}.${encoding}`);
      this.retire(segment);
    }
  }

  private fail(reason: string): void {
    const problem = `${reason}; new traces are kept in memory and written once this is fixed`;
    if (this.problem === undefined) {
      this.log(`store: ${problem}`);
      this.problem = problem;
      this.onProblemChange();
    }
  }

  /** Feeds every stored request back through ingest, oldest first, yielding between files. */
  async replay(ingest: Ingest): Promise<{ files: number; requests: number; problems: string[] }> {
    const problems: string[] = [];
    let requests = 0;
    const files = this.files();
    for (const file of files) {
      const { signal, encoding } = file;
      for (const body of readRecords(join(this.dir, file.name), encoding, (reason) => problems.push(`${file.name}: ${reason}`))) {
        try {
          ingest.receive(signal === 'kept' ? 'traces' : signal === 'keptlogs' ? 'logs' : signal, encoding, body, { persist: false });
          requests++;
        } catch (error) {
          problems.push(`${file.name}: ${(error as Error).message}`);
        }
      }
      await new Promise((resolve) => setImmediate(resolve));
    }
    return { files: files.length, requests, problems };
  }

  /**
   * Applies the retention policy: files past the normal age keep only the traces the index
   * classes as slow or failed (rewritten into a kept- file), those past the slow age keep only
   * failed ones, everything past the error age goes; then the oldest files go until the store
   * fits its size bound. With sampling, a closed segment keeps its failed and slow traces and
   * that share of the normal ones.
   */
  applyRetention(index: TraceIndex, policy: RetentionPolicy, now = Date.now()): RetentionReport {
    const report: RetentionReport = { deletedFiles: 0, keptTraces: 0, droppedTraces: 0 };
    this.closeAll(); // new writes start fresh segments; old ones may be rewritten
    const sample = policy.sampleNormal ?? 1;
    for (const file of this.files()) {
      const path = join(this.dir, file.name);
      const mtimeMs = statSync(path).mtimeMs;
      const ageDays = (now - mtimeMs) / DAY_MS;
      // A closed segment of received traces is sampled once: errors and slow traces all stay.
      const sampling = file.signal === 'traces' && sample < 1 && now - mtimeMs >= SEGMENT_MS;
      if (ageDays < policy.normalDays && !sampling) continue;
      const allowed: RetentionClass[] = ageDays < policy.normalDays ? ['error', 'slow', 'normal']
        : ageDays < policy.slowDays ? ['error', 'slow'] : ageDays < policy.errorDays ? ['error'] : [];
      const kept: object[] = [];
      if (file.signal === 'logs' || file.signal === 'keptlogs') {
        // Log records live as long as their trace; one whose trace is no longer in memory counts as slow.
        const records = decodeLogs(path, file.encoding).filter((log) => {
          const summary = log.traceId ? index.traceOf(log.traceId)?.summary : undefined;
          return allowed.includes(summary ? index.retentionClass(summary) : 'slow');
        });
        if (records.length) kept.push(encodeLogsData(records));
      } else {
        for (const [traceId, spans] of groupByTrace(decodeSpans(path, file.encoding))) {
          const summary = index.traceOf(traceId)?.summary;
          const cls = summary ? index.retentionClass(summary) : classify(spans, index.slowMs);
          if (allowed.includes(cls) && (cls !== 'normal' || sampledIn(traceId, sample))) {
            kept.push(encodeTracesData(spans, { withLogRecords: false }));
            report.keptTraces++;
          } else {
            report.droppedTraces++;
          }
        }
      }
      if (kept.length) this.writeKept(file.signal === 'logs' || file.signal === 'keptlogs' ? 'keptlogs' : 'kept', kept, mtimeMs);
      unlinkSync(path);
      report.deletedFiles++;
    }
    report.deletedFiles += this.enforceSize(policy.maxBytes);
    return report;
  }

  /**
   * Deletes every segment of the store (Clear Traces, "also delete what is stored"): only files
   * named as this store names them, after closing its own open ones; the next request starts a
   * new segment. A file another engine sharing the folder removed first is not an error.
   */
  deleteAll(): { deletedFiles: number; problems: string[] } {
    this.closeAll();
    let deletedFiles = 0;
    const problems: string[] = [];
    for (const file of this.files()) {
      try {
        unlinkSync(join(this.dir, file.name));
        deletedFiles++;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') problems.push(`${file.name}: ${(error as Error).message}`);
      }
    }
    return { deletedFiles, problems };
  }

  close(): void {
    if (this.unsaved.length) this.writeUnsaved();
    clearInterval(this.retryTimer);
    this.retryTimer = undefined;
    this.closeAll();
  }

  /** Kept traces (or log records) go into a file with the replaced file's time, so their age carries on. */
  private writeKept(prefix: 'kept' | 'keptlogs', documents: object[], mtimeMs: number): void {
    const lines = documents.map((document) => JSON.stringify(document) + '\n').join('');
    let name = `${prefix}-${stamp(mtimeMs)}-${process.pid}.otlp.jsonl`;
    for (let n = 2; existsSync(join(this.dir, name)); n++) name = `${prefix}-${stamp(mtimeMs)}-${process.pid}-${n}.otlp.jsonl`;
    const tmp = join(this.dir, `.${name}.tmp`);
    try {
      writeFileSync(tmp, lines);
      utimesSync(tmp, mtimeMs / 1000, mtimeMs / 1000);
      renameSync(tmp, join(this.dir, name));
    } catch (error) {
      // A full disk: the replaced file stays (its traces too), and a half-written copy must not.
      rmSync(tmp, { force: true });
      throw error;
    }
  }

  private enforceSize(maxBytes: number): number {
    const files = this.files().map((f) => ({ ...f, size: statSync(join(this.dir, f.name)).size }));
    let total = files.reduce((sum, f) => sum + f.size, 0);
    let deleted = 0;
    // Plain segments before kept files (which hold the failed and slow traces), oldest first.
    const isKept = (f: { signal: string }) => f.signal === 'kept' || f.signal === 'keptlogs';
    const order = [...files.filter((f) => !isKept(f)), ...files.filter(isKept)];
    for (const file of order) {
      if (total <= maxBytes) break;
      unlinkSync(join(this.dir, file.name));
      total -= file.size;
      deleted++;
    }
    return deleted;
  }

  /** The store's files, oldest first. */
  private files(): { name: string; signal: Signal | 'kept' | 'keptlogs'; encoding: Encoding }[] {
    if (!existsSync(this.dir) || !statSync(this.dir).isDirectory()) return [];
    return readdirSync(this.dir)
      .map((name) => ({ name, match: SEGMENT_NAME.exec(name) }))
      .filter((f): f is { name: string; match: RegExpExecArray } => f.match !== null)
      .sort((a, b) => a.match[2].localeCompare(b.match[2]) || a.name.localeCompare(b.name))
      .map(({ name, match }) => ({ name, signal: match[1] as Signal | 'kept' | 'keptlogs', encoding: match[4] === 'pb' ? 'protobuf' : 'json' }));
  }

  private segment(signal: Signal, encoding: Encoding): OpenSegment {
    const key = `${signal}.${encoding}`;
    const now = Date.now();
    let segment = this.open.get(key);
    if (segment && (segment.bytes > SEGMENT_BYTES || now - segment.openedAt > SEGMENT_MS)) {
      this.open.delete(key);
      this.retire(segment);
      segment = undefined;
    }
    if (!segment) {
      const name = `${signal}-${stamp(now)}-${process.pid}.otlp.${encoding === 'protobuf' ? 'pb' : 'jsonl'}`;
      const fd = openSync(join(this.dir, name), 'a');
      // The length it has, not 0: a failed segment's successor may get the same name in the same millisecond.
      segment = { fd, bytes: fstatSync(fd).size, openedAt: now };
      this.open.set(key, segment);
    }
    return segment;
  }

  private closeAll(): void {
    for (const segment of this.open.values()) this.retire(segment);
    this.open.clear();
  }

  /** Closes a segment's file, or has it closed once the record being written into it is whole. */
  private retire(segment: OpenSegment): void {
    if (segment.writing) segment.closeWhenWritten = true;
    else closeQuietly(segment.fd);
  }
}

/** Why a path cannot be the store folder (it is a file, a device…), or undefined. */
export function storeFolderProblem(dir: string): string | undefined {
  try {
    return statSync(dir).isDirectory() ? undefined : `${dir} is a file, not a folder`;
  } catch {
    return undefined; // not there yet: it is created
  }
}

/** `20261125T061502123Z`: sorts as text in time order. */
function stamp(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:.]/g, '');
}

function lengthPrefix(length: number): Buffer {
  const prefix = Buffer.alloc(4);
  prefix.writeUInt32BE(length);
  return prefix;
}

function lengthPrefixed(body: Buffer): Buffer {
  return Buffer.concat([lengthPrefix(body.length), body]);
}

const NEWLINE = Buffer.from('\n');

function closeQuietly(fd: number): void {
  try { closeSync(fd); } catch { /* nothing left to lose: every record was whole */ }
}

/**
 * JSON allows raw newlines only as whitespace, so they can become spaces; byte by byte (a newline
 * byte is never part of a longer UTF-8 character): a 64 MB body never becomes a string here.
 */
function oneLine(body: Buffer): Buffer {
  const line = Buffer.allocUnsafe(body.length + 1);
  body.copy(line);
  for (let at = body.indexOf(10); at >= 0; at = body.indexOf(10, at + 1)) line[at] = 32;
  line[body.length] = 10;
  return line;
}

/** The records of a store file; a torn last record (a crash mid-write) is reported and skipped. */
function* readRecords(path: string, encoding: Encoding, problem: (reason: string) => void): Generator<Buffer> {
  const data = readFileSync(path);
  if (encoding === 'json') {
    let start = 0;
    let line = 0;
    while (start < data.length) {
      const end = data.indexOf(10, start);
      line++;
      if (end < 0) {
        problem(`line ${line} is incomplete (the write was cut off) and was skipped`);
        return;
      }
      if (end > start) yield data.subarray(start, end);
      start = end + 1;
    }
    return;
  }
  let pos = 0;
  while (pos + 4 <= data.length) {
    const length = data.readUInt32BE(pos);
    if (pos + 4 + length > data.length) break;
    yield data.subarray(pos + 4, pos + 4 + length);
    pos += 4 + length;
  }
  if (pos < data.length) problem(`the record at byte ${pos} is incomplete (the write was cut off) and was skipped`);
}

/** Every record of a store file, decoded; a record that cannot be decoded was never acknowledged with a 200. */
function decodeFile<S extends Signal>(path: string, encoding: Encoding, signal: S): SignalItems[S][] {
  const decoders = new OtlpDecoders(new StringTable());
  const items: SignalItems[S][] = [];
  for (const body of readRecords(path, encoding, () => undefined)) {
    try {
      pushAll(items, decoders.decode(signal, encoding, body).items);
    } catch {
      // Nothing to keep.
    }
  }
  return items;
}

const decodeSpans = (path: string, encoding: Encoding) => decodeFile(path, encoding, 'traces');
const decodeLogs = (path: string, encoding: Encoding) => decodeFile(path, encoding, 'logs');

/** The same answer for a trace id every time, so a trace is in or out as a whole; hashed, as ids made from file lines run in sequence. */
function sampledIn(traceId: string, share: number): boolean {
  let h = 2166136261;
  for (let i = 0; i < traceId.length; i++) h = Math.imul(h ^ traceId.charCodeAt(i), 16777619);
  // A final mix (MurmurHash3's), so ids that differ in their last characters spread over the range.
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return ((h ^ (h >>> 16)) >>> 0) / 0x100000000 < share;
}

function groupByTrace(spans: RawSpan[]): Map<string, RawSpan[]> {
  const byTrace = new Map<string, RawSpan[]>();
  for (const span of spans) {
    const list = byTrace.get(span.traceId);
    if (list) list.push(span);
    else byTrace.set(span.traceId, [span]);
  }
  return byTrace;
}

/** The class of a trace the index no longer holds, judged from its stored spans alone. */
function classify(spans: RawSpan[], slowMs: number): RetentionClass {
  if (spans.some((s) => s.statusCode === 2)) return 'error';
  const start = minOf(spans.map((s) => s.startMs)) ?? 0;
  const end = maxOf(spans.map((s) => s.endMs)) ?? 0;
  return end - start >= slowMs ? 'slow' : 'normal';
}
