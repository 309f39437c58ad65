// Runs one regression test: the app's command with its OTLP export pointed at this engine and a
// resource attribute that marks the run, then the expectations against the traces so marked.
// The CLI (`test`) and the extension's engine (Test Explorer) both run tests through here.
import { spawn } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { TraceDetail } from '../../shared/spanModel';
import { runFacts } from '../../shared/traceTests/runFacts';
import {
  nameFromFile, parseTraceTest, type ExpectationFailure, type TraceTest, type TraceTestResult,
} from '../../shared/traceTests/traceTestFormat';
import type { TraceIndex } from '../index/traceIndex';
import { readBaseline } from './baseline';
import { checkExpectations } from './expectations';

/** The resource attribute that marks a test run's spans. */
export const RUN_ATTRIBUTE = 'ai_trace_inspector.test_run';
/** After the command exits, traces count as arrived once no new span came for this long. */
const QUIET_MS = 500;
/** A command that exited without sending anything gets this long (within its timeout) for late exports. */
const NO_TRACES_GRACE_MS = 3_000;
const POLL_MS = 100;
/** What a failure quotes of the command's output. */
const OUTPUT_TAIL_CHARS = 2_000;
/** A killed command that ignores SIGTERM gets SIGKILL after this. */
const KILL_GRACE_MS = 2_000;

/** Where the run's telemetry goes: this engine's index and receivers. */
export interface TestTarget {
  index: TraceIndex;
  host: string;
  /** The OTLP/HTTP port; undefined when the receivers are stopped. */
  httpPort?: number;
  grpcPort?: number | null;
}

/** Reads, runs and checks one test file; never throws (a problem becomes the result). */
export async function runTraceTestFile(file: string, target: TestTarget, signal?: AbortSignal): Promise<TraceTestResult> {
  const started = Date.now();
  const result = (partial: Partial<TraceTestResult> & Pick<TraceTestResult, 'outcome'>): TraceTestResult =>
    ({ file, name: partial.name ?? nameFromFile(file), durationMs: Date.now() - started, failures: [], problems: [], traceIds: [], ...partial });
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    return result({ outcome: 'invalid', problems: [{ key: '(file)', reason: `cannot be read: ${(error as Error).message}` }] });
  }
  const { test, problems } = parseTraceTest(text, file);
  if (!test) return result({ outcome: 'invalid', problems });
  const baselineFile = test.baseline === undefined ? undefined : resolve(dirname(file), test.baseline);
  let baseline: TraceDetail[] | undefined;
  if (baselineFile) {
    try {
      baseline = await readBaseline(baselineFile);
    } catch (error) {
      return result({ outcome: 'invalid', name: test.name, baselineFile, problems: [{ key: 'baseline', reason: `${baselineFile}: ${(error as Error).message}` }] });
    }
  }
  const run = await runCommand(test, dirname(file), target, signal);
  const failures: ExpectationFailure[] = [...run.failures];
  if (run.traces.length) {
    const traceIds = run.traces.map((t) => t.summary.traceId);
    failures.push(...checkExpectations(test.expect, runFacts(run.traces), traceIds, baseline && runFacts(baseline)));
  } else if (!run.failures.length) {
    failures.push({ expectation: 'run', expected: 'traces from the command', actual: noTracesReason(test) });
  }
  return result({
    outcome: failures.length ? 'failed' : 'passed', name: test.name, baselineFile, failures,
    traceIds: run.traces.map((t) => t.summary.traceId),
  });
}

function noTracesReason(test: TraceTest): string {
  return `no traces arrived within the quiet period after "${test.run.command}" exited; does the app export to OTEL_EXPORTER_OTLP_ENDPOINT `
    + 'and flush (provider.shutdown()) before it exits?';
}

interface CommandRun {
  failures: ExpectationFailure[];
  traces: TraceDetail[];
}

async function runCommand(test: TraceTest, testFolder: string, target: TestTarget, signal?: AbortSignal): Promise<CommandRun> {
  const failed = (actual: string, traces: TraceDetail[] = []): CommandRun =>
    ({ failures: [{ expectation: 'run', expected: `"${test.run.command}" to run and exit 0`, actual }], traces });
  if (target.httpPort === undefined) return failed('the engine\'s OTLP receiver is stopped; start it (Start Receiver) and run the test again');
  const cwd = resolve(testFolder, test.run.cwd);
  if (!existsSync(cwd) || !statSync(cwd).isDirectory()) return failed(`run.cwd ${cwd} is not a folder`);

  if (signal?.aborted) return failed('cancelled');
  const runId = randomRunId();
  const since = Date.now();
  const child = spawn(test.run.command, {
    shell: true, cwd, env: runEnvironment(test, target, runId), stdio: ['ignore', 'pipe', 'pipe'],
    // Its own process group, so a timeout or a cancel stops what the shell started too.
    detached: process.platform !== 'win32',
  });
  const output = new OutputTail();
  child.stdout.on('data', (chunk: Buffer) => output.add(chunk));
  child.stderr.on('data', (chunk: Buffer) => output.add(chunk));
  const deadline = since + test.run.timeoutMs;
  const exit = await new Promise<{ code: number | null; signal: string | null; error?: Error; timedOut?: boolean; cancelled?: boolean }>((done) => {
    const finish = (outcome: Parameters<typeof done>[0], stopCommand: boolean) => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      if (stopCommand) stop(child.pid);
      done(outcome);
    };
    const timer = setTimeout(() => finish({ code: null, signal: null, timedOut: true }, true), test.run.timeoutMs);
    const onAbort = () => finish({ code: null, signal: null, cancelled: true }, true);
    signal?.addEventListener('abort', onAbort, { once: true });
    child.once('error', (error) => finish({ code: null, signal: null, error }, false));
    child.once('exit', (code, sig) => finish({ code, signal: sig }, false));
  });
  const collect = () => details(target.index, runTraces(target.index, runId, since));
  if (exit.error) return failed(`the command did not start: ${exit.error.message}`);
  if (exit.cancelled) return failed('cancelled', collect());
  if (exit.timedOut) return failed(`timed out after ${test.run.timeoutMs} ms (run.timeoutMs) and was stopped${output.describe()}`, collect());
  await waitForQuiet(() => spanCount(runTraces(target.index, runId, since)), deadline, signal);
  const traces = collect();
  if (exit.code !== 0) return failed(`exit ${exit.code ?? `by signal ${exit.signal}`}${output.describe()}`, traces);
  return { failures: [], traces };
}

