import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HEAP_SHARE, heapCap, targetShare } from '../../src/engine/heapGuard';
import { TraceIndex } from '../../src/engine/index/traceIndex';
import type { RawLog } from '../../src/engine/model/rawSpan';
import { PriceTable } from '../../src/engine/normalize/pricing';
import { buildEngineBundles } from './helpers/engineBundles';
import { writeUniquePrompts } from './helpers/uniquePrompts';
import { rawSpan } from './helpers/rawSpans';

const MB = 2 ** 20;

describe('heap guard', () => {
  describe('heapCap', () => {
    const limit = 1000 * MB;
    const baseline = 100 * MB;

    it('leaves the cap alone while the heap is between its low and high marks', () => {
      for (const share of [HEAP_SHARE.target - HEAP_SHARE.margin + 0.01, HEAP_SHARE.target + HEAP_SHARE.margin - 0.01]) {
        assert.equal(heapCap({ used: limit * share, limit, baseline, estimate: 300 * MB }, 500 * MB, 400 * MB), 400 * MB);
      }
    });

    it('lowers the cap in proportion to what a byte of the estimate really took, to bring the heap to its target', () => {
      // 600 MB held for an estimate of 300: each estimated byte took two.
      const cap = heapCap({ used: 700 * MB, limit, baseline, estimate: 300 * MB }, 500 * MB, 500 * MB);
      assert.equal(cap, Math.floor((limit * HEAP_SHARE.target - baseline) / 2));
    });

    it('raises it again once the heap has room, never above the configured cap', () => {
      assert.equal(heapCap({ used: 200 * MB, limit, baseline, estimate: 100 * MB }, 500 * MB, 225 * MB), 450 * MB);
      assert.equal(heapCap({ used: 150 * MB, limit, baseline, estimate: 50 * MB }, 300 * MB, 225 * MB), 300 * MB);
    });

    it('only lowers the cap when the heap is too full, and only raises it when there is room', () => {
      // Room again, but what is held is already past the target in real bytes: the cap stays.
      assert.equal(heapCap({ used: 440 * MB, limit, baseline, estimate: 50 * MB }, 300 * MB, 200 * MB), 200 * MB);
      // Too full, yet the cap is already below what the formula gives: it stays.
      assert.equal(heapCap({ used: 700 * MB, limit, baseline, estimate: 100 * MB }, 500 * MB, 60 * MB), 60 * MB);
    });

    it('keeps a cap the user set, up to 80% of the heap, while the estimate is right', () => {
      const configured = 750 * MB;
      const target = targetShare(configured, limit, true);
      assert.equal(heapCap({ used: baseline + configured, limit, baseline, estimate: configured }, configured, configured, target), configured);
      // The same cap, when each estimated byte takes two: halved to what it asked for in real bytes.
      assert.equal(heapCap({ used: 950 * MB, limit, baseline, estimate: 425 * MB }, configured, configured, target), Math.floor((limit * target - baseline) / 2));
      assert.equal(targetShare(configured, limit, false), HEAP_SHARE.target);
    });

    it('never goes below a sixteenth of the configured cap, however full the heap is of other things', () => {
      assert.equal(heapCap({ used: 990 * MB, limit, baseline, estimate: 1 * MB }, 512 * MB, 512 * MB), 32 * MB);
    });
  });

  it('holds log records waiting for their span to an eighth of the cap the heap allows, so traces are not evicted for them', () => {
    const index = new TraceIndex(new PriceTable(), { maxBytes: 16 * MB });
    const waiting: RawLog[] = Array.from({ length: 200 }, (_, i) => ({
      traceId: (i + 1).toString(16).padStart(32, 'f'), spanId: (i + 1).toString(16).padStart(16, 'f'),
      event: { name: 'log', timeMs: 1_700_000_000_000, attributes: {}, body: `log record ${i} `.repeat(500), fromLog: true },
    }));
    index.addLogs(waiting);
    assert.ok(index.stats().pendingLogs > 0);
    index.limitForHeap(1 * MB);
    assert.ok(index.estimatedBytes <= 1 * MB, `${index.estimatedBytes} held`);
    const span = rawSpan({ 'input.value': 'a new trace' });
    index.addSpans([span]);
    assert.ok(index.trace(span.traceId), 'a new trace is kept');
  });

  it('evicts at once, oldest first, when the heap allows less than the configured cap, and counts it', () => {
    const index = new TraceIndex(new PriceTable(), { maxBytes: 100 * MB });
    const spans = Array.from({ length: 100 }, (_, i) => rawSpan({ 'input.value': `prompt ${i} `.repeat(100) }, { startMs: 1_700_000_000_000 + i }));
    for (const span of spans) index.addSpans([span]);
    const held = index.estimatedBytes;
    index.limitForHeap(Math.floor(held / 2));
    const stats = index.stats();
    assert.ok(stats.memoryBytes <= held / 2, `${stats.memoryBytes} held`);
    assert.equal(stats.memoryCapBytes, Math.floor(held / 2));
    assert.equal(stats.traces + stats.evictedTraces, 100);
    assert.equal(index.trace(spans[0].traceId), undefined, 'the oldest went first');
    assert.ok(index.trace(spans[99].traceId));
    index.limitForHeap(Infinity);
    assert.equal(index.stats().memoryCapBytes, 100 * MB);
  });

  describe('an engine with a small heap reading a file of unique prompts larger than it', function () {
    this.timeout(120_000);
    let dir: string;
    let cli: string;

    before(async () => {
      dir = mkdtempSync(join(tmpdir(), 'ati-heap-guard-'));
      ({ cli } = await buildEngineBundles(join(dir, 'bundles')));
    });
    after(() => rmSync(dir, { recursive: true, force: true }));

    it('keeps to what its heap holds: it reads the whole file, evicting, and never runs out of memory', async () => {
      // 96 MB of old space: half of it is the default cap, which these traces take about twice over.
      mkdirSync(join(dir, 'watched'));
      const { traces, failed } = await writeUniquePrompts(join(dir, 'watched', 'prompts.jsonl'), 96 * MB);
      const child = spawn(process.execPath, ['--max-old-space-size=96', cli, 'serve', '--port', '0', '--no-grpc', '--watch', join(dir, 'watched')],
        { stdio: ['ignore', 'pipe', 'pipe'] });
      let output = '';
      child.stdout.on('data', (chunk: Buffer) => { output += chunk.toString(); });
      child.stderr.on('data', (chunk: Buffer) => { output += chunk.toString(); });
      const exited = new Promise<never>((_, reject) => child.once('exit', (code, signal) => reject(new Error(`the engine exited (${code ?? signal}): ${output.slice(-800)}`))));
      try {
        const port = await Promise.race([exited, (async () => {
          for (;;) {
            const match = /OTLP\/HTTP\s+http:\/\/127\.0\.0\.1:(\d+)/.exec(output);
            if (match) return Number(match[1]);
            await new Promise((resolve) => setTimeout(resolve, 20));
          }
        })()]);
        const defaultCap = Number(/Memory\s+up to \d+ spans and (\d+) MB/.exec(output)?.[1]) * MB;
        type Stats = { traces: number; errorTraces: number; evictedTraces: number; memoryBytes: number; memoryCapBytes: number };
        let stats: Stats;
        do {
          await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 100))]);
          stats = await Promise.race([exited, fetch(`http://127.0.0.1:${port}/api/stats`).then((r) => r.json() as Promise<Stats>)]);
        } while (stats.traces + stats.evictedTraces < traces);
        assert.equal(stats.traces + stats.evictedTraces, traces);
        assert.ok(stats.evictedTraces > 0);
        assert.equal(stats.errorTraces, failed, 'every failed trace is kept');
        assert.ok(stats.memoryCapBytes < defaultCap, `the cap in force (${stats.memoryCapBytes}) is below the default (${defaultCap})`);
        assert.ok(stats.memoryBytes <= stats.memoryCapBytes);
        assert.match(output, /memory cap: the engine's heap is \d+ of \d+ MB full, each estimated byte of its traces taking \d\.\d/);
      } finally {
        child.kill();
      }
    });
  });
});
