// OTLP protobuf → raw spans and log records. Field numbers from opentelemetry-proto
// (trace.proto, logs.proto, common.proto); unknown fields are skipped by wire type.
import type { AttributeValue, Attributes } from '../../shared/spanModel';
import { StringTable } from '../model/stringTable';
import { DecodedStringCache, KnownString, sameShortBytes } from './decodedStringCache';
import { checkValueDepth, DecodeError, ProtoReader } from './protoReader';
import {
  DecodedBatch, NANOS_PER_MS, RawEvent, RawLink, RawLog, RawSpan, ResourceInfo, ScopeInfo,
  isValidSpanId, isValidTraceId, newBatch, OVERSIZED_SPAN, setAttribute, spanProblem,
} from '../model/rawSpan';

// Tags: field number << 3 | wire type.
const LEN = (field: number) => (field << 3) | 2;
const VARINT = (field: number) => (field << 3) | 0;
const I64 = (field: number) => (field << 3) | 1;

export class ProtoDecoder {
  private readonly cache: DecodedStringCache;
  /** The last string decoded: what follows it is guessed from what followed it before. */
  private previous: KnownString | undefined;
  /** The previous span's trace and parent ids, which the next span usually repeats. */
  private readonly traceId = new RepeatedId();
  private readonly parentId = new RepeatedId();

  constructor(strings: StringTable) {
    this.cache = new DecodedStringCache(strings);
  }

  /** A string field, interned (repeats are recognized from their bytes). */
  private string(r: ProtoReader): string {
    const start = r.skipLength();
    const known = this.cache.get(r.buf, start, r.pos, this.previous?.next);
    // An uncached string is never a guess, nor kept alive by one.
    if (this.previous) this.previous.next = known.bytes && known;
    this.previous = known.bytes && known;
    return known.value;
  }

  /** ExportTraceServiceRequest or TracesData (byte-identical). */
  traces(buf: Buffer): DecodedBatch<RawSpan> {
    return drain(this.tracesInSteps(buf));
  }

  /** ExportLogsServiceRequest or LogsData. */
  logs(buf: Buffer): DecodedBatch<RawLog> {
    return drain(this.logsInSteps(buf));
  }

  /**
   * traces(), one span per step: a large request is decoded in slices, the caller yielding to
   * the event loop between them. The batch is returned when the request is decoded whole.
   */
  *tracesInSteps(buf: Buffer): Generator<void, DecodedBatch<RawSpan>> {
    const batch = newBatch<RawSpan>();
    const r = new ProtoReader(buf);
    while (!r.done) {
      const tag = r.tag();
      if (tag === LEN(1)) yield* this.resourceSpans(r, batch);
      else r.skip(tag & 7);
    }
    return batch;
  }

  /** logs(), one log record per step. */
  *logsInSteps(buf: Buffer): Generator<void, DecodedBatch<RawLog>> {
    const batch = newBatch<RawLog>();
    const r = new ProtoReader(buf);
    while (!r.done) {
      const tag = r.tag();
      if (tag === LEN(1)) yield* this.resourceLogs(r, batch);
      else r.skip(tag & 7);
    }
    return batch;
  }

  // Each reader method below starts at a length-prefixed embedded message, narrows the
  // reader to it with enter() and restores it with leave(): no allocation per message.

  private *resourceSpans(r: ProtoReader, batch: DecodedBatch<RawSpan>): Generator<void> {
    const outer = r.enter();
    const resource: ResourceInfo = { attributes: {}, service: UNKNOWN_SERVICE };
    while (!r.done) {
      const tag = r.tag();
      if (tag === LEN(1)) this.resource(r, resource);
      // 1000 is the pre-2022 instrumentation_library_spans, laid out like scope_spans.
      else if (tag === LEN(2) || tag === LEN(1000)) yield* this.scopeSpans(r, resource, batch);
      else r.skip(tag & 7);
    }
    r.leave(outer);
  }

  private *scopeSpans(r: ProtoReader, resource: ResourceInfo, batch: DecodedBatch<RawSpan>): Generator<void> {
    const outer = r.enter();
    // Spans point at this object, so a scope that comes after them in the bytes still applies.
    const scope: ScopeInfo = { name: '' };
    while (!r.done) {
      const tag = r.tag();
      if (tag === LEN(1)) this.scope(r, scope);
      else if (tag === LEN(2)) {
        const span = this.span(r, resource, scope);
        const problem = spanProblem(span);
        if (problem) {
          batch.rejected++;
          batch.rejectReasons.add(problem);
        } else {
          batch.items.push(span);
        }
        yield;
      } else r.skip(tag & 7);
    }
    r.leave(outer);
  }

