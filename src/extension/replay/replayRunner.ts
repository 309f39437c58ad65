// One replay run from start to record: run the request on a provider, stream the text out, turn
// any failure into a sentence (the edited request is never touched), and send the run to the
// engine as a trace linked to the original. Run ×N repeats it and tells how the answers differ.
// No `vscode` here: unit tests drive it through the real client packages against fake servers.
import { describeReplayError, type ReplayAnswer, type ReplayProvider } from './replayProviders';
import type { ReplayRequest } from './replayRequest';
import { replayTrace, sendReplayTrace } from './replayTrace';

export type RunOutcome = { answer: ReplayAnswer } | { error: string; startMs: number; endMs: number };

export interface RecordedRun {
  outcome: RunOutcome;
  /** The replay's trace and span ids in the engine (also for a failed run). */
  traceId: string;
  spanId: string;
  /** Why the replay could not be recorded, when the receiver refused it. */
  recordError?: string;
}

export interface RunOptions {
  /** The engine's OTLP/HTTP port; without one the run is not recorded. */
  httpPort?: number;
  onText?: (delta: string) => void;
  signal?: AbortSignal;
}

export async function runOnce(provider: ReplayProvider, request: ReplayRequest, onText: (delta: string) => void = () => undefined, signal?: AbortSignal): Promise<RunOutcome> {
  const startMs = Date.now();
  try {
    return { answer: await provider.run(request, onText, signal) };
  } catch (error) {
    return { error: describeReplayError(error, provider, request.model), startMs, endMs: Date.now() };
  }
}

export async function runAndRecord(provider: ReplayProvider, request: ReplayRequest, options: RunOptions = {}): Promise<RecordedRun> {
  const outcome = await runOnce(provider, request, options.onText, options.signal);
  const recorded = replayTrace(request, provider, outcome);
  const run: RecordedRun = { outcome, traceId: recorded.traceId, spanId: recorded.spanId };
  if (options.httpPort !== undefined) {
    await sendReplayTrace(options.httpPort, recorded).catch((error: Error) => {
      run.recordError = `The replay ran but was not recorded: ${error.message}`;
    });
  }
  return run;
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
