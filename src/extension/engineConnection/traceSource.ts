// Where the extension reads traces from: its own engine process (over LSP), or an engine that
// another window already runs (over its HTTP API). The tree and the commands see only this.
import type * as vscode from 'vscode';
import type { QueryApiReplies, QueryApiRoute, QueryRouteArgs } from '../../shared/queryApi';
import type { EngineStats, TraceDetail, TraceQuery, TraceReport, TraceSummary } from '../../shared/spanModel';

export interface TraceSource {
  /** What the status bar says about the source, e.g. "port 4318". */
  readonly description: string;
  query(query: TraceQuery): Promise<TraceSummary[]>;
  trace(traceId: string): Promise<TraceDetail | undefined>;
  /** The same trace as JSON text, with its summary: what the trace view passes on unparsed. */
  traceJson(traceId: string): Promise<{ summary: TraceSummary; json: string } | undefined>;
  exportOtlp(traceId: string): Promise<object | undefined>;
  stats(): Promise<EngineStats>;
  /** Statistics per step and per model of the traces that started since a moment. */
  report(sinceMs: number): Promise<TraceReport>;
  clear(): Promise<void>;
  /** Any route of the query API: sessions, the LLM calls table, a call's context window. */
  ask<R extends QueryApiRoute>(route: R, ...args: QueryRouteArgs<R>): Promise<QueryApiReplies[R]>;
  /** Fires when traces arrive or go (already throttled by the engine). */
  readonly onDidChange: vscode.Event<EngineStats | undefined>;
}
