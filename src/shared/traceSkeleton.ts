// A trace in pages: its skeleton (what the waterfall needs to draw the tree and the time axis for
// every span, in columns of a few tens of bytes a span) and the full detail of a few spans at a
// time. A 100,000-span trace is ~100 MB as TraceDetail JSON and ~8 MB as a skeleton: the trace
// view draws from the skeleton and asks for a span's detail when it is selected or about to be.
import type { Diagnosis, InferredParent } from './doctor';
import { SPAN_KINDS, type Span, type SpanStatus, type Tokens, type TraceDetail, type TraceSummary } from './spanModel';

/** One column per field, every array as long as the rows; sparse fields as row → value. */
export interface SkeletonRows {
  /** Span ids, separated by spaces (one string parses faster and smaller than an array). */
  ids: string;
  /** Parent span ids in the same order, '' for none. */
  parents: string;
  /** Indexes into `strings`. */
  name: number[];
  service: number[];
  /** Index into SPAN_KINDS. */
  kind: number[];
  /** 0 unset, 1 ok, 2 error. */
  status: number[];
  /** Milliseconds after `baseMs`. */
  start: number[];
  duration: number[];
  /** Index into `strings`, -1: none. */
  model: number[];
  /** Total tokens, 0: none. */
  tokens: number[];
  /** US dollars, 0: none. */
  cost: number[];
  ttft?: Record<number, number>;
  /** Index into `strings`. */
  statusMessage?: Record<number, number>;
  /** The span's findings' messages, one per line: index into `strings`. */
  findings?: Record<number, number>;
  /** Rows of spans from another trace (adopted by Trace Doctor): their trace id. */
  traceIds?: Record<number, string>;
}

export interface TraceSkeleton {
  summary: TraceSummary;
  /** Which change of the trace this answer is as of: ask for `after` it to get only what changed since. */
  revision: number;
  /** Set on a delta: the rows are the spans added or changed after this revision (new spans, late log records). */
  after?: number;
  /** Set on a first part (`first`): how many spans it left out. Its rows are the first in the waterfall's order. */
  rest?: number;
  baseMs: number;
  strings: string[];
  rows: SkeletonRows;
  /** Trace Doctor: as in TraceDetail. */
  diagnoses?: Diagnosis[];
  /** Orphans (and adopted spans) under the parent Trace Doctor inferred; `reason` says why. */
  inferredParents?: InferredParent[];
}

/** A few spans in full (messages, attributes, events, links, source, findings); ids not in the trace are left out. */
export interface SpanDetails {
  traceId: string;
  spans: Span[];
}

/** The spans of a trace whose text matches, in the trace's order; `total` counts them all when `spanIds` was cut. */
export interface SpanSearchResult {
  spanIds: string[];
  total: number;
}

/** At most this many span ids are asked for (and answered) at once. */
export const MAX_DETAIL_SPANS = 100;
/** The trace view's first part of a skeleton: a few screens, drawn while the whole skeleton comes. */
export const FIRST_PART_ROWS = 500;
/** At most this many matches are listed by an in-trace search. */
export const MAX_SEARCH_HITS = 10_000;

/** What a waterfall row shows of its span: the skeleton's fields, a subset of Span. */
export type SpanSkeleton = Pick<Span, 'traceId' | 'spanId' | 'parentSpanId' | 'name' | 'kind' | 'service' | 'startMs' | 'durationMs' | 'status'
  | 'statusMessage' | 'model' | 'timeToFirstTokenMs'>;

/** What one row says, however the span is held (the engine's stored span, a normalized Span). */
export interface SkeletonRowInput extends SpanSkeleton {
  tokens?: number;
  costUsd?: number;
  /** The messages of its findings. */
  findings?: string[];
}

const STATUS_CODES: Record<SpanStatus, number> = { unset: 0, ok: 1, error: 2 };
export const SKELETON_STATUSES: SpanStatus[] = ['unset', 'ok', 'error'];
const KIND_CODES = new Map(SPAN_KINDS.map((kind, i) => [kind, i]));
/** Microsecond precision is all a waterfall draws; shorter numbers are a smaller skeleton. */
const micro = (ms: number) => Math.round(ms * 1000) / 1000;

