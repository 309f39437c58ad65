// Reads an engine that another window (or `npm start`) already runs, through its HTTP API:
// what "Attach" uses when the receiver port is taken by one of ours.
import type { StoreDeletion } from '../../shared/engineProtocol';
import * as vscode from 'vscode';
import { QueryApiClient, queryApiPath, type QueryApiReplies, type QueryApiRoute, QueryApiStatusError, type QueryRouteArgs } from '../../shared/queryApi';
import type { EngineStats, StepGrouping, TraceDetail, TraceQuery, TraceReport, TraceSummary } from '../../shared/spanModel';
import type { TraceSource } from './traceSource';

const POLL_MS = 1000;
/** Polls in a row that must fail before the other window's engine counts as gone. */
const POLLS_BEFORE_GONE = 3;

export class HttpTraceSource implements TraceSource, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<EngineStats | undefined>();
  private readonly gone = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;
  /** The engine stopped answering (its window closed): time for this window to take over. */
  readonly onDidDisconnect = this.gone.event;
  private readonly timer: NodeJS.Timeout;
  private readonly api: QueryApiClient;
  private lastStats = '';
  private failedPolls = 0;

  constructor(private readonly port: number) {
    this.api = new QueryApiClient(port);
    // The API has no push channel; a cheap stats poll tells when to refresh.
    this.timer = setInterval(() => {
      this.stats().then((stats) => {
        this.failedPolls = 0;
        const key = JSON.stringify(stats);
        if (key !== this.lastStats) {
          this.lastStats = key;
          this.changed.fire(stats);
        }
      }, () => {
        if (++this.failedPolls === POLLS_BEFORE_GONE) this.gone.fire();
      });
    }, POLL_MS);
  }

  get description(): string {
    return `attached to port ${this.port}`;
  }

  /** Whether an AI Trace Inspector engine answers on this port. */
  static async isEngineAt(port: number): Promise<boolean> {
    try {
      const response = await fetch(`http://127.0.0.1:${port}${queryApiPath.stats()}`, { signal: AbortSignal.timeout(1500) });
      const body = (await response.json()) as Partial<EngineStats>;
      return response.ok && typeof body.traces === 'number' && typeof body.spans === 'number';
    } catch {
      return false;
    }
  }

  async query(query: TraceQuery): Promise<TraceSummary[]> {
    return (await this.api.get('traces', query)).traces;
  }

  trace(traceId: string): Promise<TraceDetail | undefined> {
    return this.api.get('trace', traceId).catch(notFoundAsUndefined);
  }

  /** The API answers JSON text already; only the attached (secondary) path parses it for the summary. */
  async traceJson(traceId: string): Promise<{ summary: TraceSummary; json: string } | undefined> {
    const json = await this.api.text('trace', traceId).catch(notFoundAsUndefined);
    if (json === undefined) return undefined;
    return { summary: (JSON.parse(json) as QueryApiReplies['trace']).summary, json };
  }

  /** Only the attached (secondary) path parses the skeleton, for its name and revision. */
  async traceSkeleton(traceId: string, after?: number, first?: number): ReturnType<TraceSource['traceSkeleton']> {
    const json = await this.api.text('traceSkeleton', traceId, after, first).catch(notFoundAsUndefined);
    if (json === undefined) return undefined;
    const skeleton = JSON.parse(json) as QueryApiReplies['traceSkeleton'];
    return { name: skeleton.summary.name, revision: skeleton.revision, json, rest: skeleton.rest };
  }

  spanDetails(traceId: string, spanIds: string[]): ReturnType<TraceSource['spanDetails']> {
    return this.api.text('traceSpans', traceId, spanIds).catch(notFoundAsUndefined);
  }

  searchSpans(traceId: string, text: string): ReturnType<TraceSource['searchSpans']> {
    return this.api.get('traceSearch', traceId, text).catch(notFoundAsUndefined);
  }

  exportOtlp(traceId: string): Promise<object | undefined> {
    return this.api.get('traceOtlp', traceId).catch(notFoundAsUndefined);
  }

  stats(): Promise<EngineStats> {
    return this.api.get('stats');
  }

  report(sinceMs: number, groupBy?: StepGrouping): Promise<TraceReport> {
    return this.api.get('report', sinceMs, groupBy);
  }

  ask<R extends QueryApiRoute>(route: R, ...args: QueryRouteArgs<R>): Promise<QueryApiReplies[R]> {
    return this.api.get(route, ...args);
  }

  async clear(): Promise<void> {
    throw new Error('Clearing is done in the window that runs the engine.');
  }

  async backends(): ReturnType<TraceSource['backends']> {
    return (await this.api.get('backends')).backends;
  }

  /** Through the trace route (which falls back to the backends) or one backend's; says where, or why not. */
  async openRemote(traceId: string, backend?: string): ReturnType<TraceSource['openRemote']> {
    try {
      const detail = backend ? await this.api.get('backendTrace', backend, traceId) : await this.api.get('trace', traceId);
      return { backend: detail.summary.origin, problems: [] };
    } catch (error) {
      if (!(error instanceof QueryApiStatusError)) throw error;
      return error.status === 404 ? { problems: error.backends } : { problems: [], error: error.detail };
    }
  }

  async searchBackend(backend: string, query: string, limit?: number): ReturnType<TraceSource['searchBackend']> {
    try {
      return { traces: (await this.api.get('backendSearch', backend, query, limit)).traces };
    } catch (error) {
      if (!(error instanceof QueryApiStatusError)) throw error;
      return { traces: [], error: error.detail };
    }
  }

  async deleteStored(): Promise<StoreDeletion> {
    throw new Error('Clearing is done in the window that runs the engine.');
  }

  dispose(): void {
    clearInterval(this.timer);
    this.changed.dispose();
    this.gone.dispose();
  }
}

/** A 404 means "no such trace"; anything else (the engine gone, a bad answer) is reported as what it is. */
function notFoundAsUndefined(error: unknown): undefined {
  if (error instanceof QueryApiStatusError && error.status === 404) return undefined;
  throw error;
}
