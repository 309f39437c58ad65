// Small readers of the OTLP/JSON documents backends answer with, for search hits. The trace
// itself is decoded by the engine's own OTLP/JSON decoder, never here.
import type { RemoteTraceHit } from '../../shared/backends';

type Json = Record<string, unknown>;

/** A trace or span id as lowercase hex, from hex (any case) or base64 (Tempo's JSON); short hex ids are left-padded. */
export function hexId(id: unknown, hexLength = 32): string {
  if (typeof id !== 'string') return '';
  if (/^[0-9a-f]+$/i.test(id) && id.length <= hexLength) return id.toLowerCase().padStart(hexLength, '0');
  const bytes = Buffer.from(id, 'base64');
  return bytes.length * 2 === hexLength ? bytes.toString('hex') : '';
}

export function nanosToMs(value: unknown): number | undefined {
  // Nanoseconds since 1970 are past 2^53: divide as integers first, so whole milliseconds stay whole.
  if (typeof value === 'string' && /^\d{1,30}$/.test(value)) return BigInt(value) > 0n ? Number(BigInt(value) / 1_000n) / 1_000 : undefined;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) return undefined;
  return value / 1e6;
}

function list(value: unknown): Json[] {
  return Array.isArray(value) ? value.filter((v): v is Json => typeof v === 'object' && v !== null) : [];
}

function serviceOf(resource: unknown): string | undefined {
  for (const attribute of list((resource as Json | undefined)?.attributes)) {
    if (attribute.key === 'service.name') return String((attribute.value as Json | undefined)?.stringValue ?? '') || undefined;
  }
  return undefined;
}

/** One hit per trace in an OTLP/JSON document (Jaeger's search answers whole traces): its root span's name and service, its extent. */
export function hitsFromOtlp(doc: { resourceSpans?: unknown }, limit: number): RemoteTraceHit[] {
  const hits = new Map<string, RemoteTraceHit & { endMs?: number; rooted?: boolean }>();
  for (const rs of list(doc.resourceSpans)) {
    const service = serviceOf(rs.resource);
    for (const ss of [...list(rs.scopeSpans), ...list(rs.instrumentationLibrarySpans)]) {
      for (const span of list(ss.spans)) {
        const traceId = hexId(span.traceId);
        if (!traceId) continue;
        const hit = hits.get(traceId) ?? { traceId, spanCount: 0 };
        hits.set(traceId, hit);
        hit.spanCount = (hit.spanCount ?? 0) + 1;
        const start = nanosToMs(span.startTimeUnixNano);
        const end = nanosToMs(span.endTimeUnixNano);
        const isRoot = !span.parentSpanId;
        if (isRoot || (!hit.rooted && hit.name === undefined)) {
          hit.name = String(span.name ?? '');
          hit.service = service;
          hit.rooted = isRoot;
        }
        if (start !== undefined && (hit.startMs === undefined || start < hit.startMs)) hit.startMs = start;
        if (end !== undefined && (hit.endMs === undefined || end > hit.endMs)) hit.endMs = end;
      }
    }
  }
  return [...hits.values()]
    .map(({ endMs, rooted: _rooted, ...hit }) => ({ ...hit, durationMs: endMs !== undefined && hit.startMs !== undefined ? endMs - hit.startMs : undefined }))
    .sort((a, b) => (b.startMs ?? 0) - (a.startMs ?? 0))
    .slice(0, limit);
}
