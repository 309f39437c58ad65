// Large requests: from OFF_THREAD_BYTES a body is decoded, checked and masked on a worker thread
// and comes back as protobuf, decoded and indexed in slices; a large store record is written in
// pieces. What the engine keeps must be exactly what it keeps of the same request taken whole on
// its own thread, and its event loop must keep turning meanwhile.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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

/** Every trace of an index as the API answers it (JSON), in a stable order. */
function everything(index: TraceIndex): unknown[] {
  const traces = index.query({ limit: 1_000_000 }).map((t) => index.trace(t.traceId)!).sort((a, b) => (a.summary.traceId < b.summary.traceId ? -1 : 1));
  return JSON.parse(JSON.stringify(traces)) as unknown[];
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
});

/** An OTLP/JSON request as protobuf. */
function asProtobuf(body: Buffer): Buffer {
  return encodeTracesProto(new OtlpDecoders(new StringTable()).json.tracesText(body.toString()).items);
}
