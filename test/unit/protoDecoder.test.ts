// OTLP protobuf both ways. The decoder guesses each string from the one that followed the same
// string before and shares ids that repeat: whatever it guesses, it must decode exactly what the
// SDK sent. The encoder writes the store's masked copies: they must read back as what was held.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ProtobufLogsSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { SpanKind, SpanStatusCode, type AttributeValue } from '@opentelemetry/api';
import { StringTable } from '../../src/engine/model/stringTable';
import { JsonDecoder } from '../../src/engine/otlp/decodeJson';
import { ProtoDecoder } from '../../src/engine/otlp/decodeProto';
import { encodeTracesData } from '../../src/engine/otlp/encodeJson';
import { encodeLogsProto, encodeTracesProto } from '../../src/engine/otlp/encodeProto';
import type { RawSpan } from '../../src/engine/model/rawSpan';
import { recordLogs, recordSpans } from './helpers/otelSenders';
import { FIXTURES } from './helpers/rawSpans';

/** What a stored span must keep (the log records attached to it are stored apart). */
function kept(span: RawSpan) {
  const { traceId, spanId, parentSpanId, name, otelKind, startMs, endMs, attributes, links, statusCode, statusMessage, resource, scope } = span;
  const events = span.events.filter((e) => !e.fromLog).map(({ name, timeMs, attributes }) => ({ name, timeMs, attributes }));
  return JSON.parse(JSON.stringify({ traceId, spanId, parentSpanId, name, otelKind, startMs, endMs, attributes, events, links, statusCode, statusMessage,
    resource: resource.attributes, scope }));
}

/** Strings that trip guesses: empty, around the cache's length limits, non-ASCII, near-equal. */
const VALUES = ['', 'a', 'b', 'ab', 'x'.repeat(64), 'x'.repeat(65), 'y'.repeat(65), '日本語のプロンプト', 'prompt '.repeat(2400),
  'prompt '.repeat(2399) + 'other ', 'z'.repeat(17 * 1024)];
const KEYS = ['input.value', 'output.value', 'llm.model_name', 'k'];

/** A deterministic pseudo-random sequence, so a failure can be replayed. */
function random(seed: number): () => number {
  let state = seed;
  return () => (state = (Math.imul(state, 1103515245) + 12345) >>> 0) / 2 ** 32;
}

