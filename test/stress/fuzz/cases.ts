// Hostile request bodies, each reproducible from its case number: random mutations of real
// bodies (the fixtures and SDK-encoded requests), structural mutations of OTLP/JSON,
// and generated attacks (deep nesting, huge strings, invalid UTF-8, negative and reversed
// times, parent cycles, duplicate span ids, ids of the wrong length, floods of tiny items).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writer } from 'protobufjs';

export type Encoding = 'protobuf' | 'json';
export type Signal = 'traces' | 'logs';

export interface FuzzCase {
  id: number;
  what: string;
  signal: Signal;
  encoding: Encoding;
  body: Buffer;
}

export interface Seed {
  name: string;
  signal: Signal;
  encoding: Encoding;
  body: Buffer;
}

const FIXTURES = join(__dirname, '..', '..', 'fixtures');

/** Real bodies to mutate: the public fixtures plus hand-checked OTLP/JSON logs. */
export function fixtureSeeds(): Seed[] {
  const seeds: Seed[] = [
    { name: 'opentelemetry-proto trace.json', signal: 'traces', encoding: 'json', body: readFileSync(join(FIXTURES, 'public', 'opentelemetry-proto', 'trace.json')) },
    { name: 'tutorial-adhoc.otlp.pb', signal: 'traces', encoding: 'protobuf', body: readFileSync(join(FIXTURES, 'otel-js', 'tutorial-adhoc.otlp.pb')) },
    ...readFileSync(join(FIXTURES, 'otel-js', 'tutorial-adhoc.otlp.jsonl'), 'utf8').split('\n').filter(Boolean)
      .map((line, i): Seed => ({ name: `tutorial-adhoc.otlp.jsonl line ${i + 1}`, signal: 'traces', encoding: 'json', body: Buffer.from(line) })),
  ];
  const logs = {
    resourceLogs: [{ scopeLogs: [{ logRecords: [{
      timeUnixNano: '1700000000000000000', traceId: '5b8efff798038103d269b633813fc60c', spanId: 'eee19b7ec3c1b174',
      eventName: 'gen_ai.user.message', body: { kvlistValue: { values: [{ key: 'content', value: { stringValue: 'hello' } }] } },
      attributes: [{ key: 'gen_ai.system', value: { stringValue: 'openai' } }],
    }] }] }],
  };
  seeds.push({ name: 'gen_ai log record', signal: 'logs', encoding: 'json', body: Buffer.from(JSON.stringify(logs)) });
  return seeds;
}

/** A small deterministic PRNG (mulberry32), so every case can be made again from its number. */
export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Rng = () => number;
const pick = <T>(rng: Rng, items: readonly T[]): T => items[Math.floor(rng() * items.length)];
const int = (rng: Rng, max: number) => Math.floor(rng() * max);

const INTERESTING_BYTES = [0x00, 0x01, 0x7f, 0x80, 0xff, 0x0a, 0x12, 0x22, 0x39, 0x41, 0x08];

/** Byte-level mutations, one to eight at a time. */
function mutateBytes(rng: Rng, input: Buffer, other: Buffer): { body: Buffer; what: string } {
  let body = Buffer.from(input);
  const steps: string[] = [];
  for (let n = 1 + int(rng, 8); n > 0; n--) {
    const at = int(rng, Math.max(1, body.length));
    switch (int(rng, 9)) {
      case 0: body[at] ^= 1 << int(rng, 8); steps.push('bit flip'); break;
      case 1: body[at] = int(rng, 256); steps.push('random byte'); break;
      case 2: body[at] = pick(rng, INTERESTING_BYTES); steps.push('interesting byte'); break;
      case 3: body = Buffer.concat([body.subarray(0, at), Buffer.from(Array.from({ length: 1 + int(rng, 16) }, () => int(rng, 256))), body.subarray(at)]); steps.push('insert'); break;
      case 4: body = Buffer.concat([body.subarray(0, at), body.subarray(at + 1 + int(rng, 64))]); steps.push('delete'); break;
      case 5: { const len = 1 + int(rng, 256); body = Buffer.concat([body.subarray(0, at), body.subarray(at, at + len), body.subarray(at)]); steps.push('duplicate'); break; }
      case 6: body = body.subarray(0, at); steps.push('truncate'); break;
      case 7: body = Buffer.concat([body.subarray(0, at), other.subarray(int(rng, other.length))]); steps.push('splice'); break;
      default: body = Buffer.concat([body.subarray(0, at), Buffer.alloc(1 + int(rng, 10), 0xff), body.subarray(at)]); steps.push('overlong varint'); break;
    }
  }
  return { body, what: steps.join('+') };
}

