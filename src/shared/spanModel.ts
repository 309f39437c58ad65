// The one span model of the product: what the engine's HTTP API returns, and what the
// tree, the waterfall and the commands draw. Trace and span ids are lowercase hex.
import type { Diagnosis, InferredParent, ServiceDiagnosis } from './doctor';

export type SpanKind =
  | 'LLM' | 'CHAIN' | 'RETRIEVER' | 'TOOL' | 'AGENT' | 'EMBEDDING'
  | 'RERANKER' | 'GUARDRAIL' | 'EVALUATOR' | 'UNKNOWN';

/** Every kind, in the order they are listed to users (the filter language's error names them). */
export const SPAN_KINDS: readonly SpanKind[] = ['LLM', 'CHAIN', 'RETRIEVER', 'TOOL', 'AGENT', 'EMBEDDING', 'RERANKER', 'GUARDRAIL', 'EVALUATOR', 'UNKNOWN'];

export type SpanStatus = 'ok' | 'error' | 'unset';

/** An attribute value as OTLP's AnyValue maps to JSON (kvlists become objects, bytes base64). */
export type AttributeValue =
  | string | number | boolean | null | AttributeValue[] | { [key: string]: AttributeValue };

export type Attributes = Record<string, AttributeValue>;

export interface Tokens {
  input?: number;
  output?: number;
  total?: number;
  /** Input tokens served from a prompt cache, where the instrumentation reports them. */
  cacheRead?: number;
  cacheWrite?: number;
  reasoning?: number;
}

export interface ToolCall {
  id?: string;
  name: string;
  arguments: unknown;
}

export interface Message {
  role: string;
  content: string;
  toolCalls?: ToolCall[];
  /** Set on a tool result: the id of the call it answers. */
  toolCallId?: string;
  name?: string;
  finishReason?: string;
  /** Non-text parts (images, audio, files, reasoning), kept as they came. */
  parts?: { type: string; [key: string]: unknown }[];
}

export interface RetrievalDocument {
  id?: string;
  content?: string;
  score?: number;
  metadata?: unknown;
}

export interface ToolInfo {
  name: string;
  description?: string;
  callId?: string;
  /** The MCP server that ran the tool, for a tool called over MCP. */
  server?: string;
  arguments?: unknown;
  result?: unknown;
}

/**
 * How a span's line was found: its code.* attributes (an instrumentation, or the snippets'
 * call-site processor), the app's frame of an exception's stack, or the workspace text its
 * prompt was made from.
 */
export type SourceHow = 'attribute' | 'stack' | 'prompt';

export interface SourceLocation {
  file: string;
  line?: number;
  column?: number;
  function?: string;
  how?: SourceHow;
  /** For a prompt's origin: how sure, 0..1. */
  confidence?: number;
  /** For a prompt's origin: the next best text, when it scored nearly as well. */
  runnerUp?: { file: string; line: number; confidence: number };
}

export interface SpanEvent {
  name: string;
  timeMs: number;
  attributes: Attributes;
  /** The body of a log record attached to this span (OTLP logs). */
  body?: AttributeValue;
}

export interface SpanLink {
  traceId: string;
  spanId: string;
  attributes: Attributes;
}

export interface Span {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: SpanKind;
  /** The OTel SpanKind: INTERNAL, SERVER, CLIENT, PRODUCER, CONSUMER or UNSPECIFIED. */
  otelKind: string;
  service: string;
  startMs: number;
  durationMs: number;
  status: SpanStatus;
  statusMessage?: string;
  model?: string;
  provider?: string;
  tokens?: Tokens;
  costUsd?: number;
  /** Where costUsd came from: an attribute the app recorded, or the price table. */
  costSource?: 'attribute' | 'computed';
  inputMessages?: Message[];
  outputMessages?: Message[];
  input?: unknown;
  output?: unknown;
  documents?: RetrievalDocument[];
  tool?: ToolInfo;
  invocationParameters?: Record<string, unknown>;
  finishReasons?: string[];
  sessionId?: string;
  userId?: string;
  /** Where the span was made: its call site when known, else its prompt's origin. */
  source?: SourceLocation;
  /** The prompt's origin, when `source` is the call site and the prompt's template is known too. */
  promptSource?: SourceLocation;
  exceptions?: { type?: string; message?: string; stacktrace?: string; timeMs: number }[];
  /** Time to first token, where the span or its events tell it. */
  timeToFirstTokenMs?: number;
  attributes: Attributes;
  resource: Attributes;
  scope?: { name: string; version?: string };
  events: SpanEvent[];
  links?: SpanLink[];
  /** What the detectors noticed on this span (a token spike, weak retrieval, ...). */
  findings?: Finding[];
}

export interface TraceSummary {
  traceId: string;
  name: string;
  service: string;
  services: string[];
  startMs: number;
  durationMs: number;
  spanCount: number;
  status: SpanStatus;
  errorCount: number;
  tokens: { input: number; output: number; total: number };
  costUsd: number;
  models: string[];
  sessionId?: string;
  userId?: string;
  /** The longest step below the root, for "why is this slow" at a glance. */
  slowestStep?: { name: string; durationMs: number };
  /** The first failure's message, for "why did this fail" at a glance. */
  errorMessage?: string;
  /** Detector findings: an agent loop, weak retrieval, context bloat, a spike, a cascading error. */
  findings?: Finding[];
  /** The team backend this trace was opened from (shared/backends.ts); absent for local traces. */
  origin?: string;
  /** What the request was: the root's first user message or input value, on one line, trimmed (as redacted). */
  input?: string;
  /** What it answered: the root's last response or output value, on one line, trimmed. */
  output?: string;
  /** Where the query's free text matched, with `matches: true` (Search Traces shows it). */
  match?: TextMatch;
}

