// Reads a trace file from where it was left, in chunks, never the whole file at once: recognizes
// its layout from the first bytes (gzip by its magic number, then OTLP protobuf, JSON lines or
// pretty-printed JSON), hands each record to a RecordSink, yields to the event loop between
// chunks (the LSP server and the receivers keep answering during a 200 MB import), and returns
// where to resume when the file grows.
import { FileHandle, open } from 'node:fs/promises';
import { createGunzip } from 'node:zlib';
import type { ImportResult } from '../../shared/engineProtocol';
import type { TraceIndex } from '../index/traceIndex';
import { FileDecoders, RecordSink } from './recordSink';
import { DocumentSplitter, LineSplitter, ProtobufMessageSplitter, ProtobufRecordSplitter, RecordSplitter } from './recordSplitters';

const CHUNK_BYTES = 1024 * 1024;
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
  sink: RecordSink;
}

export interface ReadOptions {
  /** True for a one-off import: an unfinished last record is a problem, not something to wait for. */
  final: boolean;
  onProgress?: (bytesRead: number, totalBytes: number) => void;
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
  const handle = await open(path, 'r');
  try {
    const stat = await handle.stat();
    if (previous && previous.ino === stat.ino && stat.size === previous.size) return previous;
    const head = await readHead(handle);
    const resumable = previous && previous.ino === stat.ino && stat.size >= previous.offset && !previous.gzip
      && head.startsWith(previous.head)
      && previous.layout !== 'protobuf-message' && !(previous.layout === 'document' && previous.sink.inArray);
    if (resumable && previous.sink.rejected) return { ...previous, size: stat.size }; // not traces; stays ignored
    const state: FileState = resumable ? { ...previous, size: stat.size, head } : {
      ino: stat.ino, size: stat.size, offset: 0, line: 1, gzip: false, head, sink: new RecordSink(decoders, path, stat.mtimeMs),
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
          splitter = newSplitter(layout, state);
        }
        splitter.push(chunk);
        state.sink.flush();
        options.onProgress?.(startOffset + raw.bytesRead, stat.size);
        if (state.sink.rejected) break;
        await new Promise((resolve) => setImmediate(resolve));
      }
    } catch (error) {
      // A gzip stream cut short is what a file still being written looks like.
      if (options.final || !/unexpected end of file/i.test((error as Error).message)) {
        state.sink.problem({ reason: `cannot read the file: ${(error as Error).message}` });
      }
    } finally {
      raw.destroy();
    }
    if (splitter && !state.sink.rejected) {
      splitter.end(options.final);
      state.sink.flush();
      state.offset = state.gzip ? stat.size : state.offset + skipped + splitter.consumed;
      state.line = splitter.line;
      // Nothing complete yet (a file being started): decide its layout again next time.
      if (state.offset === 0 && state.sink.shape === undefined) state.layout = undefined;
    }
    if (state.sink.shape === undefined && options.final) state.sink.shape = null;
    return state;
  } finally {
    await handle.close();
  }
}

const HEAD_BYTES = 64;

async function readHead(handle: FileHandle): Promise<string> {
  const buf = Buffer.alloc(HEAD_BYTES);
  const { bytesRead } = await handle.read(buf, 0, HEAD_BYTES, 0);
  return buf.toString('latin1', 0, bytesRead);
}

function newSplitter(layout: Layout, state: FileState): RecordSplitter {
  switch (layout) {
    case 'lines': return new LineSplitter(state.sink, state.line);
    case 'document': return new DocumentSplitter(state.sink, state.line);
    case 'protobuf-records': return new ProtobufRecordSplitter(state.sink, state.offset);
    case 'protobuf-message': return new ProtobufMessageSplitter(state.sink);
  }
}

/** The layout from the first bytes; undefined when they are not trace data at all. */
export function sniffLayout(chunk: Buffer): Layout | undefined {
  let i = 0;
  while (i < chunk.length && (chunk[i] === 32 || chunk[i] === 9 || chunk[i] === 10 || chunk[i] === 13)) i++;
  const first = chunk[i];
  if (first === 0x7b || first === 0x5b) return looksLikeJsonLines(chunk, i) ? 'lines' : 'document';
  // OTLP messages start with field 1 (resource_spans / resource_logs), length-delimited: 0x0a.
  if (chunk[0] === 0x0a) return 'protobuf-message';
  if (chunk.length >= 5 && chunk.readUInt32BE(0) > 0 && chunk[4] === 0x0a) return 'protobuf-records';
  return undefined;
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
