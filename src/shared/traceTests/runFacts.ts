// What a test checks, read from the trace(s) of one run: its figures (duration, tokens, cost, LLM
// calls), the tools it called in order, its findings, its output. The engine checks expectations
// against these; Save as Test derives a test's expectations from the same facts of a good trace.
import type { DetectorKind, Span, TraceDetail } from '../spanModel';

export interface RunFacts {
  /** From the first trace's start to the last one's end. */
  durationMs: number;
  tokens: number;
  costUsd: number;
  /** LLM calls, a wrapper and the provider call it wraps counted once. */
  llmCalls: number;
  /** Tool calls in start order: TOOL spans, else the tool calls LLM responses asked for. */
  toolSequence: string[];
  /** Each finding with the trace it is on. */
  findings: { detector: DetectorKind; traceId: string }[];
  /** The first failed trace, when any failed. */
  failed?: { traceId: string; message?: string };
  /** The root span's output of the last trace (or its last LLM response when the root has none). */
  output?: { text: string; traceId: string };
  /** The weakest retrieval: the lowest best-document score of any retrieval with scores. */
  weakestRetrieval?: { score: number; traceId: string };
  /** The root span's input of the first trace (or its first LLM call's last user message). */
  input?: string;
}

/** The facts of a run's traces (any order; they are sorted by start). */
export function runFacts(traces: TraceDetail[]): RunFacts {
  const sorted = [...traces].sort((a, b) => a.summary.startMs - b.summary.startMs);
  const start = sorted.reduce((min, t) => Math.min(min, t.summary.startMs), Infinity);
  const end = sorted.reduce((max, t) => Math.max(max, t.summary.startMs + t.summary.durationMs), -Infinity);
  const spans = sorted.flatMap((t) => t.spans).sort((a, b) => a.startMs - b.startMs);
  const failed = sorted.find((t) => t.summary.status === 'error');
  const last = sorted[sorted.length - 1];
  return {
    durationMs: sorted.length ? end - start : 0,
    tokens: sum(sorted.map((t) => t.summary.tokens.total)),
    costUsd: sum(sorted.map((t) => t.summary.costUsd)),
    llmCalls: sum(sorted.map((t) => innermostLlmSpans(t.spans).length)),
    toolSequence: toolSequence(spans),
    findings: sorted.flatMap((t) => [...(t.summary.findings ?? []), ...t.spans.flatMap((s) => s.findings ?? [])]
      .map((f) => ({ detector: f.detector, traceId: t.summary.traceId }))),
    failed: failed && { traceId: failed.summary.traceId, message: failed.summary.errorMessage },
    output: last && outputOf(last),
    weakestRetrieval: weakestRetrieval(sorted),
    input: sorted[0] && inputOf(sorted[0]),
  };
}

/** LLM spans with no LLM span below them: `ai.generateText` around its provider call counts once. */
function innermostLlmSpans(spans: Span[]): Span[] {
  const byId = new Map(spans.map((s) => [s.spanId, s]));
  const hasLlmBelow = new Set<string>();
  for (const span of spans) {
    if (span.kind !== 'LLM') continue;
    // Each ancestor is marked once, so this is linear in the spans whatever the nesting (and cycles stop).
    for (let parent = span.parentSpanId; parent && !hasLlmBelow.has(parent); parent = byId.get(parent)?.parentSpanId) hasLlmBelow.add(parent);
  }
  return spans.filter((s) => s.kind === 'LLM' && !hasLlmBelow.has(s.spanId));
}

function toolSequence(spans: Span[]): string[] {
  const toolSpans = spans.filter((s) => s.kind === 'TOOL');
  if (toolSpans.length) return toolSpans.map((s) => s.tool?.name ?? s.name);
  return innermostLlmSpans(spans).flatMap((s) => (s.outputMessages ?? []).flatMap((m) => (m.toolCalls ?? []).map((c) => c.name)));
}

function rootOf(trace: TraceDetail): Span | undefined {
  const ids = new Set(trace.spans.map((s) => s.spanId));
  return trace.spans.filter((s) => !s.parentSpanId || !ids.has(s.parentSpanId)).sort((a, b) => a.startMs - b.startMs)[0];
}

function outputOf(trace: TraceDetail): { text: string; traceId: string } | undefined {
  const traceId = trace.summary.traceId;
  const rootOutput = text(rootOf(trace)?.output);
  if (rootOutput) return { text: rootOutput, traceId };
  const llm = innermostLlmSpans(trace.spans).sort((a, b) => a.startMs + a.durationMs - (b.startMs + b.durationMs));
  const answer = llm[llm.length - 1]?.outputMessages?.map((m) => m.content).filter(Boolean).join('\n');
  return answer ? { text: answer, traceId } : undefined;
}

function inputOf(trace: TraceDetail): string | undefined {
  const rootInput = text(rootOf(trace)?.input);
  if (rootInput) return rootInput;
  const first = innermostLlmSpans(trace.spans).sort((a, b) => a.startMs - b.startMs)[0];
  return first?.inputMessages?.filter((m) => m.role === 'user').pop()?.content || undefined;
}

function weakestRetrieval(traces: TraceDetail[]): RunFacts['weakestRetrieval'] {
  let weakest: RunFacts['weakestRetrieval'];
  for (const trace of traces) {
    for (const span of trace.spans) {
      const scores = (span.documents ?? []).map((d) => d.score).filter((s): s is number => typeof s === 'number');
      if (span.kind !== 'RETRIEVER' || !scores.length) continue;
      const best = scores.reduce((a, b) => Math.max(a, b));
      if (!weakest || best < weakest.score) weakest = { score: best, traceId: trace.summary.traceId };
    }
  }
  return weakest;
}

/** A span's input or output as text: strings as they are, anything else as JSON. */
function text(value: unknown): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  return typeof value === 'string' ? value : JSON.stringify(value);
}

function sum(values: number[]): number {
  return values.reduce((a, b) => a + b, 0);
}
