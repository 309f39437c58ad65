// Cut a trace file's bytes into records as they stream in, chunk by chunk, without ever holding
// the whole file: JSON lines, concatenated or pretty-printed JSON values (also the elements of
// one top-level array), and length-prefixed protobuf records. Each splitter knows how many bytes
// it has consumed (up to the end of its last complete record), so a tail resumes right there,
// and a half-written last record waits for the rest.
import { isAscii } from 'node:buffer';
import { OFF_THREAD_BYTES } from '../otlp/offThreadDecode';
import type { RecordSink } from './recordSink';

export interface RecordSplitter {
  push(chunk: Buffer): void;
  /** The readable bytes are used up; `final` when no writer is expected (a plain import). */
  end(final: boolean): void;
  /** Bytes up to the end of the last complete record. */
  readonly consumed: number;
  /** Line number of the first byte not consumed. */
  readonly line: number;
}

/** A record longer than this is skipped (and reported), never buffered. */
export const MAX_RECORD_BYTES = 512 * 1024 * 1024;

// V8 makes a one-byte string from Latin-1 with a plain copy; for ASCII text that is the same
// string UTF-8 decoding would give, found faster.
function text(buf: Buffer, start: number, end: number): string {
  return isAscii(buf.subarray(start, end)) ? buf.toString('latin1', start, end) : buf.toString('utf8', start, end);
}

/** One JSON record buf[start, end) to the sink: a large one as bytes, for the decoding worker. */
function emitJson(sink: RecordSink, buf: Buffer, start: number, end: number, line: number): void {
  if (end - start >= OFF_THREAD_BYTES) sink.largeJson(buf.subarray(start, end), line);
  else sink.jsonText(text(buf, start, end), line);
}

function megabytes(bytes: number): string {
  return bytes >= 1 << 20 ? `${bytes >> 20} MB` : `${bytes} bytes`;
}

function isBlank(buf: Buffer, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const c = buf[i];
    if (c !== 32 && c !== 9 && c !== 13 && c !== 10) return false;
  }
  return true;
}

/** One JSON value per line (JSON Lines, the OTLP file exporter). */
export class LineSplitter implements RecordSplitter {
  consumed = 0;
  /** The start of a line that has not ended yet, in pieces (a line may span many chunks). */
  private parts: Buffer[] = [];
  private partBytes = 0;
  private tooLong = false;

  constructor(private readonly sink: RecordSink, public line: number, private readonly maxRecordBytes = MAX_RECORD_BYTES) {}

  push(chunk: Buffer): void {
    let start = 0;
    let nl = chunk.indexOf(10);
    if (nl >= 0 && this.partBytes) {
      // The line that began in earlier chunks ends here.
      if (this.tooLong) {
        this.done(this.partBytes + nl + 1);
      } else {
        this.parts.push(chunk.subarray(0, nl));
        const whole = Buffer.concat(this.parts);
        this.emit(whole, 0, whole.length);
      }
      this.parts = [];
      this.partBytes = 0;
      this.tooLong = false;
      start = nl + 1;
      nl = chunk.indexOf(10, start);
    }
    for (; nl >= 0 && !this.sink.rejected; nl = chunk.indexOf(10, start)) {
      this.emit(chunk, start, nl);
      start = nl + 1;
    }
    if (start < chunk.length && !this.sink.rejected) this.hold(chunk.subarray(start));
  }

  end(final: boolean): void {
    if (!this.partBytes || this.tooLong) return;
    const rest = Buffer.concat(this.parts);
    if (isBlank(rest, 0, rest.length)) return;
    if (rest.length >= OFF_THREAD_BYTES) {
      // Too large to parse here just to see whether it is whole: the worker parses it, and one
      // that is not whole (a writer mid-line) is given back unread (RecordSink.unfinishedBytes).
      this.sink.largeJson(rest, this.line, { unlessUnfinished: !final });
    } else {
      // A last line without its newline is complete if it parses; otherwise a writer may be mid-line.
      const restText = text(rest, 0, rest.length);
      let complete = true;
      try { JSON.parse(restText); } catch { complete = false; }
      if (!complete && !final) return;
      this.sink.jsonText(restText, this.line);
    }
    this.consumed += rest.length;
    this.parts = [];
    this.partBytes = 0;
  }

