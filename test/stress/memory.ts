// Memory: more spans than the memory cap holds, sent to the engine process. Promises: resident
// memory stays under the cap's budget, eviction takes whole traces, oldest normal ones first
// (failed and slow ones stay), and counts them; queries stay fast at that size (p95 figures).
import { createWriteStream, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { Agent } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EngineProcess, STALL_PROBE } from './engineProcess';
import { percentile, Section } from './figures';
import { longestApiWait, send, sleep, stats } from './http';
import { newTally, postUntilAccepted, SendTally } from './senders';
import { customerSearch, Encoding, RequestTemplate, TraceClass } from './workload';
import { writeUniquePrompts } from '../unit/helpers/uniquePrompts';

export interface MemoryOptions {
  /** Spans sent in all; more than maxSpans, so the cap evicts. */
  spans: number;
  maxSpans: number;
  /** Resident bytes allowed per span of the cap, on top of the idle engine. */
  budgetBytesPerSpan: number;
  /** Headroom for the idle engine, the decode of requests in flight and the heap's slack. */
  budgetBaseBytes: number;
}

const TRACES_PER_REQUEST = 100;
const CLIENTS = 4;
const QUERY_RUNS = 40;

const classOf = (t: number): TraceClass => (t % 50 === 7 ? 'error' : t % 33 === 5 ? 'slow' : 'normal');

export async function runMemory(section: Section, options: MemoryOptions): Promise<void> {
  const template = await RequestTemplate.build(Array.from({ length: TRACES_PER_REQUEST }, (_, t) => classOf(t)));
  const requests = Math.ceil(options.spans / template.spans);
  // Each request's traces start one second after the previous request's: send order is age order.
  const shiftMs = (request: number) => request * TRACES_PER_REQUEST * 10;
  const engine = await EngineProcess.serve(['--no-grpc', '--max-spans', String(options.maxSpans)]);
  try {
    const idle = engine.memory().rss;
    let acked = 0;
    let rssAtCap = 0;
    const tally = newTally();
    const begin = Date.now();
    await sendAll(engine, requests, tally, (request, client) => {
      const encoding: Encoding = client === 0 ? 'json' : 'protobuf'; // mostly protobuf, as most SDKs send
      return [encoding, template.render(encoding, request, shiftMs(request))];
    }, () => {
      if (++acked * template.spans === Math.ceil(options.maxSpans / template.spans) * template.spans) rssAtCap = engine.memory().rss;
    });
    const ingestS = (Date.now() - begin) / 1000;
    const { rss, peakRss } = engine.memory();
    const after = await stats(engine.httpPort);
    const sentTraces = requests * TRACES_PER_REQUEST;
    const budget = options.budgetBaseBytes + options.budgetBytesPerSpan * options.maxSpans;
    section.figure('spans sent (LLM-shaped, ~1.8 KB each on the wire)', requests * template.spans);
    section.figure('memory cap (--max-spans)', options.maxSpans);
    section.figure('ingest rate (4 clients; the cap evicts once full)', (requests * template.spans) / ingestS, 'spans/s');
    section.figure('spans / traces held', `${after.spans} / ${after.traces}`);
    section.figure('evicted traces (stats.evictedTraces)', after.evictedTraces);
    section.figure('RSS idle / when the cap filled / after / peak', `${mib(idle)} / ${mib(rssAtCap)} / ${mib(rss)} / ${mib(peakRss)}`, 'MiB');
    section.figure('budget', `${mib(budget)} MiB = ${mib(options.budgetBaseBytes)} MiB + ${options.budgetBytesPerSpan} B x ${options.maxSpans} spans`);
    section.figure('resident bytes per held span (after - idle)', (rss - idle) / after.spans, 'B');
    section.check('the cap holds: spans in memory <= --max-spans', after.spans <= options.maxSpans, `${after.spans}`);
    section.check('peak resident memory stays under the budget', peakRss <= budget, `${mib(peakRss)} of ${mib(budget)} MiB`);
    section.check('every eviction is counted', after.evictedTraces === sentTraces - after.traces,
      `${after.evictedTraces} counted, ${sentTraces - after.traces} gone`);
    await checkEvictionOrder(section, engine, template, requests, shiftMs);
    await queryFigures(section, engine);
  } finally {
    await engine.stop();
  }
}

