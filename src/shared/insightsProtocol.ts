// The messages of the insights panel (a session as a conversation, the LLM calls table, a call's
// context-window X-ray) between its host (src/extension/insights) and its webview (webview/insights).
import type { CacheBreak, CallsPage, CallsQuery, ContextXray, SessionDetail } from './sessionModel';

export const INSIGHTS_VIEW_TYPE = 'aiTraceInspector.insights';

/** What a panel shows; the webview keeps it with setState and the serializer reopens it. */
export type InsightsState =
  | { mode: 'session'; sessionId: string }
  | { mode: 'calls'; query: CallsQuery }
  | { mode: 'xray'; traceId: string; spanId: string };

/** Host → webview. */
export type InsightsHostMessage =
  /** What this panel shows (first, after every 'ready'). */
  | { type: 'show'; state: InsightsState }
  | { type: 'session'; session: SessionDetail }
  | { type: 'callsPage'; page: CallsPage; requestId: number }
  /** The calls changed (traces arrived or went): the table asks for its pages again. */
  | { type: 'callsChanged' }
  | { type: 'xray'; xray: ContextXray; cacheBreak?: CacheBreak; callName: string }
  | { type: 'problem'; message: string };

/** Webview → host. */
export type InsightsWebviewMessage =
  | { type: 'ready'; state?: InsightsState }
  | { type: 'callsPage'; query: CallsQuery; requestId: number }
  | { type: 'openTrace'; traceId: string; spanId?: string }
  | { type: 'openXray'; traceId: string; spanId: string };
