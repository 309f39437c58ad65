// Classes of hostile input the probes found, each with its neighbours: filter patterns that
// backtrack, routes that cannot be decoded, Host headers that only look like loopback, usage
// values that cannot be right, and input-sized arrays and chains (spreads past ~125k elements,
// failure chains walked once per span).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { startEngine } from '../../src/engine/engine';
import { encodeTracesProto } from '../../src/engine/otlp/encodeProto';
import { Ingest } from '../../src/engine/otlp/ingest';
import { TraceStore } from '../../src/engine/store/traceStore';
import { readdirSync, utimesSync } from 'node:fs';
import { TraceIndex } from '../../src/engine/index/traceIndex';
import { PriceTable } from '../../src/engine/normalize/pricing';
import { StringTable } from '../../src/engine/model/stringTable';
import { parseFilter } from '../../src/shared/traceFilter';
import { rawRequest, useEngine } from './helpers/otelSenders';
import { rawSpan } from './helpers/rawSpans';

/** The longest the event loop waited while `work` ran, in ms (a generous bound, not a speed test). */
export async function longestStall(work: () => unknown): Promise<number> {
  const histogram = monitorEventLoopDelay({ resolution: 10 });
  histogram.enable();
  await new Promise((resolve) => setTimeout(resolve, 20));
  await work();
  await new Promise((resolve) => setTimeout(resolve, 20));
  histogram.disable();
  return histogram.max / 1e6;
}

const hex = (n: number, width: number) => n.toString(16).padStart(width, '0');

