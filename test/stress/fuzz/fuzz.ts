// Hostile input: every case straight into the decoders, index and file reader (a watched child
// process; a case over the time bound is a hang), then through the real HTTP receiver of the
// engine process (a 5xx, a dropped connection or no answer in time is a failure). The engine
// must answer each with 200 (stored, or partial_success), 400 or 413, and keep serving.
import { fork } from 'node:child_process';
import { Agent } from 'node:http';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { EngineProcess } from '../engineProcess';
import type { Section } from '../figures';
import * as grpc from '@grpc/grpc-js';
import { getJson, longestApiWait, send, sleep } from '../http';
import { GrpcTraceClient } from '../senders';
import { FuzzCase, fixtureSeeds, generatedCases, mutatedCase, random } from './cases';
import type { CaseOutcome } from './directWorker';

export interface FuzzOptions {
  mutatedCases: number;
  /** Of those, how many also go through HTTP (all generated attacks always do). */
  httpMutatedCases: number;
  /** A case still running after this is a hang. */
  caseTimeoutMs: number;
}

interface DirectTally {
  outcomes: Map<CaseOutcome['outcome'], number>;
  findings: string[];
  hangs: string[];
  fileCases: number;
  fileFindings: string[];
  fileReaderMissing?: string;
  slowest: { ms: number; id: number };
}

/** How long a child process may take to start before its first case. */
const WORKER_START_MS = 120_000;

