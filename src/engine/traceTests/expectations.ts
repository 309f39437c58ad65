// Checks a test's expectations against the facts of its run: each failure names the expectation,
// what was expected, what the run did, and the trace that shows it.
import { FINDING_LABELS } from '../../shared/spanModel';
import type { RunFacts } from '../../shared/traceTests/runFacts';
import {
  budgetText, type Budget, type BudgetKey, type ExpectationFailure, type TraceTestExpectations,
} from '../../shared/traceTests/traceTestFormat';

const BUDGETS: Record<BudgetKey, { figure: (facts: RunFacts) => number; show: (n: number) => string }> = {
  maxDurationMs: { figure: (f) => f.durationMs, show: (n) => `${Math.round(n)} ms` },
  maxTokens: { figure: (f) => f.tokens, show: (n) => `${Math.round(n)} tokens` },
  maxCostUsd: { figure: (f) => f.costUsd, show: (n) => `$${Number(n.toPrecision(3))}` },
  maxLlmCalls: { figure: (f) => f.llmCalls, show: (n) => `${n} LLM call(s)` },
};

/** Every expectation the run did not meet (none: the test passed). `baseline` is needed for relative budgets. */
export function checkExpectations(expect: TraceTestExpectations, facts: RunFacts, traceIds: string[], baseline?: RunFacts): ExpectationFailure[] {
  const failures: ExpectationFailure[] = [];
  const mainTrace = traceIds[0];
  const fail = (expectation: string, expected: string, actual: string, traceId = mainTrace) => failures.push({ expectation, expected, actual, traceId });

  if (expect.status === 'ok' && facts.failed) fail('status', '"ok"', `"error"${facts.failed.message ? ` (${facts.failed.message})` : ''}`, facts.failed.traceId);
  if (expect.status === 'error' && !facts.failed) fail('status', '"error"', '"ok"');

  for (const key of Object.keys(BUDGETS) as BudgetKey[]) {
    const budget = expect[key];
    if (budget === undefined) continue;
    const { figure, show } = BUDGETS[key];
    const limit = limitOf(budget, baseline && figure(baseline));
    const actual = figure(facts);
    if (limit === undefined) fail(key, `≤ ${budgetText(budget)} of the baseline`, 'no baseline to compare with');
    else if (actual > limit) fail(key, `≤ ${show(limit)}${typeof budget === 'number' ? '' : ` (${budgetText(budget)} the baseline's ${show(figure(baseline!))})`}`, show(actual));
  }

  if (expect.toolSequence && !isSubsequence(expect.toolSequence, facts.toolSequence)) {
    fail('toolSequence', `tool calls in this order: ${expect.toolSequence.join(' → ') || '(none)'}`, facts.toolSequence.join(' → ') || 'no tool calls');
  }
  for (const detector of expect.noFindings ?? []) {
    const found = facts.findings.find((f) => f.detector === detector);
    if (found) fail('noFindings', `no ${FINDING_LABELS[detector]} finding`, `a ${FINDING_LABELS[detector]} finding`, found.traceId);
  }

  const output = facts.output;
  for (const text of expect.outputContains ?? []) {
    if (!output?.text.toLowerCase().includes(text.toLowerCase())) {
      fail('outputContains', `output containing ${JSON.stringify(text)}`, output ? quote(output.text) : 'no output', output?.traceId);
    }
  }
  if (expect.outputMatches !== undefined && !(output && new RegExp(expect.outputMatches).test(output.text))) {
    fail('outputMatches', `output matching /${expect.outputMatches}/`, output ? quote(output.text) : 'no output', output?.traceId);
  }

  if (expect.minRetrievalScore !== undefined) {
    const weakest = facts.weakestRetrieval;
    if (!weakest) fail('minRetrievalScore', `every retrieval's best document scoring ≥ ${expect.minRetrievalScore}`, 'no retrieval with scores');
    else if (weakest.score < expect.minRetrievalScore) {
      fail('minRetrievalScore', `every retrieval's best document scoring ≥ ${expect.minRetrievalScore}`, `a retrieval whose best document scored ${weakest.score}`, weakest.traceId);
    }
  }
  return failures;
}

function limitOf(budget: Budget, baselineFigure: number | undefined): number | undefined {
  if (typeof budget === 'number') return budget;
  return baselineFigure === undefined ? undefined : budget.times * baselineFigure;
}

/** Whether `expected` appears in `actual` in this order, other calls allowed between. */
export function isSubsequence(expected: string[], actual: string[]): boolean {
  let at = 0;
  for (const name of actual) if (at < expected.length && name === expected[at]) at++;
  return at === expected.length;
}

const QUOTE_CHARS = 200;

function quote(text: string): string {
  return JSON.stringify(text.length > QUOTE_CHARS ? `${text.slice(0, QUOTE_CHARS)}…` : text);
}