  private span(r: ProtoReader, resource: ResourceInfo, scope: ScopeInfo): RawSpan {
    const outer = r.enter();
    const span: RawSpan = {
      traceId: '', spanId: '', parentSpanId: undefined, name: '', otelKind: 0, startMs: 0, endMs: 0,
      attributes: {}, events: [], links: undefined, statusCode: 0, statusMessage: undefined, resource, scope,
    };
    let attributeCount = 0;
    while (!r.done) {
      const tag = r.tag();
      switch (tag) {
        case LEN(1): span.traceId = this.traceId.read(r); break;
        case LEN(2): span.spanId = r.hex(); break;
        case LEN(4): {
          const parent = this.parentId.read(r);
          if (isValidSpanId(parent)) span.parentSpanId = parent;
          break;
        }
        case LEN(5): span.name = this.string(r); break;
        case VARINT(6): span.otelKind = r.varint(); break;
        case I64(7): span.startMs = r.fixed64Ms(); break;
        case I64(8): span.endMs = r.fixed64Ms(); break;
        case LEN(9):
          // Past the limit the span is refused anyway (Ingest): the rest is skipped, not decoded.
          if (++attributeCount <= OVERSIZED_SPAN) this.keyValue(r, span.attributes);
          else r.skip(tag & 7);
          break;
        case LEN(11): span.events.push(this.event(r)); break;
        case LEN(13): (span.links ??= []).push(this.link(r)); break;
        case LEN(15): this.status(r, span); break;
        default: r.skip(tag & 7);
      }
    }
    r.leave(outer);
    if (span.endMs < span.startMs) span.endMs = span.startMs;
    return span;
  }

  private status(r: ProtoReader, span: RawSpan): void {
    const outer = r.enter();
    while (!r.done) {
      const tag = r.tag();
      if (tag === LEN(2)) span.statusMessage = r.string() || undefined;
      else if (tag === VARINT(3)) span.statusCode = r.varint();
      else r.skip(tag & 7);
    }
    r.leave(outer);
  }

  private event(r: ProtoReader): RawEvent {
    const outer = r.enter();
    const event: RawEvent = { name: '', timeMs: 0, attributes: {} };
    while (!r.done) {
      const tag = r.tag();
      if (tag === I64(1)) event.timeMs = r.fixed64Ms();
      else if (tag === LEN(2)) event.name = this.string(r);
      else if (tag === LEN(3)) this.keyValue(r, event.attributes);
      else r.skip(tag & 7);
    }
    r.leave(outer);
    return event;
  }

  private link(r: ProtoReader): RawLink {
    const outer = r.enter();
    const link: RawLink = { traceId: '', spanId: '', attributes: {} };
    while (!r.done) {
      const tag = r.tag();
      if (tag === LEN(1)) link.traceId = r.hex();
      else if (tag === LEN(2)) link.spanId = r.hex();
      else if (tag === LEN(4)) this.keyValue(r, link.attributes);
      else r.skip(tag & 7);
    }
    r.leave(outer);
    return link;
  }

  private resource(r: ProtoReader, resource: ResourceInfo): void {
    const outer = r.enter();
    while (!r.done) {
      const tag = r.tag();
      if (tag === LEN(1)) this.keyValue(r, resource.attributes);
      else r.skip(tag & 7);
    }
    r.leave(outer);
    resource.service = serviceName(resource.attributes);
  }

  private scope(r: ProtoReader, scope: ScopeInfo): void {
    const outer = r.enter();
    while (!r.done) {
      const tag = r.tag();
      if (tag === LEN(1)) scope.name = this.string(r);
      else if (tag === LEN(2)) scope.version = this.string(r);
      else r.skip(tag & 7);
    }
    r.leave(outer);
  }

  /** One KeyValue, added to target; depth counts the arrays and maps it sits in. */
  private keyValue(r: ProtoReader, target: Attributes, depth = 0): void {
    const outer = r.enter();
    let key = '';
    let value: AttributeValue = null;
    while (!r.done) {
      const tag = r.tag();
      if (tag === LEN(1)) key = this.string(r);
      else if (tag === LEN(2)) value = this.anyValue(r, depth);
      else r.skip(tag & 7);
    }
    r.leave(outer);
    setAttribute(target, key, value);
  }

  private anyValue(r: ProtoReader, depth = 0): AttributeValue {
    checkValueDepth(depth);
    const outer = r.enter();
    let value: AttributeValue = null;
    while (!r.done) {
      const tag = r.tag();
      switch (tag) {
        case LEN(1): value = this.string(r); break;
        case VARINT(2): value = r.varint() !== 0; break;
        case VARINT(3): value = r.int64(); break;
        case I64(4): value = r.double(); break;
        case LEN(5): value = this.arrayValue(r, depth + 1); break;
        case LEN(6): value = this.kvList(r, depth + 1); break;
        case LEN(7): value = r.bytesBase64(); break;
        default: r.skip(tag & 7);
      }
    }
    r.leave(outer);
    return value;
  }

