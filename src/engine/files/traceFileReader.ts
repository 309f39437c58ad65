// Reads a trace file from where it was left, in chunks, never the whole file at once: recognizes
// its layout from the first bytes (gzip by its magic number, then OTLP protobuf, JSON lines or
// pretty-printed JSON), hands each record to a RecordSink, yields to the event loop between
// chunks (the LSP server and the receivers keep answering during a 200 MB import), and returns
// where to resume when the file grows.
import { createHash } from 'node:crypto';
import { constants, Stats } from 'node:fs';
import { FileHandle, open } from 'node:fs/promises';
import { createGunzip } from 'node:zlib';
import type { ImportResult } from '../../shared/engineProtocol';
import type { TraceIndex } from '../index/traceIndex';
import { FileDecoders, RecordSink } from './recordSink';
import { DocumentSplitter, LineSplitter, MAX_RECORD_BYTES, ProtobufMessageSplitter, ProtobufRecordSplitter, RecordSplitter } from './recordSplitters';

/** Read at a time: a chunk's records are decoded and indexed in one turn of the event loop (1 MB of small records took up to 100 ms). */
const CHUNK_BYTES = 256 * 1024;
/** Lines looked at to tell JSON lines from one pretty-printed document. */
const SNIFF_LINES = 5;

type Layout = 'lines' | 'document' | 'protobuf-records' | 'protobuf-message';

/** Where a file was left: enough to read only what was appended, or to notice it was replaced. */
export interface FileState {
  ino: number;
  size: number;
  /** Bytes consumed: the end of the last complete record. */
  offset: number;
  /** Line number at `offset`. */
  line: number;
  layout?: Layout;
  gzip: boolean;
  /** The file's first bytes: a file rewritten in place (same inode, longer) is read again. */
  head: string;
  /**
   * A digest of the bytes just before `offset` (the last records read): a file truncated and
   * written past its old length before it was looked at (copytruncate), or rewritten in place,
   * no longer has them there. The head alone cannot tell: templated lines start alike.
   */
  tail: string;
  mtimeMs: number;
  sink: RecordSink;
}

export interface ReadOptions {
  /** True for a one-off import: an unfinished last record is a problem, not something to wait for. */
  final: boolean;
  onProgress?: (bytesRead: number, totalBytes: number) => void;
  /** Records longer than this are skipped and reported (MAX_RECORD_BYTES; tests lower it). */
  maxRecordBytes?: number;
}

export function importResult(state: FileState): ImportResult {
  const { sink } = state;
  return { file: sink.file, shape: sink.label(), spans: sink.spans, traces: sink.traceIds.size, problems: sink.reportedProblems() };
}

/**
 * Reads what is new in `path` since `previous` (everything when there is none, or when the
 * file was truncated, replaced, or is of a layout that cannot be resumed). Returns the new state.
 * Callers reading many files pass one FileDecoders (an index alone gets decoders of its own).
 */
