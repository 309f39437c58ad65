// The texts a replay shows: the output document (streamed answer, tool calls, numbers, and for
// Run ×N how the answers differ) and the two sides of Compare with original, laid out the same
// way so the diff editor lines them up. No `vscode` here.
import { formatCost, formatDuration } from '../../shared/format';
import type { Span } from '../../shared/spanModel';
import type { ReplayToolCall } from './replayRequest';
import type { ReplayAnswer } from './replayProviders';
import type { RecordedRun, RunOutcome } from './replayRunner';

/** One side of a comparison: what the model answered and what it cost. */
export interface AnswerFacts {
  title: string;
  model?: string;
  text: string;
  toolCalls: ReplayToolCall[];
  inputTokens?: number;
  outputTokens?: number;
  costUsd?: number;
  durationMs?: number;
  firstTokenMs?: number;
  finishReason?: string;
  error?: string;
}

export function answerFactsOfSpan(span: Span, title: string): AnswerFacts {
  const output = span.outputMessages ?? [];
  return {
    title,
    model: span.model,
    text: output.map((m) => m.content).filter(Boolean).join('\n\n'),
    toolCalls: output.flatMap((m) => m.toolCalls ?? []),
    inputTokens: span.tokens?.input,
    outputTokens: span.tokens?.output,
    costUsd: span.costUsd,
    durationMs: span.durationMs,
    firstTokenMs: span.timeToFirstTokenMs,
    finishReason: span.finishReasons?.join(', ') || output.find((m) => m.finishReason)?.finishReason,
    error: span.status === 'error' ? span.statusMessage || 'failed' : undefined,
  };
}

export function toolCallLines(calls: ReplayToolCall[]): string[] {
  return calls.map((c) => `- ${c.name}${c.id ? ` (id ${c.id})` : ''}\n${indent(JSON.stringify(c.arguments ?? {}, null, 2))}`);
}

const indent = (text: string) => text.split('\n').map((line) => `    ${line}`).join('\n');

/** One side of Compare with original, in Markdown. */
export function comparisonSide(facts: AnswerFacts): string {
  const lines = [`# ${facts.title}`, '', `Model: ${facts.model ?? 'unknown'}`, ''];
  if (facts.error) lines.push(`Error: ${facts.error}`, '');
  lines.push('## Response', '', facts.text || '(no text)', '', '## Tool calls', '', ...(facts.toolCalls.length ? toolCallLines(facts.toolCalls) : ['(none)']), '');
  lines.push('## Numbers', '',
    `Tokens: ${num(facts.inputTokens)} in · ${num(facts.outputTokens)} out`,
    `Cost: ${facts.costUsd !== undefined ? formatCost(facts.costUsd) : 'unknown'}`,
    `Latency: ${facts.durationMs !== undefined ? formatDuration(facts.durationMs) : 'unknown'}${facts.firstTokenMs !== undefined ? ` (first token ${formatDuration(facts.firstTokenMs)})` : ''}`,
    `Finish reason: ${facts.finishReason ?? 'unknown'}`, '');
  return lines.join('\n');
}

const num = (n: number | undefined) => (n === undefined ? '?' : n.toLocaleString('en-US'));

/** A run in the output document: streaming, or finished (answer or error) and recorded. */
export interface OutputRun {
  streamed: string;
  done?: RecordedRun;
  /** The engine's span for the run, once it arrived: tokens and cost as the engine priced them. */
  recorded?: Span;
}

export interface OutputState {
  title: string;
  model: string;
  target: string;
  runs: OutputRun[];
  /** How many runs were asked for (Run ×N). */
  planned: number;
}

const TOOL_HINT = 'Tool calls are shown, not executed. To continue, add the result to the request as ' +
  '`{"role": "tool", "toolCallId": "<id>", "content": "<result>"}` after the assistant turn with the call, and Run again.';

export function outputText(state: OutputState): string {
  const lines = [`# Replay of ${state.title}`, '', `${state.model} on ${state.target}`, ''];
  for (const [i, run] of state.runs.entries()) {
    if (state.planned > 1) lines.push(`## Run ${i + 1} of ${state.planned}`, '');
    lines.push(...runLines(run), '');
  }
  const finished = state.runs.filter((r) => r.done).map((r) => r.done!.outcome);
  if (state.planned > 1 && finished.length === state.planned) lines.push(...runsSummaryLines(finished));
  return lines.join('\n');
}

