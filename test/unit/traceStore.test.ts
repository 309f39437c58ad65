import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, utimesSync } from 'node:fs';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEngine, Engine } from '../../src/engine/engine';
import { TraceIndex } from '../../src/engine/index/traceIndex';
import { PriceTable } from '../../src/engine/normalize/pricing';
import { Ingest } from '../../src/engine/otlp/ingest';
import { TraceStore } from '../../src/engine/store/traceStore';
import { EngineApiClient } from './helpers/engineApiClient';
import { rawSpan, FIXTURES } from './helpers/rawSpans';
import { encodeTracesData } from '../../src/engine/otlp/encodeJson';
import type { RawLog, RawSpan } from '../../src/engine/model/rawSpan';

const FIXTURE_PB = readFileSync(join(FIXTURES, 'otel-js', 'tutorial-adhoc.otlp.pb'));

async function postTraces(engine: Engine, body: Buffer, contentType = 'application/x-protobuf'): Promise<number> {
  const res = await fetch(`http://127.0.0.1:${engine.httpPort}/v1/traces`, { method: 'POST', body, headers: { 'Content-Type': contentType } });
  await res.arrayBuffer();
  return res.status;
}

const DAY = 24 * 60 * 60 * 1000;

describe('the store keeps what was acknowledged', () => {
  let dir: string;
  beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'trace-store-')); });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('shows the same traces after a restart', async () => {
    const json = JSON.stringify(encodeTracesData([rawSpan({ 'llm.prompt': 'remember me' }, { name: 'json-span' })]));
    let engine = await startEngine({ httpPort: 0, grpcPort: null, storeDir: dir });
    assert.equal(await postTraces(engine, FIXTURE_PB), 200);
    assert.equal(await postTraces(engine, Buffer.from(json), 'application/json'), 200);
    const before = await new EngineApiClient(engine.httpPort).listTraces({ limit: '100' });
    await engine.close();

    engine = await startEngine({ httpPort: 0, grpcPort: null, storeDir: dir });
    await engine.ready;
    const after = await new EngineApiClient(engine.httpPort).listTraces({ limit: '100' });
    assert.equal(after.length, 4);
    assert.deepEqual(after, before);
    const found = await new EngineApiClient(engine.httpPort).listTraces({ q: 'remember me' });
    assert.equal(found.length, 1);
    await engine.close();
  });

  it('does not store what it refused', async () => {
    const engine = await startEngine({ httpPort: 0, grpcPort: null, storeDir: dir });
    assert.equal(await postTraces(engine, Buffer.from('{not json'), 'application/json'), 400);
    await engine.close();
    const index = new TraceIndex(new PriceTable());
    const replay = await new TraceStore(dir, () => undefined).replay(new Ingest(index));
    assert.equal(replay.requests, 0);
  });

  it('skips a record torn by a crash and loads the rest', async () => {
    const store = new TraceStore(dir, () => undefined);
    store.append('traces', 'protobuf', FIXTURE_PB);
    store.append('traces', 'protobuf', FIXTURE_PB.subarray(0, 100));
    store.close();
    const file = readdirSync(dir).find((f) => f.endsWith('.pb'))!;
    // Cut the second record short, as a crash mid-write would.
    const data = readFileSync(join(dir, file));
    require('node:fs').writeFileSync(join(dir, file), data.subarray(0, data.length - 40));
    const index = new TraceIndex(new PriceTable());
    const replay = await new TraceStore(dir, () => undefined).replay(new Ingest(index));
    assert.equal(replay.requests, 1);
    assert.match(replay.problems[0], /incomplete/);
    assert.equal(index.stats().traces, 3);
  });

  it('keeps failed and slow traces longer than normal ones, exactly as the policy says', () => {
    const index = new TraceIndex(new PriceTable(), { slowMs: 2000 });
    const ingest = new Ingest(index);
    const start = 1_700_000_000_000;
    const normal = rawSpan({}, { name: 'normal', startMs: start, endMs: start + 100 });
    const slow = rawSpan({}, { name: 'slow', startMs: start, endMs: start + 5000 });
    const failed = rawSpan({}, { name: 'failed', startMs: start, endMs: start + 100, statusCode: 2 });
    const store = new TraceStore(dir, () => undefined);
    const body = (spans: RawSpan[]) => Buffer.from(JSON.stringify(encodeTracesData(spans)));
    for (const span of [normal, slow, failed]) {
      store.append('traces', 'json', body([span]));
      ingest.receive('traces', 'json', body([span]), { persist: false });
    }
    store.close();
    const policy = { normalDays: 7, slowDays: 30, errorDays: 90, maxBytes: 1e9 };
    const now = Date.now();
    const age = (days: number) => {
      for (const f of readdirSync(dir)) utimesSync(join(dir, f), (now - days * DAY) / 1000, (now - days * DAY) / 1000);
    };
    const storedNames = () => {
      const index2 = new TraceIndex(new PriceTable());
      return new TraceStore(dir, () => undefined).replay(new Ingest(index2)).then(() =>
        index2.query({ limit: 10 }).map((t) => t.name).sort());
    };
    return (async () => {
      age(3);
      assert.deepEqual(await store.applyRetention(index, policy, now), { deletedFiles: 0, keptTraces: 0, droppedTraces: 0 });
      assert.deepEqual(await storedNames(), ['failed', 'normal', 'slow']);
      age(10);
      assert.deepEqual(await store.applyRetention(index, policy, now), { deletedFiles: 1, keptTraces: 2, droppedTraces: 1 });
      assert.deepEqual(await storedNames(), ['failed', 'slow']);
      age(40);
      assert.deepEqual(await store.applyRetention(index, policy, now), { deletedFiles: 1, keptTraces: 1, droppedTraces: 1 });
      assert.deepEqual(await storedNames(), ['failed']);
      age(100);
      await store.applyRetention(index, policy, now);
      assert.deepEqual(await storedNames(), []);
    })();
  });

  it('keeps the age of kept traces, so a slow trace goes when the slow age passes', async () => {
    const index = new TraceIndex(new PriceTable());
    const start = Date.now() - 1000;
    const slow = rawSpan({}, { name: 'slow', startMs: start, endMs: start + 5000 });
    const failed = rawSpan({}, { name: 'failed', startMs: start, endMs: start + 100, statusCode: 2 });
    const store = new TraceStore(dir, () => undefined);
    store.append('traces', 'json', Buffer.from(JSON.stringify(encodeTracesData([slow, failed]))));
    new Ingest(index).receive('traces', 'json', Buffer.from(JSON.stringify(encodeTracesData([slow, failed]))), { persist: false });
    store.close();
    const now = Date.now();
    for (const f of readdirSync(dir)) utimesSync(join(dir, f), (now - 10 * DAY) / 1000, (now - 10 * DAY) / 1000);
    const policy = { normalDays: 7, slowDays: 30, errorDays: 90, maxBytes: 1e9 };
    assert.equal((await store.applyRetention(index, policy, now)).keptTraces, 2);
    // 25 days later the slow trace is 35 days old: past the slow age, whatever the rewrite's date.
    assert.deepEqual(await store.applyRetention(index, policy, now + 25 * DAY), { deletedFiles: 1, keptTraces: 1, droppedTraces: 1 });
  });

  it('samples normal traces of closed segments and keeps every failed and slow one', async () => {
    const index = new TraceIndex(new PriceTable());
    const start = Date.now() - 10_000;
    const spans = [
      ...Array.from({ length: 200 }, (_, i) => rawSpan({}, { name: `normal-${i}`, startMs: start, endMs: start + 10 })),
      ...Array.from({ length: 5 }, (_, i) => rawSpan({}, { name: `failed-${i}`, startMs: start, endMs: start + 10, statusCode: 2 })),
      ...Array.from({ length: 5 }, (_, i) => rawSpan({}, { name: `slow-${i}`, startMs: start, endMs: start + 9000 })),
    ];
    const body = Buffer.from(JSON.stringify(encodeTracesData(spans)));
    const store = new TraceStore(dir, () => undefined);
    store.append('traces', 'json', body);
    new Ingest(index).receive('traces', 'json', body, { persist: false });
    store.close();
    const policy = { normalDays: 7, slowDays: 30, errorDays: 90, maxBytes: 1e9, sampleNormal: 0.25 };
    const now = Date.now();
    assert.equal((await store.applyRetention(index, policy, now)).deletedFiles, 0, 'the open hour is not sampled');
    for (const f of readdirSync(dir)) utimesSync(join(dir, f), (now - 2 * 3600_000) / 1000, (now - 2 * 3600_000) / 1000);
    await store.applyRetention(index, policy, now);
    const index2 = new TraceIndex(new PriceTable());
    await new TraceStore(dir, () => undefined).replay(new Ingest(index2));
    const names = index2.query({ limit: 1000 }).map((t) => t.name);
    const normals = names.filter((n) => n.startsWith('normal')).length;
    assert.equal(names.filter((n) => !n.startsWith('normal')).length, 10);
    assert.ok(normals > 20 && normals < 80, `about a quarter of 200 normal traces kept: ${normals}`);
    assert.equal((await store.applyRetention(index, policy, now)).deletedFiles, 0, 'a kept file is not sampled again');
  });

  it('warns once and keeps serving from memory when the store cannot be written', async () => {
    const messages: string[] = [];
    const engine = await startEngine({ httpPort: 0, grpcPort: null, storeDir: dir, log: (m) => messages.push(m) });
    rmSync(dir, { recursive: true, force: true });
    require('node:fs').writeFileSync(dir, 'a file where the folder was');
    // The open segment still works on Linux (unlinked files stay writable), so force a new one.
    engine.store!.close();
    assert.equal(await postTraces(engine, FIXTURE_PB), 200);
    assert.equal(await postTraces(engine, FIXTURE_PB), 200);
    assert.equal(messages.filter((m) => m.includes('cannot write')).length, 1);
    assert.equal((await new EngineApiClient(engine.httpPort).listTraces()).length, 3);
    await engine.close();
    rmSync(dir, { force: true });
  });
});

