// A minimal protobuf wire-format reader. Hand-written rather than generated so the decoder
// can skip what we never show, decode strings natively and intern them on the way in.

export class DecodeError extends Error {}

/**
 * How deep attribute values (arrays and maps inside arrays and maps) may nest. Real telemetry
 * stays within a handful of levels; a hostile request nesting millions deep would otherwise
 * exhaust the stack of every recursive step after decoding (search, normalization, JSON).
 */
export const MAX_VALUE_DEPTH = 64;

export function checkValueDepth(depth: number): void {
  if (depth > MAX_VALUE_DEPTH) throw new DecodeError(`attribute values nest deeper than ${MAX_VALUE_DEPTH} levels`);
}

/** Buffer's own slice decoders, which skip toString()'s argument checks (hot in ingest). */
interface FastSlices {
  utf8Slice(start: number, end: number): string;
  hexSlice(start: number, end: number): string;
}

export const enum WireType { Varint = 0, I64 = 1, Len = 2, I32 = 5 }

export class ProtoReader {
  pos: number;

  constructor(readonly buf: Buffer, start = 0, public end = buf.length) {
    this.pos = start;
  }

  get done(): boolean {
    return this.pos >= this.end;
  }

  /** Reads a field tag; returns field number * 8 + wire type. */
  tag(): number {
    return this.varint();
  }

  varint(): number {
    let result = 0;
    let shift = 0;
    const { buf, end } = this;
    while (this.pos < end) {
      const byte = buf[this.pos++];
      if (shift < 28) {
        result |= (byte & 0x7f) << shift;
      } else {
        result += (byte & 0x7f) * 2 ** shift;
      }
      if (byte < 0x80) {
        return shift < 28 ? result >>> 0 : result;
      }
      shift += 7;
      if (shift > 63) break;
    }
    throw new DecodeError('truncated or overlong varint');
  }

  /** A varint as a signed int64, returned as a number when safe, else as a decimal string. */
  int64(): number | string {
    // Fast path: up to 7 bytes (< 2^49) is a non-negative safe integer.
    const { buf } = this;
    let value = 0;
    let scale = 1;
    for (let i = 0; i < 7 && this.pos + i < this.end; i++) {
      const byte = buf[this.pos + i];
      value += (byte & 0x7f) * scale;
      if (byte < 0x80) {
        this.pos += i + 1;
        return value;
      }
      scale *= 128;
    }
    return this.bigInt64();
  }

  private bigInt64(): number | string {
    let lo = 0n;
    let shift = 0n;
    const { buf, end } = this;
    while (this.pos < end) {
      const byte = buf[this.pos++];
      lo |= BigInt(byte & 0x7f) << shift;
      if (byte < 0x80) {
        const signed = BigInt.asIntN(64, lo);
        return signed >= BigInt(Number.MIN_SAFE_INTEGER) && signed <= BigInt(Number.MAX_SAFE_INTEGER)
          ? Number(signed) : signed.toString();
      }
      shift += 7n;
      if (shift > 63n) break;
    }
    throw new DecodeError('truncated or overlong varint');
  }

  /** fixed64 as an unsigned number (loses precision past 2^53, fine for nanosecond timestamps). */
  fixed64(): number {
    this.need(8);
    const lo = this.buf.readUInt32LE(this.pos);
    const hi = this.buf.readUInt32LE(this.pos + 4);
    this.pos += 8;
    return hi * 4294967296 + lo;
  }

  /**
   * A fixed64 of Unix nanoseconds as milliseconds. Nanoseconds since 1970 pass 2^53, so the
   * whole milliseconds are computed exactly apart from the fraction: a span of exactly 250 ms
   * stays 250, not 250.000244.
   */
  fixed64Ms(): number {
    this.need(8);
    const lo = this.buf.readUInt32LE(this.pos);
    const hi = this.buf.readUInt32LE(this.pos + 4);
    this.pos += 8;
    // hi * 2^32 = hi * 4294 * 1e6 + hi * 967296
    const rest = hi * 967296 + lo;
    const restMs = Math.floor(rest / 1e6);
    return hi * 4294 + restMs + (rest - restMs * 1e6) / 1e6;
  }

  double(): number {
    this.need(8);
    const value = this.buf.readDoubleLE(this.pos);
    this.pos += 8;
    return value;
  }

  fixed32(): number {
    this.need(4);
    const value = this.buf.readUInt32LE(this.pos);
    this.pos += 4;
    return value;
  }

  /** Returns [start, end) of a length-delimited field and moves past it. */
  lengthDelimited(): [number, number] {
    const length = this.varint();
    const start = this.pos;
    this.need(length);
    this.pos += length;
    return [start, start + length];
  }

  string(): string {
    const start = this.skipLength();
    return (this.buf as unknown as FastSlices).utf8Slice(start, this.pos);
  }

  /** Moves past a length-delimited field; returns where its bytes start (they end at pos). */
  skipLength(): number {
    const length = this.varint();
    this.need(length);
    const start = this.pos;
    this.pos += length;
    return start;
  }

  hex(): string {
    return this.hexAt(this.skipLength());
  }

  /** The bytes from `start` to the current position, as lowercase hex. */
  hexAt(start: number): string {
    return (this.buf as unknown as FastSlices).hexSlice(start, this.pos);
  }

  bytesBase64(): string {
    const [start, end] = this.lengthDelimited();
    return this.buf.toString('base64', start, end);
  }

  /**
   * Narrows this reader to the embedded message that starts here, without allocating;
   * returns the outer end to hand back to leave().
   */
  enter(): number {
    const length = this.varint();
    this.need(length);
    const outer = this.end;
    this.end = this.pos + length;
    return outer;
  }

  /** Moves past the rest of the embedded message and restores the outer bound. */
  leave(outer: number): void {
    this.pos = this.end;
    this.end = outer;
  }

  skip(wireType: number): void {
    switch (wireType) {
      case WireType.Varint: this.varint(); return;
      case WireType.I64: this.need(8); this.pos += 8; return;
      case WireType.Len: this.lengthDelimited(); return;
      case WireType.I32: this.need(4); this.pos += 4; return;
      default: throw new DecodeError(`unsupported wire type ${wireType} at byte ${this.pos}`);
    }
  }

  private need(bytes: number): void {
    if (bytes < 0 || this.pos + bytes > this.end) {
      throw new DecodeError(`truncated message at byte ${this.pos}`);
    }
  }
}

/** Appends protobuf bytes; enough for the few small messages the receiver sends back. */
export class ProtoWriter {
  private readonly bytes: number[] = [];

  varint(field: number, value: number): this {
    this.rawVarint(field * 8);
    this.rawVarint(value);
    return this;
  }

  string(field: number, value: string): this {
    return this.bytesField(field, Buffer.from(value, 'utf8'));
  }

  bytesField(field: number, value: Uint8Array): this {
    this.rawVarint(field * 8 + WireType.Len);
    this.rawVarint(value.length);
    for (const b of value) this.bytes.push(b);
    return this;
  }

  finish(): Buffer {
    return Buffer.from(this.bytes);
  }

  private rawVarint(value: number): void {
    while (value > 0x7f) {
      this.bytes.push((value % 128) | 0x80);
      value = Math.floor(value / 128);
    }
    this.bytes.push(value);
  }
}
