// A store on a real, tiny filesystem (a 1 MiB tmpfs; mounting needs root, as CI has): a write cut
// short by ENOSPC must not break the segment's framing, what was acknowledged while the disk was
// full reaches the disk once space returns (by itself), and the failure shows in the stats until then.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Engine } from '../../src/engine/engine';
import { TraceIndex } from '../../src/engine/index/traceIndex';
import { PriceTable } from '../../src/engine/normalize/pricing';
import { encodeTracesProto } from '../../src/engine/otlp/encodeProto';
import { Ingest } from '../../src/engine/otlp/ingest';
import { TraceStore } from '../../src/engine/store/traceStore';
import { rawSpan } from './helpers/rawSpans';

/** A request of `count` spans with ~300-byte prompts, so records straddle the last free page. */
function request(count: number, tag: string): Buffer {
  return encodeTracesProto(Array.from({ length: count }, (_, i) => rawSpan({ 'llm.prompt': `${tag} ${i} ${'x'.repeat(300)}` })));
}

function spansIn(dir: string): Promise<number> {
  const index = new TraceIndex(new PriceTable());
  return new TraceStore(dir, () => undefined).replay(new Ingest(index)).then(() => index.stats().spans);
}

describe('a store on a full disk', function () {
  this.timeout(60_000);
  let mount: string;
  let dir: string;
  before(function () {
    mount = mkdtempSync(join(tmpdir(), 'full-disk-'));
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', mount], { stdio: 'ignore' });
    } catch {
      rmSync(mount, { recursive: true, force: true });
      this.skip(); // not root: no small filesystem to fill
    }
  });
  after(() => {
    if (!mount) return;
    try { execFileSync('umount', ['-l', mount], { stdio: 'ignore' }); } catch { /* skipped */ }
    rmSync(mount, { recursive: true, force: true });
  });
  beforeEach(() => {
    dir = join(mount, `store-${Date.now()}`);
    mkdirSync(dir);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  /** Fills the filesystem up to a few pages with a file that can be deleted to free space. */
  function fill(): string {
    const filler = join(mount, 'filler');
    let size = 1024 * 1024;
    while (size >= 512) {
      try {
        writeFileSync(filler, Buffer.alloc(size), { flag: 'a' });
      } catch {
        size = Math.floor(size / 2);
      }
    }
    return filler;
  }

  it('keeps every request acknowledged before, during and after the full disk, across a restart', async () => {
    const logs: string[] = [];
    const index = new TraceIndex(new PriceTable());
    const store = new TraceStore(dir, (m) => logs.push(m));
    const ingest = new Ingest(index, store);
    ingest.receive('traces', 'protobuf', request(10, 'before'));
    const filler = fill();
    for (let i = 0; i < 20; i++) ingest.receive('traces', 'protobuf', request(10, `during-${i}`));
    assert.match(store.problem ?? '', /cannot write/, 'the failure is visible while it lasts');
    unlinkSync(filler);
    for (let i = 0; i < 200; i++) ingest.receive('traces', 'protobuf', request(10, `after-${i}`));
    assert.equal(store.problem, undefined, 'writing resumed');
    store.close();
    assert.equal(index.stats().spans, 2210);
    assert.equal(await spansIn(dir), 2210, 'every acknowledged span is back after a restart');
    assert.ok(logs.some((m) => /works again/.test(m)), logs.join('\n'));
  });

  it('writes what waited by itself once space returns, and says so in the stats', async () => {
    const engine = new Engine({ storeDir: dir });
    await engine.ready;
    const filler = fill();
    for (let i = 0; i < 10; i++) engine.ingest.receive('traces', 'protobuf', request(10, `during-${i}`));
    assert.match(engine.stats().storeProblem ?? '', /cannot write/);
    unlinkSync(filler);
    const deadline = Date.now() + 20_000;
    while (engine.stats().storeProblem && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    assert.equal(engine.stats().storeProblem, undefined, 'the store retries on its own');
    await engine.close();
    assert.equal(await spansIn(dir), 100);
  });
});
