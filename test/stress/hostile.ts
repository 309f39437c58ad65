// Hostile and unlucky input against the CLI engine with its defaults (redaction on): each class
// the outside probes found is a promise here — the engine stays alive, the rest of a batch is
// kept, nothing unmasked reaches the disk, nothing acknowledged is lost across a full disk and a
// restart, and the longest wait of the query API while a class runs (the event loop's longest
// stall, seen from outside) stays under 100 ms.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EngineProcess, STALL_PROBE } from './engineProcess';
import { mountTinyDisk } from './faults';
import type { Section } from './figures';
import { getJson, longestApiWait, send, sleep, stats } from './http';
import { GrpcTraceClient } from './senders';
import { encodeTracesProto } from '../../src/engine/otlp/encodeProto';
import { OtlpDecoders } from '../../src/engine/otlp/decoders';
import { StringTable } from '../../src/engine/model/stringTable';
import { derivedIds, type RecordContext } from '../../src/engine/files/shapes/shapeContext';

const STALL_LIMIT_MS = 100;
/** The receivers' default body limit (DEFAULTS.maxBodyBytes); the largest bodies sent stay just under it. */
const MAX_BODY_BYTES = 64 * 1024 * 1024;
/** The 44 MB one-line document that took 2.3 s of the engine's thread as a file. */
const HUGE_LINE_BYTES = 44 * 1024 * 1024;
const LARGEST_BODY_BYTES = MAX_BODY_BYTES - 1024 * 1024;
/** One record of a trace file that is not OTLP (a console span with a huge prompt, a long DSPy log line). */
const HUGE_RECORD_BYTES = 50 * 1024 * 1024;
const hex = (n: number, width: number) => n.toString(16).padStart(width, '0');

interface JsonSpan { traceId: string; spanId: string; name: string; attributes?: unknown[]; parentSpanId?: string; status?: { code: number } }

function request_(spans: JsonSpan[], resource: unknown[] = [{ key: 'service.name', value: { stringValue: 'hostile' } }]): Buffer {
  return Buffer.from(JSON.stringify({ resourceSpans: [{ resource: { attributes: resource }, scopeSpans: [{ spans: spans.map((s) => ({
    startTimeUnixNano: '1700000000000000000', endTimeUnixNano: '1700000001000000000', ...s })) }] }] }));
}
const str = (key: string, value: string) => ({ key, value: { stringValue: value } });

async function post(port: number, body: Buffer, contentType = 'application/json') {
  return send(port, '/v1/traces', { body, headers: { 'content-type': contentType }, timeoutMs: 120_000 });
}

/** LLM calls with unique ~1.5 KB prompts, as many as fit in `bytes` of OTLP/JSON. */
function llmSpans(bytes: number, salt: number): JsonSpan[] {
  const spans: JsonSpan[] = [];
  for (let size = 200, i = 0; size < bytes; i++) {
    const prompt = `Customer ${salt}-${i} asks about order ${i * 7919}. ` + 'Follow the refund policy, cite the order, never invent facts. '.repeat(22);
    const span: JsonSpan = { traceId: hex(salt * 1e6 + Math.floor(i / 5) + 1, 32), spanId: hex(salt * 1e7 + i + 1, 16), name: 'ChatCompletion',
      attributes: [str('openinference.span.kind', 'LLM'), str('llm.model_name', 'gpt-4o-mini'), str('llm.input_messages.0.message.content', prompt),
        str('llm.output_messages.0.message.content', prompt.slice(0, 300))], status: { code: i % 1000 === 0 ? 2 : 1 } };
    size += JSON.stringify(span).length + 60;
    spans.push(span);
  }
  return spans;
}

/** The same LLM calls as OTLP protobuf, as many as fit in `bytes`. */
function llmProtobuf(bytes: number, salt: number): { body: Buffer; spans: number } {
  const all = new OtlpDecoders(new StringTable()).json.tracesText(request_(llmSpans(bytes * 1.5, salt)).toString()).items;
  const whole = encodeTracesProto(all);
  const spans = Math.floor(all.length * (bytes / whole.length));
  return { body: encodeTracesProto(all.slice(0, spans)), spans };
}