type Json = unknown;

/** Every object and array inside a JSON document, with a setter for each slot. */
function slots(doc: Json): { get: () => Json; set: (v: Json) => void; key: string }[] {
  const found: { get: () => Json; set: (v: Json) => void; key: string }[] = [];
  const walk = (node: Json) => {
    if (Array.isArray(node)) node.forEach((v, i) => { found.push({ get: () => node[i], set: (x) => { node[i] = x; }, key: String(i) }); walk(v); });
    else if (node && typeof node === 'object') {
      for (const key of Object.keys(node)) {
        const obj = node as Record<string, Json>;
        found.push({ get: () => obj[key], set: (x) => { obj[key] = x; }, key });
        walk(obj[key]);
      }
    }
  };
  walk(doc);
  return found;
}

const WRONG_IDS = ['', '00', 'zz', '0'.repeat(32), '0'.repeat(16), 'a'.repeat(31), 'a'.repeat(33), 'A'.repeat(64), 'AAAAAAAAAAA=', '0x' + 'ab'.repeat(16), '\u0000'.repeat(16), 'é'.repeat(16)];
const HOSTILE_VALUES: (() => Json)[] = [
  () => null, () => true, () => -1, () => '-1', () => '-9223372036854775808', () => '18446744073709551615', () => 1e308, () => -1e308,
  () => 'NaN', () => 0.5, () => [], () => ({}), () => '', () => 'x'.repeat(1 << 20), () => '\ud800', () => '__proto__',
  () => ({ __proto__: { polluted: true } }), () => ({ constructor: { prototype: { polluted: true } } }), () => [[[[[]]]]],
  () => ({ stringValue: { stringValue: 'nested' } }), () => ({ arrayValue: { values: 'not an array' } }), () => ({ kvlistValue: null }),
];

/**
 * A mutated document stays within the receivers' body limit (64 MiB): copies of copies of a 1 MB
 * value once grew past what JSON.stringify can hold, and the case generator itself threw.
 */
const MAX_DOCUMENT_CHARS = 64 * 1024 * 1024;

/** Structural mutations of an OTLP/JSON document: hostile values, ids, times and copies in its slots. */
function mutateJson(rng: Rng, input: Buffer): { body: Buffer; what: string } | undefined {
  let doc: Json;
  try {
    doc = JSON.parse(input.toString());
  } catch {
    return undefined;
  }
  const steps: string[] = [];
  for (let n = 1 + int(rng, 4); n > 0; n--) {
    const all = slots(doc);
    if (!all.length) break;
    const slot = pick(rng, all);
    const idLike = /id$/i.test(slot.key);
    const timeLike = /time/i.test(slot.key);
    if (idLike) { slot.set(pick(rng, WRONG_IDS)); steps.push(`id ${slot.key}`); }
    else if (timeLike) { slot.set(pick(rng, ['-1', '0', '-5000000000', '99999999999999999999999', 'later', -1, 1e30])); steps.push(`time ${slot.key}`); }
    else if (Array.isArray(slot.get()) && rng() < 0.5) {
      const list = slot.get() as Json[];
      if (list.length) {
        // As many copies as the limit leaves room for, counting each as large as the whole list.
        const room = Math.floor((MAX_DOCUMENT_CHARS - JSON.stringify(doc).length) / JSON.stringify(list).length);
        const copies = Array.from({ length: Math.max(0, Math.min(1 + int(rng, 50), room)) }, () => structuredClone(pick(rng, list)));
        list.push(...copies);
        steps.push(`copies in ${slot.key}`);
      }
    } else { slot.set(pick(rng, HOSTILE_VALUES)()); steps.push(`value ${slot.key}`); }
  }
  let text = JSON.stringify(doc);
  if (text !== undefined && text.length > MAX_DOCUMENT_CHARS) return undefined; // a hostile value made it too large: byte mutations instead
  if (rng() < 0.2) {
    // Invalid UTF-8 inside a string: bytes no encoder would write.
    const bytes = Buffer.from(text);
    const quote = bytes.indexOf(0x22, int(rng, bytes.length));
    if (quote > 0) return { body: Buffer.concat([bytes.subarray(0, quote + 1), Buffer.from([0xff, 0xc3, 0x28, 0xed, 0xa0, 0x80]), bytes.subarray(quote + 1)]), what: [...steps, 'invalid UTF-8'].join('+') };
  }
  text = text ?? 'null';
  return { body: Buffer.from(text), what: steps.join('+') };
}

