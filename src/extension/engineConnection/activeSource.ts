// The trace source the UI reads right now: the window's own engine, or, after "Attach", the
// engine another window runs. Swapping it refreshes everything that listens.
import type { StoreDeletion } from '../../shared/engineProtocol';
import * as vscode from 'vscode';
import type { QueryApiReplies, QueryApiRoute, QueryRouteArgs } from '../../shared/queryApi';
import type { BackendListing, RemoteTraceHit } from '../../shared/backends';
import type { EngineStats, StepGrouping, TraceDetail, TraceQuery, TraceReport, TraceSummary } from '../../shared/spanModel';
import type { TraceSource } from './traceSource';

export class ActiveSource implements TraceSource, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<EngineStats | undefined>();
  readonly onDidChange = this.changed.event;
  private subscription: vscode.Disposable;

  constructor(private current: TraceSource) {
    this.subscription = current.onDidChange((stats) => this.changed.fire(stats));
  }

  get source(): TraceSource {
    return this.current;
  }

  get description(): string {
    return this.current.description;
  }

  use(source: TraceSource): void {
    this.subscription.dispose();
    this.current = source;
    this.subscription = source.onDidChange((stats) => this.changed.fire(stats));
    this.changed.fire(undefined);
  }

  query(query: TraceQuery): Promise<TraceSummary[]> { return this.current.query(query); }
  trace(traceId: string): Promise<TraceDetail | undefined> { return this.current.trace(traceId); }
  traceJson(traceId: string): Promise<{ summary: TraceSummary; json: string } | undefined> { return this.current.traceJson(traceId); }
  exportOtlp(traceId: string): Promise<object | undefined> { return this.current.exportOtlp(traceId); }
  traceSkeleton(traceId: string, after?: number, first?: number): ReturnType<TraceSource['traceSkeleton']> { return this.current.traceSkeleton(traceId, after, first); }
  spanDetails(traceId: string, spanIds: string[]): ReturnType<TraceSource['spanDetails']> { return this.current.spanDetails(traceId, spanIds); }
  searchSpans(traceId: string, text: string): ReturnType<TraceSource['searchSpans']> { return this.current.searchSpans(traceId, text); }
  stats(): Promise<EngineStats> { return this.current.stats(); }
  report(sinceMs: number, groupBy?: StepGrouping): Promise<TraceReport> { return this.current.report(sinceMs, groupBy); }
  clear(): Promise<void> { return this.current.clear(); }
  ask<R extends QueryApiRoute>(route: R, ...args: QueryRouteArgs<R>): Promise<QueryApiReplies[R]> { return this.current.ask(route, ...args); }
  backends(): Promise<BackendListing[]> { return this.current.backends(); }
  openRemote(traceId: string, backend?: string): ReturnType<TraceSource['openRemote']> { return this.current.openRemote(traceId, backend); }
  searchBackend(backend: string, query: string, limit?: number): ReturnType<TraceSource['searchBackend']> { return this.current.searchBackend(backend, query, limit); }
  deleteStored(): Promise<StoreDeletion> { return this.current.deleteStored(); }

  dispose(): void {
    this.subscription.dispose();
    this.changed.dispose();
  }
}