/** Collects rows into columns; each distinct string is sent once. */
export class SkeletonBuilder {
  private readonly strings: string[] = [];
  private readonly stringIndex = new Map<string, number>();
  private readonly ids: string[] = [];
  private readonly parents: string[] = [];
  private readonly rows: Omit<SkeletonRows, 'ids' | 'parents'> = { name: [], service: [], kind: [], status: [], start: [], duration: [], model: [], tokens: [], cost: [] };

  constructor(private readonly traceId: string, private readonly baseMs: number) {}

  get count(): number {
    return this.ids.length;
  }

  add(span: SkeletonRowInput): void {
    const row = this.ids.length;
    const { rows } = this;
    this.ids.push(span.spanId);
    this.parents.push(span.parentSpanId ?? '');
    rows.name.push(this.string(span.name));
    rows.service.push(this.string(span.service));
    rows.kind.push(KIND_CODES.get(span.kind) ?? KIND_CODES.get('UNKNOWN')!);
    rows.status.push(STATUS_CODES[span.status] ?? 0);
    rows.start.push(micro(span.startMs - this.baseMs));
    rows.duration.push(micro(span.durationMs));
    rows.model.push(span.model ? this.string(span.model) : -1);
    rows.tokens.push(span.tokens ?? 0);
    rows.cost.push(span.costUsd ?? 0);
    if (span.timeToFirstTokenMs !== undefined) (rows.ttft ??= {})[row] = micro(span.timeToFirstTokenMs);
    if (span.statusMessage) (rows.statusMessage ??= {})[row] = this.string(span.statusMessage);
    if (span.findings?.length) (rows.findings ??= {})[row] = this.string(span.findings.join('\n'));
    if (span.traceId !== this.traceId) (rows.traceIds ??= {})[row] = span.traceId;
  }

  build(summary: TraceSummary, revision: number, extra: Pick<TraceSkeleton, 'after' | 'rest' | 'diagnoses' | 'inferredParents'> = {}): TraceSkeleton {
    return {
      summary, revision, ...(extra.after !== undefined ? { after: extra.after } : {}), ...(extra.rest ? { rest: extra.rest } : {}), baseMs: this.baseMs, strings: this.strings,
      rows: { ids: this.ids.join(' '), parents: this.parents.join(' '), ...this.rows },
      ...(extra.diagnoses?.length ? { diagnoses: extra.diagnoses } : {}),
      ...(extra.inferredParents?.length ? { inferredParents: extra.inferredParents } : {}),
    };
  }

  private string(value: string): number {
    let index = this.stringIndex.get(value);
    if (index === undefined) {
      index = this.strings.length;
      this.strings.push(value);
      this.stringIndex.set(value, index);
    }
    return index;
  }
}

/** A span's tokens in one figure: the total it reports, else input plus output. */
export function totalTokens(tokens: Tokens | undefined): number | undefined {
  return tokens && (tokens.total ?? (tokens.input ?? 0) + (tokens.output ?? 0));
}

/** A normalized span's row. */
export function skeletonRowOfSpan(span: Span): SkeletonRowInput {
  return {
    traceId: span.traceId, spanId: span.spanId, parentSpanId: span.parentSpanId, name: span.name, kind: span.kind, service: span.service,
    startMs: span.startMs, durationMs: span.durationMs, status: span.status, statusMessage: span.statusMessage, model: span.model,
    tokens: totalTokens(span.tokens),
    costUsd: span.costUsd, timeToFirstTokenMs: span.timeToFirstTokenMs, findings: span.findings?.map((f) => f.message),
  };
}

/** The skeleton of a whole TraceDetail (a trace from elsewhere, the webview tests). */
export function skeletonOfDetail(detail: TraceDetail, revision = 1): TraceSkeleton {
  const spans = [...detail.spans, ...(detail.adoptedSpans ?? [])];
  const builder = new SkeletonBuilder(detail.summary.traceId, spans.reduce((min, s) => Math.min(min, s.startMs), spans.length ? Infinity : detail.summary.startMs));
  for (const span of spans) builder.add(skeletonRowOfSpan(span));
  return builder.build(detail.summary, revision, {
    diagnoses: detail.diagnoses,
    inferredParents: detail.inferredParents,
  });
}