export async function readTraceFile(
  into: TraceIndex | FileDecoders, path: string, previous: FileState | undefined, options: ReadOptions,
): Promise<FileState> {
  const decoders = into instanceof FileDecoders ? into : new FileDecoders(into);
  // Non-blocking: opening a FIFO for reading would otherwise wait (in the thread pool) for a writer.
  const handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    const stat = await handle.stat();
    if (!stat.isFile()) throw new NotAFileError(`${path} is ${specialKind(stat)}, not a regular file: skipped`);
    if (previous && previous.ino === stat.ino && stat.size === previous.size && stat.mtimeMs === previous.mtimeMs) return previous;
    const head = await readHead(handle);
    const resumable = previous && previous.ino === stat.ino && stat.size >= previous.offset && !previous.gzip
      && head.startsWith(previous.head) && (await readTail(handle, previous.offset)) === previous.tail
      && previous.layout !== 'protobuf-message' && !(previous.layout === 'document' && previous.sink.inArray);
    if (resumable && previous.sink.rejected) return { ...previous, size: stat.size, mtimeMs: stat.mtimeMs }; // not traces; stays ignored
    const state: FileState = resumable ? { ...previous, size: stat.size, head, mtimeMs: stat.mtimeMs } : {
      ino: stat.ino, size: stat.size, offset: 0, line: 1, gzip: false, head, tail: '', mtimeMs: stat.mtimeMs, sink: new RecordSink(decoders, path, stat.mtimeMs),
    };
    if (stat.size <= state.offset) return state;
    const magic = Buffer.alloc(2);
    if (state.offset === 0) {
      await handle.read(magic, 0, 2, 0);
      state.gzip = magic[0] === 0x1f && magic[1] === 0x8b;
      state.sink.gzip = state.gzip;
    }
    const startOffset = state.offset;
    const raw = handle.createReadStream({ start: state.offset, end: stat.size - 1, highWaterMark: CHUNK_BYTES, autoClose: false });
    const source = state.gzip ? raw.pipe(createGunzip({ chunkSize: 256 * 1024 })) : raw;
    let splitter: RecordSplitter | undefined;
    let skipped = 0;
    try {
      for await (const piece of source as AsyncIterable<Buffer>) {
        let chunk = piece;
        if (!splitter) {
          if (state.offset === 0 && chunk[0] === 0xef && chunk[1] === 0xbb && chunk[2] === 0xbf) {
            chunk = chunk.subarray(3); // a UTF-8 byte order mark
            skipped = 3;
          }
          const layout = state.layout ?? sniffLayout(chunk);
          if (!layout) {
            state.sink.shape = null;
            break;
          }
          state.layout = layout;
          state.sink.layout = layout === 'lines' ? 'lines' : layout === 'document' ? 'document' : 'protobuf';
          splitter = newSplitter(layout, state, options.maxRecordBytes);
        }
        splitter.push(chunk);
        await state.sink.drain();
        state.sink.flush();
        options.onProgress?.(startOffset + raw.bytesRead, stat.size);
        if (state.sink.rejected || decoders.closed) break;
        await new Promise((resolve) => setImmediate(resolve));
      }
    } catch (error) {
      // A gzip stream cut short is what a file still being written looks like.
      if (options.final || !/unexpected end of file/i.test((error as Error).message)) {
        state.sink.problem({ reason: `cannot read the file: ${(error as Error).message}` });
      }
    } finally {
      // The stream stops; the handle stays open for the tail (destroying the stream closes it).
      raw.pause();
      if (source !== raw) (source as NodeJS.ReadableStream & { destroy(): void }).destroy();
    }
    if (splitter && !state.sink.rejected && !decoders.closed) {
      splitter.end(options.final);
      await state.sink.drain();
      state.sink.flush();
      state.offset = state.gzip ? stat.size : state.offset + skipped + splitter.consumed - state.sink.unfinishedBytes;
      state.sink.unfinishedBytes = 0;
      state.line = splitter.line;
      // Nothing complete yet (a file being started): decide its layout again next time.
      if (state.offset === 0 && state.sink.shape === undefined) state.layout = undefined;
    }
    if (state.sink.shape === undefined && options.final) state.sink.shape = null;
    state.tail = await readTail(handle, state.offset);
    raw.destroy();
    return state;
  } finally {
    await handle.close();
  }
}

/** A FIFO, device or socket: never read (a read could wait forever or never end). */
export class NotAFileError extends Error {}

function specialKind(stat: Stats): string {
  if (stat.isFIFO()) return 'a FIFO (named pipe)';
  if (stat.isSocket()) return 'a socket';
  if (stat.isCharacterDevice() || stat.isBlockDevice()) return 'a device';
  if (stat.isDirectory()) return 'a folder';
  return 'a special file';
}

const HEAD_BYTES = 64;

async function readHead(handle: FileHandle): Promise<string> {
  const buf = Buffer.alloc(HEAD_BYTES);
  const { bytesRead } = await handle.read(buf, 0, HEAD_BYTES, 0);
  return buf.toString('latin1', 0, bytesRead);
}

