// What each source line produced: spans found to come from a line (by code.* attributes, an
// exception's stack, or the prompt text) are counted per file and line as they arrive, so code
// lenses, hovers and diagnostics are answered from this index without scanning traces.
import type { SourceHow, SourceLocation, SpanKind } from '../../shared/spanModel';
import { percentile } from '../index/traceReport';

export interface SpanRef {
  traceId: string;
  spanId: string;
  startMs: number;
  durationMs: number;
}

export interface LineActivity {
  line: number;
  how: SourceHow;
  /** The text of the line when the activity was recorded (anchors.ts); undefined: file unread. */
  anchor?: string;
  /** For prompt matches: how sure (0..1). */
  confidence?: number;
  count: number;
  byKind: Partial<Record<SpanKind, number>>;
  /** The most recent durations (bounded), for p50. */
  recentDurations: number[];
  tokens: number;
  errors: number;
  latest: SpanRef;
  slowest: SpanRef;
  /** The newest failure, while no later span from this line succeeded. */
  failing?: SpanRef & { message: string };
}

/** A span's line in a workspace file (`line` 1-based), and how it was found. */
export type SpanOrigin = SourceLocation & { line: number; how: SourceHow };

export interface SpanOutcome extends SpanRef {
  kind: SpanKind;
  tokens: number;
  failed: boolean;
  errorMessage?: string;
}

const RECENT = 200;

/**
 * One entry per line and route: the calls made on a line and the prompts made from a template on
 * it are counted apart, even when both are on one line.
 */
const entryKey = (line: number, how: SourceHow) => `${line}:${how === 'prompt' ? 'prompt' : 'call'}`;

export class CodeActivity {
  private readonly files = new Map<string, Map<string, LineActivity>>();

  add(origin: SpanOrigin, span: SpanOutcome, anchor?: string): void {
    let lines = this.files.get(origin.file);
    if (!lines) this.files.set(origin.file, (lines = new Map()));
    const ref: SpanRef = { traceId: span.traceId, spanId: span.spanId, startMs: span.startMs, durationMs: span.durationMs };
    const key = entryKey(origin.line, origin.how);
    let a = lines.get(key);
    // A line that reads differently now is another origin: its old counts are not this one's.
    if (!a || (anchor !== undefined && a.anchor !== undefined && a.anchor !== anchor)) {
      a = { line: origin.line, how: origin.how, anchor, confidence: origin.confidence, count: 0, byKind: {}, recentDurations: [], tokens: 0, errors: 0, latest: ref, slowest: ref };
      lines.set(key, a);
    }
    // The newest match says how sure the line's prompt match is.
    if (origin.how === 'prompt' && span.startMs >= a.latest.startMs) a.confidence = origin.confidence;
    a.count++;
    a.byKind[span.kind] = (a.byKind[span.kind] ?? 0) + 1;
    a.recentDurations.push(span.durationMs);
    if (a.recentDurations.length > RECENT) a.recentDurations.shift();
    a.tokens += span.tokens;
    if (span.startMs >= a.latest.startMs) a.latest = ref;
    if (span.durationMs > a.slowest.durationMs) a.slowest = ref;
    if (span.failed) {
      a.errors++;
      if (!a.failing || span.startMs >= a.failing.startMs) a.failing = { ...ref, message: span.errorMessage ?? 'failed' };
    } else if (a.failing && span.startMs > a.failing.startMs) {
      a.failing = undefined;
    }
  }

  lines(file: string): LineActivity[] {
    return [...(this.files.get(file)?.values() ?? [])].sort((a, b) => a.line - b.line);
  }

  /** The line's activity: its calls, else the prompts made from it. */
  line(file: string, line: number): LineActivity | undefined {
    return this.atLine(file, line)[0];
  }

  atLine(file: string, line: number): LineActivity[] {
    const lines = this.files.get(file);
    return [lines?.get(entryKey(line, 'attribute')), lines?.get(entryKey(line, 'prompt'))].filter((a): a is LineActivity => a !== undefined);
  }

  /**
   * The file changed: each line's activity moves to where `relocate` finds its text, or is
   * dropped. Two that land on one line with the same text are one origin, and are added up.
   */
  rebase(file: string, relocate: (line: number, anchor: string) => number | undefined): void {
    const lines = this.files.get(file);
    if (!lines) return;
    const moved = new Map<string, LineActivity>();
    for (const a of lines.values()) {
      const line = a.anchor === undefined ? a.line : relocate(a.line, a.anchor);
      if (line === undefined) continue;
      a.line = line;
      const key = entryKey(line, a.how);
      const there = moved.get(key);
      moved.set(key, there ? merged(there, a) : a);
    }
    if (moved.size) this.files.set(file, moved);
    else this.files.delete(file);
  }

  filesWithActivity(): string[] {
    return [...this.files.keys()];
  }

  clear(): void {
    this.files.clear();
  }
}

function merged(a: LineActivity, b: LineActivity): LineActivity {
  const byKind = { ...a.byKind };
  for (const [kind, n] of Object.entries(b.byKind)) byKind[kind as SpanKind] = (byKind[kind as SpanKind] ?? 0) + (n ?? 0);
  const latest = b.latest.startMs > a.latest.startMs ? b : a;
  return {
    ...latest,
    count: a.count + b.count,
    byKind,
    recentDurations: [...a.recentDurations, ...b.recentDurations].slice(-RECENT),
    tokens: a.tokens + b.tokens,
    errors: a.errors + b.errors,
    slowest: b.slowest.durationMs > a.slowest.durationMs ? b.slowest : a.slowest,
    // The newer entry's failure state stands: a later success there cleared it.
    failing: latest.failing,
  };
}

/** "12 LLM calls · p50 820 ms · 1.3k tokens · 2 errors": a line's activity in one lens title. */
export function lensTitle(a: LineActivity, formatDuration: (ms: number) => string): string {
  const kinds = Object.entries(a.byKind).sort((x, y) => (y[1] ?? 0) - (x[1] ?? 0))
    .map(([kind, n]) => `${n} ${KIND_NOUN[kind as SpanKind] ?? kind.toLowerCase()}${n === 1 ? '' : 's'}`);
  const parts = [kinds.join(', '), `p50 ${formatDuration(percentile([...a.recentDurations].sort((x, y) => x - y), 0.5))}`];
  if (a.tokens) parts.push(`${a.tokens >= 1000 ? `${(a.tokens / 1000).toFixed(1)}k` : a.tokens} tokens`);
  if (a.errors) parts.push(`${a.errors} error${a.errors === 1 ? '' : 's'}`);
  if (a.how === 'prompt') parts.push(`prompt match ${Math.round((a.confidence ?? 0) * 100)}%`);
  return parts.join(' · ');
}

const KIND_NOUN: Partial<Record<SpanKind, string>> = {
  LLM: 'LLM call', RETRIEVER: 'retrieval', TOOL: 'tool call', AGENT: 'agent run', CHAIN: 'step',
  EMBEDDING: 'embedding', RERANKER: 'rerank', GUARDRAIL: 'guardrail check', EVALUATOR: 'evaluation', UNKNOWN: 'span',
};
