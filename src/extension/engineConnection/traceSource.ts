// Where the extension reads traces from: its own engine process (over LSP), or an engine that
// another window already runs (over its HTTP API). The tree and the commands see only this.
import type * as vscode from 'vscode';
import type { BackendListing, RemoteTraceHit } from '../../shared/backends';
import type { StoreDeletion } from '../../shared/engineProtocol';
import type { QueryApiReplies, QueryApiRoute, QueryRouteArgs } from '../../shared/queryApi';
import type { SpanSearchResult } from '../../shared/traceSkeleton';
import type { EngineStats, StepGrouping, TraceDetail, TraceQuery, TraceReport, TraceSummary } from '../../shared/spanModel';

/** A skeleton as JSON text, with what the panel's title and its next delta need. */
export interface SkeletonReply {
  name: string;
  revision: number;
  json: string;
  /** A first part's: how many spans it left out. */
  rest?: number;
}

export interface TraceSource {
  /** What the status bar says about the source, e.g. "port 4318". */
  readonly description: string;
  query(query: TraceQuery): Promise<TraceSummary[]>;
  trace(traceId: string): Promise<TraceDetail | undefined>;
  /** The same trace as JSON text, with its summary: what the trace view passes on unparsed. */
  traceJson(traceId: string): Promise<{ summary: TraceSummary; json: string } | undefined>;
  exportOtlp(traceId: string): Promise<object | undefined>;
  /**
   * The trace view's pages (shared/pagedTraceApi.ts), as JSON text the host relays unparsed: the
   * skeleton, or with `after` what changed since that revision, or with `first` its first spans...
   */
  traceSkeleton(traceId: string, after?: number, first?: number): Promise<SkeletonReply | undefined>;
  /** ...a few spans in full (SpanDetails)... */
  spanDetails(traceId: string, spanIds: string[]): Promise<string | undefined>;
  /** ...and the spans whose text matches. */
  searchSpans(traceId: string, text: string): Promise<SpanSearchResult | undefined>;
  stats(): Promise<EngineStats>;
  /** Statistics per step and per model of the traces that started since a moment. */
  report(sinceMs: number, groupBy?: StepGrouping): Promise<TraceReport>;
  /** Forgets the traces in memory; the store keeps its copy. */
  clear(): Promise<void>;
  /** The team backends the engine reads from (without their headers). */
  backends(): Promise<BackendListing[]>;
  /** Loads a trace from the backends (all in order, or one) into the engine; says where, or why not. */
  openRemote(traceId: string, backend?: string): Promise<{ backend?: string; problems: string[]; error?: string }>;
  /** A search in one backend's own query language. */
  searchBackend(backend: string, query: string, limit?: number): Promise<{ traces: RemoteTraceHit[]; error?: string }>;
  /** Forgets them for good: memory, the store's files, imported files read again after a restart. */
  deleteStored(): Promise<StoreDeletion>;
  /** Any route of the query API: sessions, the LLM calls table, a call's context window. */
  ask<R extends QueryApiRoute>(route: R, ...args: QueryRouteArgs<R>): Promise<QueryApiReplies[R]>;
  /** Fires when traces arrive or go (already throttled by the engine). */
  readonly onDidChange: vscode.Event<EngineStats | undefined>;
}
