// Files in watched folders that are not what they seem: FIFOs, sockets and links out of the
// folder, text that starts like protobuf, and logs rotated while they are tailed (renamed,
// copied and truncated, rewritten in place) — no loss, no doubles, no blocked thread pool.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { appendFileSync, mkdirSync, mkdtempSync, renameSync, rmSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Engine } from '../../src/engine/engine';
import { DistinctCount } from '../../src/engine/files/recordSink';
import { readTraceFile, sniffLayout } from '../../src/engine/files/traceFileReader';
import { TraceIndex } from '../../src/engine/index/traceIndex';
import { PriceTable } from '../../src/engine/normalize/pricing';
import { FIXTURES } from './helpers/rawSpans';

const hex = (n: number, width: number) => n.toString(16).padStart(width, '0');

/** One OTLP/JSON line holding one span of its own trace. */
function otlpLine(n: number, note = ''): string {
  return JSON.stringify({ resourceSpans: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'rotating-app' } }] },
    scopeSpans: [{ spans: [{ traceId: hex(n + 1, 32), spanId: hex(n + 1, 16), name: `request ${n}${note}`,
      startTimeUnixNano: '1700000000000000000', endTimeUnixNano: '1700000001000000000' }] }] }] }) + '\n';
}

async function waitFor(what: string, condition: () => boolean, ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('hostile files', function () {
  this.timeout(60_000);
  let dir: string;
  let engine: Engine | undefined;
  beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'hostile-files-')); });
  afterEach(async () => {
    await engine?.close();
    engine = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  it('skips FIFOs and sockets in a watched folder with a message, and keeps reading and closing normally', async () => {
    for (let i = 0; i < 5; i++) execFileSync('mkfifo', [join(dir, `pipe-${i}.jsonl`)]);
    const socketServer = createServer();
    await new Promise<void>((resolve) => socketServer.listen(join(dir, 'live.jsonl'), resolve));
    const logs: string[] = [];
    try {
      writeFileSync(join(dir, 'real.jsonl'), otlpLine(1));
      engine = new Engine({ watch: { roots: [dir], globs: ['*.jsonl'] }, log: (m) => logs.push(m) });
      await engine.ready;
      await waitFor('the real file', () => engine!.index.stats().spans === 1);
      appendFileSync(join(dir, 'real.jsonl'), otlpLine(2));
      await waitFor('the appended line (the thread pool is free)', () => engine!.index.stats().spans === 2);
      const imported = await engine.files.import([join(dir, 'pipe-0.jsonl')]);
      assert.match(imported[0].problems[0].reason, /FIFO/);
      await waitFor('a message per special file', () => logs.filter((m) => /not a regular file/.test(m)).length >= 5);
      assert.ok(logs.some((m) => /a FIFO \(named pipe\), not a regular file: skipped/.test(m)), logs.join('\n'));
      // Reading a gzip file uses the thread pool too: it must not be held by the pipes.
      const { gzipSync } = await import('node:zlib');
      writeFileSync(join(dir, 'more.jsonl.gz'), gzipSync(otlpLine(3)));
      await waitFor('the gzip file', () => engine!.index.stats().spans === 3);
      const closing = engine.close();
      engine = undefined;
      await closing; // with one FIFO open, closing never finished
    } finally {
      socketServer.close();
    }
  });

  it('does not follow a link out of a watched folder, and follows one that stays inside', async () => {
    const outside = mkdtempSync(join(tmpdir(), 'outside-'));
    try {
      writeFileSync(join(outside, 'secret.jsonl'), otlpLine(7, ' from outside'));
      mkdirSync(join(dir, 'runs'));
      writeFileSync(join(dir, 'runs', 'inside.jsonl'), otlpLine(8));
      symlinkSync(join(outside, 'secret.jsonl'), join(dir, 'link-out.jsonl'));
      symlinkSync(outside, join(dir, 'folder-out'));
      symlinkSync(join(dir, 'runs', 'inside.jsonl'), join(dir, 'link-in.jsonl'));
      const logs: string[] = [];
      engine = new Engine({ watch: { roots: [dir], globs: ['**/*.jsonl'] }, log: (m) => logs.push(m) });
      await engine.ready;
      await waitFor('the files inside', () => engine!.index.stats().spans === 1);
      await new Promise((resolve) => setTimeout(resolve, 500));
      await engine.files.idle();
      assert.equal(engine.index.query({ q: 'from outside' }).length, 0);
      assert.equal(engine.index.stats().spans, 1);
      assert.ok(logs.some((m) => /link-out\.jsonl links out of the watched folders/.test(m)), logs.join('\n'));
    } finally {
      rmSync(outside, { recursive: true, force: true });
    }
  });

  describe('text that starts like protobuf (a blank line is 0x0a)', () => {
    for (const [what, text] of [
      ['a log starting with a blank line', '\nINFO starting\nINFO done\n'],
      ['two blank lines then text', '\n\nhello world\n'],
      ['a blank line then a tab-indented table', '\n\tname\tvalue\n'],
      ['CRLF text', '\r\nline one\r\n'],
    ]) {
      it(`is not protobuf: ${what}`, () => assert.equal(sniffLayout(Buffer.from(text)), undefined));
    }

    it('leaves a large text file alone, and an append does not make it read again', async () => {
      const path = join(dir, 'app.log');
      writeFileSync(path, '\n' + 'INFO a line of a log that is not traces\n'.repeat(50_000));
      const index = new TraceIndex(new PriceTable());
      const first = await readTraceFile(index, path, undefined, { final: false });
      assert.equal(first.sink.shape, null);
      assert.equal(first.layout, undefined, 'not taken for one protobuf message');
      appendFileSync(path, 'INFO one more\n');
      const second = await readTraceFile(index, path, first, { final: false });
      assert.equal(second.sink, first.sink, 'the file is still the one that was left alone, not read again');
    });

    it('still recognizes a real OTLP protobuf message and Collector records', async () => {
      const pb = await readFile(join(FIXTURES, 'otel-js', 'tutorial-adhoc.otlp.pb'));
      assert.equal(sniffLayout(pb), 'protobuf-message');
      const prefix = Buffer.alloc(4);
      prefix.writeUInt32BE(pb.length);
      assert.equal(sniffLayout(Buffer.concat([prefix, pb])), 'protobuf-records');
    });
  });

  it('counts a huge file\'s traces in constant memory: exactly up to 100,000, then within 1%', () => {
    const count = new DistinctCount();
    for (let i = 0; i < 150_000; i++) count.add(hex(i % 90_000, 32));
    assert.equal(count.size, 90_000);
    for (let i = 0; i < 1_500_000; i++) count.add(hex(i, 32));
    assert.ok(Math.abs(count.size - 1_500_000) < 15_000, String(count.size));
  });

  describe('rotation while tailing', () => {
    async function tail(globs: string[]): Promise<Engine> {
      engine = new Engine({ watch: { roots: [dir], globs } });
      await engine.ready;
      return engine;
    }

    it('loses nothing when the file is renamed away while lines are still being written to it', async () => {
      const path = join(dir, 'traces.jsonl');
      writeFileSync(path, '');
      const e = await tail(['traces.jsonl']);
      // Four rotations; each time the last lines land just before the rename, unread.
      for (let n = 0; n < 600; n++) {
        appendFileSync(path, otlpLine(n));
        if (n % 150 === 149) {
          renameSync(path, `${path}.${n}`); // logrotate: the writer goes on in a new file
          writeFileSync(path, '');
          await new Promise((resolve) => setTimeout(resolve, 400)); // the engine sees the new file
        } else if (n % 150 < 140 && n % 20 === 0) {
          await new Promise((resolve) => setTimeout(resolve, 30));
        }
      }
      await waitFor('all 600 lines', () => e.index.stats().spans === 600).catch((error) => { console.log('spans', e.index.stats().spans, require('node:fs').readdirSync(dir)); throw error; });
    });

    it('reads the first new lines after copytruncate and after an in-place rewrite', async () => {
      const path = join(dir, 'traces.jsonl');
      writeFileSync(path, otlpLine(0) + otlpLine(1));
      const e = await tail(['traces.jsonl']);
      await waitFor('the first lines', () => e.index.stats().spans === 2);
      await e.files.idle();
      // copytruncate: emptied, then written again past the old length before the engine looks.
      truncateSync(path, 0);
      appendFileSync(path, otlpLine(2) + otlpLine(3) + otlpLine(4));
      await waitFor('the lines written after the truncation', () => e.index.stats().spans === 5);
      await e.files.idle();
      // In place: the same inode, the same first bytes, new lines from the start.
      writeFileSync(path, otlpLine(5) + otlpLine(6) + otlpLine(7) + otlpLine(8));
      await waitFor('the rewritten lines', () => e.index.stats().spans === 9);
    });

    it('does not double a DSPy log read again under its rotated name', async () => {
      const record = (n: number) => JSON.stringify({ trace_id: `req-${n}`, timestamp: `2026-01-0${1 + (n % 9)}T10:00:00Z`, inputs: { q: `question ${n}` }, outputs: { a: `answer ${n}` }, total_latency_ms: 120 }) + '\n';
      const path = join(dir, 'dspy.log');
      writeFileSync(path, record(1) + record(2));
      const e = await tail(['dspy.log*']);
      await waitFor('the DSPy requests', () => e.index.stats().traces === 2);
      await e.files.idle();
      renameSync(path, `${path}.1`);
      writeFileSync(path, record(3));
      await waitFor('the new request', () => e.index.stats().traces === 3);
      await new Promise((resolve) => setTimeout(resolve, 500));
      await e.files.idle();
      assert.equal(e.index.stats().traces, 3, 'the rotated file holds the same requests: no doubles');
    });
  });
});
