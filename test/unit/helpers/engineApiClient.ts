// Reads an engine's query API over HTTP, as the extension and users' scripts do.
import assert from 'node:assert/strict';
import { queryApiPath } from '../../../src/shared/queryApi';
import type { TraceDetail, TraceSummary } from '../../../src/shared/spanModel';

export type TraceListParams = Partial<Record<'limit' | 'sort' | 'q' | 'model' | 'service' | 'session' | 'user' | 'filter', string>>;

export class EngineApiClient {
  constructor(private readonly httpPort: number) {}

  async listTraces(params: TraceListParams = {}): Promise<TraceSummary[]> {
    const body = await this.get<{ traces: TraceSummary[] }>(`/api/traces?${new URLSearchParams(params)}`);
    return body.traces;
  }

  trace(traceId: string): Promise<TraceDetail> {
    return this.get<TraceDetail>(queryApiPath.trace(traceId));
  }

  /** The one trace a query finds, in full; fails naming the query when it finds none or several. */
  async onlyTrace(params: TraceListParams): Promise<TraceDetail> {
    const traces = await this.listTraces(params);
    assert.equal(traces.length, 1, `expected exactly one trace for ${JSON.stringify(params)}, got ${traces.length}`);
    return this.trace(traces[0].traceId);
  }

  private async get<T>(path: string): Promise<T> {
    const response = await fetch(`http://127.0.0.1:${this.httpPort}${path}`);
    const text = await response.text();
    assert.equal(response.status, 200, `GET ${path} answered ${response.status}: ${text}`);
    return JSON.parse(text) as T;
  }
}