describe('the protobuf decoder', () => {
  it('decodes exactly what was sent, request after request, whatever its guesses', async () => {
    const decoder = new ProtoDecoder(new StringTable());
    const next = random(7);
    const pick = <T>(list: T[]) => list[Math.floor(next() * list.length)];
    for (let request = 0; request < 60; request++) {
      const spans = await recordSpans('decoder-test', (tracer) => {
        for (let s = 0; s < 5; s++) {
          const attributes: Record<string, AttributeValue> = {};
          for (let a = 0; a < 3; a++) attributes[pick(KEYS)] = pick(VALUES);
          tracer.startSpan(pick(VALUES) || 'unnamed', { attributes }).end();
        }
      });
      const decoded = decoder.traces(Buffer.from(ProtobufTraceSerializer.serializeRequest(spans)!)).items;
      assert.equal(decoded.length, spans.length);
      spans.forEach((sent, i) => {
        const got = decoded[i];
        assert.equal(got.name, sent.name, `request ${request} span ${i}: name`);
        assert.deepEqual({ ...got.attributes }, sent.attributes, `request ${request} span ${i}: attributes`);
        assert.equal(got.traceId, sent.spanContext().traceId);
        assert.equal(got.spanId, sent.spanContext().spanId);
      });
    }
  });

  it('decodes an empty string after a string too long to cache as empty', async () => {
    const decoder = new ProtoDecoder(new StringTable());
    const send = async (value: string) => {
      const spans = await recordSpans('decoder-test', (tracer) => tracer.startSpan('call', { attributes: { 'input.value': value } }).end());
      return decoder.traces(Buffer.from(ProtobufTraceSerializer.serializeRequest(spans)!)).items[0].attributes['input.value'];
    };
    assert.equal(String(await send('long prompt '.repeat(2000))).length, 24_000);
    assert.equal(await send(''), '');
  });

  it('encodes spans and log records back to protobuf that reads as what was held, as the JSON encoder does', async () => {
    const strings = new StringTable();
    const proto = new ProtoDecoder(strings);
    const json = new JsonDecoder(strings);
    const sdkSpans = await recordSpans('encoder-test', (tracer) => {
      const span = tracer.startSpan('chat 日本語', { kind: SpanKind.CLIENT, attributes: {
        text: 'a "quoted" prompt\n', count: -42, big: 2 ** 40, ratio: 0.25, on: true, list: ['a', 'b'], numbers: [1, 2.5], empty: '',
      } });
      span.addEvent('gen_ai.content.prompt', { 'gen_ai.prompt': 'hi' });
      span.recordException(new Error('boom'));
      span.addLink({ context: { traceId: 'ab'.repeat(16), spanId: 'cd'.repeat(8), traceFlags: 1 }, attributes: { why: 'retry' } });
      span.setStatus({ code: SpanStatusCode.ERROR, message: 'failed' });
      span.end();
    });
    const batches = [
      proto.traces(Buffer.from(ProtobufTraceSerializer.serializeRequest(sdkSpans)!)).items,
      proto.traces(readFileSync(join(FIXTURES, 'otel-js', 'tutorial-adhoc.otlp.pb'))).items,
      json.tracesText(readFileSync(join(FIXTURES, 'public', 'opentelemetry-proto', 'trace.json'), 'utf8')).items,
    ];
    for (const items of batches) {
      assert.ok(items.length > 0);
      const viaProto = proto.traces(encodeTracesProto(items)).items;
      const viaJson = json.tracesText(JSON.stringify(encodeTracesData(items, { withLogRecords: false }))).items;
      assert.deepEqual(viaProto.map(kept), items.map(kept));
      assert.deepEqual(viaProto.map(kept), viaJson.map(kept));
    }
    const sdkLogs = await recordLogs('encoder-test', (logger) => {
      logger.emit({ eventName: 'gen_ai.user.message', body: { content: 'hello', parts: [1, 'two'] }, attributes: { 'gen_ai.system': 'openai' } });
    });
    const logs = proto.logs(Buffer.from(ProtobufLogsSerializer.serializeRequest(sdkLogs)!)).items;
    assert.deepEqual(proto.logs(encodeLogsProto(logs)).items, logs);
  });

  it('reads hostile OTLP/JSON enums, times and link ids as unset, so the store copy of the request reads back', () => {
    const strings = new StringTable();
    const span = (over: object) => ({ traceId: 'ab'.repeat(16), spanId: 'cd'.repeat(8), name: 'x', startTimeUnixNano: '1700000000000000000', ...over });
    const request = { resourceSpans: [{ resource: {}, scopeSpans: [{ spans: [
      span({ spanId: '01'.repeat(8), kind: -1, status: { code: -1 } }),
      span({ spanId: '02'.repeat(8), kind: 1e300, status: { code: 7 }, startTimeUnixNano: '9'.repeat(400) }),
      span({ spanId: '03'.repeat(8), kind: 'SPAN_KIND_CLIENT', startTimeUnixNano: -5, links: [{ traceId: 'not-an-id', spanId: 'abc' }] }),
    ] }] }] };
    const items = new JsonDecoder(strings).tracesText(JSON.stringify(request)).items;
    assert.deepEqual(items.map((s) => [s.otelKind, s.statusCode, s.startMs, s.links]), [[0, 0, 1_700_000_000_000, undefined], [0, 0, 0, undefined], [3, 0, 0, undefined]]);
    assert.deepEqual(new ProtoDecoder(strings).traces(encodeTracesProto(items)).items.map(kept), items.map(kept));
  });
});

describe('the string table', () => {
  it('knows a long string posted without being interned when an equal one is interned later', () => {
    // The decoder's cache can hand back a string the table forgot (after a clear); it is posted again.
    const table = new StringTable<{ name: string }>();
    const trace = { name: 'B' };
    const prompt = 'a long prompt that the table forgot '.repeat(4);
    table.post(prompt, trace);
    const equal = [...prompt].join('');
    assert.equal(table.intern(equal), prompt, 'the posted instance is the interned one');
    assert.deepEqual([...table.search((v) => v.includes('forgot'), () => true)], [trace]);
    assert.equal(table.heldTextBytes, prompt.length, 'its text is counted once');
  });
});
