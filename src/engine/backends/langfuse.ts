// Langfuse: a trace and its observations from the public API, GET /api/public/traces/{id}
// (basic auth: public key and secret key, sent as an Authorization header). The trace becomes a
// root span and each observation a span under its parent, with the `langfuse.*` attributes
// Langfuse's own OpenTelemetry export writes, so the usual normalization reads model, usage,
// cost, input and output. Search lists traces: `name=chat userId=u1 sessionId=s1 tags=prod since=1d`.
import type { BackendConfig, RemoteTraceHit } from '../../shared/backends';
import { derivedId } from '../model/derivedId';
import { requestJson } from './backendHttp';
import { BackendError, OtlpTracesJson, TraceBackend } from './backendTypes';
import { parseDurationMs, parseKeyValues } from './keyValueQuery';

type Json = Record<string, unknown>;

const SEARCH_KEYS = new Set(['name', 'userId', 'sessionId', 'tags', 'environment', 'version', 'release']);

export class LangfuseBackend implements TraceBackend {
  constructor(readonly config: BackendConfig) {}

  async trace(traceId: string): Promise<OtlpTracesJson | undefined> {
    const trace = await requestJson<Json>(this.config, { path: `/api/public/traces/${traceId}` });
    if (!trace) return undefined;
    if (typeof trace.id !== 'string' || (trace.observations !== undefined && !Array.isArray(trace.observations))) {
      throw new BackendError(this.config.name, 'answered something that is not a Langfuse trace');
    }
    return langfuseToOtlp(traceId, trace);
  }

  async search(query: string, limit: number): Promise<RemoteTraceHit[]> {
    const { since, ...filters } = parseKeyValues(this.config.name, query);
    for (const key of Object.keys(filters)) {
      if (!SEARCH_KEYS.has(key)) throw new BackendError(this.config.name, `unknown filter "${key}"; use ${[...SEARCH_KEYS].join(', ')}, since`, 400);
    }
    const params = { ...filters, limit: Math.min(100, limit), orderBy: 'timestamp.desc',
      fromTimestamp: since ? new Date(Date.now() - parseDurationMs(this.config.name, since)).toISOString() : undefined };
    const answer = await requestJson<{ data?: Json[] }>(this.config, { path: '/api/public/traces', params });
    if (!answer || !Array.isArray(answer.data)) throw new BackendError(this.config.name, 'answered a trace list without "data"');
    return answer.data.slice(0, limit).map((t) => ({
      traceId: String(t.id ?? ''), name: typeof t.name === 'string' ? t.name : undefined,
      startMs: typeof t.timestamp === 'string' ? Date.parse(t.timestamp) : undefined,
      durationMs: typeof t.latency === 'number' ? t.latency * 1000 : undefined,
    })).filter((hit) => hit.traceId);
  }
}

/** A Langfuse id as a 16-hex span id: itself when it already is one (OTel-ingested), else derived from it. */
function spanIdOf(id: unknown): string {
  const text = String(id ?? '');
  return /^[0-9a-f]{16}$/i.test(text) ? text.toLowerCase() : derivedId(text, 16);
}

function nanos(iso: unknown): string | undefined {
  const ms = typeof iso === 'string' ? Date.parse(iso) : NaN;
  return Number.isFinite(ms) ? (BigInt(Math.round(ms)) * 1_000_000n).toString() : undefined;
}

function attribute(key: string, value: unknown): { key: string; value: { stringValue: string } } | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  return { key, value: { stringValue: typeof value === 'string' ? value : JSON.stringify(value) } };
}

function attributes(entries: [string, unknown][]): unknown[] {
  return entries.map(([k, v]) => attribute(k, v)).filter((a) => a !== undefined);
}

export function langfuseToOtlp(traceId: string, trace: Json): OtlpTracesJson {
  const rootId = spanIdOf(`trace:${String(trace.id)}`);
  const observations = (trace.observations as Json[] | undefined) ?? [];
  const ends = observations.map((o) => nanos(o.endTime) ?? nanos(o.startTime)).filter((n): n is string => n !== undefined);
  const start = nanos(trace.timestamp) ?? '0';
  const end = ends.reduce((max, n) => (BigInt(n) > BigInt(max) ? n : max), start);
  const spans: unknown[] = [{
    traceId, spanId: rootId, name: String(trace.name ?? 'trace'), kind: 1, startTimeUnixNano: start, endTimeUnixNano: end,
    attributes: attributes([
      ['langfuse.observation.input', trace.input], ['langfuse.observation.output', trace.output],
      ['langfuse.session.id', trace.sessionId], ['langfuse.user.id', trace.userId],
      ['langfuse.trace.tags', Array.isArray(trace.tags) && trace.tags.length ? trace.tags : undefined],
      ['langfuse.trace.metadata', trace.metadata],
    ]),
  }];
  for (const o of observations) {
    const startNs = nanos(o.startTime) ?? start;
    const failed = o.level === 'ERROR';
    spans.push({
      traceId, spanId: spanIdOf(o.id), parentSpanId: o.parentObservationId ? spanIdOf(o.parentObservationId) : rootId,
      name: String(o.name ?? o.type ?? 'observation'), kind: 1, startTimeUnixNano: startNs, endTimeUnixNano: nanos(o.endTime) ?? startNs,
      attributes: attributes([
        ['langfuse.observation.type', o.type], ['langfuse.observation.input', o.input], ['langfuse.observation.output', o.output],
        ['langfuse.observation.model.name', o.model], ['langfuse.observation.model.parameters', o.modelParameters],
        ['langfuse.observation.usage_details', o.usageDetails ?? o.usage], ['langfuse.observation.cost_details', o.costDetails],
        ['langfuse.observation.level', o.level], ['langfuse.observation.status_message', o.statusMessage],
        ['langfuse.observation.metadata', o.metadata],
      ]),
      status: failed ? { code: 2, message: typeof o.statusMessage === 'string' ? o.statusMessage : undefined } : undefined,
    });
  }
  return {
    resourceSpans: [{
      resource: { attributes: attributes([['service.name', 'langfuse']]) },
      scopeSpans: [{ scope: { name: 'langfuse' }, spans }],
    }],
  };
}
