// Jaeger v2, API v3: a trace by id from /api/v3/traces/{id} (`{result: TracesData}`, OTLP/JSON);
// search on /api/v3/traces by service, operation, attributes, duration and time. The query is
// `service=checkout operation="POST /chat" http.status_code=500 minDuration=2s since=3h`; any
// other key=value is an attribute. The snake_case parameter names work on every v2 release.
import type { BackendConfig, RemoteTraceHit } from '../../shared/backends';
import { requestJson } from './backendHttp';
import { BackendError, OtlpTracesJson, TraceBackend } from './backendTypes';
import { hitsFromOtlp } from './otlpJsonShapes';
import { parseDurationMs, parseKeyValues } from './keyValueQuery';

export class JaegerBackend implements TraceBackend {
  constructor(readonly config: BackendConfig) {}

  async trace(traceId: string): Promise<OtlpTracesJson | undefined> {
    const answer = await requestJson<{ result?: { resourceSpans?: unknown[] } }>(this.config, { path: `/api/v3/traces/${traceId}` });
    const resourceSpans = answer?.result?.resourceSpans;
    if (answer && resourceSpans !== undefined && !Array.isArray(resourceSpans)) {
      throw new BackendError(this.config.name, 'answered a trace whose spans are not a list');
    }
    return resourceSpans?.length ? { resourceSpans } : undefined;
  }

  async search(query: string, limit: number): Promise<RemoteTraceHit[]> {
    const { service, operation, since, minDuration, maxDuration, ...attributes } = parseKeyValues(this.config.name, query);
    if (!service) throw new BackendError(this.config.name, 'a Jaeger search needs service=NAME (and may add operation=, since=, minDuration=, attributes)', 400);
    const now = Date.now();
    const sinceMs = since ? parseDurationMs(this.config.name, since) : 60 * 60 * 1000;
    const params: Record<string, string | number | undefined> = {
      'query.service_name': service,
      'query.operation_name': operation,
      'query.start_time_min': new Date(now - sinceMs).toISOString(),
      'query.start_time_max': new Date(now).toISOString(),
      'query.num_traces': limit,
      'query.duration_min': minDuration && `${parseDurationMs(this.config.name, minDuration)}ms`,
      'query.duration_max': maxDuration && `${parseDurationMs(this.config.name, maxDuration)}ms`,
      'query.attributes': Object.keys(attributes).length ? JSON.stringify(attributes) : undefined,
    };
    const answer = await requestJson<{ result?: { resourceSpans?: unknown[] } }>(this.config, { path: '/api/v3/traces', params });
    return answer?.result ? hitsFromOtlp(answer.result, limit) : [];
  }
}
