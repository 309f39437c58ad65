// Raw spans and log records → OTLP protobuf (TracesData, LogsData), for the store while redaction
// is on: the masked copy is what goes to disk, never the received bytes. Protobuf rather than OTLP/JSON
// because it costs half as much to write, and less to read back. Field numbers mirror
// decodeProto.ts (opentelemetry-proto's trace.proto, logs.proto, common.proto).
import type { AttributeValue, Attributes } from '../../shared/spanModel';
import { byResourceAndScope, LOG_BODY_ATTRIBUTE } from './encodeJson';
import { MAX_TIME_MS, type RawEvent, type RawLog, type RawSpan, type ResourceInfo, type ScopeInfo } from '../model/rawSpan';

const enum Wire { Varint = 0, I64 = 1, Len = 2 }

/** Room kept for an embedded message's length until the message is written (a varint of up to 2^35). */
const LENGTH_ROOM = 5;
const INITIAL_BYTES = 1024 * 1024;
const MAX_NANOS = 2n ** 64n - 1n;
const RETAINED_BYTES = 8 * 1024 * 1024;

/** Buffer's own UTF-8 writer, which skips write()'s argument checks (one call per string). */
interface FastWrite {
  utf8Write(value: string, offset: number): number;
}

/** Writes protobuf into one growing buffer; embedded messages get their length once written. */
class ProtoBuilder {
  private buf = Buffer.allocUnsafe(INITIAL_BYTES);
  private pos = 0;

  /** Starts a new message in the same buffer (the builder is reused: encoding never re-enters). */
  reset(): this {
    this.pos = 0;
    if (this.buf.length > RETAINED_BYTES) this.buf = Buffer.allocUnsafe(INITIAL_BYTES); // after a huge request
    return this;
  }

  private room(bytes: number): void {
    if (this.pos + bytes <= this.buf.length) return;
    const bigger = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + bytes));
    this.buf.copy(bigger, 0, 0, this.pos);
    this.buf = bigger;
  }

  private rawVarint(value: number): void {
    // Callers pass lengths, tags and enums; anything else must not turn into a malformed record.
    if (!Number.isSafeInteger(value) || value < 0) value = 0;
    this.room(10);
    while (value > 0x7f) {
      this.buf[this.pos++] = (value % 128) | 0x80;
      value = Math.floor(value / 128);
    }
    this.buf[this.pos++] = value;
  }

  private tag(field: number, wire: Wire): void {
    this.rawVarint(field * 8 + wire);
  }

  varint(field: number, value: number): void {
    this.tag(field, Wire.Varint);
    this.rawVarint(value);
  }

  /** An int64: negative numbers as ten-byte two's complement, as protobuf writes them. */
  int64(field: number, value: number): void {
    if (value >= 0) return this.varint(field, value);
    this.tag(field, Wire.Varint);
    let rest = BigInt.asUintN(64, BigInt(value));
    this.room(10);
    while (rest > 0x7fn) {
      this.buf[this.pos++] = Number(rest & 0x7fn) | 0x80;
      rest >>= 7n;
    }
    this.buf[this.pos++] = Number(rest);
  }

  double(field: number, value: number): void {
    this.tag(field, Wire.I64);
    this.room(8);
    this.pos = this.buf.writeDoubleLE(value, this.pos);
  }

  /** Epoch milliseconds (with a fraction) as fixed64 nanoseconds, exactly as msToNanos rounds them. */
  nanos(field: number, ms: number): void {
    if (!(ms >= 0 && ms <= MAX_TIME_MS)) ms = 0; // the decoders never produce such times
    const whole = Math.floor(ms);
    const nanos = BigInt(whole) * 1_000_000n + BigInt(Math.round((ms - whole) * 1e6));
    this.tag(field, Wire.I64);
    this.room(8);
    this.pos = this.buf.writeBigUInt64LE(nanos < MAX_NANOS ? nanos : MAX_NANOS, this.pos);
  }

  string(field: number, value: string): void {
    const length = Buffer.byteLength(value);
    this.tag(field, Wire.Len);
    this.rawVarint(length);
    this.room(length);
    this.pos += (this.buf as unknown as FastWrite).utf8Write(value, this.pos);
  }

  /** Lowercase hex ids back to bytes (as many as the text holds). */
  hex(field: number, value: string): void {
    const bytes = Buffer.from(value, 'hex');
    this.tag(field, Wire.Len);
    this.rawVarint(bytes.length);
    this.room(bytes.length);
    this.pos += bytes.copy(this.buf, this.pos);
  }

  /** Starts an embedded message; end() writes its length. */
  begin(field: number): number {
    this.tag(field, Wire.Len);
    this.room(LENGTH_ROOM);
    const at = this.pos;
    this.pos += LENGTH_ROOM;
    return at;
  }

  end(at: number): void {
    const bodyStart = at + LENGTH_ROOM;
    const length = this.pos - bodyStart;
    let p = at;
    for (let v = length; ; v = Math.floor(v / 128)) {
      if (v <= 0x7f) {
        this.buf[p++] = v;
        break;
      }
      this.buf[p++] = (v % 128) | 0x80;
    }
    // Close the gap the unused room left.
    if (p < bodyStart) {
      this.buf.copyWithin(p, bodyStart, this.pos);
      this.pos -= bodyStart - p;
    }
  }

  finish(): Buffer {
    return Buffer.from(this.buf.subarray(0, this.pos));
  }
}

