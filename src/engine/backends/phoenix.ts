// Arize Phoenix: spans of a project from its REST API, GET /v1/projects/{project}/spans/otlpv1,
// which answers OTLP-shaped spans (snake_case keys, OpenInference attributes) a page at a time:
// filtered by trace_id for one trace, or by name, status and attributes for a search
// (`name=ChatCompletion status=error user.id=42 since=1h`). The project becomes the service.
import type { BackendConfig, RemoteTraceHit } from '../../shared/backends';
import { requestJson } from './backendHttp';
import { BackendError, OtlpTracesJson, TraceBackend } from './backendTypes';
import { parseDurationMs, parseKeyValues } from './keyValueQuery';
import { hitsFromOtlp } from './otlpJsonShapes';

interface PhoenixPage {
  data?: unknown[];
  next_cursor?: string | null;
}

const PAGE_SPANS = 1000;
/** A trace is read at most this many pages (100,000 spans); past it it is too large to open. */
const MAX_PAGES = 100;

export class PhoenixBackend implements TraceBackend {
  constructor(readonly config: BackendConfig) {}

  private get project(): string {
    return this.config.project || 'default';
  }

  async trace(traceId: string): Promise<OtlpTracesJson | undefined> {
    const spans: unknown[] = [];
    let cursor: string | undefined;
    for (let page = 0; ; page++) {
      if (page === MAX_PAGES) throw new BackendError(this.config.name, `the trace has over ${MAX_PAGES * PAGE_SPANS} spans; too large to open`, 413);
      const answer = await this.spans([['trace_id', traceId], ['limit', String(PAGE_SPANS)], ...(cursor ? [['cursor', cursor] as [string, string]] : [])]);
      if (!answer) return undefined;
      spans.push(...answer.data!);
      if (!answer.next_cursor) break;
      cursor = answer.next_cursor;
    }
    return spans.length ? this.document(spans) : undefined;
  }

  async search(query: string, limit: number): Promise<RemoteTraceHit[]> {
    const { since, name, status, ...attributes } = parseKeyValues(this.config.name, query);
    const params: [string, string][] = [['limit', String(Math.min(1000, limit * 10))]];
    if (since) params.push(['start_time', new Date(Date.now() - parseDurationMs(this.config.name, since)).toISOString()]);
    if (name) params.push(['name', name]);
    if (status) params.push(['status_code', status.toUpperCase()]);
    for (const [key, value] of Object.entries(attributes)) params.push(['attribute', `${key}:${value}`]);
    const answer = await this.spans(params);
    if (!answer) throw new BackendError(this.config.name, `has no project "${this.project}" (set "project" on the backend)`, 404);
    return hitsFromOtlp(this.document(answer.data!), limit);
  }

  /** One page of spans; undefined when Phoenix does not know the project. Parameters may repeat (attribute=). */
  private async spans(params: [string, string][]): Promise<PhoenixPage | undefined> {
    const search = new URLSearchParams(params).toString();
    const answer = await requestJson<PhoenixPage>(this.config, { path: `/v1/projects/${encodeURIComponent(this.project)}/spans/otlpv1?${search}` });
    if (answer && !Array.isArray(answer.data)) throw new BackendError(this.config.name, 'answered spans without a "data" list');
    return answer;
  }

  private document(spans: unknown[]): OtlpTracesJson {
    return {
      resourceSpans: [{
        resource: { attributes: [{ key: 'service.name', value: { stringValue: this.project } }] },
        scopeSpans: [{ scope: { name: 'phoenix' }, spans }],
      }],
    };
  }
}