/**
 * Sends requests 0..count-1 from CLIENTS clients at once, each request until it is accepted (as
 * the exporters retry); `request` builds one for a client, `onAccepted` runs after each.
 */
async function sendAll(engine: EngineProcess, count: number, tally: SendTally,
  request: (n: number, client: number) => [Encoding, Buffer], onAccepted: () => void = () => undefined): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: CLIENTS }, async (_, client) => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    for (let n = next++; n < count; n = next++) {
      const [encoding, body] = request(n, client);
      if (!await postUntilAccepted(engine.httpPort, encoding, body, agent, tally)) throw new Error(`request ${n} was never accepted`);
      onAccepted();
    }
    agent.destroy();
  }));
}

/** Failed and slow traces all stay; among normal ones, every evicted trace is older than every kept one. */
async function checkEvictionOrder(section: Section, engine: EngineProcess, template: RequestTemplate, requests: number,
  shiftMs: (request: number) => number): Promise<void> {
  const agent = new Agent({ keepAlive: true, maxSockets: 4 });
  const present = async (request: number, t: number) =>
    (await send(engine.httpPort, `/api/traces/${template.traceId(request, t)}`, { agent, timeoutMs: 60_000 })).status === 200;
  const step = Math.max(1, Math.floor(requests / 200));
  const keptStarts: number[] = [];
  const evictedStarts: number[] = [];
  let specialMissing = 0;
  let specialChecked = 0;
  for (let request = 0; request < requests; request += step) {
    for (let t = 0; t < TRACES_PER_REQUEST; t += 3) {
      const here = await present(request, t);
      if (classOf(t) !== 'normal') {
        specialChecked++;
        if (!here) specialMissing++;
      } else {
        (here ? keptStarts : evictedStarts).push(template.startMs(t, shiftMs(request)));
      }
    }
  }
  agent.destroy();
  const errors = (await stats(engine.httpPort)).errorTraces;
  section.figure('traces checked for eviction order', specialChecked + keptStarts.length + evictedStarts.length);
  section.check('failed and slow traces are kept while normal ones are evicted', specialMissing === 0 && errors === requests * 2,
    `${specialMissing} of ${specialChecked} sampled missing; ${errors} failed traces held of ${requests * 2}`);
  section.check('normal traces are evicted oldest first', evictedStarts.length > 0 && Math.max(...evictedStarts) < Math.min(...keptStarts),
    `${evictedStarts.length} evicted, ${keptStarts.length} kept in the sample`);
}

async function queryFigures(section: Section, engine: EngineProcess): Promise<void> {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const p95 = async (path: (run: number) => string) => {
    const ms: number[] = [];
    for (let run = 0; run < QUERY_RUNS; run++) {
      const reply = await send(engine.httpPort, path(run), { agent, timeoutMs: 60_000 });
      if (reply.status !== 200) throw new Error(`${path(run)} answered ${reply.status}`);
      ms.push(reply.ms);
    }
    return percentile(ms, 95);
  };
  section.figure('slow-trace query p95 (sort=duration&minDurationMs=2000)', await p95(() => '/api/traces?sort=duration&minDurationMs=2000'), 'ms');
  section.figure('text search p95 (q=<a customer question>)', await p95((run) => `/api/traces?q=${encodeURIComponent(customerSearch(run * 5))}`), 'ms');
  section.figure('failed-trace query p95 (status=error)', await p95(() => '/api/traces?status=error'), 'ms');
  agent.destroy();
}

