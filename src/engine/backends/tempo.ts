// Grafana Tempo: a trace by id from /api/v2/traces/{id} (TraceByIDResponse: `{trace: {resourceSpans}}`),
// or from /api/traces/{id} on versions without v2 (`{batches}`, the old name of resourceSpans);
// search with TraceQL on /api/search. Tempo's JSON carries ids in base64, which the decoder reads.
import type { BackendConfig, RemoteTraceHit } from '../../shared/backends';
import { requestJson } from './backendHttp';
import { BackendError, OtlpTracesJson, TraceBackend } from './backendTypes';
import { hexId, nanosToMs } from './otlpJsonShapes';

interface TempoTrace {
  resourceSpans?: unknown[];
  batches?: unknown[];
}

interface TempoSearch {
  traces?: { traceID?: string; rootServiceName?: string; rootTraceName?: string; startTimeUnixNano?: string; durationMs?: number }[];
}

export class TempoBackend implements TraceBackend {
  constructor(readonly config: BackendConfig) {}

  async trace(traceId: string): Promise<OtlpTracesJson | undefined> {
    const v2 = await requestJson<{ trace?: TempoTrace }>(this.config, { path: `/api/v2/traces/${traceId}` });
    if (v2) return resourceSpansOf(this.config, v2.trace ?? {});
    const v1 = await requestJson<TempoTrace>(this.config, { path: `/api/traces/${traceId}` });
    return v1 ? resourceSpansOf(this.config, v1) : undefined;
  }

  async search(query: string, limit: number): Promise<RemoteTraceHit[]> {
    const answer = await requestJson<TempoSearch>(this.config, { path: '/api/search', params: { q: query.trim() || '{}', limit } });
    if (!answer) throw new BackendError(this.config.name, 'has no /api/search (is the URL Tempo\'s HTTP port, 3200?)');
    if (!Array.isArray(answer.traces)) throw new BackendError(this.config.name, 'answered a search without "traces"');
    return answer.traces.slice(0, limit).map((t) => ({
      // Tempo drops leading zeros from the ids it lists.
      traceId: hexId(t.traceID), name: t.rootTraceName, service: t.rootServiceName,
      startMs: nanosToMs(t.startTimeUnixNano), durationMs: typeof t.durationMs === 'number' ? t.durationMs : undefined,
    })).filter((hit) => hit.traceId);
  }
}

/** Both of Tempo's shapes as TracesData; an empty trace (Tempo's "not found" on some versions) is none. */
function resourceSpansOf(config: BackendConfig, trace: TempoTrace): OtlpTracesJson | undefined {
  const resourceSpans = trace.resourceSpans ?? trace.batches;
  if (resourceSpans !== undefined && !Array.isArray(resourceSpans)) throw new BackendError(config.name, 'answered a trace whose spans are not a list');
  return resourceSpans?.length ? { resourceSpans } : undefined;
}
