// Load: many clients (OTLP/HTTP protobuf, OTLP/HTTP JSON, OTLP/gRPC) send LLM-shaped traces as
// fast as the engine answers, for a fixed time, against the engine as a real process with a
// store. Figures: spans/s held, latency of acknowledged requests, throttling, query latency
// under load. Promise: every span answered with success is queryable afterwards.
import { Agent } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EngineProcess } from './engineProcess';
import { percentile, Section } from './figures';
import { getJson, send, sleep, stats } from './http';
import { GrpcTraceClient, newTally, postUntilAccepted, SendTally } from './senders';
import { Encoding, RequestTemplate, SPANS_PER_TRACE, TraceClass } from './workload';

export interface LoadOptions {
  seconds: number;
  httpClientsPerEncoding: number;
  grpcClients: number;
  /** Acknowledged traces checked one by one through the API afterwards. */
  sampleTraces: number;
}

const TRACES_PER_REQUEST = 100; // 500 spans: the OTel BatchSpanProcessor's batch size

export async function runLoad(section: Section, options: LoadOptions): Promise<void> {
  const classes: TraceClass[] = Array.from({ length: TRACES_PER_REQUEST }, (_, i) => (i % 50 === 7 ? 'error' : i % 33 === 5 ? 'slow' : 'normal'));
  const template = await RequestTemplate.build(classes);
  const storeDir = mkdtempSync(join(tmpdir(), 'ati-stress-load-'));
  // Nothing may be evicted here (the memory section tests the caps): room for every span sent.
  const engine = await EngineProcess.serve(['--store', storeDir, '--max-spans', '100000000', '--max-memory-mb', '12000'],
    { nodeArgs: ['--max-old-space-size=16000'] });
  try {
    await measure(section, engine, template, options);
  } finally {
    await engine.stop();
    rmSync(storeDir, { recursive: true, force: true });
  }
}

async function measure(section: Section, engine: EngineProcess, template: RequestTemplate, options: LoadOptions): Promise<void> {
  let nextRequest = 0;
  const acked: number[] = [];
  const tallies = { protobuf: newTally(), json: newTally(), grpc: newTally() };
  const perSecond = new Map<number, number>();
  const begin = Date.now();
  const deadline = begin + options.seconds * 1000;
  const onAck = (request: number) => {
    acked.push(request);
    const second = Math.floor((Date.now() - begin) / 1000);
    perSecond.set(second, (perSecond.get(second) ?? 0) + template.spans);
  };

  const httpClient = async (encoding: Encoding) => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    while (Date.now() < deadline) {
      const request = nextRequest++;
      if (await postUntilAccepted(engine.httpPort, encoding, template.render(encoding, request), agent, tallies[encoding])) onAck(request);
    }
    agent.destroy();
  };
  const grpcClient = async () => {
    const client = new GrpcTraceClient(engine.grpcPort!);
    while (Date.now() < deadline) {
      const request = nextRequest++;
      if (await client.exportUntilAccepted(template.render('protobuf', request), tallies.grpc)) onAck(request);
    }
    client.close();
  };
  // What the editor feels meanwhile: the query API on the same event loop.
  const queryLatencies: number[] = [];
  const prober = async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    while (Date.now() < deadline) {
      const reply = await send(engine.httpPort, '/api/traces?limit=50', { agent, timeoutMs: 60_000 });
      if (reply.status === 200) queryLatencies.push(reply.ms);
      await sleep(250);
    }
    agent.destroy();
  };
  const rssSamples: number[] = [];
  const sampler = setInterval(() => rssSamples.push(engine.memory().rss), 1000);

  await Promise.all([
    ...Array.from({ length: options.httpClientsPerEncoding }, () => httpClient('protobuf')),
    ...Array.from({ length: options.httpClientsPerEncoding }, () => httpClient('json')),
    ...Array.from({ length: options.grpcClients }, grpcClient),
    prober(),
  ]);
  clearInterval(sampler);
  const elapsedS = (Date.now() - begin) / 1000;

  const all = [tallies.protobuf, tallies.json, tallies.grpc];
  const ackedSpans = acked.length * template.spans;
  const latencies = all.flatMap((t) => t.latenciesMs);
  const fullSeconds = [...perSecond.entries()].filter(([s]) => s >= 2 && s < Math.floor(elapsedS) - 1).map(([, n]) => n);
  section.figure('clients', `${options.httpClientsPerEncoding} protobuf + ${options.httpClientsPerEncoding} JSON over HTTP, ${options.grpcClients} gRPC`);
  section.figure('duration', elapsedS, 's');
  section.figure('request size', `${template.spans} spans, ${template.render('protobuf', 0).length} B protobuf / ${template.render('json', 0).length} B JSON`);
  section.figure('spans acknowledged', ackedSpans);
  section.figure('spans/s held (mean)', ackedSpans / elapsedS);
  section.figure('spans/s, slowest whole second', fullSeconds.length ? Math.min(...fullSeconds) : NaN);
  const windows = Array.from({ length: Math.floor(elapsedS / 10) }, (_, w) =>
    Array.from({ length: 10 }, (__, s) => perSecond.get(w * 10 + s) ?? 0).reduce((a, b) => a + b, 0) / 10);
  section.figure('spans/s in each 10 s window', windows.map((n) => Math.round(n)).join(', '));
  section.figure('ingest latency p50 / p99', `${Math.round(percentile(latencies, 50))} / ${Math.round(percentile(latencies, 99))}`, 'ms');
  for (const [name, tally] of Object.entries(tallies)) {
    section.figure(`${name}: requests acked, throttled, p99`, `${tally.acked}, ${tally.throttled}, ${Math.round(percentile(tally.latenciesMs, 99))} ms`);
  }
  section.figure('query API under load p50 / p99', `${Math.round(percentile(queryLatencies, 50))} / ${Math.round(percentile(queryLatencies, 99))}`, 'ms');
  section.figure('engine RSS at end of load', Math.max(...rssSamples) / 2 ** 20, 'MiB');
  section.check('every throttling answer said how long to wait (Retry-After / RetryInfo)',
    all.every((t) => t.throttledWithoutDelay === 0), all.map((t) => t.throttledWithoutDelay).join('/'));
  // Past a deadline a request is only late (and retried), not refused: a figure of a loaded machine, not a broken promise.
  const isLate = (failure: string) => failure === 'timeout' || failure === 'gRPC DEADLINE_EXCEEDED';
  const failures = all.flatMap((t) => [...t.failures.entries()]);
  section.figure('requests past their 30 s deadline (sent again)', failures.filter(([k]) => isLate(k)).map(([k, n]) => `${k}: ${n}`).join(', ') || 'none');
  const errors = failures.filter(([k]) => !isLate(k));
  section.check('no request failed (5xx, 4xx, dropped connection) other than by throttling', errors.length === 0, errors.map(([k, n]) => `${k}: ${n}`).join(', '));

  await verifyNoLoss(section, engine, template, acked, options.sampleTraces);
}

