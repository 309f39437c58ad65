// Detectors for what goes wrong in AI requests, run as spans arrive with O(1) work per span
// (plus one pass over a trace when its summary is recomputed):
//   loop            the same tool or LLM call with the same arguments N times in one trace
//   weakRetrieval   a retrieval whose best document scores under a threshold
//   contextBloat    prompt tokens far above the step's median, or above a set limit
//   spike           tokens or cost far above the step's recent median
//   cascade         one failure that failed its parents too, several levels up
import type { DetectorSettings, Finding } from '../../shared/spanModel';
import type { StoredSpan } from '../model/storedSpan';
import { normalizeSpan } from '../normalize/normalizeSpan';
import { maxOf } from '../../shared/arrays';

export const DEFAULT_DETECTORS: DetectorSettings = {
  loopRepeats: 5, weakRetrievalScore: 0.5, contextTokenLimit: 0, medianFactor: 3, cascadeDepth: 3,
};

/** Steps' recent values kept for medians; a step needs this many before it can be called unusual. */
const WINDOW = 101;
const MIN_HISTORY = 10;
const MAX_STEPS = 10_000;

/** Raw attributes that hold a call's arguments, in each convention. */
const ARGUMENT_KEYS = ['tool.parameters', 'gen_ai.tool.call.arguments', 'ai.toolCall.args', 'input.value', 'gen_ai.input.messages',
  'ai.prompt.messages', 'ai.prompt', 'traceloop.entity.input', 'llm.prompt', 'gen_ai.prompt'];
const FLATTENED_CONTENT = /^(?:llm\.input_messages\.(\d+)\.message\.content|gen_ai\.prompt\.(\d+)\.content)$/;

export class Detectors {
  private readonly history = new Map<string, { input: RecentValues; total: RecentValues; cost: RecentValues }>();

  constructor(public settings: DetectorSettings = DEFAULT_DETECTORS) {}

  /**
   * Span-level findings, judged against the step's history before this span joins it. Run again
   * when a span's facts change (log records brought its kind or usage): it joins the history once.
   */
  inspect(span: StoredSpan): void {
    const { facts } = span;
    const findings: Finding[] = [];
    // Calls whose arguments were not recorded (content capture off) cannot be told apart: no key.
    const args = facts.kind === 'TOOL' || facts.kind === 'LLM' ? argumentsOf(span) : '';
    if (args) {
      span.callKey = `${facts.kind}\u0000${span.name}\u0000${facts.model ?? ''}`;
      span.callArgs = args;
    }
    if (facts.kind === 'RETRIEVER') {
      const scores = (normalizeSpan(span).documents ?? []).map((d) => d.score).filter((s): s is number => s !== undefined);
      const best = maxOf(scores);
      if (best !== undefined && best < this.settings.weakRetrievalScore) {
        findings.push({ detector: 'weakRetrieval', message: `Weak retrieval: the best of ${scores.length} documents scores ${round(best)} (under ${this.settings.weakRetrievalScore}); the model had to answer without good context.` });
      }
    }
    if (facts.ignoredUsage) {
      findings.push({ detector: 'invalidUsage', message: `Invalid usage ignored: ${facts.ignoredUsage.join(', ')}; the trace's tokens and cost leave it out.` });
    }
    const input = facts.tokens?.input;
    const total = facts.tokens?.total ?? ((facts.tokens?.input ?? 0) + (facts.tokens?.output ?? 0) || undefined);
    if (input !== undefined || total !== undefined || facts.costUsd !== undefined) {
      const step = this.stepHistory(`${span.resource.service}\u0000${span.name}`);
      const factor = this.settings.medianFactor;
      const inputMedian = step.input.median();
      if (input !== undefined && this.settings.contextTokenLimit > 0 && input > this.settings.contextTokenLimit) {
        findings.push({ detector: 'contextBloat', message: `Context bloat: ${input} prompt tokens, over the limit of ${this.settings.contextTokenLimit}.` });
      } else if (input !== undefined && inputMedian !== undefined && input > factor * inputMedian) {
        findings.push({ detector: 'contextBloat', message: `Context bloat: ${input} prompt tokens, ${round(input / inputMedian)}× this step's median of ${inputMedian}.` });
      }
      const totalMedian = step.total.median();
      const costMedian = step.cost.median();
      if (total !== undefined && totalMedian !== undefined && total > factor * totalMedian) {
        findings.push({ detector: 'spike', message: `Token spike: ${total} tokens, ${round(total / totalMedian)}× this step's recent median of ${totalMedian}.` });
      } else if (facts.costUsd !== undefined && costMedian && facts.costUsd > factor * costMedian) {
        findings.push({ detector: 'spike', message: `Cost spike: $${facts.costUsd.toFixed(4)}, ${round(facts.costUsd / costMedian)}× this step's recent median.` });
      }
      // A flag on the span, not a WeakSet: adding every span to one cost more than the rest of inspect.
      if (!span.inStepHistory) {
        span.inStepHistory = true;
        step.input.add(input);
        step.total.add(total);
        step.cost.add(facts.costUsd);
      }
    }
    span.findings = findings.length ? findings : undefined;
  }