describe('the memory cap', () => {
  it('evicts the oldest normal traces first and counts them', () => {
    const index = new TraceIndex(new PriceTable(), { maxSpans: 3, slowMs: 2000 });
    const t = 1_700_000_000_000;
    const oldFailed = rawSpan({}, { name: 'old failed', startMs: t, endMs: t + 10, statusCode: 2 });
    const oldSlow = rawSpan({}, { name: 'old slow', startMs: t + 1, endMs: t + 9000 });
    const oldNormal = rawSpan({}, { name: 'old normal', startMs: t + 2, endMs: t + 10 });
    index.addSpans([oldFailed, oldSlow, oldNormal]);
    index.addSpans([rawSpan({}, { name: 'new normal', startMs: t + 100, endMs: t + 110 })]);
    assert.deepEqual(index.query({ limit: 10 }).map((s) => s.name), ['new normal', 'old slow', 'old failed']);
    assert.equal(index.stats().evictedTraces, 1);
    index.addSpans([rawSpan({}, { name: 'newer normal', startMs: t + 200, endMs: t + 210 })]);
    assert.deepEqual(index.query({ limit: 10 }).map((s) => s.name), ['newer normal', 'old slow', 'old failed']);
    index.addSpans([rawSpan({}, { name: 'newest normal', startMs: t + 300, endMs: t + 310 }), rawSpan({}, { name: 'newest 2', startMs: t + 301, endMs: t + 310 })]);
    assert.deepEqual(index.query({ limit: 10 }).map((s) => s.name), ['newest 2', 'newest normal', 'old failed'], 'slow goes before failed');
    assert.equal(index.stats().evictedTraces, 4);
    assert.equal(index.query({ q: 'old normal' }).length, 0, 'search does not find evicted traces');
  });

  it('keeps to the cap after a batch larger than it on its own (a stored request replayed whole), failed traces last', () => {
    const index = new TraceIndex(new PriceTable(), { maxSpans: 10, slowMs: 2000 });
    const t = 1_700_000_000_000;
    index.addSpans([rawSpan({}, { name: 'before', startMs: t, endMs: t + 10 })]);
    index.addSpans(Array.from({ length: 30 }, (_, i) => rawSpan({}, { name: `in the batch ${i}`, startMs: t + 100 + i, endMs: t + 110 + i, statusCode: i === 0 ? 2 : 0 })));
    assert.equal(index.stats().spans, 10);
    assert.equal(index.stats().evictedTraces, 21);
    const names = index.query({ limit: 100 }).map((s) => s.name);
    assert.ok(names.includes('in the batch 0') && names.includes('in the batch 29') && !names.includes('before'), names.join(', '));
  });
});

