// OTLP protobuf → raw spans and log records. Field numbers from opentelemetry-proto
// (trace.proto, logs.proto, common.proto); unknown fields are skipped by wire type.
import type { AttributeValue, Attributes } from '../../shared/spanModel';
import { StringTable } from '../index/stringTable';
import { DecodeError, ProtoReader } from './protoReader';
import {
  DecodedBatch, NANOS_PER_MS, RawEvent, RawLink, RawLog, RawSpan, ResourceInfo, ScopeInfo,
  isValidSpanId, isValidTraceId, newBatch, setAttribute, spanProblem,
} from './otlpTypes';

// Tags: field number << 3 | wire type.
const LEN = (field: number) => (field << 3) | 2;
const VARINT = (field: number) => (field << 3) | 0;
const I64 = (field: number) => (field << 3) | 1;

export class ProtoDecoder {
  constructor(private readonly strings: StringTable) {}

  /** ExportTraceServiceRequest or TracesData (byte-identical). */
  traces(buf: Buffer): DecodedBatch<RawSpan> {
    const batch = newBatch<RawSpan>();
    const r = new ProtoReader(buf);
    while (!r.done) {
      const tag = r.tag();
      if (tag === LEN(1)) this.resourceSpans(r.message(), batch);
      else r.skip(tag & 7);
    }
    return batch;
  }

  /** ExportLogsServiceRequest or LogsData. */
  logs(buf: Buffer): DecodedBatch<RawLog> {
    const batch = newBatch<RawLog>();
    const r = new ProtoReader(buf);
    while (!r.done) {
      const tag = r.tag();
      if (tag === LEN(1)) this.resourceLogs(r.message(), batch);
      else r.skip(tag & 7);
    }
    return batch;
  }

  private resourceSpans(r: ProtoReader, batch: DecodedBatch<RawSpan>): void {
    let resource: ResourceInfo = { attributes: {}, service: 'unknown_service' };
    const scopeReaders: ProtoReader[] = [];
    while (!r.done) {
      const tag = r.tag();
      if (tag === LEN(1)) resource = this.resource(r.message());
      // 1000 is the pre-2022 instrumentation_library_spans, laid out like scope_spans.
      else if (tag === LEN(2) || tag === LEN(1000)) scopeReaders.push(r.message());
      else r.skip(tag & 7);
    }
    for (const scopeReader of scopeReaders) this.scopeSpans(scopeReader, resource, batch);
  }

  private scopeSpans(r: ProtoReader, resource: ResourceInfo, batch: DecodedBatch<RawSpan>): void {
    let scope: ScopeInfo = { name: '' };
    const spanReaders: ProtoReader[] = [];
    while (!r.done) {
      const tag = r.tag();
      if (tag === LEN(1)) scope = this.scope(r.message());
      else if (tag === LEN(2)) spanReaders.push(r.message());
      else r.skip(tag & 7);
    }
    for (const spanReader of spanReaders) {
      const span = this.span(spanReader, resource, scope);
      const problem = spanProblem(span);
      if (problem) {
        batch.rejected++;
        batch.rejectReasons.add(problem);
      } else {
        batch.items.push(span);
      }
    }
  }

  private span(r: ProtoReader, resource: ResourceInfo, scope: ScopeInfo): RawSpan {
    const span: RawSpan = {
      traceId: '', spanId: '', parentSpanId: undefined, name: '', otelKind: 0, startMs: 0, endMs: 0,
      attributes: {}, events: [], links: undefined, statusCode: 0, statusMessage: undefined, resource, scope,
    };
    while (!r.done) {
      const tag = r.tag();
      switch (tag) {
        case LEN(1): span.traceId = r.hex(); break;
        case LEN(2): span.spanId = r.hex(); break;
        case LEN(4): {
          const parent = r.hex();
          if (isValidSpanId(parent)) span.parentSpanId = parent;
          break;
        }
        case LEN(5): span.name = this.strings.intern(r.string()); break;
        case VARINT(6): span.otelKind = r.varint(); break;
        case I64(7): span.startMs = r.fixed64() / NANOS_PER_MS; break;
        case I64(8): span.endMs = r.fixed64() / NANOS_PER_MS; break;
        case LEN(9): this.keyValue(r.message(), span.attributes); break;
        case LEN(11): span.events.push(this.event(r.message())); break;
        case LEN(13): (span.links ??= []).push(this.link(r.message())); break;
        case LEN(15): this.status(r.message(), span); break;
        default: r.skip(tag & 7);
      }
    }
    if (span.endMs < span.startMs) span.endMs = span.startMs;
    return span;
  }

  private status(r: ProtoReader, span: RawSpan): void {
    while (!r.done) {
      const tag = r.tag();
      if (tag === LEN(2)) span.statusMessage = r.string() || undefined;
      else if (tag === VARINT(3)) span.statusCode = r.varint();
      else r.skip(tag & 7);
    }
  }