  /** Trace-level findings: span findings, loops and cascades. One pass over the trace's spans. */
  traceFindings(spans: Map<string, StoredSpan>): Finding[] | undefined {
    const findings: Finding[] = [];
    const calls = new Map<string, Map<string, string[]>>();
    const byDetector = new Map<string, string[]>();
    let deepest: { spanId: string; depth: number; message: string } | undefined;
    const failedDepths = new Map<StoredSpan, number>();
    for (const span of spans.values()) {
      for (const f of span.findings ?? []) {
        const list = byDetector.get(f.detector) ?? [];
        if (!list.length) {
          byDetector.set(f.detector, list);
          findings.push({ ...f, spanIds: list });
        }
        list.push(span.spanId);
      }
      if (span.callKey !== undefined) {
        let byArguments = calls.get(span.callKey);
        if (!byArguments) calls.set(span.callKey, (byArguments = new Map()));
        const list = byArguments.get(span.callArgs ?? '');
        if (list) list.push(span.spanId);
        else byArguments.set(span.callArgs ?? '', [span.spanId]);
      }
      if (span.statusCode === 2) {
        const depth = failedAncestors(span, spans, failedDepths);
        if (depth >= this.settings.cascadeDepth && (!deepest || depth > deepest.depth)) deepest = { spanId: span.spanId, depth, message: span.statusMessage ?? span.name };
      }
    }
    for (const [key, byArguments] of calls) {
      for (const spanIds of byArguments.values()) {
        if (spanIds.length < this.settings.loopRepeats) continue;
        const [kind, name] = key.split('\u0000');
        findings.push({ detector: 'loop', message: `Loop: ${kind === 'TOOL' ? 'tool' : 'LLM call'} ${name} ran ${spanIds.length} times with the same arguments.`, spanIds });
      }
    }
    if (deepest) findings.push({ detector: 'cascade', message: `Cascading error: "${deepest.message}" failed ${deepest.depth} enclosing steps.`, spanIds: [deepest.spanId] });
    return findings.length ? findings : undefined;
  }

  private stepHistory(key: string) {
    let step = this.history.get(key);
    if (!step) {
      if (this.history.size >= MAX_STEPS) this.history.delete(this.history.keys().next().value!);
      this.history.set(key, (step = { input: new RecentValues(), total: new RecentValues(), cost: new RecentValues() }));
    }
    return step;
  }
}

/**
 * The call's arguments: the attribute's own string, never a copy (and its hash is computed once).
 * Where messages are flattened into numbered attributes, the last message stands for them.
 */
function argumentsOf(span: StoredSpan): string {
  const attrs = span.attributes;
  for (const key of ARGUMENT_KEYS) {
    const value = attrs[key];
    if (value !== undefined) return typeof value === 'string' ? value : JSON.stringify(value);
  }
  let last = '';
  let lastIndex = -1;
  for (const key in attrs) {
    const m = key.endsWith('.content') ? FLATTENED_CONTENT.exec(key) : null;
    const index = m ? Number(m[1] ?? m[2]) : -1;
    if (index > lastIndex && typeof attrs[key] === 'string') {
      lastIndex = index;
      last = attrs[key] as string;
    }
  }
  return last;
}

/**
 * How many spans above this one failed in an unbroken chain. `known` remembers each failed span's
 * answer, so a chain of n failures costs n steps in all, not n² (each walk stops at a known span).
 */
function failedAncestors(span: StoredSpan, spans: Map<string, StoredSpan>, known: Map<StoredSpan, number>): number {
  const path: StoredSpan[] = [];
  let base = 0;
  for (let current: StoredSpan | undefined = span; current && current.statusCode === 2;) {
    const done = known.get(current);
    if (done !== undefined) {
      base = done + 1;
      break;
    }
    if (path.length > spans.size) break; // a parent cycle
    path.push(current);
    current = current.parentSpanId ? spans.get(current.parentSpanId) : undefined;
  }
  // path[i]'s failed ancestors are the failed spans after it on the path, plus those above the last.
  for (let i = path.length - 1; i >= 0; i--) known.set(path[i], base + (path.length - 1 - i));
  return known.get(span) ?? 0;
}

/** A step's last WINDOW values, also kept sorted, so the median costs nothing per span. */
class RecentValues {
  private readonly arrival: number[] = [];
  private readonly sorted: number[] = [];

  add(value: number | undefined): void {
    if (value === undefined) return;
    this.arrival.push(value);
    this.sorted.splice(lowerBound(this.sorted, value), 0, value);
    if (this.arrival.length > WINDOW) this.sorted.splice(lowerBound(this.sorted, this.arrival.shift()!), 1);
  }

  median(): number | undefined {
    return this.sorted.length < MIN_HISTORY ? undefined : this.sorted[this.sorted.length >> 1];
  }
}

function lowerBound(sorted: number[], value: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid] < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}
