// Save as Test: a test file drafted from a good trace. The command carries the trace's input for
// the user to fix up; the expectations are what the trace did (its status, its tool calls in
// order, no loop) with budgets at 1.5x its figures; the trace itself is the baseline.
import type { TraceDetail } from '../spanModel';
import { runFacts } from './runFacts';
import { DEFAULT_TIMEOUT_MS, type TraceTestExpectations } from './traceTestFormat';

const BUDGET_FACTOR = 1.5;

/** The test file's JSON (as written, `$schema` aside); `baseline` is relative to the test file. */
export function draftTraceTest(trace: TraceDetail, baseline: string): Record<string, unknown> {
  const facts = runFacts([trace]);
  const budget = (figure: number, round: (n: number) => number) => (figure > 0 ? round(figure * BUDGET_FACTOR) : undefined);
  const expect: Record<keyof TraceTestExpectations, unknown> = {
    status: facts.failed ? 'error' : 'ok',
    maxDurationMs: budget(facts.durationMs, Math.ceil),
    maxTokens: budget(facts.tokens, Math.ceil),
    maxCostUsd: budget(facts.costUsd, (n) => Number(n.toPrecision(3))),
    maxLlmCalls: budget(facts.llmCalls, Math.ceil),
    toolSequence: facts.toolSequence.length ? facts.toolSequence : undefined,
    noFindings: ['loop'],
    outputContains: undefined,
    outputMatches: undefined,
    minRetrievalScore: undefined,
  };
  return {
    name: trace.summary.name,
    run: { command: `node app.js ${shellQuote(facts.input ?? '')}`, cwd: '.', timeoutMs: DEFAULT_TIMEOUT_MS },
    expect: Object.fromEntries(Object.entries(expect).filter(([, v]) => v !== undefined)),
    baseline,
  };
}

/** One shell word whatever the text holds (POSIX sh: single quotes, each ' written as '\''). */
export function shellQuote(text: string): string {
  return `'${text.replace(/'/g, "'\\''")}'`;
}

/** A file name from a trace's name: `refund question` → `refund-question`. */
export function slug(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 60) || 'trace';
}