  private hold(part: Buffer): void {
    this.partBytes += part.length;
    if (this.tooLong) return;
    if (this.partBytes > this.maxRecordBytes) {
      this.sink.problem({ line: this.line, reason: `line is longer than ${megabytes(this.maxRecordBytes)} and was skipped` });
      this.tooLong = true;
      this.parts = [];
      return;
    }
    this.parts.push(part);
  }

  /** A complete line buf[start, end) whose newline is at `end`. */
  private emit(buf: Buffer, start: number, end: number): void {
    if (!isBlank(buf, start, end)) emitJson(this.sink, buf, start, end, this.line);
    this.done(end - start + 1);
  }

  private done(bytes: number): void {
    this.consumed += bytes;
    this.line++;
  }
}

/**
 * JSON values one after another, each possibly spanning many lines (a pretty-printed document,
 * Python's console exporter), or the elements of one top-level array. Only brackets and strings
 * are tracked to find where each value ends; JSON.parse does the rest.
 */
export class DocumentSplitter implements RecordSplitter {
  consumed = 0;
  line: number;
  private depth = 0;
  /** 1 inside a top-level array, whose elements are the values. */
  private base = 0;
  private inString = false;
  private escaped = false;
  private parts: Buffer[] = [];
  private partBytes = 0;
  private valueLine = 0;
  private scannedLine: number;
  private garbageLine = 0;
  private started = false;

  constructor(private readonly sink: RecordSink, line: number, private readonly maxRecordBytes = MAX_RECORD_BYTES) {
    this.line = line;
    this.scannedLine = line;
  }

  push(chunk: Buffer): void {
    let valueStart = this.depth > this.base ? 0 : -1;
    for (let i = 0; i < chunk.length && !this.sink.rejected; i++) {
      const c = chunk[i];
      if (this.inString) {
        // Jump to the next quote; a run of backslashes before it decides whether it closes.
        if (this.escaped) { this.escaped = false; continue; }
        const quote = chunk.indexOf(34, i);
        const stop = quote < 0 ? chunk.length : quote;
        let slashes = 0;
        while (stop - 1 - slashes >= i && chunk[stop - 1 - slashes] === 92) slashes++;
        if (quote < 0) { this.escaped = slashes % 2 === 1; i = chunk.length; break; }
        i = quote;
        if (slashes % 2 === 0) this.inString = false;
        continue;
      }
      if (c === 10) { this.scannedLine++; continue; }
      if (c === 32 || c === 9 || c === 13) continue;
      if (this.depth === this.base) {
        if (!this.started && c === 0x5b) { // a top-level array: its elements are the records
          this.started = true;
          this.base = this.depth = 1;
          this.sink.inArray = true;
          this.markConsumed(chunk, i + 1);
          continue;
        }
        this.started = true;
        if (this.base === 1 && (c === 44 || c === 0x5d)) { // `,` between elements, `]` at the end
          if (c === 0x5d) this.base = this.depth = 0;
          this.markConsumed(chunk, i + 1);
          continue;
        }
        if (c !== 0x7b && c !== 0x5b) {
          if (this.garbageLine !== this.scannedLine) this.sink.problem({ line: this.scannedLine, reason: 'text outside any JSON value' });
          this.garbageLine = this.scannedLine;
          this.markConsumed(chunk, i + 1);
          continue;
        }
        valueStart = i;
        this.valueLine = this.scannedLine;
      }
      if (c === 34) this.inString = true;
      else if (c === 0x7b || c === 0x5b) this.depth++;
      else if (c === 0x7d || c === 0x5d) {
        this.depth--;
        if (this.depth === this.base) {
          this.parts.push(chunk.subarray(valueStart, i + 1));
          const whole = this.parts.length === 1 ? this.parts[0] : Buffer.concat(this.parts);
          emitJson(this.sink, whole, 0, whole.length, this.valueLine);
          this.markConsumed(chunk, i + 1);
          valueStart = -1;
        }
      }
    }
    if (valueStart >= 0 && this.depth > this.base) {
      this.parts.push(chunk.subarray(valueStart));
      this.partBytes += chunk.length - valueStart;
      if (this.partBytes > this.maxRecordBytes) {
        this.sink.skipRest({ line: this.valueLine, reason: `a JSON value longer than ${megabytes(this.maxRecordBytes)}; the rest of the file is skipped` });
      }
    }
    this.pendingChunkTail(chunk);
  }

