// Trace files as their producers write them, from what the real OTel JS SDK made.
import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';

/** Copilot Chat's `outfile`: its FileSpanExporter's serializeSpan, one JSON object per line. */
export function copilotOutfile(spans: ReadableSpan[]): string {
  return spans.map((span) => JSON.stringify({
    resource: { attributes: span.resource.attributes },
    instrumentationScope: span.instrumentationScope,
    traceId: span.spanContext().traceId,
    spanId: span.spanContext().spanId,
    traceFlags: span.spanContext().traceFlags,
    traceState: span.spanContext().traceState?.serialize(),
    parentSpanId: span.parentSpanContext?.spanId,
    name: span.name, kind: span.kind, startTime: span.startTime, endTime: span.endTime, duration: span.duration,
    status: span.status, attributes: span.attributes, links: span.links, events: span.events, ended: span.ended,
    droppedAttributesCount: span.droppedAttributesCount, droppedEventsCount: span.droppedEventsCount, droppedLinksCount: span.droppedLinksCount,
  }) + '\n').join('');
}

/** Log records in the same outfile: the fields of the SDK's ReadableLogRecord, one JSON object per line. */
export function copilotLogLines(records: ReadableLogRecord[]): string {
  return records.map((record) => JSON.stringify({
    hrTime: record.hrTime, hrTimeObserved: record.hrTimeObserved, spanContext: record.spanContext, severityText: record.severityText,
    severityNumber: record.severityNumber, eventName: record.eventName, body: record.body, attributes: record.attributes,
    resource: { attributes: record.resource.attributes }, instrumentationScope: record.instrumentationScope,
  }) + '\n').join('');
}

/** The Collector's `format: proto`: each request after its 4-byte big-endian length. */
export function collectorProto(bodies: Uint8Array[]): Buffer {
  return Buffer.concat(bodies.map((body) => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(body.length);
    return Buffer.concat([length, body]);
  }));
}
