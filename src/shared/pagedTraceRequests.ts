// The paged trace routes of pagedTraceApi.ts as LSP requests (extension → its engine process).
import { RequestType } from 'vscode-languageserver-protocol';
import type { SpanSearchResult } from './traceSkeleton';

/**
 * extension → engine: the skeleton (or with `after`, the delta) as JSON text the host relays to the
 * webview unparsed, with the few facts the panel's title and its next delta need.
 */
export const GetTraceSkeleton = new RequestType<{ traceId: string; after?: number; first?: number }, { name: string; revision: number; json: string; rest?: number } | null, void>('traces/skeleton');
/** extension → engine: a few spans in full, as SpanDetails JSON text. */
export const GetSpanDetails = new RequestType<{ traceId: string; spanIds: string[] }, { json: string } | null, void>('traces/spans');
/** extension → engine: the spans of a trace whose text contains `text`. */
export const SearchTraceSpans = new RequestType<{ traceId: string; text: string }, SpanSearchResult | null, void>('traces/searchSpans');