const mib = (bytes: number) => Math.round(bytes / 2 ** 20);

export interface BigTextOptions {
  /** Unique prompt text sent in all, more than the engine's heap may hold. */
  sentMb: number;
  /** The engine's heap limit (node --max-old-space-size): a small machine. */
  heapMb: number;
}

const PROMPT_BYTES = 32 * 1024;
const SPANS_PER_REQUEST = 20;

/**
 * RAG-sized prompts, each unique, into an engine with a small heap and the default memory cap:
 * a span cap alone would let them fill memory (1M spans of 32 KB is 32 GB) and the engine would
 * die of it. The byte cap must keep it alive and its memory near the cap.
 */
export async function runBigText(section: Section, options: BigTextOptions): Promise<void> {
  const passage = 'The retrieved passage says the order shipped on time and a refund is possible within 30 days. '.repeat(PROMPT_BYTES / 96);
  const requests = Math.ceil((options.sentMb * 2 ** 20) / (PROMPT_BYTES * SPANS_PER_REQUEST));
  const engine = await EngineProcess.serve(['--no-grpc'], { nodeArgs: [`--max-old-space-size=${options.heapMb}`] });
  try {
    const capMb = Number(/Memory\s+up to \d+ spans and (\d+) MB/.exec(engine.stdout)?.[1]);
    const idle = engine.memory().rss;
    const tally = newTally();
    const begin = Date.now();
    await sendAll(engine, requests, tally, (request) => ['json', bigTextRequest(request, passage)]);
    const seconds = (Date.now() - begin) / 1000;
    const { rss, peakRss } = engine.memory();
    const after = await stats(engine.httpPort);
    const sentTraces = requests * SPANS_PER_REQUEST;
    section.figure('unique prompt text sent (32 KB per span, one span per trace)', `${options.sentMb} MiB in ${seconds.toFixed(0)} s`);
    section.figure('engine heap limit / default memory cap', `${options.heapMb} / ${capMb}`, 'MiB');
    section.figure('traces held / evicted', `${after.traces} / ${after.evictedTraces}`);
    section.figure('estimated bytes held (stats.memoryBytes)', mib(after.memoryBytes), 'MiB');
    section.figure('RSS idle / after / peak', `${mib(idle)} / ${mib(rss)} / ${mib(peakRss)}`, 'MiB');
    section.check('the engine never runs out of memory: every request acknowledged', tally.acked === requests && engine.child.exitCode === null && engine.child.signalCode === null,
      `${tally.acked} of ${requests}`);
    section.check('the estimate stays under the default cap (half the heap limit)', after.memoryBytes <= capMb * 2 ** 20, `${mib(after.memoryBytes)} of ${capMb} MiB`);
    section.check('the cap is used, not evicted far below it', after.traces * PROMPT_BYTES >= capMb * 2 ** 20 / 2,
      `${after.traces} traces of 32 KB held`);
    section.check('peak resident memory stays within the heap limit (+128 MiB)', peakRss - idle <= (options.heapMb + 128) * 2 ** 20,
      `${mib(peakRss - idle)} MiB over idle`);
    section.check('every eviction is counted', after.evictedTraces === sentTraces - after.traces, `${after.evictedTraces} counted`);
  } finally {
    await engine.stop();
  }
}

/** One OTLP/JSON request of single-span traces, each with its own retrieved context. */
function bigTextRequest(request: number, passage: string): Buffer {
  const hex = (n: number, digits: number) => n.toString(16).padStart(digits, '0');
  const startNs = (BigInt(Date.UTC(2026, 0, 1)) + BigInt(request)) * 1_000_000n;
  const spans = Array.from({ length: SPANS_PER_REQUEST }, (_, i) => {
    const n = request * SPANS_PER_REQUEST + i + 1;
    return {
      traceId: hex(n, 32), spanId: hex(n, 16), name: 'retrieve_and_answer', kind: 1,
      startTimeUnixNano: String(startNs), endTimeUnixNano: String(startNs + 900_000_000n),
      attributes: [
        { key: 'openinference.span.kind', value: { stringValue: 'LLM' } },
        { key: 'input.value', value: { stringValue: `Passage ${n}: ${passage}` } },
      ],
      status: { code: 1 },
    };
  });
  return Buffer.from(JSON.stringify({
    resourceSpans: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'rag-app' } }] }, scopeSpans: [{ spans }] }],
  }));
}

