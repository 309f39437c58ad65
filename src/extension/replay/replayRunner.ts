// One replay run from start to record: run the request on a provider, stream the text out, turn
// any failure into a sentence (the edited request is never touched), and send the run to the
// engine as a trace linked to the original.
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
