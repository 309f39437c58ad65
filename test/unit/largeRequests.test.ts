// Large requests: from OFF_THREAD_BYTES a body is decoded, checked and masked on a worker thread
// and comes back as protobuf, decoded and indexed in slices; a large store record is written in
// pieces. What the engine keeps must be exactly what it keeps of the same request taken whole on
// its own thread, and its event loop must keep turning meanwhile.
import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readTraceFile } from '../../src/engine/files/traceFileReader';
import { TraceIndex } from '../../src/engine/index/traceIndex';
import { PriceTable } from '../../src/engine/normalize/pricing';
import { OtlpDecoders } from '../../src/engine/otlp/decoders';
import { encodeTracesProto } from '../../src/engine/otlp/encodeProto';
import { StringTable } from '../../src/engine/model/stringTable';
import { Ingest } from '../../src/engine/otlp/ingest';
import { OFF_THREAD_BYTES } from '../../src/engine/otlp/offThreadDecode';
import { DecodeError } from '../../src/engine/otlp/protoReader';
import { TraceStore } from '../../src/engine/store/traceStore';
import { DEFAULT_REDACTIONS } from '../../src/shared/redaction';
import { everything, longestParsedDuring } from './helpers/offThreadChecks';
import { rawRequest, useEngine } from './helpers/otelSenders';

const hex = (n: number, width: number) => n.toString(16).padStart(width, '0');
const str = (key: string, value: string) => ({ key, value: { stringValue: value } });

/** An OTLP/JSON request of LLM calls with unique prompts, each holding an email and an API key, of at least `bytes`. */
function llmRequest(bytes: number, salt: number): Buffer {
  const spans = [];
  for (let size = 0, i = 0; size < bytes; i++) {
    const prompt = `Customer ${salt}-${i} (ops${i}@example.com, key sk-${'a1B2c3D4'.repeat(3)}${i}) asks about an order. ` + 'Cite the order. '.repeat(60);
    const span = { traceId: hex(salt * 100_000 + Math.floor(i / 4) + 1, 32), spanId: hex(salt * 1_000_000 + i + 1, 16), name: 'ChatCompletion',
      startTimeUnixNano: '1700000000000000000', endTimeUnixNano: '1700000001000000000', status: { code: i % 97 === 0 ? 2 : 1 },
      attributes: [str('openinference.span.kind', 'LLM'), str('llm.input_messages.0.message.content', prompt), { key: 'llm.token_count.prompt', value: { intValue: 400 } }] };
    size += JSON.stringify(span).length;
    spans.push(span);
  }
  return Buffer.from(JSON.stringify({ resourceSpans: [{ resource: { attributes: [str('service.name', 'large')] }, scopeSpans: [{ scope: { name: 's' }, spans }] }] }));
}