/** A mutated seed: structurally for JSON half of the time, byte-level otherwise. */
export function mutatedCase(id: number, seeds: Seed[]): FuzzCase {
  const rng = random(id * 2654435761);
  const seed = seeds[id % seeds.length];
  const other = pick(rng, seeds).body;
  const structural = seed.encoding === 'json' && rng() < 0.5 ? mutateJson(rng, seed.body) : undefined;
  const { body, what } = structural ?? mutateBytes(rng, seed.body, other);
  return { id, what: `${seed.name}: ${what}`, signal: seed.signal, encoding: seed.encoding, body };
}

// ---- generated attacks ----

const hex = (n: number, bytes: number) => n.toString(16).padStart(bytes * 2, '0');
const TRACE = 'ab'.repeat(16);

interface JsonSpanFields {
  traceId?: Json; spanId?: Json; parentSpanId?: Json; name?: Json; startTimeUnixNano?: Json; endTimeUnixNano?: Json;
  attributes?: Json; events?: Json; links?: Json; status?: Json;
}

export function jsonRequest(spans: JsonSpanFields[]): Buffer {
  return Buffer.from(JSON.stringify({ resourceSpans: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'fuzz' } }] }, scopeSpans: [{ scope: { name: 'fuzz' }, spans }] }] }));
}

export function jsonSpan(n: number, fields: JsonSpanFields = {}): JsonSpanFields {
  return { traceId: TRACE, spanId: hex(n + 1, 8), name: `span ${n}`, startTimeUnixNano: '1700000000000000000', endTimeUnixNano: '1700000001000000000', ...fields };
}

/** Protobuf of one span with raw byte ids and fixed64 times; fields left out when undefined. */
interface ProtoSpan { traceId?: Buffer; spanId?: Buffer; parentSpanId?: Buffer; name?: Buffer; start?: bigint; end?: bigint; attributes?: Buffer[] }

export function protoRequest(spans: ProtoSpan[]): Buffer {
  const w = Writer.create();
  w.uint32(0x0a).fork(); // ResourceSpans
  w.uint32(0x12).fork(); // ScopeSpans
  for (const span of spans) {
    w.uint32(0x12).fork();
    if (span.traceId) w.uint32(0x0a).bytes(span.traceId);
    if (span.spanId) w.uint32(0x12).bytes(span.spanId);
    if (span.parentSpanId) w.uint32(0x22).bytes(span.parentSpanId);
    if (span.name) w.uint32(0x2a).bytes(span.name);
    if (span.start !== undefined) w.uint32(0x39).fixed64(span.start.toString() as unknown as number);
    if (span.end !== undefined) w.uint32(0x41).fixed64(span.end.toString() as unknown as number);
    for (const kv of span.attributes ?? []) w.uint32(0x4a).bytes(kv);
    w.ldelim();
  }
  w.ldelim().ldelim();
  return Buffer.from(w.finish());
}

