// Spans and log records of the OTel JS SDK written one JSON object per line, as Copilot Chat's
// OpenTelemetry `outfile` does (`JSON.stringify` of a ReadableSpan's fields): hex ids, HrTime
// `[seconds, nanos]` times, the API SpanKind (0 = INTERNAL, one below OTLP's), plain attributes.
import type { RawEvent, RawLog, RawSpan } from '../../model/rawSpan';
import { spanProblem } from '../../model/rawSpan';
import { finishLog } from '../../otlp/decodeProto';
import { Converted, finiteNumber, hexId, isObject, Json, plainAttributes, RecordContext, resourceOf } from './shapeContext';

export function isJsSdkSpan(v: Json): boolean {
  return typeof v.traceId === 'string' && typeof v.spanId === 'string' && typeof v.name === 'string'
    && (Array.isArray(v.startTime) || typeof v.startTime === 'number');
}

export function isJsSdkLogRecord(v: Json): boolean {
  return Array.isArray(v.hrTime) && ('body' in v || 'severityNumber' in v || 'eventName' in v);
}

/** Metrics share such files (Copilot Chat writes all three signals to one); they are not traces. */
export function isMetrics(v: Json): boolean {
  return 'resourceMetrics' in v || 'resource_metrics' in v || 'scopeMetrics' in v;
}

/** HrTime `[seconds, nanoseconds]` (or epoch ms) → epoch ms. */
function hrTimeMs(v: unknown): number | undefined {
  if (Array.isArray(v) && v.length === 2) {
    const [s, ns] = v.map(finiteNumber);
    return s === undefined || ns === undefined ? undefined : s * 1000 + ns / 1e6;
  }
  return finiteNumber(v);
}

function scopeOf(v: unknown, ctx: RecordContext) {
  if (!isObject(v)) return { name: '' };
  const version = typeof v.version === 'string' ? ctx.strings.intern(v.version) : undefined;
  return { name: ctx.strings.intern(String(v.name ?? '')), version };
}

export function convertJsSdkSpan(v: Json, ctx: RecordContext): Converted {
  const { strings } = ctx;
  const status = isObject(v.status) ? v.status : {};
  const startMs = hrTimeMs(v.startTime) ?? ctx.fileTimeMs;
  const kind = finiteNumber(v.kind);
  const parent = v.parentSpanId ?? (isObject(v.parentSpanContext) ? v.parentSpanContext.spanId : v.parentId);
  const span: RawSpan = {
    traceId: hexId(v.traceId, 16) ?? '',
    spanId: hexId(v.spanId, 8) ?? '',
    parentSpanId: hexId(parent, 8),
    name: strings.intern(String(v.name)),
    otelKind: kind === undefined ? 0 : kind + 1,
    startMs,
    endMs: Math.max(startMs, hrTimeMs(v.endTime) ?? startMs + (hrTimeMs(v.duration) ?? 0)),
    attributes: plainAttributes(v.attributes, strings),
    events: (Array.isArray(v.events) ? v.events : []).filter(isObject).map((e): RawEvent => ({
      name: strings.intern(String(e.name ?? '')),
      timeMs: hrTimeMs(e.time) ?? startMs,
      attributes: plainAttributes(e.attributes, strings),
    })),
    statusCode: finiteNumber(status.code) ?? 0,
    statusMessage: typeof status.message === 'string' && status.message ? status.message : undefined,
    resource: resourceOf(plainAttributes(isObject(v.resource) ? v.resource.attributes : undefined, strings)),
    scope: scopeOf(v.instrumentationScope, ctx),
  };
  const links = (Array.isArray(v.links) ? v.links : []).filter(isObject).map((l) => {
    const context = isObject(l.context) ? l.context : {};
    return { traceId: hexId(context.traceId, 16) ?? '', spanId: hexId(context.spanId, 8) ?? '', attributes: plainAttributes(l.attributes, strings) };
  });
  if (links.length) span.links = links;
  const problem = spanProblem(span);
  return problem ? { spans: [], rejected: [problem] } : { spans: [span] };
}

export function convertJsSdkLogRecord(v: Json, ctx: RecordContext): Converted {
  const { strings } = ctx;
  const spanContext = isObject(v.spanContext) ? v.spanContext : {};
  const attributes = plainAttributes(v.attributes, strings);
  const log: RawLog = {
    traceId: hexId(spanContext.traceId, 16),
    spanId: hexId(spanContext.spanId, 8),
    event: { name: typeof v.eventName === 'string' ? strings.intern(v.eventName) : '', timeMs: hrTimeMs(v.hrTime) ?? 0, attributes, fromLog: true },
  };
  if (v.body !== undefined) log.event.body = plainAttributes({ body: v.body }, strings).body;
  finishLog(log, hrTimeMs(v.hrTimeObserved) ?? ctx.fileTimeMs, typeof v.severityText === 'string' ? v.severityText : undefined);
  return { spans: [], logs: [log] };
}
