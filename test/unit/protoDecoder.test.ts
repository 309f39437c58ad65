// The protobuf decoder guesses each string from the one that followed the same string before and
// shares ids that repeat: whatever it guesses, it must decode exactly what the SDK sent.
import assert from 'node:assert/strict';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import type { AttributeValue } from '@opentelemetry/api';
import { StringTable } from '../../src/engine/index/stringTable';
import { ProtoDecoder } from '../../src/engine/otlp/decodeProto';
import { recordSpans } from './helpers/otelSenders';

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
});
