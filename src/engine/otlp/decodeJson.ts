// OTLP/JSON → raw spans and log records, read leniently as the Collector does: camelCase or
// snake_case keys, hex or base64 ids, int64 as string or number, enums as numbers or names.
import type { AttributeValue, Attributes } from '../../shared/spanModel';
import { StringTable } from '../model/stringTable';
import { checkValueDepth, DecodeError } from './protoReader';
import { finishLog, serviceName } from './decodeProto';
import {
  DecodedBatch, MAX_TIME_MS, NANOS_PER_MS, RawEvent, RawLink, RawLog, RawSpan, ResourceInfo, ScopeInfo,
  isValidSpanId, isValidTraceId, newBatch, OVERSIZED_SPAN, setAttribute, spanProblem,
} from '../model/rawSpan';

type Json = Record<string, unknown>;

const SPAN_KINDS = ['UNSPECIFIED', 'INTERNAL', 'SERVER', 'CLIENT', 'PRODUCER', 'CONSUMER'];
const STATUS_CODES = ['UNSET', 'OK', 'ERROR'];

export class JsonDecoder {
  constructor(private readonly strings: StringTable) {}

  /** Parses and decodes an ExportTraceServiceRequest / TracesData document. */
  tracesText(text: string): DecodedBatch<RawSpan> {
    return this.traces(parseObject(text));
  }

  logsText(text: string): DecodedBatch<RawLog> {
    return this.logs(parseObject(text));
  }

  traces(doc: Json): DecodedBatch<RawSpan> {
    const batch = newBatch<RawSpan>();
    for (const rs of list(field(doc, 'resourceSpans', 'resource_spans'))) {
      const resource = this.resource(rs);
      const scopes = [...list(field(rs, 'scopeSpans', 'scope_spans')),
        ...list(field(rs, 'instrumentationLibrarySpans', 'instrumentation_library_spans'))];
      for (const ss of scopes) {
        const scope = this.scope(field(ss, 'scope') ?? field(ss, 'instrumentationLibrary', 'instrumentation_library'));
        for (const s of list(field(ss, 'spans'))) {
          const span = this.span(s, resource, scope);
          const problem = span ? spanProblem(span) : 'span is not a JSON object';
          if (problem || !span) {
            batch.rejected++;
            batch.rejectReasons.add(problem ?? 'span is not a JSON object');
          } else {
            batch.items.push(span);
          }
        }
      }
    }
    return batch;
  }

  logs(doc: Json): DecodedBatch<RawLog> {
    const batch = newBatch<RawLog>();
    for (const rl of list(field(doc, 'resourceLogs', 'resource_logs'))) {
      const scopes = [...list(field(rl, 'scopeLogs', 'scope_logs')),
        ...list(field(rl, 'instrumentationLibraryLogs', 'instrumentation_library_logs'))];
      for (const sl of scopes) {
        for (const record of list(field(sl, 'logRecords', 'log_records'))) {
          batch.items.push(this.logRecord(record));
        }
      }
    }
    return batch;
  }

  private span(s: Json, resource: ResourceInfo, scope: ScopeInfo): RawSpan | undefined {
    if (!isObject(s)) return undefined;
    const status = field(s, 'status');
    const parent = id(field(s, 'parentSpanId', 'parent_span_id'));
    const startMs = nanosToMs(field(s, 'startTimeUnixNano', 'start_time_unix_nano'));
    const links = list(field(s, 'links')).map((l): RawLink => ({
      traceId: id(field(l, 'traceId', 'trace_id')) ?? '',
      spanId: id(field(l, 'spanId', 'span_id')) ?? '',
      attributes: this.attributes(field(l, 'attributes')),
    })).filter((l) => isValidTraceId(l.traceId) && isValidSpanId(l.spanId));
    return {
      traceId: id(field(s, 'traceId', 'trace_id')) ?? '',
      spanId: id(field(s, 'spanId', 'span_id')) ?? '',
      parentSpanId: isValidSpanId(parent) ? parent : undefined,
      name: this.strings.intern(text(field(s, 'name'))),
      otelKind: enumValue(field(s, 'kind'), SPAN_KINDS, 'SPAN_KIND_'),
      startMs,
      endMs: Math.max(startMs, nanosToMs(field(s, 'endTimeUnixNano', 'end_time_unix_nano'))),
      attributes: this.attributes(field(s, 'attributes'), 0, OVERSIZED_SPAN),
      events: list(field(s, 'events')).map((e) => this.event(e)),
      links: links.length ? links : undefined,
      statusCode: isObject(status) ? enumValue(field(status, 'code'), STATUS_CODES, 'STATUS_CODE_') : 0,
      statusMessage: isObject(status) ? text(field(status, 'message')) || undefined : undefined,
      resource,
      scope,
    };
  }

  private event(e: Json): RawEvent {
    return {
      name: this.strings.intern(text(field(e, 'name'))),
      timeMs: nanosToMs(field(e, 'timeUnixNano', 'time_unix_nano')),
      attributes: this.attributes(field(e, 'attributes')),
    };
  }