/** The user's environment with the OTLP export pointed at this engine and the run's mark added. */
export function runEnvironment(test: TraceTest, target: TestTarget, runId: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ...test.run.env };
  // A wildcard bind is reached on loopback.
  const host = target.host === '0.0.0.0' ? '127.0.0.1' : target.host === '::' ? '[::1]' : target.host.includes(':') ? `[${target.host}]` : target.host;
  // An app told to export over gRPC gets the gRPC receiver; any other protocol the HTTP one.
  const grpc = (env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL ?? env.OTEL_EXPORTER_OTLP_PROTOCOL) === 'grpc' && target.grpcPort;
  const base = grpc ? `http://${host}:${target.grpcPort}` : `http://${host}:${target.httpPort}`;
  env.OTEL_EXPORTER_OTLP_ENDPOINT = base;
  env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT = grpc ? base : `${base}/v1/traces`;
  const mark = `${RUN_ATTRIBUTE}=${runId}`;
  env.OTEL_RESOURCE_ATTRIBUTES = env.OTEL_RESOURCE_ATTRIBUTES ? `${env.OTEL_RESOURCE_ATTRIBUTES},${mark}` : mark;
  return env;
}

/**
 * Letters only: redaction masks digit runs that look like card numbers, and a masked mark would
 * never be found again.
 */
function randomRunId(): string {
  let id = '';
  for (let i = 0; i < 20; i++) id += String.fromCharCode(97 + randomInt(26));
  return id;
}

type LiveTrace = ReturnType<TraceIndex['tracesSince']> extends Iterable<infer T> ? T : never;

/** The traces marked with this run: only those that started since the run did are looked at. */
function runTraces(index: TraceIndex, runId: string, sinceMs: number): LiveTrace[] {
  const found: LiveTrace[] = [];
  // Spans carry the app's clock; allow for one a little behind ours.
  for (const trace of index.tracesSince(sinceMs - 60_000)) {
    const first = trace.spans.values().next().value;
    if (first?.resource.attributes[RUN_ATTRIBUTE] === runId) found.push(trace);
  }
  return found;
}

function details(index: TraceIndex, traces: LiveTrace[]): TraceDetail[] {
  return traces.map((t) => index.trace(t.traceId)).filter((d): d is TraceDetail => d !== undefined)
    .sort((a, b) => a.summary.startMs - b.summary.startMs);
}

/** Polls until the run's span count stops growing for QUIET_MS (or NO_TRACES_GRACE_MS with none), within the deadline. */
async function waitForQuiet(countSpans: () => number, deadline: number, signal?: AbortSignal): Promise<void> {
  let spans = countSpans();
  let changedAt = Date.now();
  for (;;) {
    const now = Date.now();
    const quietFor = spans ? QUIET_MS : NO_TRACES_GRACE_MS;
    if (now - changedAt >= quietFor || now >= deadline || signal?.aborted) return;
    await new Promise((r) => setTimeout(r, POLL_MS));
    const count = countSpans();
    if (count !== spans) {
      spans = count;
      changedAt = Date.now();
    }
  }
}

function spanCount(traces: LiveTrace[]): number {
  return traces.reduce((n, t) => n + t.spans.size, 0);
}

function stop(pid: number | undefined): void {
  if (pid === undefined) return;
  const kill = (sig: NodeJS.Signals) => {
    try {
      process.kill(process.platform === 'win32' ? pid : -pid, sig);
    } catch {
      // Already gone.
    }
  };
  kill('SIGTERM');
  setTimeout(() => kill('SIGKILL'), KILL_GRACE_MS).unref();
}

/** The last characters the command printed, for a failure's message. */
class OutputTail {
  private text = '';

  add(chunk: Buffer): void {
    this.text = (this.text + chunk.toString('utf8')).slice(-OUTPUT_TAIL_CHARS);
  }

  describe(): string {
    const tail = this.text.trim();
    return tail ? `; its output ended with:\n${tail}` : '';
  }
}
