// Raw spans → OTLP/JSON TracesData: what Export writes and what Jaeger, Phoenix or this engine
// import again. Every id, attribute and event survives the round trip; log records attached to
// a span travel as span events (TracesData has no place for logs), with their body as an attribute.
import type { AttributeValue, Attributes } from '../../shared/spanModel';
import type { RawEvent, RawLog, RawSpan, ResourceInfo, ScopeInfo } from '../model/rawSpan';

/** The attribute that carries an attached log record's body through an export. */
export const LOG_BODY_ATTRIBUTE = 'gen_ai.event.content';

/**
 * `withLogRecords: false` leaves out the log records attached to spans: the store keeps them in
 * its logs segments, and a reload must not attach them twice.
 */
export function encodeTracesData(spans: RawSpan[], { withLogRecords = true } = {}): object {
  return {
    resourceSpans: [...byResourceAndScope(spans)].map(([resource, scopes]) => ({
      resource: { attributes: keyValues(resource.attributes) },
      scopeSpans: [...scopes].map(([scope, list]) => ({
        scope: scope.version ? { name: scope.name, version: scope.version } : { name: scope.name },
        spans: list.map((span) => encodeSpan(span, withLogRecords)),
      })),
    })),
  };
}

/** Spans grouped as OTLP nests them: by resource, then by instrumentation scope. */
export function byResourceAndScope(spans: RawSpan[]): Map<ResourceInfo, Map<ScopeInfo, RawSpan[]>> {
  const byResource = new Map<ResourceInfo, Map<ScopeInfo, RawSpan[]>>();
  for (const span of spans) {
    let scopes = byResource.get(span.resource);
    if (!scopes) byResource.set(span.resource, (scopes = new Map()));
    const list = scopes.get(span.scope);
    if (list) list.push(span);
    else scopes.set(span.scope, [span]);
  }
  return byResource;
}

function encodeSpan(span: RawSpan, withLogRecords: boolean): object {
  return {
    traceId: span.traceId,
    spanId: span.spanId,
    ...(span.parentSpanId ? { parentSpanId: span.parentSpanId } : {}),
    name: span.name,
    kind: span.otelKind,
    startTimeUnixNano: msToNanos(span.startMs),
    endTimeUnixNano: msToNanos(span.endMs),
    attributes: keyValues(span.attributes),
    events: (withLogRecords ? span.events : span.events.filter((e) => !e.fromLog)).map(encodeEvent),
    ...(span.links ? { links: span.links.map((l) => ({ traceId: l.traceId, spanId: l.spanId, attributes: keyValues(l.attributes) })) } : {}),
    status: span.statusMessage ? { code: span.statusCode, message: span.statusMessage } : { code: span.statusCode },
  };
}

function encodeEvent(event: RawEvent): object {
  const attributes = event.body === undefined ? event.attributes : { ...event.attributes, [LOG_BODY_ATTRIBUTE]: JSON.stringify(event.body) };
  return { timeUnixNano: msToNanos(event.timeMs), name: event.name, attributes: keyValues(attributes) };
}

/** Log records → OTLP/JSON LogsData, for the store when records were changed (redacted) on arrival. */
export function encodeLogsData(logs: RawLog[]): object {
  return {
    resourceLogs: [{
      resource: { attributes: [] },
      scopeLogs: [{
        scope: { name: 'ai-trace-inspector' },
        logRecords: logs.map((log) => ({
          timeUnixNano: msToNanos(log.event.timeMs),
          ...(log.traceId ? { traceId: log.traceId } : {}),
          ...(log.spanId ? { spanId: log.spanId } : {}),
          ...(log.event.name ? { eventName: log.event.name } : {}),
          ...(log.event.body !== undefined ? { body: anyValue(log.event.body) } : {}),
          attributes: keyValues(log.event.attributes),
        })),
      }],
    }],
  };
}

/** Milliseconds (float) → integer nanoseconds as the decimal string OTLP/JSON uses. */
export function msToNanos(ms: number): string {
  const whole = Math.floor(ms);
  const nanos = Math.round((ms - whole) * 1e6);
  return (BigInt(whole) * 1_000_000n + BigInt(nanos)).toString();
}

function keyValues(attributes: Attributes): object[] {
  return Object.keys(attributes).map((key) => ({ key, value: anyValue(attributes[key]) }));
}

function anyValue(v: AttributeValue): object {
  if (typeof v === 'string') return { stringValue: v };
  if (typeof v === 'boolean') return { boolValue: v };
  if (typeof v === 'number') return Number.isInteger(v) ? { intValue: String(v) } : { doubleValue: v };
  if (Array.isArray(v)) return { arrayValue: { values: v.map(anyValue) } };
  if (v && typeof v === 'object') return { kvlistValue: { values: keyValues(v) } };
  return {};
}