  private logRecord(record: Json): RawLog {
    const log: RawLog = {
      traceId: id(field(record, 'traceId', 'trace_id')),
      spanId: id(field(record, 'spanId', 'span_id')),
      event: {
        name: this.strings.intern(text(field(record, 'eventName', 'event_name'))),
        timeMs: nanosToMs(field(record, 'timeUnixNano', 'time_unix_nano')),
        attributes: this.attributes(field(record, 'attributes')),
        fromLog: true,
      },
    };
    const body = field(record, 'body');
    if (body !== undefined) log.event.body = this.anyValue(body);
    finishLog(log, nanosToMs(field(record, 'observedTimeUnixNano', 'observed_time_unix_nano')),
      text(field(record, 'severityText', 'severity_text')) || undefined);
    return log;
  }

  private resource(rs: Json): ResourceInfo {
    const attributes = this.attributes(field(field(rs, 'resource'), 'attributes'));
    return { attributes, service: serviceName(attributes) };
  }

  private scope(scope: unknown): ScopeInfo {
    const version = text(field(scope, 'version'));
    return { name: this.strings.intern(text(field(scope, 'name'))), version: version ? this.strings.intern(version) : undefined };
  }

  /** depth counts the arrays and maps these attributes sit in; past `max` the rest are not decoded. */
  private attributes(kvs: unknown, depth = 0, max = Infinity): Attributes {
    const attributes: Attributes = {};
    const all = list(kvs);
    for (let i = 0; i < all.length && i < max; i++) {
      const kv = all[i];
      const key = field(kv, 'key');
      if (typeof key === 'string') setAttribute(attributes, this.strings.intern(key), this.anyValue(field(kv, 'value'), depth));
    }
    return attributes;
  }

  private anyValue(v: unknown, depth = 0): AttributeValue {
    checkValueDepth(depth);
    if (!isObject(v)) return null;
    for (const key in v) {
      const inner = v[key];
      switch (key) {
        case 'stringValue': case 'string_value':
          return this.strings.intern(text(inner));
        case 'boolValue': case 'bool_value':
          return inner === true || inner === 'true';
        case 'intValue': case 'int_value':
          return int64(inner);
        case 'doubleValue': case 'double_value':
          return typeof inner === 'number' ? inner : Number(inner);
        case 'arrayValue': case 'array_value':
          return list(field(inner, 'values')).map((x) => this.anyValue(x, depth + 1));
        case 'kvlistValue': case 'kvlist_value':
          return this.attributes(field(inner, 'values'), depth + 1);
        case 'bytesValue': case 'bytes_value':
          return text(inner);
      }
    }
    return null;
  }
}

function parseObject(text: string): Json {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (error) {
    throw new DecodeError(`invalid JSON: ${(error as Error).message}`);
  }
  if (!isObject(doc)) throw new DecodeError('expected a JSON object');
  return doc;
}

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function field(obj: unknown, camel: string, snake?: string): unknown {
  if (!isObject(obj)) return undefined;
  const v = obj[camel];
  return v !== undefined || !snake ? v : obj[snake];
}

function list(v: unknown): Json[] {
  return Array.isArray(v) ? v : [];
}

function text(v: unknown): string {
  return typeof v === 'string' ? v : v === undefined || v === null ? '' : String(v);
}

/** A hex id (any case) or a base64 id of the proto3 JSON mapping → lowercase hex. */
export function id(v: unknown): string | undefined {
  if (typeof v !== 'string' || v === '') return undefined;
  const bare = v.startsWith('0x') ? v.slice(2) : v;
  if (/^[0-9a-fA-F]+$/.test(bare) && (bare.length === 32 || bare.length === 16)) return bare.toLowerCase();
  const bytes = Buffer.from(v, 'base64');
  return bytes.length === 16 || bytes.length === 8 ? bytes.toString('hex') : bare.toLowerCase();
}

/** An enum by number or name; anything outside the enum reads as 0 (unspecified). */
function enumValue(v: unknown, names: string[], prefix: string): number {
  const n = typeof v === 'number' ? v : typeof v !== 'string' ? 0 : /^\d+$/.test(v) ? Number(v) : names.indexOf(v.toUpperCase().replace(prefix, ''));
  return Number.isInteger(n) && n >= 0 && n < names.length ? n : 0;
}

function int64(v: unknown): number | string {
  if (typeof v === 'number') return v;
  const s = text(v);
  const n = Number(s);
  return Number.isSafeInteger(n) ? n : s;
}

/** Nanoseconds (a decimal string, or a number) → milliseconds, whole milliseconds exact. */
function nanosToMs(v: unknown): number {
  const s = typeof v === 'number' ? (Number.isSafeInteger(v) ? String(v) : '') : text(v);
  const ms = /^\d{7,}$/.test(s) ? Number(s.slice(0, -6)) + Number(s.slice(-6)) / NANOS_PER_MS
    : (typeof v === 'number' ? v : Number(s)) / NANOS_PER_MS;
  // Times before 1970 or past what fixed64 holds (year 2554) are not times: unset.
  return Number.isFinite(ms) && ms >= 0 && ms < MAX_TIME_MS ? ms : 0;
}