describe('hostile input classes', () => {
  describe('REGEXP filters run in linear time (a 40-character name ran 15 min)', () => {
    const index = new TraceIndex(new PriceTable());
    index.addSpans([rawSpan({ note: 'a'.repeat(5000) + '!' }, { name: 'a'.repeat(40) + '!' })]);
    for (const pattern of ['^(a+)+$', '^(a|a)*$', '(a|aa)+$', '^(a*)*b', '^(.*a){20}$']) {
      it(`answers name REGEXP "${pattern}" and attr.note REGEXP at once`, async () => {
        const stall = await longestStall(() => {
          assert.equal(index.query({ filter: `name REGEXP "${pattern}"` }).length, 0);
          index.query({ filter: `attr.note REGEXP "${pattern}"` });
        });
        assert.ok(stall < 1000, `the event loop waited ${stall.toFixed(0)} ms`);
      });
    }
    it('still matches case-insensitively, and says which syntax when a pattern is not RE2', () => {
      assert.equal(index.query({ filter: 'name REGEXP "^A+!$"' }).length, 1);
      assert.throws(() => parseFilter('name REGEXP "(?<=a)b"'), /RE2 syntax/);
    });
  });

  describe('routes and headers', () => {
    const ctx = useEngine({ grpcPort: null });
    const badPaths = ['/api/traces/%E0%A4%A', '/api/traces/%', '/api/traces/%ZZ/otlp', '/api/traces/%C0%AF', '/api/sessions/%E0%A4%A', '/api/traces/ab/spans/%ZZ/context'];
    for (const path of badPaths) {
      it(`answers GET ${path} with a 4xx, never 500`, async () => {
        const res = await rawRequest(ctx.engine.httpPort, { method: 'GET', path });
        assert.ok(res.status >= 400 && res.status < 500, `${res.status} ${res.body.toString()}`);
      });
    }
    for (const host of ['127.0.0.1:PORT@evil.com', 'localhost:PORT@evil.com', '127.0.0.1:PORT/evil.com', '127.0.0.1 evil.com', 'evil.com#127.0.0.1', '127.0.0.1:PORT:80']) {
      it(`refuses Host: ${host} (only looks like loopback)`, async () => {
        const port = ctx.engine.httpPort;
        const res = await rawRequest(port, { method: 'GET', path: '/api/stats', headers: { host: host.replace('PORT', String(port)) } });
        assert.equal(res.status, 403);
      });
    }
    it('still takes loopback Hosts with and without a port', async () => {
      const port = ctx.engine.httpPort;
      for (const host of [`127.0.0.1:${port}`, 'localhost', `[::1]:${port}`, `LOCALHOST:${port}`]) {
        assert.equal((await rawRequest(port, { method: 'GET', path: '/api/stats', headers: { host } })).status, 200, host);
      }
    });
  });

  describe('token counts and costs that cannot be right', () => {
    const cases: [string, Record<string, unknown>][] = [
      ['negative output tokens', { 'gen_ai.usage.output_tokens': -2.5 }],
      ['NaN input tokens', { 'gen_ai.usage.input_tokens': 'NaN' }],
      ['Infinity total tokens', { 'llm.token_count.total': 'Infinity' }],
      ['absurd input tokens', { 'gen_ai.usage.input_tokens': 1e300 }],
      ['a negative cost', { 'llm.cost.total': -4 }],
      ['an absurd cost', { 'gen_ai.usage.cost': 1e200 }],
    ];
    for (const [what, attributes] of cases) {
      it(`ignores ${what} with a finding, and shows neither it nor a null cost`, () => {
        const index = new TraceIndex(new PriceTable());
        const span = rawSpan({ 'gen_ai.request.model': 'gpt-4o', 'gen_ai.usage.input_tokens': 10, ...attributes } as never);
        index.addSpans([span]);
        const detail = index.trace(span.traceId)!;
        const shown = JSON.stringify(detail);
        assert.doesNotMatch(shown, /"costUsd":null|"(?:input|output|total)":(?:null|-)/);
        const tokens = detail.summary.tokens;
        for (const n of [tokens.input ?? 0, tokens.output ?? 0, tokens.total, detail.summary.costUsd]) {
          assert.ok(Number.isFinite(n) && n >= 0 && n < 1e12, JSON.stringify(detail.summary));
        }
        assert.ok(detail.spans[0].findings?.some((f) => f.detector === 'invalidUsage'), JSON.stringify(detail.spans[0].findings));
      });
    }
    it('keeps valid usage without a finding', () => {
      const index = new TraceIndex(new PriceTable());
      const span = rawSpan({ 'gen_ai.request.model': 'gpt-4o', 'gen_ai.usage.input_tokens': 10, 'gen_ai.usage.output_tokens': 0 });
      index.addSpans([span]);
      const detail = index.trace(span.traceId)!;
      assert.equal(detail.summary.tokens.total, 10);
      assert.equal(detail.spans[0].findings, undefined);
    });
  });

  describe('same-length templated prompts (the sampled fingerprint collided: 0.25 GB took 301 s)', () => {
    const template = 'You are a support agent for ACME. Answer briefly. '.repeat(30);
    const prompt = (i: number) => `${template.slice(0, 900)}customer ${String(i).padStart(10, '0')} asks:${template.slice(0, 600)}`;

    it('interns 8,000 of them, each once, without comparing each with every earlier one', async () => {
      const table = new StringTable<object>();
      const stall = await longestStall(() => { for (let i = 0; i < 8000; i++) table.intern(prompt(i)); });
      assert.equal(table.size, 8000);
      assert.ok(stall < 3000, `the event loop waited ${stall.toFixed(0)} ms`);
    });

    it('still hands back the one instance for a repeat, also after strings sharing its fingerprint are dropped', () => {
      const table = new StringTable<{ live: boolean }>();
      const owners = Array.from({ length: 50 }, () => ({ live: true }));
      const first = owners.map((owner, i) => {
        const value = table.intern(prompt(i));
        table.post(value, owner);
        return value;
      });
      for (let i = 0; i < 10; i++) owners[i].live = false;
      table.compact((o) => o.live);
      for (let i = 10; i < 50; i++) assert.equal(table.intern(prompt(i)), first[i], `prompt ${i} is the same instance`);
      assert.equal(table.size, 40);
      assert.equal(table.search((v) => v.includes('customer 0000000042'), (o) => o.live).size, 1);
    });
  });

  describe('a store path that is a file', () => {
    let dir: string;
    let file: string;
    beforeEach(() => {
      dir = mkdtempSync(join(tmpdir(), 'store-file-'));
      file = join(dir, 'traces.db');
      writeFileSync(file, 'not a folder');
    });
    afterEach(() => rmSync(dir, { recursive: true, force: true }));

    it('stops the CLI with a clear error before it listens (was an uncaught ENOTDIR after)', () => {
      const run = spawnSync(process.execPath, ['--import', 'tsx', join(__dirname, '..', '..', 'src', 'engine', 'cli.ts'),
        'serve', '--store', file, '--port', '0', '--grpc-port', '0'], { encoding: 'utf8', timeout: 30_000 });
      assert.equal(run.status, 2, run.stderr);
      assert.match(run.stderr, /--store .*traces\.db is a file, not a folder/);
      assert.doesNotMatch(run.stdout + run.stderr, /listening|ENOTDIR|at .*\.ts:\d+/);
    });

    it('keeps an engine (the extension\'s) serving from memory and says why in the stats', async () => {
      const engine = await startEngine({ httpPort: 0, grpcPort: null, storeDir: file });
      try {
        await engine.ready;
        assert.match(engine.stats().storeProblem ?? '', /is a file, not a folder/);
        engine.ingest.receive('traces', 'json', Buffer.from(JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans: [{
          traceId: hex(7, 32), spanId: hex(7, 16), name: 'kept in memory', startTimeUnixNano: '1', endTimeUnixNano: '2' }] }] }] })));
        assert.equal(engine.stats().spans, 1);
      } finally {
        await engine.close();
      }
    });
  });

  describe('retention of a request over 125k spans (its failed traces were all dropped)', () => {
    it('keeps the failed traces of a 130,000-span request once it is past the normal age', async function () {
      this.timeout(120_000);
      const dir = mkdtempSync(join(tmpdir(), 'retention-large-'));
      try {
        const spans = Array.from({ length: 130_000 }, (_, i) => rawSpan({}, {
          traceId: hex(Math.floor(i / 10) + 1, 32), spanId: hex(i + 1, 16), statusCode: i % 13_000 === 0 ? 2 : 0,
        }));
        const store = new TraceStore(dir, () => undefined);
        store.append('traces', 'protobuf', encodeTracesProto(spans));
        store.close();
        const old = (Date.now() - 8 * 24 * 3600 * 1000) / 1000;
        for (const name of readdirSync(dir)) utimesSync(join(dir, name), old, old);
        const report = new TraceStore(dir, () => undefined).applyRetention(new TraceIndex(new PriceTable()), { normalDays: 7, slowDays: 30, errorDays: 90, maxBytes: 2 ** 40 });
        assert.equal(report.keptTraces, 10, JSON.stringify(report));
        const index = new TraceIndex(new PriceTable());
        await new TraceStore(dir, () => undefined).replay(new Ingest(index));
        assert.equal(index.stats().errorTraces, 10);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });

  describe('a span too large to index refuses itself, not its batch', () => {
    const ctx = useEngine({ grpcPort: null });
    it('answers a batch holding a span with 200,000 attributes with partial_success, and keeps and lists the other nine', async () => {
      const attributes = Array.from({ length: 200_000 }, (_, i) => ({ key: `retrieval.documents.${i}.document.score`, value: { doubleValue: 0.1 } }));
      const spans = [{ traceId: hex(0xbad, 32), spanId: hex(0xbad, 16), name: 'retrieve', attributes },
        ...Array.from({ length: 9 }, (_, i) => ({ traceId: hex(0x100 + i, 32), spanId: hex(0x100 + i, 16), name: `neighbour ${i}` }))]
        .map((span) => ({ ...span, startTimeUnixNano: '1700000000000000000', endTimeUnixNano: '1700000001000000000' }));
      const body = JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans }] }] });
      let res: Awaited<ReturnType<typeof rawRequest>> | undefined;
      const stall = await longestStall(async () => {
        res = await rawRequest(ctx.engine.httpPort, { body, headers: { 'content-type': 'application/json' } });
      });
      assert.equal(res!.status, 200);
      const answer = JSON.parse(res!.body.toString()) as { partialSuccess?: { rejectedSpans?: string | number; errorMessage?: string } };
      assert.equal(Number(answer.partialSuccess?.rejectedSpans), 1);
      assert.match(answer.partialSuccess?.errorMessage ?? '', /more than 10000 attributes/);
      assert.equal(ctx.engine.index.query({ q: 'neighbour' }).length, 9);
      assert.equal(ctx.engine.index.trace(hex(0xbad, 32)), undefined);
      assert.ok(stall < 5000, `the event loop waited ${stall.toFixed(0)} ms`);
    });
  });

  describe('one span that fails to index (the index\'s own failure, injected where the input is read)', () => {
    it('is refused alone: the batch\'s other spans are listed, counted and evictable, nothing leaks', () => {
      const index = new TraceIndex(new PriceTable(), { maxSpans: 1000 });
      const poisoned: Record<string, unknown> = {};
      Object.defineProperty(poisoned, 'gen_ai.request.model', { enumerable: true, get: () => { throw new RangeError('Maximum call stack size exceeded'); } });
      const good = [rawSpan({ n: 1 }), rawSpan({ n: 2 })];
      const refused = index.addSpans([good[0], rawSpan(poisoned as never, { name: 'poisoned' }), good[1]]);
      assert.equal(refused.length, 1);
      assert.match(refused[0], /could not be indexed: RangeError/);
      assert.equal(index.stats().spans, 2);
      assert.equal(index.query({ limit: 10 }).length, 2, 'the other spans are listed');
      for (const span of good) assert.ok(index.trace(span.traceId));
      const before = index.stats().memoryBytes;
      assert.ok(before > 0);
      // Past the cap they are evicted like any other: nothing held outside the indexes.
      index.addSpans(Array.from({ length: 1000 }, () => rawSpan({})));
      assert.equal(index.trace(good[0].traceId), undefined, 'evicted');
      assert.equal(index.stats().spans, 1000);
    });
  });

  describe('log records for one span (20,000 took 25 s: each was checked against every other)', () => {
    it('attaches 20,000 in one request, and 2,000 one request at a time, in linear time', async () => {
      const index = new TraceIndex(new PriceTable());
      const span = rawSpan({}, { name: 'chatty' });
      index.addSpans([span]);
      const record = (i: number) => ({ traceId: span.traceId, spanId: span.spanId,
        event: { name: 'app.step', timeMs: 1_700_000_000_000 + i, attributes: { step: i }, body: `record ${i}`, fromLog: true } });
      const stall = await longestStall(() => {
        index.addLogs(Array.from({ length: 20_000 }, (_, i) => record(i)));
        for (let i = 20_000; i < 22_000; i++) index.addLogs([record(i)]);
      });
      assert.equal(index.trace(span.traceId)!.spans[0].events.length, 22_000);
      assert.equal(index.query({ q: 'record 21999' }).length, 1, 'the last record is searchable');
      index.addLogs(Array.from({ length: 100 }, (_, i) => record(i)));
      assert.equal(index.trace(span.traceId)!.spans[0].events.length, 22_000, 'a record read again attaches once');
      assert.ok(stall < 3000, `the event loop waited ${stall.toFixed(0)} ms`);
    });
  });

  describe('input-sized arrays and chains', () => {
    it('indexes a retrieval with 200,000 scores (Math.max(...) threw) and filters on its score', () => {
      const index = new TraceIndex(new PriceTable());
      const attributes: Record<string, number | string> = { 'openinference.span.kind': 'RETRIEVER' };
      for (let i = 0; i < 200_000; i++) attributes[`retrieval.documents.${i}.document.score`] = (i % 100) / 1000;
      const span = rawSpan(attributes);
      index.addSpans([span]);
      assert.equal(index.stats().spans, 1);
      assert.ok(index.trace(span.traceId)!.spans[0].findings?.some((f) => f.detector === 'weakRetrieval'));
      assert.equal(index.query({ filter: 'score < 0.5' }).length, 1);
    });

    it('finds a cascade in a chain of 30,000 failed spans without walking it once per span', async () => {
      const index = new TraceIndex(new PriceTable());
      const traceId = hex(0xc4a1, 32);
      const spans = Array.from({ length: 30_000 }, (_, i) => rawSpan({}, {
        traceId, spanId: hex(i + 1, 16), parentSpanId: i ? hex(i, 16) : undefined, statusCode: 2, statusMessage: 'boom', name: `step-${i}`,
      }));
      const stall = await longestStall(() => index.addSpans(spans));
      const cascade = index.trace(traceId)!.summary.findings?.find((f) => f.detector === 'cascade');
      assert.match(cascade?.message ?? '', /failed 29999 enclosing steps/);
      assert.ok(stall < 5000, `the event loop waited ${stall.toFixed(0)} ms`);
    });
  });
});