/** As encodeTracesData({ withLogRecords: false }), in protobuf: the store keeps log records apart. */
export function encodeTracesProto(spans: RawSpan[]): Buffer {
  const out = builder.reset();
  for (const [resource, scopes] of byResourceAndScope(spans)) {
    const resourceSpans = out.begin(1);
    resourceMessage(out, resource);
    for (const [scope, list] of scopes) {
      const scopeSpans = out.begin(2);
      scopeMessage(out, scope);
      for (const span of list) spanMessage(out, span);
      out.end(scopeSpans);
    }
    out.end(resourceSpans);
  }
  return out.finish();
}

/** As encodeLogsData, in protobuf. */
export function encodeLogsProto(logs: RawLog[]): Buffer {
  const out = builder.reset();
  const resourceLogs = out.begin(1);
  const scopeLogs = out.begin(2);
  scopeMessage(out, { name: 'ai-trace-inspector' });
  for (const log of logs) {
    const record = out.begin(2);
    out.nanos(1, log.event.timeMs);
    if (log.event.body !== undefined) anyValueField(out, 5, log.event.body);
    keyValues(out, 6, log.event.attributes);
    if (log.traceId) out.hex(9, log.traceId);
    if (log.spanId) out.hex(10, log.spanId);
    if (log.event.name) out.string(12, log.event.name);
    out.end(record);
  }
  out.end(scopeLogs);
  out.end(resourceLogs);
  return out.finish();
}

const builder = new ProtoBuilder();

function resourceMessage(out: ProtoBuilder, resource: ResourceInfo): void {
  const at = out.begin(1);
  keyValues(out, 1, resource.attributes);
  out.end(at);
}

function scopeMessage(out: ProtoBuilder, scope: ScopeInfo): void {
  const at = out.begin(1);
  out.string(1, scope.name);
  if (scope.version) out.string(2, scope.version);
  out.end(at);
}

function spanMessage(out: ProtoBuilder, span: RawSpan): void {
  const at = out.begin(2);
  out.hex(1, span.traceId);
  out.hex(2, span.spanId);
  if (span.parentSpanId) out.hex(4, span.parentSpanId);
  out.string(5, span.name);
  out.varint(6, span.otelKind);
  out.nanos(7, span.startMs);
  out.nanos(8, span.endMs);
  keyValues(out, 9, span.attributes);
  for (const event of span.events) if (!event.fromLog) eventMessage(out, event);
  for (const link of span.links ?? []) {
    const linkAt = out.begin(13);
    out.hex(1, link.traceId);
    out.hex(2, link.spanId);
    keyValues(out, 4, link.attributes);
    out.end(linkAt);
  }
  const status = out.begin(15);
  if (span.statusMessage) out.string(2, span.statusMessage);
  out.varint(3, span.statusCode);
  out.end(status);
  out.end(at);
}

function eventMessage(out: ProtoBuilder, event: RawEvent): void {
  const at = out.begin(11);
  out.nanos(1, event.timeMs);
  out.string(2, event.name);
  keyValues(out, 3, event.attributes);
  if (event.body !== undefined) keyValue(out, 3, LOG_BODY_ATTRIBUTE, JSON.stringify(event.body));
  out.end(at);
}

function keyValues(out: ProtoBuilder, field: number, attributes: Attributes): void {
  for (const key of Object.keys(attributes)) keyValue(out, field, key, attributes[key]);
}

function keyValue(out: ProtoBuilder, field: number, key: string, value: AttributeValue): void {
  const at = out.begin(field);
  out.string(1, key);
  anyValueField(out, 2, value);
  out.end(at);
}

/** An AnyValue; the decoders bound its nesting (MAX_VALUE_DEPTH), so this recursion is bounded too. */
function anyValueField(out: ProtoBuilder, field: number, value: AttributeValue): void {
  const at = out.begin(field);
  if (typeof value === 'string') out.string(1, value);
  else if (typeof value === 'boolean') out.varint(2, value ? 1 : 0);
  else if (typeof value === 'number') {
    if (Number.isSafeInteger(value)) out.int64(3, value);
    else out.double(4, value);
  } else if (Array.isArray(value)) {
    const array = out.begin(5);
    for (const item of value) anyValueField(out, 1, item);
    out.end(array);
  } else if (value && typeof value === 'object') {
    const list = out.begin(6);
    keyValues(out, 1, value);
    out.end(list);
  }
  out.end(at);
}