export interface HugeImportOptions {
  /** The trace file's size: unique ~1.5 KB prompts, several times what the heap holds. */
  fileMb: number;
  heapMb: number;
}

/**
 * A watched trace file of unique ~1.5 KB prompts, several times the engine's heap, read with the
 * default memory cap: the engine must keep to the cap, read it all, and answer /api/stats
 * meanwhile (its thread never running long without a turn of its loop, GC pauses included).
 */
export async function runHugeImport(section: Section, options: HugeImportOptions): Promise<void> {
  const root = mkdtempSync(join(tmpdir(), 'ati-stress-huge-import-'));
  try {
    const file = join(root, 'watched', 'huge.jsonl');
    mkdirSync(join(root, 'watched'));
    const { traces, failed } = await writeUniquePrompts(file, options.fileMb * 2 ** 20);
    const engine = await EngineProcess.serve(['--no-grpc', '--watch', join(root, 'watched')],
      { nodeArgs: [`--max-old-space-size=${options.heapMb}`, '--require', STALL_PROBE] });
    try {
      const capMb = Number(/Memory\s+up to \d+ spans and (\d+) MB/.exec(engine.stdout)?.[1]);
      let apiMs = 0;
      let after = await stats(engine.httpPort);
      const begin = Date.now();
      const loop = await engine.longestStall(async () => {
        apiMs = await longestApiWait(engine.httpPort, async () => {
          for (let i = 0; i < 6000 && after.traces + after.evictedTraces < traces; i++, await sleep(100)) {
            const now = await stats(engine.httpPort).catch(() => undefined);
            if (!now) throw new Error(`the engine stopped answering (exit ${engine.child.exitCode ?? engine.child.signalCode}): ${engine.stderr.slice(-1500)}`);
            after = now;
          }
        });
      });
      const seconds = (Date.now() - begin) / 1000;
      section.figure('trace file of unique ~1.5 KB prompts / engine heap limit / default memory cap', `${options.fileMb} / ${options.heapMb} / ${capMb}`, 'MiB');
      section.figure('read in', seconds.toFixed(0), 's');
      section.figure('longest stall while reading', `ran ${Math.round(loop.ran)} ms at once (clock: ${Math.round(loop.wall)} ms)`);
      section.figure('longest /api/stats answer while reading', Math.round(apiMs), 'ms');
      section.figure('RSS peak', mib(engine.memory().peakRss), 'MiB');
      section.figure('byte cap in force at the end (the heap guard lowers the default while the heap holds more than estimated)', mib(after.memoryCapBytes ?? 0), 'MiB');
      section.check('the engine reads all of it under its heap limit: every trace held or evicted, counted',
        after.traces + after.evictedTraces === traces && engine.child.exitCode === null, `${after.traces} + ${after.evictedTraces} of ${traces}`);
      section.check('the estimate stays under the default cap', after.memoryBytes <= capMb * 2 ** 20, `${mib(after.memoryBytes)} of ${capMb} MiB`);
      section.check('every failed trace is kept (normal ones are evicted first)', after.errorTraces === failed, `${after.errorTraces} of ${failed}`);
      section.check('its thread never ran 100 ms without a turn of its loop while reading', loop.ran < 100, `${Math.round(loop.ran)} ms`);
      section.check('/api/stats answers within 200 ms throughout', apiMs <= 200, `${Math.round(apiMs)} ms`);
    } finally {
      await engine.stop();
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}