  end(final: boolean): void {
    if (final && this.depth > this.base) {
      this.sink.problem({ line: this.valueLine, reason: 'the file ends inside this JSON value' });
    }
  }

  /** Bytes of the chunks before the current one. */
  private chunkBase = 0;

  /** Everything in this chunk before `to` is done with (a whole value, a separator, garbage). */
  private markConsumed(chunk: Buffer, to: number): void {
    this.parts = [];
    this.partBytes = 0;
    this.consumed = this.chunkBase + to;
    this.line = this.scannedLine;
  }

  private pendingChunkTail(chunk: Buffer): void {
    if (this.depth === this.base && !this.inString) {
      this.consumed = this.chunkBase + chunk.length;
      this.line = this.scannedLine;
    }
    this.chunkBase += chunk.length;
  }
}

/** OTLP protobuf records, each after its 4-byte big-endian length (the Collector's file exporter). */
export class ProtobufRecordSplitter implements RecordSplitter {
  consumed = 0;
  readonly line = 1;
  private parts: Buffer[] = [];
  private bytes = 0;
  /** Bytes the parts must hold before a record can be whole: a large one is joined once, not at every chunk. */
  private needed = 4;
  private broken = false;

  constructor(private readonly sink: RecordSink, private readonly startOffset: number, private readonly maxRecordBytes = MAX_RECORD_BYTES) {}

  push(chunk: Buffer): void {
    if (this.broken) return;
    this.parts.push(chunk);
    this.bytes += chunk.length;
    if (this.bytes < this.needed) return;
    let buf = this.parts.length === 1 ? this.parts[0] : Buffer.concat(this.parts);
    let pos = 0;
    this.needed = 4;
    while (this.bytes - pos >= 4) {
      const length = buf.readUInt32BE(pos);
      if (length > this.maxRecordBytes) {
        const at = this.startOffset + this.consumed;
        this.sink.problem({ reason: `record at byte ${at} claims ${length} bytes; the rest of the file is skipped` });
        this.broken = true;
        return;
      }
      if (this.bytes - pos - 4 < length) {
        this.needed = 4 + length;
        break;
      }
      this.sink.protoRecord(buf.subarray(pos + 4, pos + 4 + length), this.startOffset + this.consumed);
      pos += 4 + length;
      this.consumed += 4 + length;
    }
    buf = buf.subarray(pos);
    this.parts = buf.length ? [buf] : [];
    this.bytes = buf.length;
  }

  end(final: boolean): void {
    if (final && this.bytes > 0 && !this.broken) {
      this.sink.problem({ reason: `record at byte ${this.startOffset + this.consumed} is incomplete (the file ends inside it)` });
    }
  }
}

/** A whole file that is one OTLP protobuf message (a request body saved as is). */
export class ProtobufMessageSplitter implements RecordSplitter {
  consumed = 0;
  readonly line = 1;
  private parts: Buffer[] = [];
  private bytes = 0;

  constructor(private readonly sink: RecordSink, private readonly maxRecordBytes = MAX_RECORD_BYTES) {}

  push(chunk: Buffer): void {
    this.bytes += chunk.length;
    if (this.bytes > this.maxRecordBytes) {
      // Held whole until the end, as every record is: past the limit it is skipped, never buffered.
      this.sink.skipRest({ reason: `the file is one protobuf message longer than ${megabytes(this.maxRecordBytes)} and was skipped` });
      this.parts = [];
      return;
    }
    this.parts.push(chunk);
  }

  end(): void {
    if (this.sink.rejected) return;
    const body = Buffer.concat(this.parts);
    this.sink.protoRecord(body, 0);
    this.consumed = body.length;
  }
}