/** Every acknowledged span is in the engine: the totals match and sampled traces come back whole. */
async function verifyNoLoss(section: Section, engine: EngineProcess, template: RequestTemplate, acked: number[], sample: number): Promise<void> {
  const ackedSpans = acked.length * template.spans;
  const after = await stats(engine.httpPort);
  section.check('the engine holds every acknowledged span (count)', after.spans >= ackedSpans && after.rejectedSpans === 0,
    `${after.spans} held, ${ackedSpans} acknowledged, ${after.rejectedSpans} rejected`);
  const agent = new Agent({ keepAlive: true, maxSockets: 8 });
  let missing = 0;
  let checked = 0;
  const picks = Array.from({ length: Math.min(sample, acked.length * TRACES_PER_REQUEST) }, () => ({
    request: acked[Math.floor(Math.random() * acked.length)], t: Math.floor(Math.random() * TRACES_PER_REQUEST),
  }));
  await Promise.all(Array.from({ length: 8 }, async () => {
    for (let pick = picks.pop(); pick; pick = picks.pop()) {
      const id = template.traceId(pick.request, pick.t);
      const reply = await send(engine.httpPort, `/api/traces/${id}`, { agent, timeoutMs: 60_000 });
      const spans = reply.status === 200 ? (JSON.parse(reply.body.toString()) as { spans: unknown[] }).spans.length : 0;
      if (spans !== SPANS_PER_TRACE) missing++;
      checked++;
    }
  }));
  agent.destroy();
  section.figure('acknowledged traces checked one by one via /api/traces/{id}', checked);
  section.check('every sampled acknowledged trace is queryable with all its spans', missing === 0, `${missing} of ${checked} missing or incomplete`);
  const slow = await getJson<{ traces: unknown[] }>(engine.httpPort, '/api/traces?sort=duration&minDurationMs=2000&limit=10');
  section.check('queries answer after the load', slow.traces.length > 0);
}