/** Where a search's text was found in a trace: the span, the field, and a short excerpt around it. */
export interface TextMatch {
  spanId: string;
  spanName: string;
  /** `name`, an attribute key, or `event <name>: <key>`. */
  field: string;
  /** One line around the match, "…" where cut. */
  excerpt: string;
  /** The match within the excerpt: [start, end). */
  at: [number, number];
}

export interface TraceDetail {
  summary: TraceSummary;
  spans: Span[];
  /** Trace Doctor: why this trace looks wrong, with evidence and a fix (src/shared/doctor.ts). */
  diagnoses?: Diagnosis[];
  /** Parents inferred for orphans and adopted spans; shown marked, never merged into parentSpanId. */
  inferredParents?: InferredParent[];
  /** Spans of other traces that belong under this one (a sub-agent that started a trace of its own). */
  adoptedSpans?: Span[];
}

export interface EngineStats {
  traces: number;
  spans: number;
  errorTraces: number;
  orphanSpans: number;
  /** Log records waiting for the span they belong to. */
  pendingLogs: number;
  /** Estimated bytes the traces in memory hold (what the memory cap counts). */
  memoryBytes: number;
  /** The byte cap in force: the configured one, or lower while the engine's heap holds more than the estimate says; absent: none. */
  memoryCapBytes?: number;
  rejectedSpans: number;
  /** Traces the memory cap evicted since the engine started or was last cleared. */
  evictedTraces: number;
  receivedRequests: number;
  /** Set while the store cannot be written (a full disk): what arrives is held in memory until it can. */
  storeProblem?: string;
  /** Trace Doctor: each problem once per service, with how many traces showed it. */
  diagnoses?: ServiceDiagnosis[];
  /** Per forwarding target (receiver.forward / --forward): requests delivered, waiting and dropped. */
  forward?: ForwardTargetStats[];
}

/** One upstream the engine forwards what it accepts to. */
export interface ForwardTargetStats {
  url: string;
  /** Requests the upstream acknowledged. */
  sent: number;
  /** Requests waiting or being sent. */
  queued: number;
  /** Requests given up: pushed out of a full queue, or refused by the upstream for good. */
  dropped: number;
  /** Attempts that failed and were tried again. */
  retries: number;
  lastError?: string;
}

export type TraceSort = 'start' | 'duration' | 'tokens' | 'cost';

export interface TraceQuery {
  limit?: number;
  sort?: TraceSort;
  minDurationMs?: number;
  status?: 'error';
  q?: string;
  service?: string;
  model?: string;
  session?: string;
  user?: string;
  /** The filter language (shared/traceFilter.ts), e.g. `kind = RETRIEVER AND score < 0.5`. */
  filter?: string;
  /** With free text (`q`, or text in `filter`): give each trace the `match` that found it. */
  matches?: boolean;
}

/**
 * How the Steps view groups spans into steps: by span name, or LLM calls by where their prompt
 * comes from (its template file, else the call site) or by model (OpenInference names every chat
 * call "OpenAI Chat Completions"). Spans without the prompt source or model stay by name.
 */
export type StepGrouping = 'name' | 'promptSource' | 'model';
export const STEP_GROUPINGS: readonly StepGrouping[] = ['name', 'promptSource', 'model'];

/** One step (a span name within its kind and service, or a group of LLM calls) across many traces. */
export interface StepStats {
  /** The span name, or the group's prompt source or model. */
  name: string;
  /** Set when the step is a group of calls by prompt source or model (name is then its value). */
  groupedBy?: Exclude<StepGrouping, 'name'>;
  kind: SpanKind;
  service: string;
  count: number;
  errors: number;
  p50Ms: number;
  p95Ms: number;
  maxMs: number;
  /** This step's time as a share of the traces' total time (0..1). */
  shareOfTime: number;
  tokens: number;
  costUsd: number;
  /** Among failed traces: how often this step was the slowest one. */
  slowestInFailed: number;
}

/** What the traces since a moment add up to: the chat summary tool and the Steps view read it. */
export interface TraceReport {
  sinceMs: number;
  traces: number;
  errorTraces: number;
  p50Ms: number;
  p95Ms: number;
  tokens: { input: number; output: number; total: number };
  costUsd: number;
  byModel: { model: string; calls: number; errors: number; inputTokens: number; outputTokens: number; costUsd: number; p50Ms: number }[];
  steps: StepStats[];
}

export type DetectorKind = 'loop' | 'weakRetrieval' | 'contextBloat' | 'spike' | 'cascade' | 'invalidUsage';

/** How findings read in the tree and the waterfall; the filter language takes these too. */
export const FINDING_LABELS: Record<DetectorKind, string> = {
  loop: 'loop', weakRetrieval: 'weak retrieval', contextBloat: 'context bloat', spike: 'spike', cascade: 'cascading error', invalidUsage: 'invalid usage',
};

/** Something a detector noticed, on a span or (with the spans involved) on a whole trace. */
export interface Finding {
  detector: DetectorKind;
  message: string;
  spanIds?: string[];
}

export interface DetectorSettings {
  /** The same tool or LLM call with the same arguments this many times in one trace is a loop. */
  loopRepeats: number;
  /** A retrieval whose best document scores under this is weak. */
  weakRetrievalScore: number;
  /** Prompt tokens above this many are bloat (0: off). */
  contextTokenLimit: number;
  /** Prompt tokens this many times the step's median are bloat; tokens or cost this many times the median are a spike. */
  medianFactor: number;
  /** An error that failed this many nested spans in a row (the failure and its ancestors) cascades. */
  cascadeDepth: number;
}