/** Text of about `bytes`, with an email in it for the redaction to mask. */
const filler = (bytes: number, salt: string) => `Customer ${salt} (ops@example.com) asks: ` + 'Where is my order, and when will it arrive? '.repeat(Math.ceil(bytes / 44));

/**
 * A file of each non-OTLP shape holding one record of about HUGE_RECORD_BYTES, and how many spans
 * it makes: Python's console exporter (pretty-printed), the OTel JS span lines Copilot Chat
 * writes, and the three DSPy shapes (one of many steps).
 */
function hugeRecordFiles(): { what: string; file: string; text: () => string; traceId: (text: string) => string }[] {
  const time = '2026-11-25T03:46:55.010123Z';
  const stepCount = 20_000;
  // DSPy records carry no span ids: theirs are derived from the record (shapes/shapeContext.ts).
  const dspyLog = (text: string) => derivedIds({} as RecordContext, undefined, `dspy-log:${text.trim()}`).traceId;
  return [
    { what: 'OTel Python console span', file: 'console-span.log', traceId: () => hex(50, 32), text: () => JSON.stringify({
      name: 'ChatCompletion', context: { trace_id: `0x${hex(50, 32)}`, span_id: `0x${hex(50, 16)}`, trace_state: '[]' }, kind: 'SpanKind.CLIENT',
      parent_id: null, start_time: time, end_time: time, status: { status_code: 'UNSET' },
      attributes: { 'openinference.span.kind': 'LLM', 'llm.input_messages.0.message.content': filler(HUGE_RECORD_BYTES, 'python') },
      events: [], links: [], resource: { attributes: { 'service.name': 'hostile' }, schema_url: '' } }, null, 4) + '\n' },
    { what: 'OTel JS span line', file: 'copilot-outfile.jsonl', traceId: () => hex(51, 32), text: () => JSON.stringify({
      resource: { attributes: { 'service.name': 'hostile' } }, instrumentationScope: { name: 'copilot-chat' }, traceId: hex(51, 32), spanId: hex(51, 16),
      name: 'chat gpt-4o', kind: 2, startTime: [1_795_578_415, 0], endTime: [1_795_578_416, 0], status: { code: 0 },
      attributes: { 'gen_ai.input.messages': filler(HUGE_RECORD_BYTES, 'js') }, links: [], events: [] }) + '\n' },
    { what: `DSPy step log of ${stepCount.toLocaleString('en')} steps`, file: 'dspy-steps.jsonl', traceId: dspyLog, text: () => JSON.stringify({
      trace_id: 'hostile-steps', timestamp: '2026-11-20T14:19:00', total_latency_ms: 1010,
      steps: Array.from({ length: stepCount }, (_, i) => ({ step: i % 2 ? 'answer' : 'retrieve', inputs: { question: `question ${i}` },
        outputs: { result: filler(HUGE_RECORD_BYTES / stepCount, `step ${i}`) }, latency_ms: 5 })) }) + '\n' },
    { what: 'DSPy request log line', file: 'dspy-requests.jsonl', traceId: dspyLog, text: () => JSON.stringify({
      trace_id: 'hostile-request', timestamp: '2026-11-20T14:14:00', inputs: { question: filler(HUGE_RECORD_BYTES, 'request') },
      outputs: { answer: 'Refunds are accepted within 30 days.' }, total_latency_ms: 1840 }) + '\n' },
    { what: 'saved DSPy LM history entry', file: 'dspy-history.json', traceId: () => derivedIds({} as RecordContext, undefined, 'dspy-history:hostile-history').traceId, text: () => JSON.stringify([{
      prompt: null, messages: [{ role: 'user', content: filler(HUGE_RECORD_BYTES, 'history') }], kwargs: { temperature: 0 },
      outputs: ['Refunds are accepted within 30 days.'], usage: { prompt_tokens: 96, completion_tokens: 18, total_tokens: 114 },
      cost: 0.0001, timestamp: time, uuid: 'hostile-history', model: 'openai/gpt-4o-mini' }], null, 2) + '\n' },
  ];
}