  private event(r: ProtoReader): RawEvent {
    const event: RawEvent = { name: '', timeMs: 0, attributes: {} };
    while (!r.done) {
      const tag = r.tag();
      if (tag === I64(1)) event.timeMs = r.fixed64() / NANOS_PER_MS;
      else if (tag === LEN(2)) event.name = this.strings.intern(r.string());
      else if (tag === LEN(3)) this.keyValue(r.message(), event.attributes);
      else r.skip(tag & 7);
    }
    return event;
  }

  private link(r: ProtoReader): RawLink {
    const link: RawLink = { traceId: '', spanId: '', attributes: {} };
    while (!r.done) {
      const tag = r.tag();
      if (tag === LEN(1)) link.traceId = r.hex();
      else if (tag === LEN(2)) link.spanId = r.hex();
      else if (tag === LEN(4)) this.keyValue(r.message(), link.attributes);
      else r.skip(tag & 7);
    }
    return link;
  }

  private resource(r: ProtoReader): ResourceInfo {
    const attributes: Attributes = {};
    while (!r.done) {
      const tag = r.tag();
      if (tag === LEN(1)) this.keyValue(r.message(), attributes);
      else r.skip(tag & 7);
    }
    return resourceInfo(attributes);
  }

  private scope(r: ProtoReader): ScopeInfo {
    const scope: ScopeInfo = { name: '' };
    while (!r.done) {
      const tag = r.tag();
      if (tag === LEN(1)) scope.name = this.strings.intern(r.string());
      else if (tag === LEN(2)) scope.version = this.strings.intern(r.string());
      else r.skip(tag & 7);
    }
    return scope;
  }

  /** One KeyValue, added to target. */
  private keyValue(r: ProtoReader, target: Attributes): void {
    let key = '';
    let value: AttributeValue = null;
    while (!r.done) {
      const tag = r.tag();
      if (tag === LEN(1)) key = this.strings.intern(r.string());
      else if (tag === LEN(2)) value = this.anyValue(r.message());
      else r.skip(tag & 7);
    }
    setAttribute(target, key, value);
  }

  private anyValue(r: ProtoReader): AttributeValue {
    let value: AttributeValue = null;
    while (!r.done) {
      const tag = r.tag();
      switch (tag) {
        case LEN(1): value = this.strings.intern(r.string()); break;
        case VARINT(2): value = r.varint() !== 0; break;
        case VARINT(3): value = r.int64(); break;
        case I64(4): value = r.double(); break;
        case LEN(5): value = this.arrayValue(r.message()); break;
        case LEN(6): {
          const kv: Attributes = {};
          const list = r.message();
          while (!list.done) {
            const t = list.tag();
            if (t === LEN(1)) this.keyValue(list.message(), kv);
            else list.skip(t & 7);
          }
          value = kv;
          break;
        }
        case LEN(7): value = r.bytesBase64(); break;
        default: r.skip(tag & 7);
      }
    }
    return value;
  }

  private arrayValue(r: ProtoReader): AttributeValue[] {
    const values: AttributeValue[] = [];
    while (!r.done) {
      const tag = r.tag();
      if (tag === LEN(1)) values.push(this.anyValue(r.message()));
      else r.skip(tag & 7);
    }
    return values;
  }

  private resourceLogs(r: ProtoReader, batch: DecodedBatch<RawLog>): void {
    let resource: ResourceInfo = { attributes: {}, service: 'unknown_service' };
    const scopeReaders: ProtoReader[] = [];
    while (!r.done) {
      const tag = r.tag();
      if (tag === LEN(1)) resource = this.resource(r.message());
      else if (tag === LEN(2)) scopeReaders.push(r.message());
      else r.skip(tag & 7);
    }
    void resource; // logs take their service from the span they attach to
    for (const scopeReader of scopeReaders) {
      while (!scopeReader.done) {
        const tag = scopeReader.tag();
        if (tag === LEN(2)) batch.items.push(this.logRecord(scopeReader.message()));
        else scopeReader.skip(tag & 7);
      }
    }
  }

  private logRecord(r: ProtoReader): RawLog {
    const log: RawLog = { event: { name: '', timeMs: 0, attributes: {}, fromLog: true } };
    let observedMs = 0;
    let severity: string | undefined;
    while (!r.done) {
      const tag = r.tag();
      switch (tag) {
        case I64(1): log.event.timeMs = r.fixed64() / NANOS_PER_MS; break;
        case I64(11): observedMs = r.fixed64() / NANOS_PER_MS; break;
        case LEN(3): severity = r.string() || undefined; break;
        case LEN(5): log.event.body = this.anyValue(r.message()); break;
        case LEN(6): this.keyValue(r.message(), log.event.attributes); break;
        case LEN(9): log.traceId = r.hex(); break;
        case LEN(10): log.spanId = r.hex(); break;
        case LEN(12): log.event.name = this.strings.intern(r.string()); break;
        default: r.skip(tag & 7);
      }
    }
    finishLog(log, observedMs, severity);
    return log;
  }
}

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

export function resourceInfo(attributes: Attributes): ResourceInfo {
  const service = attributes['service.name'];
  return { attributes, service: typeof service === 'string' && service ? service : 'unknown_service' };
}

export { DecodeError };
