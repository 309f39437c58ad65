// The messages the trace view's host (src/extension/traceView) and its webview (webview/) send
// each other. Both import this file, so they cannot drift apart. Trace content travels only
// here, never inside the webview's HTML.
import type { SourceLocation } from './spanModel';
import type { SpanDetails, SpanSearchResult, TraceSkeleton } from './traceSkeleton';

/** The view type the panel and its serializer are registered under. */
export const TRACE_VIEW_TYPE = 'aiTraceInspector.trace';

/** What the webview keeps with vscode.setState; the serializer gets it back after a reload. */
export interface TraceViewState {
  traceId: string;
  selectedSpanId?: string;
  /** Spans whose children are hidden. */
  collapsed?: string[];
  /** The visible time range as fractions of the trace (0..1). */
  zoom?: { start: number; end: number };
  scrollTop?: number;
  detailTab?: string;
  /** Trace Doctor: show the spans as received, without the parents it inferred. */
  asReceived?: boolean;
}

/** Settings the webview needs; sent with every trace. */
export interface TraceViewSettings {
  /** Retrieved documents scoring below this are flagged (similarity scores). */
  lowScoreThreshold: number;
  /** The detail's share of the view (0..1), as the user last left the divider in any trace view. */
  detailShare?: number;
}

/**
 * A value sent as its JSON text. A 100,000-span skeleton is megabytes: as one string it crosses the
 * engine → host → webview → iframe hops as a cheap copy (the host never parses it), where an
 * object graph is cloned at every hop.
 */
export type JsonOf<T> = string & { readonly __jsonOf?: T };

export const toJson = <T>(value: T): JsonOf<T> => JSON.stringify(value) as JsonOf<T>;
export const fromJson = <T>(json: JsonOf<T>): T => JSON.parse(json) as T;

/** Host → webview. */
export type HostMessage =
  /**
   * The trace to draw, as its skeleton (first load, reload); or, with `skeleton.after` set, the
   * spans added or changed since (a live trace grows by these deltas).
   */
  | { type: 'skeleton'; skeleton: JsonOf<TraceSkeleton>; settings: TraceViewSettings; selectSpanId?: string }
  /** The spans the webview asked for in full (`details` absent: the trace is gone). */
  | { type: 'spans'; spanIds: string[]; details?: JsonOf<SpanDetails> }
  /** What an in-trace search found (`result` absent: the trace is gone). */
  | { type: 'searchResult'; text: string; result?: SpanSearchResult }
  /** The trace is not (or no longer) in the engine. */
  | { type: 'traceMissing'; traceId: string; message: string }
  /** The panel was asked to show a span of the trace it already shows. */
  | { type: 'selectSpan'; spanId: string };

/** Webview → host. */
export type WebviewMessage =
  /** The webview script runs and wants its trace (again, after being hidden or reloaded). */
  | { type: 'ready'; traceId?: string }
  /** Put text on the clipboard; `what` names it for the confirmation ("message", "prompt"). */
  | { type: 'copyText'; text: string; what: string }
  /** "Copy trace for AI": the host condenses the trace to Markdown. */
  | { type: 'copyTraceForAi'; traceId: string }
  /** The detail of these spans (the selected one, or ahead of showing them): answered by 'spans'. */
  | { type: 'spanDetails'; traceId: string; spanIds: string[] }
  /** Find the spans of the trace whose text contains this: answered by 'searchResult'. */
  | { type: 'searchSpans'; traceId: string; text: string }
  /** "Copy span" as JSON. */
  | { type: 'copySpanJson'; traceId: string; spanId: string }
  /** "Replay…" on an LLM span: open it as an editable request. */
  | { type: 'replaySpan'; traceId: string; spanId: string }
  /** "Go to source", or a stack frame link. */
  | { type: 'openSource'; location: SourceLocation }
  /** The user moved the divider between the waterfall and the detail (remembered for every trace view). */
  | { type: 'layout'; detailShare: number }
  /** The user worked in the view (chose a span, folded, zoomed): a preview panel becomes a kept one. */
  | { type: 'pin' };