export async function runHostile(section: Section): Promise<void> {
  const root = mkdtempSync(join(tmpdir(), 'ati-stress-hostile-'));
  const watched = join(root, 'watched');
  mkdirSync(watched);
  const storeDir = join(root, 'store');
  const engine = await EngineProcess.serve(['--store', storeDir, '--watch', watched], { nodeArgs: ['--require', STALL_PROBE] });
  const port = engine.httpPort;
  const stalls: [string, number][] = [];
  // The longest stall of the engine's event loop, measured inside it: the most its thread ran
  // without a turn of the loop (what the promise is about), the same as a clock saw it (which
  // adds the time this shared machine gave it no CPU), and the longest wait of the query API.
  const measure = async (what: string, work: () => Promise<unknown>) => {
    let apiMs = 0;
    const loop = await engine.longestStall(async () => { apiMs = await longestApiWait(port, work); });
    stalls.push([what, loop.ran]);
    section.figure(`longest stall: ${what}`, `ran ${Math.round(loop.ran)} ms at once (clock: ${Math.round(loop.wall)} ms, API wait ${Math.round(apiMs)} ms, longest garbage collection by the clock ${Math.round(loop.gc)} ms)`);
  };
  try {
    // 2, 3: secrets of every kind and place, and a value that made the email pattern backtrack.
    const secrets = ['ASIAY34FZKBOKMUTVV7A', 'lbqlNh3FW5/3AwnBoWsYIJam9w2Us4ZOH5Un8RyR', `github_pat_11ABCDEFG0${'aZ09bY18cX27'.repeat(6)}abcdefghij`,
      'xapp-1-A052FGTS2DL-5171572773297-610b6a11f4b7eb819e87b767d80e6575', 'BEARER eyJhbGciOiJIUzI1NiJ9.payload', 'ops@example.com'];
    await measure('secrets in every place and value type', () => post(port, request_([{
      traceId: hex(1, 32), spanId: hex(1, 16), name: `call ${secrets[0]}`,
      attributes: [str('note', secrets.join(' ')), { key: 'raw', value: { bytesValue: Buffer.from(secrets[2]).toString('base64') } },
        { key: 'card', value: { intValue: '4111111111111111' } }, { key: 'card.double', value: { doubleValue: 5555555555554444 } }],
    }], [str('service.name', 'owner@example.com')])));
    await measure('128 KB a.a.a.… attribute (email pattern)', () => post(port, request_([{
      traceId: hex(2, 32), spanId: hex(2, 16), name: 'dotted', attributes: [str('dots', 'a.'.repeat(64 * 1024))] }])));
    await sleep(200);
    const shown = (await send(port, `/api/traces/${hex(1, 32)}`)).body.toString() + (await send(port, '/api/traces?limit=100')).body.toString()
      + (await send(port, '/api/report?sinceMs=0')).body.toString();
    const onDisk = readdirSync(storeDir).map((f) => readFileSync(join(storeDir, f)).toString('latin1')).join('');
    const raw = [...secrets.map((s) => s.replace('BEARER ', '')), '4111111111111111', 'owner@example.com'];
    section.check('nothing unmasked in the API, lists, reports or on disk (AWS, GitHub, Slack, bearer, bytes, cards as numbers, service.name)',
      raw.every((s) => !shown.includes(s) && !onDisk.includes(s)), raw.filter((s) => shown.includes(s) || onDisk.includes(s)).join(', '));

    // 10: a filter pattern that backtracks exponentially in JavaScript.
    await post(port, request_([{ traceId: hex(3, 32), spanId: hex(3, 16), name: `${'a'.repeat(40)}!` }]));
    await measure('REGEXP ^(a+)+$ filter', () => send(port, `/api/traces?filter=${encodeURIComponent('name REGEXP "^(a+)+$"')}`, { timeoutMs: 60_000 }));

    // 5: same-length templated prompts that differ in an id.
    const template = 'You are a support agent for ACME. Answer briefly. '.repeat(30);
    await measure('20,000 same-length templated prompts', async () => {
      for (let r = 0; r < 20; r++) {
        await post(port, request_(Array.from({ length: 1000 }, (_, i) => ({
          traceId: hex(1000 + r, 32), spanId: hex(r * 1000 + i + 1, 16), name: 'chat',
          attributes: [str('llm.prompt', `${template.slice(0, 900)}customer ${String(r * 1000 + i).padStart(10, '0')}${template.slice(0, 600)}`)] }))));
      }
    });

    // 6: one span that made its batch fail; the others must be kept and listed.
    const scores = Array.from({ length: 200_000 }, (_, i) => ({ key: `retrieval.documents.${i}.document.score`, value: { doubleValue: 0.1 } }));
    let batchStatus = 0;
    await measure('a retrieval with 200,000 scores beside 9 normal spans', async () => {
      batchStatus = (await post(port, request_([{ traceId: hex(4, 32), spanId: hex(4, 16), name: 'retrieve', attributes: [str('openinference.span.kind', 'RETRIEVER'), ...scores] },
        ...Array.from({ length: 9 }, (_, i) => ({ traceId: hex(5 + i, 32), spanId: hex(5 + i, 16), name: `neighbour ${i}` }))]))).status;
    });
    const neighbours = await Promise.all(Array.from({ length: 9 }, (_, i) => send(port, `/api/traces/${hex(5 + i, 32)}`)));
    section.check('a hostile span never fails its batch: the other spans are kept and listed', batchStatus === 200 && neighbours.every((r) => r.status === 200),
      `status ${batchStatus}, ${neighbours.filter((r) => r.status === 200).length} of 9 kept`);

    // 9: many log records for one span.
    await post(port, request_([{ traceId: hex(20, 32), spanId: hex(20, 16), name: 'chatty' }]));
    const records = Array.from({ length: 20_000 }, (_, i) => ({ traceId: hex(20, 32), spanId: hex(20, 16), timeUnixNano: String(1700000000000000000n + BigInt(i)),
      eventName: 'app.step', body: { stringValue: `record ${i}` } }));
    let logsStatus = 0;
    await measure('20,000 log records for one span', async () => {
      logsStatus = (await send(port, '/v1/logs', {
        body: Buffer.from(JSON.stringify({ resourceLogs: [{ scopeLogs: [{ logRecords: records }] }] })), headers: { 'content-type': 'application/json' }, timeoutMs: 120_000 })).status;
    });
    const chatty = JSON.parse((await send(port, `/api/traces/${hex(20, 32)}`)).body.toString()) as { spans: { events?: unknown[] }[] };
    section.check('20,000 log records for one span are all attached', logsStatus === 200 && chatty.spans[0]?.events?.length === 20_000,
      `status ${logsStatus}, ${chatty.spans[0]?.events?.length} attached`);

    // 12: slow uploads must not lock out a normal exporter.
    const slow = Array.from({ length: 8 }, () => {
      const req = request({ host: '127.0.0.1', port, method: 'POST', path: '/v1/traces', headers: { 'content-type': 'application/json', 'content-length': 1000 } });
      req.on('error', () => undefined);
      req.write('{');
      return req;
    });
    await sleep(200);
    const normal = await post(port, request_([{ traceId: hex(30, 32), spanId: hex(30, 16), name: 'normal exporter' }]));
    section.check('eight stalled uploads do not lock out a normal exporter', normal.status === 200, `answered ${normal.status}`);
    for (const req of slow) req.destroy();

    // 8: large gRPC exports at once.
    if (engine.grpcPort !== null) {
      const rssBefore = engine.memory().rss;
      const body = encodeTracesProto(Array.from({ length: 40 }, (_, i) => ({
        traceId: hex(40 + i, 32), spanId: hex(40 + i, 16), name: 'x'.repeat(1_000_000), otelKind: 1, startMs: 1, endMs: 2, attributes: {}, events: [], statusCode: 0,
        resource: { attributes: {}, service: 'grpc' }, scope: { name: 'stress' } })));
      const clients = Array.from({ length: 24 }, () => new GrpcTraceClient(engine.grpcPort!));
      await measure('24 gRPC exports of 40 MB at once', () => Promise.all(clients.map((c) => c.export(body, 120_000))));
      for (const c of clients) c.close();
      const grown = (engine.memory().peakRss - rssBefore) / 2 ** 20;
      section.figure('resident memory growth, 24 × 40 MB gRPC exports', grown, 'MiB');
      section.check('gRPC memory in flight is bounded like HTTP\'s (under 1 GiB of growth for 960 MB sent)', grown < 1024, `${Math.round(grown)} MiB`);
    }

    // The largest bodies the receivers accept, of LLM calls, each protocol: decoded off the event
    // loop or in slices, indexed in slices, written to the store in pieces.
    const spansBefore = (await stats(port)).spans;
    const jsonSpans = llmSpans(LARGEST_BODY_BYTES, 1);
    const jsonBody = request_(jsonSpans);
    const protobuf = llmProtobuf(LARGEST_BODY_BYTES, 2);
    const grpcBody = llmProtobuf(LARGEST_BODY_BYTES, 3);
    const answers: string[] = [];
    await measure(`largest HTTP JSON body (${(jsonBody.length / 2 ** 20).toFixed(1)} MiB, ${jsonSpans.length} LLM spans)`,
      async () => answers.push(`JSON ${(await post(port, jsonBody)).status}`));
    await measure(`largest HTTP protobuf body (${(protobuf.body.length / 2 ** 20).toFixed(1)} MiB, ${protobuf.spans} LLM spans)`,
      async () => answers.push(`protobuf ${(await post(port, protobuf.body, 'application/x-protobuf')).status}`));
    if (engine.grpcPort !== null) {
      const client = new GrpcTraceClient(engine.grpcPort);
      await measure(`largest gRPC body (${(grpcBody.body.length / 2 ** 20).toFixed(1)} MiB, ${grpcBody.spans} LLM spans)`,
        async () => answers.push(`gRPC ${(await client.export(grpcBody.body, 120_000)).code}`));
      client.close();
    }
    const largestSpans = jsonSpans.length + protobuf.spans + (engine.grpcPort !== null ? grpcBody.spans : 0);
    const added = (await stats(port)).spans - spansBefore;
    section.check('the largest bodies are acknowledged and indexed whole', added === largestSpans && answers.every((a) => / (200|0)$/.test(a)),
      `${answers.join(', ')}; ${added} of ${largestSpans} spans`);

    // A trace file of one huge line (a JSON document written whole): parsed and masked on the
    // worker thread, decoded and indexed in slices, like the largest bodies.
    const lineSpans = llmSpans(HUGE_LINE_BYTES, 4);
    const hugeLine = request_(lineSpans);
    const beforeLine = (await stats(port)).spans;
    let lineRead = false;
    await measure(`a trace file of one ${(hugeLine.length / 2 ** 20).toFixed(0)} MiB line (${lineSpans.length} LLM spans)`, async () => {
      writeFileSync(join(watched, 'one-huge-line.json'), hugeLine);
      for (let i = 0; i < 600 && !lineRead; i++, await sleep(100)) lineRead = (await stats(port)).spans - beforeLine >= lineSpans.length;
    });
    section.check('a trace file of one huge line is read whole', lineRead);

    // A watched file of each non-OTLP shape whose one record is 50 MB: parsed, converted and
    // masked on the file record worker, decoded and indexed in slices, like the OTLP line.
    // The index's memory cap may evict older traces to make room for 50 MB of text: the figure says how many.
    const hugeRecords: [string, boolean, number][] = [];
    for (const record of hugeRecordFiles()) {
      const text = record.text();
      const skeleton = `/api/traces/${record.traceId(text)}/skeleton`;
      const evictedBefore = (await stats(port)).evictedTraces;
      let read = false;
      const what = `a watched ${record.what}, one ${(text.length / 2 ** 20).toFixed(0)} MiB record`;
      await measure(what, async () => {
        writeFileSync(join(watched, record.file), text);
        for (let i = 0; i < 1200 && !read; i++, await sleep(100)) read = (await send(port, skeleton)).status === 200;
      });
      hugeRecords.push([record.what, read, stalls[stalls.length - 1][1]]);
      section.figure(`traces evicted to make room: ${what}`, (await stats(port)).evictedTraces - evictedBefore);
    }
    section.check(`a 50 MB record of every non-OTLP file shape is read whole, its thread never running ${STALL_LIMIT_MS} ms at once`,
      hugeRecords.every(([, read, ran]) => read && ran < STALL_LIMIT_MS), hugeRecords.map(([what, read, ran]) => `${what}: ${read ? 'read' : 'NOT read'}, ran ${Math.round(ran)} ms`).join('; '));

    // 13: FIFOs in the watched folder.
    for (let i = 0; i < 4; i++) execFileSync('mkfifo', [join(watched, `pipe-${i}.jsonl`)]);
    writeFileSync(join(watched, 'after-pipes.jsonl'), request_([{ traceId: hex(90, 32), spanId: hex(90, 16), name: 'after the pipes' }]).toString() + '\n');
    let fileRead = false;
    for (let i = 0; i < 50 && !fileRead; i++, await sleep(100)) fileRead = (await send(port, `/api/traces/${hex(90, 32)}`)).status === 200;
    section.check('FIFOs in a watched folder are skipped; other files are still read', fileRead && /FIFO/.test(engine.stderr));

    // 16: routes, Host headers, usage values.
    const routes = await Promise.all(['/api/traces/%E0%A4%A', '/api/traces/%', '/api/traces/%ZZ/otlp'].map((p) => send(port, p)));
    const hosts = await Promise.all([`127.0.0.1:${port}@evil.com`, `localhost:${port}/x`].map((host) => send(port, '/api/stats', { headers: { host } })));
    await post(port, request_([{ traceId: hex(91, 32), spanId: hex(91, 16), name: 'bad usage',
      attributes: [{ key: 'gen_ai.usage.output_tokens', value: { doubleValue: -2.5 } }, str('gen_ai.request.model', 'gpt-4o')] }]));
    const usage = JSON.parse((await send(port, `/api/traces/${hex(91, 32)}`)).body.toString()) as { summary: { costUsd: number; tokens: { total: number } } };
    section.check('broken routes answer 4xx, look-alike Hosts 403, impossible usage is ignored',
      routes.every((r) => r.status >= 400 && r.status < 500) && hosts.every((r) => r.status === 403)
      && usage.summary.tokens.total >= 0 && usage.summary.costUsd !== null, `${routes.map((r) => r.status)} ${hosts.map((r) => r.status)} ${JSON.stringify(usage.summary.tokens)}`);

    const alive = (await stats(port)).spans > 0;
    section.check('the engine is alive after every class', alive && engine.child.exitCode === null);
    const worst = stalls.reduce((a, b) => (b[1] > a[1] ? b : a), ['none', 0] as [string, number]);
    section.figure('longest stall of all classes (the engine\'s thread ran without a turn of its loop)', `${Math.round(worst[1])} ms (${worst[0]})`);
    section.check(`no class blocks the engine for more than ${STALL_LIMIT_MS} ms (its thread never ran longer without a turn of its loop)`, worst[1] < STALL_LIMIT_MS,
      stalls.filter(([, ms]) => ms >= STALL_LIMIT_MS).map(([what, ms]) => `${what}: ${Math.round(ms)} ms`).join('; '));
    const stopped = await Promise.race([engine.stop(15_000).then(() => true), sleep(20_000).then(() => false)]);
    section.check('SIGTERM finishes with FIFOs in the watched folder', stopped && engine.child.signalCode !== 'SIGKILL');
  } finally {
    await engine.stop();
    await fullDiskAndRestart(section, root);
    storeOnAFile(section, root);
    rmSync(root, { recursive: true, force: true });
  }
}