describe('the memory cap in bytes', () => {
  it('evicts by the text held when prompts are large and unique, failed traces last', () => {
    const maxBytes = 4 * 1024 * 1024;
    const index = new TraceIndex(new PriceTable(), { maxBytes, slowMs: 2000 });
    const evictions: number[] = [];
    index.onEvicted = (traces) => evictions.push(traces);
    const t = 1_700_000_000_000;
    const prompt = (n: number) => `context ${n}: ${'retrieved passage '.repeat(5000)}`; // ~90 KB, unique
    for (let n = 0; n < 100; n++) {
      index.addSpans([rawSpan({ 'input.value': prompt(n) }, { startMs: t + n, endMs: t + n + 10, statusCode: n === 0 ? 2 : 1 })]);
    }
    const stats = index.stats();
    assert.ok(stats.memoryBytes <= maxBytes, `${stats.memoryBytes} bytes held`);
    assert.ok(stats.memoryBytes > maxBytes / 2, 'fills the cap, no more evicted than needed');
    assert.equal(stats.evictedTraces, 100 - stats.traces);
    assert.ok(stats.traces >= 40 && stats.traces < 50, `${stats.traces} traces of ~90 KB held in 4 MiB`);
    assert.equal(evictions.reduce((a, b) => a + b, 0), stats.evictedTraces, 'every eviction is reported');
    assert.equal(index.query({ status: 'error' }).length, 1, 'the failed trace, the oldest, is kept');
    assert.equal(index.query({ q: 'context 5:' }).length, 0, 'evicted traces are not found');
    assert.equal(index.query({ q: 'context 99:' }).length, 1);
    index.clear();
    assert.deepEqual([index.stats().memoryBytes, index.stats().evictedTraces], [0, 0]);
  });

  it('counts prompts sent as log records, before and after their spans, and applies a lower cap at once', () => {
    const maxBytes = 4 * 1024 * 1024;
    const index = new TraceIndex(new PriceTable(), { maxBytes });
    const t = 1_700_000_000_000;
    const spans = Array.from({ length: 60 }, (_, n) => rawSpan({}, { startMs: t + n, endMs: t + n + 10 }));
    // As a decoder would: the text is interned when it arrives.
    const log = (span: RawSpan, n: number): RawLog => ({ traceId: span.traceId, spanId: span.spanId,
      event: { name: 'gen_ai.user.message', timeMs: t + n, attributes: {}, body: index.strings.intern(`message ${n}: ${'words '.repeat(15_000)}`), fromLog: true } });
    // Before their spans: kept, but never more than an eighth of the cap.
    index.addLogs(spans.slice(0, 20).map(log));
    assert.ok(index.stats().pendingLogs > 0 && index.stats().pendingLogs <= 6, `${index.stats().pendingLogs} pending`);
    assert.ok(index.stats().memoryBytes <= maxBytes / 8 + 100_000, `${index.stats().memoryBytes} bytes pending`);
    // After their spans: attached and counted, and the oldest traces make room.
    index.addSpans(spans);
    index.addLogs(spans.slice(10).map((span, n) => log(span, 100 + n))); // 50 x 90 KB into 4 MiB
    const stats = index.stats();
    assert.ok(stats.evictedTraces > 0 && stats.memoryBytes <= maxBytes, `${stats.evictedTraces} evicted, ${stats.memoryBytes} bytes held`);
    index.configure(new PriceTable(), { maxBytes: maxBytes / 2 });
    assert.ok(index.stats().memoryBytes <= maxBytes / 2, 'a lower cap evicts at once');
    const traces = index.stats().traces;
    // One record bigger than the waiting room is not kept; it must not evict the traces.
    index.addLogs([{ traceId: 'ef'.repeat(16), spanId: 'ef'.repeat(8),
      event: { name: 'huge', timeMs: t, attributes: {}, body: index.strings.intern('x'.repeat(maxBytes)), fromLog: true } }]);
    assert.deepEqual([index.stats().traces, index.stats().pendingLogs], [traces, 0]);
    // Records with no span context are not kept: their text leaves the string table.
    for (let n = 0; n < 80; n++) {
      index.addLogs([{ event: { name: 'orphan', timeMs: t, attributes: {}, body: index.strings.intern(`orphan ${n} ${'y'.repeat(50_000)}`), fromLog: true } }]);
    }
    assert.ok(index.strings.heldTextBytes < maxBytes, `${index.strings.heldTextBytes} bytes of text in the table`);
    assert.equal(index.stats().traces, traces);
  });
});

describe('export', () => {
  it('round-trips every attribute, event and id through OTLP/JSON', async () => {
    const engine = await startEngine({ httpPort: 0, grpcPort: null });
    assert.equal(await postTraces(engine, FIXTURE_PB), 200);
    const api = new EngineApiClient(engine.httpPort);
    const failed = (await api.listTraces({ limit: '10' })).find((t) => t.status === 'error')!;
    const original = await api.trace(failed.traceId);
    const exported = await (await fetch(`http://127.0.0.1:${engine.httpPort}/api/traces/${failed.traceId}/otlp`)).text();
    await engine.close();

    const again = await startEngine({ httpPort: 0, grpcPort: null });
    assert.equal(await postTraces(again, Buffer.from(exported), 'application/json'), 200);
    const reimported = await new EngineApiClient(again.httpPort).trace(failed.traceId);
    await again.close();
    assert.deepEqual(reimported, original);
    assert.ok(original.spans.some((s) => s.events.some((e) => e.name === 'exception')), 'the fixture carries an exception event');
  });
});
