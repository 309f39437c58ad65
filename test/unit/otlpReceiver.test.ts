// The OTLP trace receiver against the OTLP spec: spans from the real OpenTelemetry JS exporters
// over HTTP (protobuf, JSON, gzip) and gRPC, the public fixtures posted raw, lenient OTLP/JSON,
// partial success, every refusal (400, 405, 413, 415) and the guard against browsers and DNS
// rebinding. Answers are read back through the query API.
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, Tracer } from '@opentelemetry/api';
import { JsonTraceSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import type { Span, TraceDetail } from '../../src/shared/spanModel';
import type { EngineApiClient } from './helpers/engineApiClient';
import {
  assertFields, assertFullSuccess, assertNoCorsHeaders, exportSpans, gzipBomb, JSON_TYPE, mediaType, postOtlp, PROTOBUF,
  RawRequest, rawRequest, RawResponse, recordSpans, rpcStatusMessage, sharedFixture, Transport, TRANSPORTS, useEngine, withIds,
} from './helpers/otelSenders';

const T0 = 1_700_000_000_000;
const TUTORIAL_PB = 'otel-js/tutorial-adhoc.otlp.pb';

const spanById = (detail: TraceDetail, spanId: string): Span | undefined => detail.spans.find((s) => s.spanId === spanId);

/**
 * A request handler whose model call fails: a SERVER root and a GenAI CLIENT span under it. Its times
 * are exact as float64 nanoseconds, so this stays apart from the precision test below.
 */
function chatTrace(tracer: Tracer): void {
  const root = tracer.startSpan('handle request', { kind: SpanKind.SERVER, startTime: T0 });
  const llm = tracer.startSpan('chat gpt-4o-mini', {
    kind: SpanKind.CLIENT,
    startTime: T0 + 100,
    attributes: {
      'gen_ai.operation.name': 'chat', 'gen_ai.system': 'openai', 'gen_ai.request.model': 'gpt-4o-mini',
      'gen_ai.usage.input_tokens': 12, 'gen_ai.usage.output_tokens': 5,
      'app.retries': 3, 'app.ratio': 0.5, 'app.cached': false, 'app.tags': ['a', 'b'],
    },
  }, trace.setSpan(ROOT_CONTEXT, root));
  llm.addEvent('retry', { attempt: 2 }, T0 + 200);
  llm.setStatus({ code: SpanStatusCode.ERROR, message: 'rate limited' });
  llm.end(T0 + 356);
  root.end(T0 + 1000);
}

function assertChatTrace(detail: TraceDetail, [llmSent, rootSent]: ReadableSpan[], service: string): void {
  const { traceId, spanId: rootId } = rootSent.spanContext();
  assertFields(detail.summary, {
    traceId, name: 'handle request', service, startMs: T0, durationMs: 1000, spanCount: 2, status: 'error', errorCount: 1,
    tokens: { input: 12, output: 5, total: 17 }, models: ['gpt-4o-mini'],
  }, 'trace summary');
  assertFields(spanById(detail, rootId), { parentSpanId: undefined, otelKind: 'SERVER', status: 'unset' }, 'root span');
  const llm = spanById(detail, llmSent.spanContext().spanId);
  assertFields(llm, {
    traceId, parentSpanId: rootId, name: 'chat gpt-4o-mini', kind: 'LLM', otelKind: 'CLIENT', service, startMs: T0 + 100,
    durationMs: 256, status: 'error', statusMessage: 'rate limited', model: 'gpt-4o-mini',
  }, 'LLM span');
  assertFields(llm!.attributes, { 'app.retries': 3, 'app.ratio': 0.5, 'app.cached': false, 'app.tags': ['a', 'b'] }, 'attributes');
  assert.deepEqual(llm!.events.map(({ name, timeMs, attributes }) => ({ name, timeMs, attributes })),
    [{ name: 'retry', timeMs: T0 + 200, attributes: { attempt: 2 } }]);
}

let traceCounter = 0;
const nextTraceId = () => `c0ffee${(++traceCounter).toString(16).padStart(26, '0')}`;

interface JsonStyle {
  ids: 'hex' | 'base64';
  int64: 'string' | 'number';
  enums: 'number' | 'name';
  keys: 'camelCase' | 'snake_case';
}
const CANONICAL: JsonStyle = { ids: 'hex', int64: 'string', enums: 'number', keys: 'camelCase' };
const SPAN_ID = '00f067aa0ba902b7';
const PARENT_ID = '53995c3f42cd8ad8';

const snakeKeys = (value: unknown): unknown => {
  if (Array.isArray(value)) return value.map(snakeKeys);
  if (!value || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`), snakeKeys(v)]));
};

/** A hand-written OTLP/JSON request with one span, written in the given style. */
function jsonSpanRequest(traceId: string, style: JsonStyle = CANONICAL): string {
  const id = (hex: string) => (style.ids === 'hex' ? hex.toUpperCase() : Buffer.from(hex, 'hex').toString('base64'));
  // Times are whole milliseconds that a double holds exactly in nanoseconds.
  const int64 = (n: bigint) => (style.int64 === 'string' ? n.toString() : Number(n));
  const enumValue = (name: string, n: number) => (style.enums === 'name' ? name : n);
  const ns = (ms: number) => BigInt(ms) * 1_000_000n;
  const request = {
    resourceSpans: [{
      resource: { attributes: [{ key: 'service.name', value: { stringValue: 'hand-written' } }] },
      scopeSpans: [{
        scope: { name: 'hand-written' },
        spans: [{
          traceId: id(traceId), spanId: id(SPAN_ID), parentSpanId: id(PARENT_ID), name: 'lenient span',
          kind: enumValue('SPAN_KIND_CLIENT', 3), startTimeUnixNano: int64(ns(T0)), endTimeUnixNano: int64(ns(T0 + 1024)),
          attributes: [{ key: 'retries', value: { intValue: int64(42n) } }],
          events: [{ name: 'retry', timeUnixNano: int64(ns(T0 + 512)) }],
          status: { code: enumValue('STATUS_CODE_ERROR', 2), message: 'boom' },
        }],
      }],
    }],
  };
  return JSON.stringify(style.keys === 'snake_case' ? snakeKeys(request) : request);
}

describe('OTLP receiver (traces)', () => {
  const ctx = useEngine();
  const port = () => ctx.engine.httpPort;

  describe('spans from the real OpenTelemetry JS exporters', () => {
    const cases = TRANSPORTS.flatMap((transport: Transport) => [false, true].map((gzip) => ({ transport, gzip })));
    for (const { transport, gzip } of cases) {
      it(`stores what the ${transport} exporter sends${gzip ? ' gzip-compressed' : ''}`, async () => {
        const service = `chat-app-${transport}${gzip ? '-gzip' : ''}`;
        const spans = await recordSpans(service, chatTrace);
        await exportSpans(ctx.engine, transport, spans, gzip);
        assertChatTrace(await ctx.api.onlyTrace({ service }), spans, service);
      });
    }
  });

  describe('timestamps', () => {
    for (const transport of TRANSPORTS) {
      it(`keeps a 250 ms span 250 ms over ${transport} (int64 nanoseconds not rounded through a double)`, async () => {
        const service = `precision-${transport}`;
        const spans = await recordSpans(service, (tracer) => tracer.startSpan('quarter second', { startTime: T0 + 100 }).end(T0 + 350));
        await exportSpans(ctx.engine, transport, spans);
        assertFields((await ctx.api.onlyTrace({ service })).spans[0], { startMs: T0 + 100, durationMs: 250 }, 'span times');
      });
    }
  });

  describe('partial success', () => {
    const encodings = [
      { contentType: PROTOBUF, serializer: ProtobufTraceSerializer },
      { contentType: JSON_TYPE, serializer: JsonTraceSerializer },
    ];
    for (const { contentType, serializer } of encodings) {
      it(`rejects ${contentType} spans with unusable ids in a partial success and stores the rest`, async () => {
        const service = `partial-${contentType}`;
        const names = ['kept', 'all-zero trace id', '3-byte span id', '8-byte trace id'];
        const [kept, zeroTrace, shortSpan, shortTrace] = await recordSpans(service, (tracer) => names.forEach((n) => tracer.startSpan(n).end()));
        const body = serializer.serializeRequest([kept, withIds(zeroTrace, { traceId: '0'.repeat(32) }),
          withIds(shortSpan, { spanId: 'abcdef' }), withIds(shortTrace, { traceId: '0123456789abcdef' })]);
        const res = await postOtlp(port(), contentType, Buffer.from(body!));
        assert.equal(res.status, 200, res.body.toString());
        assert.equal(mediaType(res), contentType);
        const { partialSuccess } = serializer.deserializeResponse(res.body);
        assert.equal(Number(partialSuccess?.rejectedSpans), 3, JSON.stringify(partialSuccess));
        assert.match(partialSuccess?.errorMessage ?? '', /\w/, 'a message saying what was rejected');
        assert.deepEqual((await ctx.api.listTraces({ service })).map((t) => t.name), ['kept']);
      });
    }
  });

  describe('lenient OTLP/JSON', () => {
    const styles: JsonStyle[] = [
      { ids: 'hex', int64: 'number', enums: 'name', keys: 'camelCase' },
      { ids: 'base64', int64: 'string', enums: 'number', keys: 'snake_case' },
      { ids: 'base64', int64: 'number', enums: 'name', keys: 'snake_case' },
    ];
    for (const style of styles) {
      it(`reads ${style.ids} ids, int64 as ${style.int64}s, enums as ${style.enums}s and ${style.keys} keys`, async () => {
        const traceId = nextTraceId();
        assertFullSuccess(await postOtlp(port(), JSON_TYPE, jsonSpanRequest(traceId, style)), JSON_TYPE);
        const [span] = (await ctx.api.trace(traceId)).spans;
        assertFields(span, {
          traceId, spanId: SPAN_ID, parentSpanId: PARENT_ID, name: 'lenient span', otelKind: 'CLIENT', service: 'hand-written',
          startMs: T0, durationMs: 1024, status: 'error', statusMessage: 'boom',
        }, 'span');
        assert.equal(span.attributes.retries, 42);
        assert.deepEqual(span.events.map(({ name, timeMs }) => ({ name, timeMs })), [{ name: 'retry', timeMs: T0 + 512 }]);
      });
    }
  });

  describe('refusals', () => {
    /** After a refusal the receiver must still take spans. */
    async function assertStillServing(service: string): Promise<void> {
      await exportSpans(ctx.engine, 'http/protobuf', await recordSpans(service, (tracer) => tracer.startSpan('still here').end()));
      assert.deepEqual((await ctx.api.listTraces({ service })).map((t) => t.name), ['still here']);
    }

    const undecodable = [
      { what: 'invalid JSON', contentType: JSON_TYPE, body: () => Buffer.from('{"resourceSpans": [{'),
        message: (res: RawResponse) => (JSON.parse(res.body.toString()) as { message?: string }).message },
      { what: 'a truncated protobuf request', contentType: PROTOBUF, body: () => sharedFixture(TUTORIAL_PB).subarray(0, 1700),
        message: (res: RawResponse) => rpcStatusMessage(res.body) },
    ];
    for (const { what, contentType, body, message } of undecodable) {
      it(`answers ${what} with 400 and a google.rpc.Status, then keeps serving`, async () => {
        const res = await postOtlp(port(), contentType, body());
        assert.equal(res.status, 400, res.body.toString());
        assert.equal(mediaType(res), contentType);
        assert.match(message(res) ?? '', /\w/, 'Status.message says what is wrong');
        await assertStillServing(`after-400-${contentType}`);
      });
    }

    it('answers a Content-Type other than protobuf or JSON with 415', async () => {
      const res = await postOtlp(port(), 'text/plain', jsonSpanRequest(nextTraceId()));
      assert.equal(res.status, 415, res.body.toString());
    });

    it('answers GET /v1/traces with 405', async () => {
      const res = await rawRequest(port(), { method: 'GET' });
      assert.equal(res.status, 405, res.body.toString());
    });

    it('answers a 1 GiB gzip bomb with 413 under the default 64 MiB limit, without inflating it all', async () => {
      const bomb = gzipBomb(64);
      const peakKiB = process.resourceUsage().maxRSS;
      const res = await postOtlp(port(), PROTOBUF, bomb, { headers: { 'content-encoding': 'gzip' } });
      assert.equal(res.status, 413, res.body.toString());
      assert.match(rpcStatusMessage(res.body) ?? '', /\w/);
      const growthMiB = (process.resourceUsage().maxRSS - peakKiB) / 1024;
      assert.ok(growthMiB < 512, `peak memory grew by ${growthMiB.toFixed(0)} MiB while refusing the bomb`);
      await assertStillServing('after-bomb');
    });
  });

  describe('browsers and foreign hosts', () => {
    const EVIL = 'https://evil.example';
    const foreign: { what: string; request: RawRequest }[] = [
      { what: `POST /v1/traces with Origin ${EVIL}`, request: { headers: { origin: EVIL } } },
      { what: 'POST /v1/traces with Origin null (sandboxed page)', request: { headers: { origin: 'null' } } },
      { what: `GET /api/traces with Origin ${EVIL}`, request: { method: 'GET', path: '/api/traces', headers: { origin: EVIL } } },
      { what: 'POST /v1/traces with Host evil.example:4318', request: { headers: { host: 'evil.example:4318' } } },
      { what: 'GET /api/traces with Host evil.example:4318', request: { method: 'GET', path: '/api/traces', headers: { host: 'evil.example:4318' } } },
      { what: `an OPTIONS /v1/traces preflight from ${EVIL}`, request: { method: 'OPTIONS', headers: {
        origin: EVIL, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' } } },
    ];
    for (const { what, request } of foreign) {
      it(`refuses ${what} with 403 and no CORS headers`, async () => {
        const traceId = nextTraceId();
        const body = (request.method ?? 'POST') === 'POST' ? jsonSpanRequest(traceId) : undefined;
        const res = await rawRequest(port(), { ...request, body, headers: { 'content-type': JSON_TYPE, ...request.headers } });
        assert.equal(res.status, 403, res.body.toString());
        assertNoCorsHeaders(res);
        assert.equal((await rawRequest(port(), { method: 'GET', path: `/api/traces/${traceId}` })).status, 404, 'nothing was stored');
      });
    }

    for (const host of ['127.0.0.1', 'localhost', '[::1]']) {
      it(`serves OTLP and the API to Host ${host}, with no CORS headers`, async () => {
        const traceId = nextTraceId();
        const headers = { host: `${host}:${port()}` };
        const post = await postOtlp(port(), JSON_TYPE, jsonSpanRequest(traceId), { headers });
        assertFullSuccess(post, JSON_TYPE);
        const get = await rawRequest(port(), { method: 'GET', path: `/api/traces/${traceId}`, headers });
        assert.equal(get.status, 200, get.body.toString());
        [post, get].forEach(assertNoCorsHeaders);
      });
    }
  });
});

describe('OTLP receiver with a small maxBodyBytes', () => {
  const LIMIT = 64 * 1024;
  const ctx = useEngine({ maxBodyBytes: LIMIT });
  const cases = [
    { what: 'a plain JSON body over the limit', contentType: JSON_TYPE, body: `{"resourceSpans":[],"pad":"${'x'.repeat(LIMIT)}"}`,
      message: (res: RawResponse) => (JSON.parse(res.body.toString()) as { message?: string }).message },
    { what: 'a 1 KiB gzip body inflating to 1 MiB', contentType: PROTOBUF, gzip: true, body: Buffer.alloc(1024 * 1024),
      message: (res: RawResponse) => rpcStatusMessage(res.body) },
  ];
  for (const { what, contentType, body, gzip, message } of cases) {
    it(`answers ${what} with 413 and a google.rpc.Status`, async () => {
      const headers = gzip ? { 'content-encoding': 'gzip' } : {};
      const res = await postOtlp(ctx.engine.httpPort, contentType, gzip ? gzipSync(body) : body, { headers });
      assert.equal(res.status, 413, res.body.toString());
      assert.equal(mediaType(res), contentType);
      assert.match(message(res) ?? '', /\w/);
    });
  }

  it('still takes a request under the limit', async () => {
    assertFullSuccess(await postOtlp(ctx.engine.httpPort, PROTOBUF, gzipSync(sharedFixture(TUTORIAL_PB)), {
      headers: { 'content-encoding': 'gzip' },
    }), PROTOBUF);
    assert.equal((await ctx.api.listTraces({ service: 'my-llm-app-manual' })).length, 3);
  });
});

describe('public fixtures posted raw', () => {
  const RATE_LIMIT = 'Rate limit reached for gpt-3.5-turbo';
  const FAILING = '55e7138a79916cf18e6701442a043dbb';
  const FIRST = '1aa08e10fae24052069d9fcde75a8236';

  async function assertTutorialTraces(port: number, api: EngineApiClient): Promise<void> {
    const traces = await api.listTraces({ service: 'my-llm-app-manual' });
    assert.deepEqual(traces.map(({ traceId, name, spanCount, errorCount }) => ({ traceId, name, spanCount, errorCount })), [
      { traceId: FAILING, name: 'generate_story_workflow', spanCount: 2, errorCount: 2 },
      { traceId: 'adc2a07dba708492c239c7abb0d4e391', name: 'generate_story_workflow', spanCount: 2, errorCount: 0 },
      { traceId: FIRST, name: 'generate_story_workflow', spanCount: 2, errorCount: 0 },
    ], 'the 3 traces, latest first');
    const stats = await rawRequest(port, { method: 'GET', path: '/api/stats' });
    assertFields(JSON.parse(stats.body.toString()) as Record<string, unknown>, { traces: 3, spans: 6, errorTraces: 1 }, '/api/stats');

    const failing = await api.trace(FAILING);
    assert.equal(failing.summary.status, 'error');
    assertFields(spanById(failing, 'c41df61a54f4876e'), { name: 'generate_story_workflow', parentSpanId: undefined, status: 'error', statusMessage: RATE_LIMIT }, 'failing root');
    const call = spanById(failing, '65a51b8377efc070');
    assertFields(call, { name: 'openai_chat_completion', parentSpanId: 'c41df61a54f4876e', status: 'error', statusMessage: RATE_LIMIT }, 'failing call');
    assert.deepEqual(call!.events.map((e) => [e.name, e.attributes['exception.message']]), [['exception', RATE_LIMIT]]);

    const first = await api.trace(FIRST);
    assertFields(first.summary, { startMs: 1795578415441, tokens: { input: 38, output: 142, total: 180 }, models: ['gpt-3.5-turbo'] }, 'first trace');
    assert.ok(Math.abs(first.summary.durationMs - 1.566653) < 1e-3, `duration of ${first.summary.durationMs} ms`);
    assertFields(spanById(first, '63397705f4f6a6e1'), { parentSpanId: 'dbc39e24c9583e39', status: 'ok', model: 'gpt-3.5-turbo' }, 'first call');
  }

  const tutorialAs = [
    { what: 'one protobuf request (.pb)', requests: () => [{ contentType: PROTOBUF, body: sharedFixture(TUTORIAL_PB) }] },
    {
      what: 'one OTLP/JSON request per line (.jsonl), child spans before their parents',
      requests: () => sharedFixture('otel-js/tutorial-adhoc.otlp.jsonl').toString().split('\n').filter(Boolean)
        .map((line) => ({ contentType: 'application/json; charset=utf-8', body: Buffer.from(line) })),
    },
  ];
  for (const { what, requests } of tutorialAs) {
    describe(`the tutorial spans as ${what}`, () => {
      const ctx = useEngine();
      it('are accepted in full and come back as 6 spans in 3 traces', async () => {
        for (const { contentType, body } of requests()) assertFullSuccess(await postOtlp(ctx.engine.httpPort, contentType, body), contentType);
        await assertTutorialTraces(ctx.engine.httpPort, ctx.api);
      });
    });
  }

  describe('the OTLP/JSON example of opentelemetry-proto', () => {
    const ctx = useEngine();
    it('comes back with lowercased hex ids and its string int64 times', async () => {
      assertFullSuccess(await postOtlp(ctx.engine.httpPort, JSON_TYPE, sharedFixture('public/opentelemetry-proto/trace.json')), JSON_TYPE);
      const { spans } = await ctx.api.trace('5b8efff798038103d269b633813fc60c');
      assert.equal(spans.length, 1);
      assertFields(spans[0], {
        traceId: '5b8efff798038103d269b633813fc60c', spanId: 'eee19b7ec3c1b174', parentSpanId: 'eee19b7ec3c1b173',
        name: "I'm a server span", otelKind: 'SERVER', service: 'my.service', startMs: 1544712660000, durationMs: 1000, status: 'unset',
      }, 'span');
      assert.equal(spans[0].attributes['my.span.attr'], 'some value');
    });
  });
});
