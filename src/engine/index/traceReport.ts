// Statistics across traces: per step (span name within kind and service, or LLM calls grouped by
// prompt source or model) and per model. One pass over the spans of the traces in the window; it
// runs in the engine process, on demand.
import type { SpanKind, StepGrouping, StepStats, TraceReport } from '../../shared/spanModel';
import type { StoredSpan } from '../model/storedSpan';
import type { Trace } from '../model/traceSummary';
import type { PromptSourceOf } from './promptSource';

/** Steps reported, those with the most total latency first: a list people read, not a dump. */
const MAX_STEPS = 500;

interface StepAccumulator {
  name: string;
  groupedBy?: Exclude<StepGrouping, 'name'>;
  kind: SpanKind;
  service: string;
  durations: number[];
  errors: number;
  tokens: number;
  costUsd: number;
  slowestInFailed: number;
}

interface ModelAccumulator {
  calls: number;
  errors: number;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
  durations: number[];
}

/** A span's step: its group of calls when grouped and known, else its name. */
function stepOf(span: StoredSpan, groupBy: StepGrouping, promptSourceOf: PromptSourceOf): { name: string; groupedBy?: Exclude<StepGrouping, 'name'> } {
  const { kind, model } = span.facts;
  if (groupBy === 'model' && model && (kind === 'LLM' || kind === 'EMBEDDING')) return { name: model, groupedBy: groupBy };
  const source = groupBy === 'promptSource' && kind === 'LLM' ? promptSourceOf(span) : undefined;
  return source ? { name: source, groupedBy: 'promptSource' } : { name: span.name };
}

export function buildTraceReport(
  traces: Iterable<Trace>, sinceMs: number, groupBy: StepGrouping = 'name', promptSourceOf: PromptSourceOf = () => undefined,
): TraceReport {
  const steps = new Map<string, StepAccumulator>();
  const models = new Map<string, ModelAccumulator>();
  const traceDurations: number[] = [];
  const tokens = { input: 0, output: 0, total: 0 };
  let costUsd = 0;
  let errorTraces = 0;
  let totalTimeMs = 0;

  for (const trace of traces) {
    const { summary } = trace;
    traceDurations.push(summary.durationMs);
    totalTimeMs += summary.durationMs;
    tokens.input += summary.tokens.input;
    tokens.output += summary.tokens.output;
    tokens.total += summary.tokens.total;
    costUsd += summary.costUsd;
    const failed = summary.status === 'error';
    if (failed) errorTraces++;
    let slowestStep: StepAccumulator | undefined;
    let slowestMs = -1;
    for (const span of trace.spans.values()) {
      const durationMs = span.endMs - span.startMs;
      const { name, groupedBy } = stepOf(span, groupBy, promptSourceOf);
      const key = `${span.facts.kind}\u0000${span.resource.service}\u0000${groupedBy ?? ''}\u0000${name}`;
      let step = steps.get(key);
      if (!step) {
        step = { name, groupedBy, kind: span.facts.kind, service: span.resource.service, durations: [], errors: 0, tokens: 0, costUsd: 0, slowestInFailed: 0 };
        steps.set(key, step);
      }
      step.durations.push(durationMs);
      if (span.statusCode === 2) step.errors++;
      step.tokens += span.facts.tokens?.total ?? 0;
      step.costUsd += span.facts.costUsd ?? 0;
      // "Which step drags in the requests that went wrong": the slowest non-root step of each.
      if (failed && span.parentSpanId && durationMs > slowestMs) {
        slowestMs = durationMs;
        slowestStep = step;
      }
      const model = span.facts.model;
      if (model && (span.facts.kind === 'LLM' || span.facts.kind === 'EMBEDDING')) {
        let m = models.get(model);
        if (!m) models.set(model, (m = { calls: 0, errors: 0, inputTokens: 0, outputTokens: 0, costUsd: 0, durations: [] }));
        m.calls++;
        if (span.statusCode === 2) m.errors++;
        m.inputTokens += span.facts.tokens?.input ?? 0;
        m.outputTokens += span.facts.tokens?.output ?? 0;
        m.costUsd += span.facts.costUsd ?? 0;
        m.durations.push(durationMs);
      }
    }
    if (slowestStep) slowestStep.slowestInFailed++;
  }

  traceDurations.sort((a, b) => a - b);
  return {
    sinceMs,
    traces: traceDurations.length,
    errorTraces,
    p50Ms: percentile(traceDurations, 0.5),
    p95Ms: percentile(traceDurations, 0.95),
    tokens,
    costUsd,
    byModel: [...models].map(([model, m]) => {
      m.durations.sort((a, b) => a - b);
      return { model, calls: m.calls, errors: m.errors, inputTokens: m.inputTokens, outputTokens: m.outputTokens, costUsd: m.costUsd, p50Ms: percentile(m.durations, 0.5) };
    }).sort((a, b) => b.costUsd - a.costUsd || b.calls - a.calls),
    steps: [...steps.values()].map((s): StepStats => {
      s.durations.sort((a, b) => a - b);
      const sum = s.durations.reduce((n, d) => n + d, 0);
      return {
        name: s.name, ...(s.groupedBy ? { groupedBy: s.groupedBy } : {}), kind: s.kind, service: s.service, count: s.durations.length, errors: s.errors,
        p50Ms: percentile(s.durations, 0.5), p95Ms: percentile(s.durations, 0.95), maxMs: s.durations[s.durations.length - 1] ?? 0,
        shareOfTime: totalTimeMs ? sum / totalTimeMs : 0, tokens: s.tokens, costUsd: s.costUsd, slowestInFailed: s.slowestInFailed,
      };
    }).sort((a, b) => b.p95Ms * b.count - a.p95Ms * a.count).slice(0, MAX_STEPS),
  };
}

/** Nearest-rank percentile of an ascending list; 0 for an empty one. */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))];
}