const TAIL_BYTES = 4096;

async function readTail(handle: FileHandle, offset: number): Promise<string> {
  const length = Math.min(offset, TAIL_BYTES);
  if (length === 0) return '';
  const buf = Buffer.alloc(length);
  const { bytesRead } = await handle.read(buf, 0, length, offset - length);
  return createHash('sha1').update(buf.subarray(0, bytesRead)).digest('base64');
}

function newSplitter(layout: Layout, state: FileState, maxRecordBytes = MAX_RECORD_BYTES): RecordSplitter {
  switch (layout) {
    case 'lines': return new LineSplitter(state.sink, state.line, maxRecordBytes);
    case 'document': return new DocumentSplitter(state.sink, state.line, maxRecordBytes);
    case 'protobuf-records': return new ProtobufRecordSplitter(state.sink, state.offset, maxRecordBytes);
    case 'protobuf-message': return new ProtobufMessageSplitter(state.sink, maxRecordBytes);
  }
}

/** The layout from the first bytes; undefined when they are not trace data at all. */
export function sniffLayout(chunk: Buffer): Layout | undefined {
  let i = 0;
  while (i < chunk.length && (chunk[i] === 32 || chunk[i] === 9 || chunk[i] === 10 || chunk[i] === 13)) i++;
  const first = chunk[i];
  if (first === 0x7b || first === 0x5b) return looksLikeJsonLines(chunk, i) ? 'lines' : 'document';
  // Text is never protobuf: a log that starts with a blank line begins with 0x0a too.
  if (looksLikeText(chunk)) return undefined;
  // OTLP messages start with field 1 (resource_spans / resource_logs), length-delimited: 0x0a.
  if (startsLikeOtlpMessage(chunk, 0)) return 'protobuf-message';
  if (chunk.length >= 5 && chunk.readUInt32BE(0) > 0 && startsLikeOtlpMessage(chunk, 4)) return 'protobuf-records';
  return undefined;
}

/** Field 1 (length-delimited), a length, then a ResourceSpans/ResourceLogs field (1, 2 or 3, length-delimited). */
function startsLikeOtlpMessage(chunk: Buffer, at: number): boolean {
  if (chunk[at] !== 0x0a) return false;
  let pos = at + 1;
  let length = 0;
  for (let shift = 0; shift < 35; shift += 7, pos++) {
    if (pos >= chunk.length) return false;
    length += (chunk[pos] & 0x7f) * 2 ** shift;
    if (chunk[pos] < 0x80) break;
  }
  pos++;
  return length > 0 && (pos >= chunk.length || chunk[pos] === 0x0a || chunk[pos] === 0x12 || chunk[pos] === 0x1a);
}

/** Whether the first bytes are all text (printable, tabs and line ends): protobuf has binary lengths. */
function looksLikeText(chunk: Buffer): boolean {
  const end = Math.min(chunk.length, 512);
  for (let i = 0; i < end; i++) {
    const b = chunk[i];
    if (b < 0x20 && b !== 9 && b !== 10 && b !== 13) return false;
    if (b === 0x7f) return false;
  }
  return true;
}

/** Whether one of the first lines is a JSON object or array on its own. */
function looksLikeJsonLines(chunk: Buffer, from: number): boolean {
  let start = from;
  for (let n = 0; n < SNIFF_LINES; n++) {
    const nl = chunk.indexOf(10, start);
    if (nl < 0) return n === 0; // one long line: JSON lines (or one compact document, the same)
    const line = chunk.toString('utf8', start, nl).trim();
    if (line.startsWith('{') || line.startsWith('[')) {
      try {
        const value: unknown = JSON.parse(line);
        if (typeof value === 'object' && value !== null) return true;
      } catch {
        // not a whole value on one line
      }
    }
    start = nl + 1;
  }
  return false;
}