const idBytes = (n: number, bytes: number) => Buffer.from(hex(n, bytes), 'hex');
export const protoSpan = (n: number, fields: ProtoSpan = {}): ProtoSpan => ({
  traceId: Buffer.from(TRACE, 'hex'), spanId: idBytes(n + 1, 8), name: Buffer.from(`span ${n}`), start: 1700000000000000000n, end: 1700000001000000000n, ...fields,
});

/** KeyValue{key, value: AnyValue{string_value}} with the value's bytes as given (any UTF-8 or not). */
export function kvString(key: Buffer, value: Buffer): Buffer {
  const any = Writer.create().uint32(0x0a).bytes(value).finish();
  return Buffer.from(Writer.create().uint32(0x0a).bytes(key).uint32(0x12).bytes(any).finish());
}

/** KeyValue whose value nests `depth` array_values deep (built inside out, without recursion). */
export function kvDeep(depth: number): Buffer {
  let any: Uint8Array = Writer.create().uint32(0x0a).string('bottom').finish();
  for (let i = 0; i < depth; i++) {
    const array = Writer.create().uint32(0x0a).bytes(any).finish(); // ArrayValue.values
    any = Writer.create().uint32(0x2a).bytes(array).finish(); // AnyValue.array_value
  }
  return Buffer.from(Writer.create().uint32(0x0a).string('deep').uint32(0x12).bytes(any).finish());
}

function jsonDeep(depth: number, kind: 'array' | 'kvlist'): string {
  // Built as text: a JSON value this deep cannot be made by recursion-free JSON.stringify either.
  const open = kind === 'array' ? '{"arrayValue":{"values":[' : '{"kvlistValue":{"values":[{"key":"k","value":';
  const close = kind === 'array' ? ']}}' : '}]}}';
  return `${open.repeat(depth)}{"stringValue":"bottom"}${close.repeat(depth)}`;
}

/** A span whose one attribute value nests `depth` arrays (or maps) deep. */
export function jsonDeepRequest(depth: number, kind: 'array' | 'kvlist'): string {
  return `{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"${TRACE}","spanId":"${hex(1, 8)}","attributes":[{"key":"deep","value":${jsonDeep(depth, kind)}}]}]}]}]}`;
}

const INVALID_UTF8 = Buffer.from([0x61, 0xff, 0xfe, 0xc3, 0x28, 0xe2, 0x82, 0xed, 0xa0, 0x80, 0xf4, 0x90, 0x80, 0x80, 0x62]);
const HUGE = 16 * 1024 * 1024;