/** 1: a real 1 MiB filesystem filled mid-ingest; everything acknowledged must be back after a restart. */
async function fullDiskAndRestart(section: Section, root: string): Promise<void> {
  const mount = join(root, 'tiny');
  if (!mountTinyDisk(section, mount, '1m', 'full disk + restart')) return;
  try {
    const store = join(mount, 'store');
    let engine = await EngineProcess.serve(['--no-grpc', '--store', store]);
    const acked: number[] = [];
    const sendOne = async (n: number) => {
      const body = request_(Array.from({ length: 10 }, (_, i) => ({ traceId: hex(n + 1, 32), spanId: hex(n * 10 + i + 1, 16), name: `r${n}`, attributes: [str('p', 'x'.repeat(300))] })));
      if ((await post(engine.httpPort, body)).status === 200) acked.push(n);
    };
    for (let n = 0; n < 20; n++) await sendOne(n);
    const filler = join(mount, 'filler');
    for (let size = 1 << 20; size >= 512;) {
      try { writeFileSync(filler, Buffer.alloc(size), { flag: 'a' }); } catch { size >>= 1; }
    }
    for (let n = 20; n < 60; n++) await sendOne(n);
    const shown = ((await getJson<{ storeProblem?: string }>(engine.httpPort, '/api/stats')).storeProblem ?? '');
    unlinkSync(filler);
    for (let n = 60; n < 260; n++) await sendOne(n);
    await engine.stop();
    engine = await EngineProcess.serve(['--no-grpc', '--store', store]);
    let spans = -1;
    for (let settled = 0; settled < 3; await sleep(300)) {
      const now = (await stats(engine.httpPort)).spans;
      settled = now === spans ? settled + 1 : 0;
      spans = now;
    }
    const missing: number[] = [];
    for (const n of acked) if ((await send(engine.httpPort, `/api/traces/${hex(n + 1, 32)}`)).status !== 200) missing.push(n);
    await engine.stop();
    section.figure('full disk: what /api/stats said while full', shown || '(nothing)');
    section.check('full disk + restart: every acknowledged request is back, and the stats said so while it lasted',
      missing.length === 0 && acked.length === 260 && /cannot write/.test(shown), `${missing.length} of ${acked.length} missing`);
  } finally {
    execFileSync('umount', ['-l', mount], { stdio: 'ignore' });
  }
}

/** 14: --store naming a file is a clear error before listening. */
function storeOnAFile(section: Section, root: string): void {
  const file = join(root, 'store-file');
  writeFileSync(file, 'x');
  let status: number | null = null;
  let stderr = '';
  try {
    execFileSync(process.execPath, [join(__dirname, '..', '..', 'dist', 'cli.js'), 'serve', '--store', file, '--port', '0', '--grpc-port', '0'], { stdio: 'pipe', timeout: 20_000 });
  } catch (error) {
    status = (error as { status: number | null }).status;
    stderr = String((error as { stderr: Buffer }).stderr);
  }
  section.check('--store on a file stops the CLI with a clear error (exit 2)', status === 2 && /is a file, not a folder/.test(stderr), stderr.trim().split('\n')[0]);
}
