// Importing a trace file many times larger than the memory cap (issue: 2 GB of ~1.5 KB prompts
// under a 512 MB heap ran the engine out of memory). At a proportionate size: 24 MB of unique
// prompts into a 3 MB cap, the ratio of the 2 GB file to the 280 MB default cap of a 512 MB heap.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEngine } from '../../src/engine/engine';

const hex = (n: number, width: number) => n.toString(16).padStart(width, '0');
const str = (key: string, value: string) => ({ key, value: { stringValue: value } });

/** OTLP/JSON lines of LLM calls with unique ~1.5 KB prompts, 100 spans a line; every 997th span fails. */
function writeLargeFile(path: string, bytes: number): { spans: number; failedTraces: number } {
  const lines: string[] = [];
  let size = 0;
  let n = 0;
  const failed = new Set<number>();
  while (size < bytes) {
    const spans = [];
    for (let i = 0; i < 100; i++, n++) {
      const prompt = `Request ${n}: ` + 'Summarize the customer history and propose the next best action. '.repeat(22) + ` id=${n * 7919}`;
      if (n % 997 === 0) failed.add(Math.floor(n / 5));
      spans.push({ traceId: hex(Math.floor(n / 5) + 1, 32), spanId: hex(n + 1, 16), name: 'ChatCompletion',
        startTimeUnixNano: String(1_700_000_000_000_000_000n + BigInt(n) * 1_000_000n), endTimeUnixNano: String(1_700_000_000_500_000_000n + BigInt(n) * 1_000_000n),
        attributes: [str('openinference.span.kind', 'LLM'), str('llm.input_messages.0.message.content', prompt)], status: { code: n % 997 === 0 ? 2 : 1 } });
    }
    const line = JSON.stringify({ resourceSpans: [{ resource: { attributes: [str('service.name', 'big')] }, scopeSpans: [{ spans }] }] }) + '\n';
    lines.push(line);
    size += line.length;
  }
  writeFileSync(path, lines.join(''));
  return { spans: n, failedTraces: failed.size };
}

describe('importing a file many times the memory cap', function () {
  this.timeout(300_000);

  it('holds to the cap throughout, evicts normal traces first and keeps the failed ones, and counts every span', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'large-import-'));
    const file = join(dir, 'traces.jsonl');
    const written = writeLargeFile(file, 24 * 1024 * 1024);
    const capMb = 3;
    const engine = await startEngine({ httpPort: 0, grpcPort: null, maxMemoryMb: capMb });
    let highest = 0;
    const sampler = setInterval(() => { highest = Math.max(highest, engine.stats().memoryBytes); }, 10);
    try {
      const [result] = await engine.files.import([file]);
      clearInterval(sampler);
      const stats = engine.stats();
      highest = Math.max(highest, stats.memoryBytes);
      assert.equal(result.spans, written.spans);
      assert.ok(highest <= capMb * 1024 * 1024, `the estimate reached ${(highest / 2 ** 20).toFixed(1)} MiB of ${capMb}`);
      assert.ok(stats.evictedTraces > 0);
      assert.equal(stats.traces + stats.evictedTraces, written.spans / 5, 'every trace is held or counted as evicted');
      assert.equal(stats.errorTraces, written.failedTraces, 'failed traces are evicted last');
    } finally {
      clearInterval(sampler);
      await engine.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
