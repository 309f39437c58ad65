// The OTel Python SDK's ConsoleSpanExporter (and `span.to_json()`): one pretty-printed JSON
// object per span, concatenated. Ids are `0x` hex, times ISO-8601 with microseconds, the kind
// `SpanKind.CLIENT`, the status `{status_code: "ERROR", description}`.
import type { RawEvent, RawLink, RawSpan } from '../../model/rawSpan';
import { spanProblem } from '../../model/rawSpan';
import { Converted, hexId, isObject, isoToMs, Json, plainAttributes, RecordContext, resourceOf } from './shapeContext';

const KINDS = ['UNSPECIFIED', 'INTERNAL', 'SERVER', 'CLIENT', 'PRODUCER', 'CONSUMER'];
const STATUS = ['UNSET', 'OK', 'ERROR'];

export function isPythonConsoleSpan(v: Json): boolean {
  return isObject(v.context) && typeof v.context.trace_id === 'string' && typeof v.context.span_id === 'string'
    && typeof v.name === 'string' && 'start_time' in v;
}

export function convertPythonConsoleSpan(v: Json, ctx: RecordContext): Converted {
  const { strings } = ctx;
  const context = v.context as Json;
  const status = isObject(v.status) ? v.status : {};
  const startMs = isoToMs(v.start_time) ?? ctx.fileTimeMs;
  const resource = isObject(v.resource) ? v.resource.attributes : undefined;
  const span: RawSpan = {
    traceId: hexId(context.trace_id, 16) ?? '',
    spanId: hexId(context.span_id, 8) ?? '',
    parentSpanId: hexId(v.parent_id, 8),
    name: strings.intern(String(v.name)),
    otelKind: Math.max(0, KINDS.indexOf(String(v.kind ?? '').replace(/^SpanKind\./, ''))),
    startMs,
    endMs: Math.max(startMs, isoToMs(v.end_time) ?? startMs),
    attributes: plainAttributes(v.attributes, strings),
    events: (Array.isArray(v.events) ? v.events : []).filter(isObject).map((e): RawEvent => ({
      name: strings.intern(String(e.name ?? '')),
      timeMs: isoToMs(e.timestamp) ?? startMs,
      attributes: plainAttributes(e.attributes, strings),
    })),
    statusCode: Math.max(0, STATUS.indexOf(String(status.status_code ?? 'UNSET').replace(/^StatusCode\./, ''))),
    statusMessage: typeof status.description === 'string' && status.description ? status.description : undefined,
    resource: resourceOf(plainAttributes(resource, strings)),
    scope: { name: '' },
  };
  const links = (Array.isArray(v.links) ? v.links : []).filter(isObject).map((l): RawLink => ({
    traceId: hexId(isObject(l.context) ? l.context.trace_id : undefined, 16) ?? '',
    spanId: hexId(isObject(l.context) ? l.context.span_id : undefined, 8) ?? '',
    attributes: plainAttributes(l.attributes, strings),
  }));
  if (links.length) span.links = links;
  const problem = spanProblem(span);
  return problem ? { spans: [], rejected: [problem] } : { spans: [span] };
}
