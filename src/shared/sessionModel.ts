// Views across traces: sessions (the traces of one conversation), every LLM call in one table,
// and what fills each call's context window. What the engine's API answers and the views draw.
import type { Finding, SpanStatus } from './spanModel';

export interface SessionSummary {
  sessionId: string;
  userId?: string;
  /** Traces of the session: one per turn. */
  turns: number;
  startMs: number;
  /** From the first turn's start to the last turn's end. */
  durationMs: number;
  tokens: { input: number; output: number; total: number };
  costUsd: number;
  /** Turns that failed. */
  errors: number;
  firstUserMessage?: string;
  models: string[];
}

/** One turn of a session: a trace, read as what the user said and what the app answered. */
export interface SessionTurn {
  traceId: string;
  name: string;
  startMs: number;
  durationMs: number;
  status: SpanStatus;
  tokens: { input: number; output: number; total: number };
  costUsd: number;
  llmCalls: number;
  userInput?: string;
  answer?: string;
  errorMessage?: string;
  findings?: Finding[];
}

export interface SessionDetail {
  summary: SessionSummary;
  turns: SessionTurn[];
  /** How each part of the prompt grows call by call, and where the prompt cache broke. */
  context: ContextGrowth;
}

export interface SessionQuery {
  limit?: number;
  user?: string;
  /** The filter language: a session matches when one of its traces does. */
  filter?: string;
}

/** One LLM call (a span of kind LLM with no LLM call inside it: a wrapper and its provider call count once). */
export interface LlmCallRow {
  traceId: string;
  spanId: string;
  name: string;
  startMs: number;
  durationMs: number;
  model?: string;
  /** The template file (or call site) the prompt came from, as `file:line`, when the span says. */
  promptSource?: string;
  /** The first words of the latest user message (or the prompt). */
  promptStart?: string;
  inputTokens?: number;
  outputTokens?: number;
  cachedTokens?: number;
  timeToFirstTokenMs?: number;
  costUsd?: number;
  status: SpanStatus;
  sessionId?: string;
}

export const CALL_SORTS = ['start', 'duration', 'cost', 'input_tokens', 'output_tokens', 'cached_tokens', 'ttft', 'model', 'prompt_source', 'status'] as const;
export type CallSort = (typeof CALL_SORTS)[number];

export interface CallsQuery {
  /** The filter language, evaluated on each call (span fields) and its trace (trace.* fields). */
  filter?: string;
  sort?: CallSort;
  /** Descending by default: newest, slowest, costliest first. */
  order?: 'asc' | 'desc';
  offset?: number;
  limit?: number;
}

export interface CallsPage {
  /** Calls that match, of which `calls` is the page from `offset`. */
  total: number;
  offset: number;
  calls: LlmCallRow[];
}

/** The parts a prompt is made of, in the order they usually appear. */
export const CONTEXT_PARTS = ['system', 'tools', 'documents', 'history', 'toolResults', 'newMessage'] as const;
export type ContextPart = (typeof CONTEXT_PARTS)[number];

export const CONTEXT_PART_LABELS: Record<ContextPart, string> = {
  system: 'system', tools: 'tool definitions', documents: 'retrieved documents', history: 'earlier turns',
  toolResults: 'tool results', newMessage: 'new user message',
};

/**
 * How the tokens were counted: `usage` the recorded input tokens split in proportion to a real
 * tokenizer's counts; `tokenizer` the tokenizer alone (no usage recorded); `estimate` about four
 * characters a token, for model families without a bundled tokenizer (never shown as exact).
 */
export type TokenCounting = 'usage' | 'tokenizer' | 'estimate';

/** What fills one LLM call's context window. */
export interface ContextXray {
  traceId: string;
  spanId: string;
  model?: string;
  inputTokens: number;
  parts: Record<ContextPart, number>;
  /** The largest parts first, those over a tenth of the prompt. */
  largest: ContextPart[];
  counting: TokenCounting;
  /** Which tokenizer split the prompt ("o200k_base (gpt-tokenizer)"), or how it was estimated. */
  tokenizer: string;
  contextLimit?: number;
  /** Where the limit came from: the aiTraceInspector.contextLimits setting, or the model catalog. */
  limitSource?: 'setting' | 'catalog';
  cachedTokens?: number;
  uncachedTokens?: number;
}

/** Where consecutive calls stopped sharing a prefix, so the prompt cache could not serve the rest. */
export interface CacheBreak {
  traceId: string;
  spanId: string;
  previousSpanId: string;
  /** The first message that differs (0-based); -1 when the tool definitions differ. */
  messageIndex: number;
  role?: string;
  reason: string;
}

export interface ContextGrowth {
  calls: ContextXray[];
  breaks: CacheBreak[];
}