/** Runs cases [from, total) in child processes, restarting past a hang. */
async function runDirect(total: number, mutatedUpTo: number, caseTimeoutMs: number): Promise<DirectTally> {
  const tally: DirectTally = { outcomes: new Map(), findings: [], hangs: [], fileCases: 0, fileFindings: [], slowest: { ms: 0, id: -1 } };
  let from = 0;
  while (from < total) {
    from = await new Promise<number>((resolve) => {
      const child = fork(join(__dirname, 'directWorker.ts'), [String(from), String(total), String(mutatedUpTo)],
        { execArgv: ['--import', 'tsx', '--stack-size=984'], stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
      let current = from;
      let stderr = '';
      child.stderr!.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
      let watchdog = setTimeout(() => undefined, 0);
      const arm = (ms: number) => {
        clearTimeout(watchdog);
        watchdog = setTimeout(() => {
          tally.hangs.push(`case ${current}: no result in ${ms} ms`);
          child.kill('SIGKILL');
        }, ms);
      };
      // Before its first case the child loads the fixtures and makes the attacks: on a busy machine
      // that took over one case's time, and the cases it was killed before were counted as hangs.
      arm(WORKER_START_MS);
      child.on('message', (message: { start?: number; done?: CaseOutcome; fileReaderMissing?: string; finished?: boolean }) => {
        if (message.fileReaderMissing) tally.fileReaderMissing = message.fileReaderMissing;
        if (message.start !== undefined) { current = message.start; arm(caseTimeoutMs); }
        const done = message.done;
        if (!done) return;
        tally.outcomes.set(done.outcome, (tally.outcomes.get(done.outcome) ?? 0) + 1);
        if (done.outcome === 'crash') tally.findings.push(`case ${done.id} (${done.what}): ${done.error}`);
        if (done.file) tally.fileCases++;
        if (done.file === 'crash') tally.fileFindings.push(`case ${done.id} (${done.what}): ${done.fileError}`);
        if (done.ms > tally.slowest.ms) tally.slowest = { ms: done.ms, id: done.id };
        current = done.id + 1;
      });
      child.on('exit', (code, signal) => {
        clearTimeout(watchdog);
        if (current < total && signal !== 'SIGKILL') tally.findings.push(`case ${current}: the process died (${code ?? signal}): ${stderr.slice(-500)}`);
        // Past a hang or a death, go on with the next case.
        resolve(current < total ? current + 1 : total);
      });
    });
  }
  return tally;
}

interface HttpTally {
  statuses: Map<number, number>;
  /** gRPC status codes of the cases sent over gRPC. */
  grpc: Map<number, number>;
  failures: string[];
  gzipped: number;
}

/** Sends every case to the engine: protobuf traces partly over gRPC, the rest over HTTP (some gzip-compressed). */
async function runHttp(engine: EngineProcess, cases: FuzzCase[], timeoutMs: number): Promise<HttpTally> {
  const tally: HttpTally = { statuses: new Map(), failures: [], gzipped: 0, grpc: new Map() };
  const queue = [...cases];
  const rng = random(7);
  await Promise.all(Array.from({ length: 4 }, async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const grpcClient = engine.grpcPort === null ? undefined : new GrpcTraceClient(engine.grpcPort);
    for (let c = queue.shift(); c; c = queue.shift()) {
      if (grpcClient && c.signal === 'traces' && c.encoding === 'protobuf' && rng() < 0.4) {
        let code = -1;
        for (let attempt = 0; attempt < 10; attempt++) {
          ({ code } = await grpcClient.export(c.body, timeoutMs));
          if (code !== grpc.status.UNAVAILABLE) break;
          await sleep(1000);
        }
        tally.grpc.set(code, (tally.grpc.get(code) ?? 0) + 1);
        if (![grpc.status.OK, grpc.status.INVALID_ARGUMENT, grpc.status.RESOURCE_EXHAUSTED].includes(code)) tally.failures.push(`case ${c.id} (${c.what}): gRPC status ${code}`);
        continue;
      }
      const gzip = rng() < 0.15;
      if (gzip) tally.gzipped++;
      const headers = { 'content-type': c.encoding === 'json' ? 'application/json' : 'application/x-protobuf', ...(gzip ? { 'content-encoding': 'gzip' } : {}) };
      for (let attempt = 0; attempt < 10; attempt++) {
        try {
          const reply = await send(engine.httpPort, `/v1/${c.signal}`, { body: gzip ? gzipSync(c.body) : c.body, headers, agent, timeoutMs });
          tally.statuses.set(reply.status, (tally.statuses.get(reply.status) ?? 0) + 1);
          if (reply.status === 429) { await sleep(1000); continue; }
          if (![200, 400, 413].includes(reply.status)) tally.failures.push(`case ${c.id} (${c.what}): HTTP ${reply.status} ${reply.body.toString().slice(0, 200)}`);
        } catch (error) {
          tally.failures.push(`case ${c.id} (${c.what}): ${(error as Error).message}`);
        }
        break;
      }
    }
    agent.destroy();
    grpcClient?.close();
  }));
  return tally;
}

/** After the fuzzing: the engine still answers, and every trace it stored can be read and exported. */
async function stillServes(engine: EngineProcess): Promise<{ ok: boolean; traces: number; detail: string }> {
  try {
    const { traces } = await getJson<{ traces: { traceId: string }[] }>(engine.httpPort, '/api/traces?limit=500');
    for (const { traceId } of traces) {
      for (const path of [`/api/traces/${traceId}`, `/api/traces/${traceId}/otlp`]) {
        const reply = await send(engine.httpPort, path, { timeoutMs: 30_000 });
        if (reply.status !== 200) return { ok: false, traces: traces.length, detail: `${path} answered ${reply.status}` };
        JSON.parse(reply.body.toString());
      }
    }
    await getJson(engine.httpPort, '/api/traces?q=span&sort=duration');
    return { ok: true, traces: traces.length, detail: '' };
  } catch (error) {
    return { ok: false, traces: 0, detail: (error as Error).message };
  }
}

export async function runFuzz(section: Section, options: FuzzOptions): Promise<void> {
  const seeds = fixtureSeeds();
  const generated = generatedCases(options.mutatedCases);
  const total = options.mutatedCases + generated.length;
  const begin = Date.now();
  const direct = await runDirect(total, options.mutatedCases, options.caseTimeoutMs);
  section.figure('direct cases (decoders + index + queries)', `${total} = ${options.mutatedCases} mutated + ${generated.length} generated`);
  section.figure('direct: accepted / rejected (400) / crashed', ['accepted', 'rejected', 'crash'].map((o) => direct.outcomes.get(o as CaseOutcome['outcome']) ?? 0).join(' / '));
  section.figure('direct: slowest case', `${Math.round(direct.slowest.ms)} ms (case ${direct.slowest.id})`);
  section.figure('direct: time', (Date.now() - begin) / 1000, 's');
  section.check('no case crashed the decoders, the index or a query', direct.findings.length === 0, direct.findings.slice(0, 5).join(' || '));
  section.check(`no case ran longer than ${options.caseTimeoutMs} ms (hang)`, direct.hangs.length === 0, direct.hangs.slice(0, 5).join(' || '));
  if (direct.fileReaderMissing) section.figure('trace-file reader', `not fuzzed: ${direct.fileReaderMissing}`);
  else {
    section.figure('trace-file reader: cases read as files', direct.fileCases);
    section.check('no case crashed the trace-file reader (src/engine/files)', direct.fileFindings.length === 0, direct.fileFindings.slice(0, 5).join(' || '));
  }

  const engine = await EngineProcess.serve([]);
  try {
    const httpBegin = Date.now();
    const cases = [...Array.from({ length: options.httpMutatedCases }, (_, i) => mutatedCase(i * 7919 % options.mutatedCases, seeds)), ...generated];
    let http: HttpTally | undefined;
    const longestWait = await longestApiWait(engine.httpPort, async () => { http = await runHttp(engine, cases, Math.max(options.caseTimeoutMs, 30_000)); });
    if (!http) throw new Error('the HTTP and gRPC cases did not run');
    section.figure('HTTP and gRPC cases through the engine process', `${cases.length} (${http.gzipped} gzip-compressed, ${[...http.grpc.values()].reduce((a, b) => a + b, 0)} over gRPC)`);
    section.figure('HTTP answers', [...http.statuses.entries()].sort(([a], [b]) => a - b).map(([s, n]) => `${s}: ${n}`).join(', '));
    section.figure('gRPC answers (status codes)', [...http.grpc.entries()].sort(([a], [b]) => a - b).map(([s, n]) => `${s}: ${n}`).join(', '));
    section.figure('longest API wait while fuzzing (the longest stall any case caused)', longestWait, 'ms');
    section.figure('HTTP: time', (Date.now() - httpBegin) / 1000, 's');
    section.check('every hostile request got 200 (or partial_success), 400 or 413, in time', http.failures.length === 0, http.failures.slice(0, 5).join(' || '));
    const alive = engine.child.exitCode === null && engine.child.signalCode === null;
    const serves = await stillServes(engine);
    section.check('the engine process kept running and serves every trace it stored (detail and export)', alive && serves.ok,
      `${serves.traces} traces read back${serves.detail ? `; ${serves.detail}` : ''}`);
    const internal = engine.stderr.split('\n').filter((line) => /failed:/.test(line));
    section.check('the engine logged no internal error', internal.length === 0, internal.slice(0, 3).join(' || '));
  } finally {
    await engine.stop();
  }
}