function runLines(run: OutputRun): string[] {
  if (!run.done) return [run.streamed || '…', '', '_running…_'];
  const { outcome } = run.done;
  const lines: string[] = [];
  if ('error' in outcome) {
    lines.push(`**Error:** ${outcome.error}`, '', 'The request is unchanged; edit it and Run again.');
  } else {
    const { answer } = outcome;
    lines.push(answer.text || '(no text)');
    if (answer.toolCalls.length) lines.push('', '**Tool calls**', '', ...toolCallLines(answer.toolCalls), '', TOOL_HINT);
    const tokens = run.recorded?.tokens ?? answer.usage;
    const cost = run.recorded?.costUsd;
    lines.push('', [
      `${num(tokens?.input)} in · ${num(tokens?.output)} out tokens`,
      cost !== undefined ? formatCost(cost) : undefined,
      formatDuration(answer.endMs - answer.startMs),
      answer.firstTokenMs !== undefined ? `first token ${formatDuration(answer.firstTokenMs - answer.startMs)}` : undefined,
      answer.finishReason && `finish: ${answer.finishReason}`,
    ].filter(Boolean).join(' · '));
  }
  lines.push('', run.done.recordError ?? `Trace ${run.done.traceId} (in the Traces view, linked to the original span)`);
  return lines;
}

function runsSummaryLines(outcomes: RecordedRun['outcome'][]): string[] {
  const summary = summarizeRuns(outcomes);
  const lines = ['## How the answers differ', '',
    `${summary.distinct.length} distinct answer${summary.distinct.length === 1 ? '' : 's'} in ${summary.runs - summary.failed} run${summary.runs - summary.failed === 1 ? '' : 's'}${summary.failed ? ` (${summary.failed} failed)` : ''}.`];
  if (summary.outputTokens) lines.push(`Output tokens: ${summary.outputTokens.min}–${summary.outputTokens.max}.`);
  if (summary.latencyMs) lines.push(`Latency: ${formatDuration(summary.latencyMs.min)}–${formatDuration(summary.latencyMs.max)}.`);
  lines.push('');
  for (const [i, group] of summary.distinct.entries()) {
    lines.push(`### Answer ${String.fromCharCode(65 + (i % 26))}: runs ${group.runs.join(', ')} (${Math.round(group.similarityToCommonest * 100)}% of words shared with answer A)`, '', group.text || '(no text)', '');
  }
  return lines;
}

/** What Run ×N found: the distinct answers, most frequent first, and the spread of the numbers. */
export interface RunsSummary {
  runs: number;
  failed: number;
  /** Most frequent first; similarity (0..1) to that most frequent answer. */
  distinct: { text: string; runs: number[]; similarityToCommonest: number }[];
  outputTokens?: { min: number; max: number };
  latencyMs?: { min: number; max: number };
}

/** The answer as compared across runs: its text and its tool calls, whitespace folded. */
export function answerKey(answer: ReplayAnswer): string {
  const calls = answer.toolCalls.map((c) => `→ ${c.name}(${JSON.stringify(c.arguments)})`).join('\n');
  return [answer.text.replace(/\s+/g, ' ').trim(), calls].filter(Boolean).join('\n');
}

export function summarizeRuns(outcomes: RunOutcome[]): RunsSummary {
  const answers = outcomes.map((o, i) => ({ i: i + 1, answer: 'answer' in o ? o.answer : undefined })).filter((a) => a.answer);
  const groups = new Map<string, number[]>();
  for (const { i, answer } of answers) {
    const key = answerKey(answer!);
    groups.set(key, [...(groups.get(key) ?? []), i]);
  }
  const sorted = [...groups].sort((a, b) => b[1].length - a[1].length);
  const common = sorted[0]?.[0] ?? '';
  const range = (values: number[]) => (values.length ? { min: Math.min(...values), max: Math.max(...values) } : undefined);
  return {
    runs: outcomes.length,
    failed: outcomes.length - answers.length,
    distinct: sorted.map(([text, runs]) => ({ text, runs, similarityToCommonest: wordSimilarity(common, text) })),
    outputTokens: range(answers.flatMap(({ answer }) => (answer!.usage?.output !== undefined ? [answer!.usage.output] : []))),
    latencyMs: range(answers.map(({ answer }) => answer!.endMs - answer!.startMs)),
  };
}

/** Shared words over all words (Jaccard), 0..1: a rough "how different" that needs no model. */
export function wordSimilarity(a: string, b: string): number {
  const words = (s: string) => new Set(s.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []);
  const [x, y] = [words(a), words(b)];
  if (!x.size && !y.size) return 1;
  let shared = 0;
  for (const w of x) if (y.has(w)) shared++;
  return shared / (x.size + y.size - shared);
}