  private arrayValue(r: ProtoReader, depth: number): AttributeValue[] {
    const outer = r.enter();
    const values: AttributeValue[] = [];
    while (!r.done) {
      const tag = r.tag();
      if (tag === LEN(1)) values.push(this.anyValue(r, depth));
      else r.skip(tag & 7);
    }
    r.leave(outer);
    return values;
  }

  private kvList(r: ProtoReader, depth: number): Attributes {
    const outer = r.enter();
    const kv: Attributes = {};
    while (!r.done) {
      const tag = r.tag();
      if (tag === LEN(1)) this.keyValue(r, kv, depth);
      else r.skip(tag & 7);
    }
    r.leave(outer);
    return kv;
  }

  private *resourceLogs(r: ProtoReader, batch: DecodedBatch<RawLog>): Generator<void> {
    const outer = r.enter();
    while (!r.done) {
      const tag = r.tag();
      // Logs take their service from the span they attach to, so the resource is skipped.
      if (tag === LEN(2)) yield* this.scopeLogs(r, batch);
      else r.skip(tag & 7);
    }
    r.leave(outer);
  }

  private *scopeLogs(r: ProtoReader, batch: DecodedBatch<RawLog>): Generator<void> {
    const outer = r.enter();
    while (!r.done) {
      const tag = r.tag();
      if (tag === LEN(2)) {
        batch.items.push(this.logRecord(r));
        yield;
      } else r.skip(tag & 7);
    }
    r.leave(outer);
  }

  private logRecord(r: ProtoReader): RawLog {
    const outer = r.enter();
    const log: RawLog = { event: { name: '', timeMs: 0, attributes: {}, fromLog: true } };
    let observedMs = 0;
    let severity: string | undefined;
    while (!r.done) {
      const tag = r.tag();
      switch (tag) {
        case I64(1): log.event.timeMs = r.fixed64Ms(); break;
        case I64(11): observedMs = r.fixed64Ms(); break;
        case LEN(3): severity = r.string() || undefined; break;
        case LEN(5): log.event.body = this.anyValue(r); break;
        case LEN(6): this.keyValue(r, log.event.attributes); break;
        case LEN(9): log.traceId = r.hex(); break;
        case LEN(10): log.spanId = r.hex(); break;
        case LEN(12): log.event.name = this.string(r); break;
        default: r.skip(tag & 7);
      }
    }
    r.leave(outer);
    finishLog(log, observedMs, severity);
    return log;
  }
}

/**
 * An id field that often repeats the previous one (the spans of a trace come together, siblings
 * share a parent): a repeat is recognized from its bytes and shares the previous string, which
 * saves a decode, a hash in every map keyed by it, and the memory of a copy per span.
 */
class RepeatedId {
  /** A copy of the previous id's bytes (never a view: that would keep a whole request alive). */
  private readonly bytes = Buffer.alloc(MAX_ID_BYTES);
  private length = -1;
  private value = '';

  read(r: ProtoReader): string {
    const start = r.skipLength();
    const { buf, pos } = r;
    const length = pos - start;
    if (length === this.length && sameShortBytes(this.bytes, buf, start, length)) return this.value;
    this.value = r.hexAt(start);
    this.length = length <= MAX_ID_BYTES ? buf.copy(this.bytes, 0, start, pos) : -1;
    return this.value;
  }
}

/** Runs a stepwise decode to its end. */
function drain<T>(steps: Generator<void, T>): T {
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
  }
}

/** Trace ids are 16 bytes, span ids 8; anything longer is invalid and not worth remembering. */
const MAX_ID_BYTES = 16;

/** Fills what a log record left open: its time, its name, and ids we cannot use. */
export function finishLog(log: RawLog, observedMs: number, severity: string | undefined): void {
  if (!log.event.timeMs) log.event.timeMs = observedMs;
  if (!log.event.name) {
    const legacyName = log.event.attributes['event.name'];
    log.event.name = typeof legacyName === 'string' ? legacyName : severity ? `log ${severity}` : 'log';
  }
  if (!isValidTraceId(log.traceId) || !isValidSpanId(log.spanId)) {
    log.traceId = undefined;
    log.spanId = undefined;
  }
}

const UNKNOWN_SERVICE = 'unknown_service';

export function serviceName(attributes: Attributes): string {
  const service = attributes['service.name'];
  return typeof service === 'string' && service ? service : UNKNOWN_SERVICE;
}

export { DecodeError };