/** The generated attacks, each a named body; run once each. */
export function generatedCases(firstId: number): FuzzCase[] {
  const cases: Omit<FuzzCase, 'id'>[] = [];
  const json = (what: string, body: Buffer | string, signal: Signal = 'traces') => cases.push({ what, signal, encoding: 'json', body: Buffer.from(body) });
  const proto = (what: string, body: Buffer, signal: Signal = 'traces') => cases.push({ what, signal, encoding: 'protobuf', body });

  for (const depth of [65, 1000, 100_000]) {
    json(`JSON arrayValue nested ${depth} deep`, jsonDeepRequest(depth, 'array'));
    json(`JSON kvlistValue nested ${depth} deep`, jsonDeepRequest(depth, 'kvlist'));
    json(`JSON log body nested ${depth} deep`, `{"resourceLogs":[{"scopeLogs":[{"logRecords":[{"traceId":"${TRACE}","spanId":"${hex(1, 8)}","body":${jsonDeep(depth, 'array')}}]}]}]}`, 'logs');
  }
  json('bare JSON nested 1,000,000 deep', '['.repeat(1_000_000) + ']'.repeat(1_000_000));
  for (const depth of [65, 5000]) proto(`protobuf arrayValue nested ${depth} deep`, protoRequest([protoSpan(0, { attributes: [kvDeep(depth)] })]));
  proto('protobuf message nested 200,000 deep (length prefixes)', Buffer.concat(Array.from({ length: 200_000 }, () => Buffer.from([0x0a, 0x7f]))));

  json('16 MiB attribute value (JSON)', jsonRequest([jsonSpan(0, { attributes: [{ key: 'llm.prompt', value: { stringValue: 'p'.repeat(HUGE) } }] })]));
  proto('16 MiB attribute value (protobuf)', protoRequest([protoSpan(0, { attributes: [kvString(Buffer.from('llm.prompt'), Buffer.alloc(HUGE, 0x70))] })]));
  proto('16 MiB span name and key', protoRequest([protoSpan(0, { name: Buffer.alloc(HUGE, 0x6e), attributes: [kvString(Buffer.alloc(HUGE / 4, 0x6b), Buffer.from('v'))] })]));
  json('1 MiB trace id string', jsonRequest([jsonSpan(0, { traceId: 'a'.repeat(1 << 20) })]));

  proto('invalid UTF-8 in name, key and value', protoRequest([protoSpan(0, { name: INVALID_UTF8, attributes: [kvString(INVALID_UTF8, INVALID_UTF8)] })]));
  json('invalid UTF-8 bytes inside JSON strings', Buffer.concat([Buffer.from(`{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"${TRACE}","spanId":"${hex(1, 8)}","name":"`), INVALID_UTF8, Buffer.from('"}]}]}]}')]));
  json('lone surrogates in JSON escapes', jsonRequest([jsonSpan(0, { name: '\ud800\udfff\udc00', attributes: [{ key: '\udbff', value: { stringValue: '\ud800' } }] })]));

  json('negative times (JSON strings)', jsonRequest([jsonSpan(0, { startTimeUnixNano: '-1000000000', endTimeUnixNano: '-5' })]));
  json('negative times (JSON numbers)', jsonRequest([jsonSpan(0, { startTimeUnixNano: -1e18, endTimeUnixNano: -1 })]));
  json('times beyond 2^64 and not numbers', jsonRequest([jsonSpan(0, { startTimeUnixNano: '99999999999999999999999999', endTimeUnixNano: 'soon' })]));
  json('reversed times (end before start)', jsonRequest([jsonSpan(0, { startTimeUnixNano: '1700000009000000000', endTimeUnixNano: '1700000000000000000' })]));
  proto('fixed64 times with the sign bit set (negative int64)', protoRequest([protoSpan(0, { start: 0xffffffffffffffffn, end: 0x8000000000000000n })]));
  proto('reversed and zero times (protobuf)', protoRequest([protoSpan(0, { start: 1700000009000000000n, end: 0n }), protoSpan(1, { start: 0n, end: 0n })]));

  json('parent cycle of two spans', jsonRequest([jsonSpan(0, { parentSpanId: hex(2, 8) }), jsonSpan(1, { parentSpanId: hex(1, 8) })]));
  json('span that is its own parent', jsonRequest([jsonSpan(0, { parentSpanId: hex(1, 8) })]));
  json('parent cycle through 10,000 spans', jsonRequest(Array.from({ length: 10_000 }, (_, i) => jsonSpan(i, { parentSpanId: hex(((i + 1) % 10_000) + 1, 8), attributes: [{ key: 'llm.token_count.total', value: { intValue: 5 } }] }))));
  proto('parent chain 20,000 deep with usage on every span', protoRequest(Array.from({ length: 20_000 }, (_, i) => protoSpan(i, {
    parentSpanId: i ? idBytes(i, 8) : undefined, attributes: [kvString(Buffer.from('gen_ai.usage.input_tokens'), Buffer.from('7'))],
  }))));
  json('1,000 copies of one span id', jsonRequest(Array.from({ length: 1000 }, (_, i) => jsonSpan(0, { name: `copy ${i}` }))));
  proto('1,000 copies of one span id (protobuf)', protoRequest(Array.from({ length: 1000 }, () => protoSpan(0))));

  for (const bytes of [0, 1, 4, 8, 15, 17, 20, 32, 64]) {
    proto(`trace id of ${bytes} bytes`, protoRequest([protoSpan(0, { traceId: Buffer.alloc(bytes, 0xab) })]));
    proto(`span id of ${bytes} bytes`, protoRequest([protoSpan(0, { spanId: Buffer.alloc(bytes, 0xcd) })]));
    proto(`parent id of ${bytes} bytes`, protoRequest([protoSpan(0, { parentSpanId: Buffer.alloc(bytes, 0xef) })]));
  }
  proto('all-zero ids', protoRequest([protoSpan(0, { traceId: Buffer.alloc(16), spanId: Buffer.alloc(8) })]));
  for (const id of WRONG_IDS) json(`JSON ids "${id.slice(0, 12)}${id.length > 12 ? '...' : ''}"`, jsonRequest([jsonSpan(0, { traceId: id, spanId: id, parentSpanId: id })]));
  json('ids as numbers, arrays and objects', jsonRequest([jsonSpan(0, { traceId: 12345, spanId: [1, 2], parentSpanId: { a: 1 } })]));

  proto('100,000 empty spans', protoRequest(Array.from({ length: 100_000 }, (_, i) => ({ traceId: Buffer.from(TRACE, 'hex'), spanId: idBytes(i + 1, 8) }))));
  proto('50,000 attributes on one span', protoRequest([protoSpan(0, { attributes: Array.from({ length: 50_000 }, (_, i) => kvString(Buffer.from(`k${i}`), Buffer.from(`v${i}`))) })]));
  json('20,000 events on one span', jsonRequest([jsonSpan(0, { events: Array.from({ length: 20_000 }, (_, i) => ({ name: `e${i}`, timeUnixNano: String(i) })) })]));
  json('attribute keys __proto__, constructor, prototype', jsonRequest([jsonSpan(0, { attributes: ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty'].map((key) => ({ key, value: { stringValue: 'x' } })) })]));
  json('LLM message attributes of every wrong type', jsonRequest([jsonSpan(0, {
    attributes: [
      { key: 'openinference.span.kind', value: { stringValue: 'LLM' } },
      { key: 'llm.input_messages', value: { kvlistValue: { values: [{ key: 'x', value: { intValue: '1' } }] } } },
      { key: 'llm.input_messages.0.message.content', value: { arrayValue: { values: [{ kvlistValue: {} }] } } },
      { key: 'gen_ai.input.messages', value: { stringValue: '[{"role":"user","parts":[{"type":"text","content":{"deep":[[[]]]}}]}' } },
      { key: 'gen_ai.prompt', value: { stringValue: '{not json' } },
      { key: 'llm.token_count.prompt', value: { stringValue: '-1e400' } },
      { key: 'gen_ai.usage.input_tokens', value: { doubleValue: 'NaN' } },
      { key: 'llm.model_name', value: { arrayValue: { values: [] } } },
      { key: 'ai.prompt.messages', value: { stringValue: JSON.stringify([{ role: 'user', content: [{ type: 'text', text: 42 }] }]) } },
    ],
  })]));
  json('empty object', '{}');
  for (const text of ['', 'null', '[]', '1', '"text"', 'true', '{"resourceSpans":null}', '{"resourceSpans":[null,1,"x",[]]}', '{"resourceSpans":[{"scopeSpans":[{"spans":[null,1,"x",[]]}]}]}']) {
    json(`JSON body ${JSON.stringify(text)}`, text);
  }
  proto('empty protobuf body', Buffer.alloc(0));
  proto('only a length that points past the end', Buffer.from([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f]));
  proto('wire types 3, 4, 6 and 7', Buffer.from([0x0b, 0x0c, 0x0e, 0x0f]));
  proto('a 10-byte varint tag followed by nothing', Buffer.alloc(10, 0xff));
  proto('1 MiB of random bytes', Buffer.from(Array.from({ length: 1 << 20 }, (_, i) => (i * 2654435761) >>> 24)));
  proto('logs: random bytes', Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 40503) & 0xff)), 'logs');
  return cases.map((c, i) => ({ ...c, id: firstId + i }));
}