describe('large requests', function () {
  this.timeout(120_000);
  let dirs: string[] = [];
  const tempDir = () => {
    const dir = mkdtempSync(join(tmpdir(), 'large-requests-'));
    dirs.push(dir);
    return dir;
  };
  afterEach(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
    dirs = [];
  });

  it('keeps the same masked spans, and stores them, as the engine\'s own thread makes of the request taken whole', async () => {
    const body = llmRequest(OFF_THREAD_BYTES * 1.2, 1);
    assert.ok(body.length >= OFF_THREAD_BYTES);
    const whole = new TraceIndex(new PriceTable(), { redaction: DEFAULT_REDACTIONS });
    new Ingest(whole).receive('traces', 'json', Buffer.from(body), { persist: false });

    const dir = tempDir();
    const sliced = new TraceIndex(new PriceTable(), { redaction: DEFAULT_REDACTIONS });
    // Masked once, by the worker: the index's own masking sees no span of this request.
    let maskedHere = 0;
    const maskSpans = sliced.redactor!.spans.bind(sliced.redactor);
    sliced.redactor!.spans = (spans) => { maskedHere += spans.length; maskSpans(spans); };
    const store = new TraceStore(dir, () => undefined);
    const result = await new Ingest(sliced, store).receiveInTurn('traces', 'json', body);
    store.close();
    assert.deepEqual(result, { rejected: 0, message: undefined });
    assert.equal(maskedHere, 0);
    const kept = everything(sliced);
    assert.ok(kept.length > 400, `${kept.length} traces`);
    assert.deepEqual(kept, everything(whole));
    const text = JSON.stringify(kept);
    assert.ok(!text.includes('@example.com') && !text.includes('sk-a1B2'), 'masked');

    const reloaded = new TraceIndex(new PriceTable(), { redaction: DEFAULT_REDACTIONS });
    await new TraceStore(dir, () => undefined).replay(new Ingest(reloaded));
    assert.deepEqual(everything(reloaded), kept);
  });

  describe('over HTTP', () => {
    const ctx = useEngine({ grpcPort: null, redaction: DEFAULT_REDACTIONS });

    it('answers requests whose worker result is small (most of them refused) with the rest kept, one after another', async () => {
      // The worker's result then fit in Node's shared Buffer pool and once came back garbled (400).
      for (let n = 0; n < 3; n++) {
        const attributes = Array.from({ length: 40_000 }, (_, i) => ({ key: `retrieval.documents.${i}.document.score`, value: { doubleValue: 0.5 } }));
        const spans = [{ traceId: hex(0xbad0 + n, 32), spanId: hex(0xbad0 + n, 16), name: 'retrieve', attributes },
          { traceId: hex(0x600d0 + n, 32), spanId: hex(0x600d0 + n, 16), name: `kept ${n}` }]
          .map((span) => ({ ...span, startTimeUnixNano: '1700000000000000000', endTimeUnixNano: '1700000001000000000' }));
        const body = Buffer.from(JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans }] }] }));
        assert.ok(body.length >= OFF_THREAD_BYTES);
        const res = await rawRequest(ctx.engine.httpPort, { body, headers: { 'content-type': 'application/json' } });
        assert.equal(res.status, 200, res.body.toString());
        assert.equal(Number((JSON.parse(res.body.toString()) as { partialSuccess: { rejectedSpans: string } }).partialSuccess.rejectedSpans), 1);
        assert.ok(ctx.engine.index.trace(hex(0x600d0 + n, 32)), `the other span of request ${n} is kept`);
      }
    });

    it('refuses a large body that is not a valid request with 400 and keeps nothing of it', async () => {
      const before = ctx.engine.stats().spans;
      const body = Buffer.concat([llmRequest(OFF_THREAD_BYTES, 2).subarray(0, OFF_THREAD_BYTES), Buffer.from('}}}')]);
      const res = await rawRequest(ctx.engine.httpPort, { body, headers: { 'content-type': 'application/json' } });
      assert.equal(res.status, 400, res.body.toString());
      assert.equal(ctx.engine.stats().spans, before);
    });
  });

  it('refuses a large protobuf body that breaks off halfway (decoded in slices) and keeps nothing of it', async () => {
    const index = new TraceIndex(new PriceTable());
    const body = asProtobuf(llmRequest(OFF_THREAD_BYTES * 1.4, 3));
    assert.ok(body.length >= OFF_THREAD_BYTES);
    await assert.rejects(new Ingest(index).receiveInTurn('traces', 'protobuf', body.subarray(0, body.length - 7)), DecodeError);
    assert.equal(index.stats().spans, 0);
  });

  it('keeps its event loop turning while an 8 MB prompt is decoded, masked, indexed and stored', async () => {
    const body = Buffer.from(JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans: [{ traceId: hex(77, 32), spanId: hex(77, 16), name: 'huge',
      startTimeUnixNano: '1700000000000000000', endTimeUnixNano: '1700000001000000000', attributes: [str('prompt', 'mail ops@example.com. '.repeat(400_000))] }] }] }] }));
    const index = new TraceIndex(new PriceTable(), { redaction: DEFAULT_REDACTIONS });
    const store = new TraceStore(tempDir(), () => undefined);
    let turns = 0;
    let done = false;
    const count = async () => {
      while (!done) {
        turns++;
        await new Promise((resolve) => setTimeout(resolve, 1));
      }
    };
    const counting = count();
    await new Ingest(index, store).receiveInTurn('traces', 'json', body);
    done = true;
    await counting;
    store.close();
    // Taken whole on the engine's thread, parsing, masking, encoding and writing it were one turn each.
    assert.ok(turns > 20, `${turns} turns`);
    assert.match(String(index.trace(hex(77, 32))!.spans[0].attributes.prompt).slice(0, 40), /^mail \[REDACTED:email\]/);
  });

  it('writes a large record in pieces; a segment retired meanwhile is closed only once the record is whole', async () => {
    const dir = tempDir();
    const store = new TraceStore(dir, () => undefined);
    const body = asProtobuf(llmRequest(6 * 1024 * 1024, 4));
    const writing = store.appendInPieces('traces', 'protobuf', body);
    store.close(); // retention and reconfiguration close the open segments
    await writing;
    store.append('traces', 'protobuf', asProtobuf(llmRequest(1000, 5)));
    store.close();
    const index = new TraceIndex(new PriceTable());
    const replayed = await new TraceStore(dir, () => undefined).replay(new Ingest(index));
    assert.deepEqual(replayed.problems, []);
    assert.equal(replayed.requests, 2);
  });

  it('replays a large stored record, and passes it through retention, off the engine\'s thread and in slices', async () => {
    const dir = tempDir();
    const body = llmRequest(OFF_THREAD_BYTES * 1.3, 9);
    const received = new TraceIndex(new PriceTable());
    const store = new TraceStore(dir, () => undefined);
    await new Ingest(received, store).receiveInTurn('traces', 'json', Buffer.from(body));
    store.close(); // kept as received: one JSON line of 2.6 MB

    const replayed = new TraceIndex(new PriceTable());
    const replay = await longestParsedDuring(() => new TraceStore(dir, () => undefined).replay(new Ingest(replayed)));
    assert.deepEqual(replay.result, { files: 1, requests: 1, problems: [] });
    assert.ok(replay.longestParsed < OFF_THREAD_BYTES, `${replay.longestParsed} characters parsed on the engine's thread`);
    assert.deepEqual(everything(replayed), everything(received));

    const old = (Date.now() - 8 * 24 * 3600 * 1000) / 1000;
    for (const name of readdirSync(dir)) utimesSync(join(dir, name), old, old);
    const retention = await longestParsedDuring(() => new TraceStore(dir, () => undefined)
      .applyRetention(new TraceIndex(new PriceTable()), { normalDays: 7, slowDays: 30, errorDays: 90, maxBytes: 2 ** 40 }));
    assert.ok(retention.longestParsed < OFF_THREAD_BYTES, `${retention.longestParsed} characters parsed on the engine's thread`);
    const failed = received.stats().errorTraces;
    assert.ok(failed > 0);
    assert.deepEqual(retention.result, { deletedFiles: 1, keptTraces: failed, droppedTraces: received.stats().traces - failed });
  });

  describe('a huge line in a trace file', () => {
    /** Reads `file`, noting the largest batch of spans indexed at once and the longest text JSON.parse got on this thread. */
    async function watchedRead(index: TraceIndex, file: string, final: boolean, previous?: Awaited<ReturnType<typeof readTraceFile>>) {
      let largestBatch = 0;
      const addSpans = index.addSpans.bind(index);
      index.addSpans = (spans, options) => {
        largestBatch = Math.max(largestBatch, spans.length);
        return addSpans(spans, options);
      };
      try {
        const { result: state, longestParsed } = await longestParsedDuring(() => readTraceFile(index, file, previous, { final }));
        return { state, largestBatch, longestParsed };
      } finally {
        index.addSpans = addSpans;
      }
    }

    it('is parsed and masked on the worker, then indexed in slices, with the lines around it in order', async () => {
      const huge = llmRequest(OFF_THREAD_BYTES * 1.5, 6);
      const small = (n: number) => llmRequest(1, 7 + n).toString();
      const expected = new TraceIndex(new PriceTable(), { redaction: DEFAULT_REDACTIONS });
      const ingest = new Ingest(expected);
      for (const body of [Buffer.from(small(0)), huge, Buffer.from(small(1))]) ingest.receive('traces', 'json', body, { persist: false });

      const file = join(tempDir(), 'huge.jsonl');
      writeFileSync(file, `${small(0)}
${huge.toString()}
${small(1)}`); // the last line without its newline
      const index = new TraceIndex(new PriceTable(), { redaction: DEFAULT_REDACTIONS });
      const { state, largestBatch, longestParsed } = await watchedRead(index, file, true);
      assert.deepEqual(state.sink.reportedProblems(), []);
      assert.equal(state.sink.label(), 'OTLP/JSON lines');
      assert.equal(state.offset, huge.length + small(0).length + small(1).length + 2);
      // Taken whole on the engine's thread, the line was one JSON.parse and its spans one batch;
      // in slices (slices.ts) they go in batches of at most 1,024, each followed by a look at the clock.
      assert.ok(longestParsed < OFF_THREAD_BYTES, `${longestParsed} characters parsed on the engine's thread`);
      assert.ok(state.sink.spans > 1100, `${state.sink.spans} spans`);
      assert.ok(largestBatch <= 1024, `${largestBatch} spans indexed at once`);
      assert.equal(state.sink.spans, expected.stats().spans);
      assert.deepEqual(everything(index), everything(expected));
      assert.ok(!JSON.stringify(everything(index)).includes('@example.com'), 'masked');
    });

    it('that is still being written is given back unread, and read whole once its newline is there', async () => {
      const huge = llmRequest(OFF_THREAD_BYTES * 1.2, 8).toString();
      const file = join(tempDir(), 'growing.jsonl');
      const cut = huge.length - 1000;
      writeFileSync(file, huge.slice(0, cut));
      const index = new TraceIndex(new PriceTable());
      const first = await watchedRead(index, file, false);
      assert.deepEqual(first.state.sink.reportedProblems(), []);
      assert.equal(first.state.offset, 0);
      assert.equal(index.stats().spans, 0);
      appendFileSync(file, `${huge.slice(cut)}
`);
      const second = await watchedRead(index, file, false, first.state);
      assert.deepEqual(second.state.sink.reportedProblems(), []);
      assert.equal(second.state.offset, huge.length + 1);
      assert.ok(index.stats().spans > 1000, `${index.stats().spans} spans`);
      assert.ok(second.longestParsed < OFF_THREAD_BYTES);
    });

    it('that is not an OTLP document is still read as the shape it is', async () => {
      const file = join(tempDir(), 'console.jsonl');
      // An OTel JS console span whose prompt alone is over the worker's threshold.
      const span = { traceId: hex(9, 32), spanId: hex(9, 16), name: 'big', kind: 0, startTime: [1_700_000_000, 0], endTime: [1_700_000_001, 0],
        attributes: { prompt: 'x'.repeat(OFF_THREAD_BYTES) }, status: { code: 0 }, events: [], links: [] };
      writeFileSync(file, `${JSON.stringify(span)}
`);
      const index = new TraceIndex(new PriceTable());
      const { state } = await watchedRead(index, file, true);
      assert.deepEqual(state.sink.reportedProblems(), []);
      assert.equal(state.sink.spans, 1);
      assert.ok(index.trace(hex(9, 32)));
    });
  });
});

/** An OTLP/JSON request as protobuf. */
function asProtobuf(body: Buffer): Buffer {
  return encodeTracesProto(new OtlpDecoders(new StringTable()).json.tracesText(body.toString()).items);
}
