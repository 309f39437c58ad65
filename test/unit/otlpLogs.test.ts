// The OTLP logs receiver: log records from the real OpenTelemetry JS log exporters (HTTP protobuf,
// HTTP JSON, gRPC) that carry a span context land on that span, whichever arrives first. GenAI
// content events (gen_ai.system.message, gen_ai.user.message, gen_ai.choice) become the span's
// messages; other records become span events.
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEngine } from '../../src/engine/engine';
import { TraceIndex } from '../../src/engine/index/traceIndex';
import { PriceTable } from '../../src/engine/normalize/pricing';
import type { RawLog } from '../../src/engine/model/rawSpan';
import { rawSpan } from './helpers/rawSpans';
import { DEFAULT_REDACTIONS } from '../../src/shared/redaction';
import { EngineApiClient } from './helpers/engineApiClient';
import { ROOT_CONTEXT, SpanKind, trace } from '@opentelemetry/api';
import type { Span as ApiSpan } from '@opentelemetry/api';
import { JsonLogsSerializer, ProtobufLogsSerializer } from '@opentelemetry/otlp-transformer';
import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import {
  assertFullSuccess, exportLogs, exportSpans, JSON_TYPE, mediaType, postOtlp, PROTOBUF, recordLogs, recordSpans, rpcStatusMessage,
  TRANSPORTS, useEngine,
} from './helpers/otelSenders';

const SYSTEM = 'You answer in one word.';
const USER = 'Greet me.';
const ANSWER = 'Hello!';

interface ChatTelemetry {
  spans: ReadableSpan[];
  logs: ReadableLogRecord[];
}

/** One chat call as an instrumentation on the event-based GenAI conventions reports it. */
async function chatWithContentLogs(service: string): Promise<ChatTelemetry> {
  let llm: ApiSpan | undefined;
  const spans = await recordSpans(service, (tracer) => {
    llm = tracer.startSpan('chat gpt-4o-mini', {
      kind: SpanKind.CLIENT,
      attributes: { 'gen_ai.operation.name': 'chat', 'gen_ai.system': 'openai', 'gen_ai.request.model': 'gpt-4o-mini' },
    });
    llm.end();
  });
  const logs = await recordLogs(service, (logger) => {
    const context = trace.setSpan(ROOT_CONTEXT, llm!);
    const attributes = { 'gen_ai.system': 'openai' };
    logger.emit({ eventName: 'gen_ai.system.message', body: { content: SYSTEM }, attributes, context });
    logger.emit({ eventName: 'gen_ai.user.message', body: { content: USER }, attributes, context });
    logger.emit({
      eventName: 'gen_ai.choice', attributes, context,
      body: { index: 0, finish_reason: 'stop', message: { role: 'assistant', content: ANSWER } },
    });
    logger.emit({ eventName: 'app.cache_lookup', body: 'cache miss', attributes: { 'app.step': 2 }, context });
    logger.emit({ body: 'legacy style', attributes: { 'event.name': 'app.legacy_event' }, context });
  });
  return { spans, logs };
}

describe('OTLP receiver (logs)', () => {
  const ctx = useEngine();

  for (const transport of TRANSPORTS) {
    for (const logsFirst of [false, true]) {
      it(`puts ${transport} log records on their span, ${logsFirst ? 'logs' : 'span'} first`, async () => {
        const service = `logs-${transport}-${logsFirst ? 'logs' : 'span'}-first`;
        const telemetry = await chatWithContentLogs(service);
        const steps = [() => exportSpans(ctx.engine, transport, telemetry.spans), () => exportLogs(ctx.engine, transport, telemetry.logs)];
        for (const step of logsFirst ? steps.reverse() : steps) await step();

        const { spans } = await ctx.api.onlyTrace({ service });
        assert.equal(spans.length, 1);
        const [span] = spans;
        assert.equal(span.spanId, telemetry.spans[0].spanContext().spanId);
        assert.deepEqual(span.inputMessages?.map(({ role, content }) => ({ role, content })),
          [{ role: 'system', content: SYSTEM }, { role: 'user', content: USER }], 'input messages');
        assert.deepEqual(span.outputMessages?.map(({ role, content }) => ({ role, content })),
          [{ role: 'assistant', content: ANSWER }], 'output messages');
        const events = span.events.filter((e) => e.name.startsWith('app.')).map(({ name, body }) => ({ name, body }));
        assert.deepEqual(events, [{ name: 'app.cache_lookup', body: 'cache miss' }, { name: 'app.legacy_event', body: 'legacy style' }]);
        assert.equal(span.events.find((e) => e.name === 'app.cache_lookup')?.attributes['app.step'], 2);
      });
    }
  }

  describe('raw requests to /v1/logs', () => {
    const encodings = [
      { contentType: PROTOBUF, serializer: ProtobufLogsSerializer },
      { contentType: JSON_TYPE, serializer: JsonLogsSerializer },
    ];
    for (const { contentType, serializer } of encodings) {
      it(`answers ${contentType} log records with an empty ExportLogsServiceResponse`, async () => {
        const service = `raw-logs-${contentType}`;
        const { spans, logs } = await chatWithContentLogs(service);
        await exportSpans(ctx.engine, 'http/protobuf', spans);
        const res = await postOtlp(ctx.engine.httpPort, contentType, Buffer.from(serializer.serializeRequest(logs)!), { path: '/v1/logs' });
        assertFullSuccess(res, contentType);
        assert.equal((await ctx.api.onlyTrace({ service })).spans[0].outputMessages?.[0]?.content, ANSWER);
      });
    }

    it('answers an undecodable protobuf logs body with 400 and a google.rpc.Status', async () => {
      const res = await postOtlp(ctx.engine.httpPort, PROTOBUF, Buffer.from([0x0a, 0x7f, 0x01]), { path: '/v1/logs' });
      assert.equal(res.status, 400, res.body.toString());
      assert.equal(mediaType(res), PROTOBUF);
      assert.match(rpcStatusMessage(res.body) ?? '', /\w/);
    });
  });
});

describe('log records after a restart', () => {
  for (const redaction of [false, true]) {
    it(`are attached once when the store is read again (redaction ${redaction ? 'on' : 'off'}), logs first or span first`, async () => {
      const storeDir = mkdtempSync(join(tmpdir(), 'logs-once-'));
      const options = { httpPort: 0, grpcPort: null, storeDir, redaction: redaction ? DEFAULT_REDACTIONS : undefined };
      let engine = await startEngine(options);
      const telemetry = await chatWithContentLogs('logs-once');
      await exportLogs(engine, 'http/protobuf', telemetry.logs);
      await exportSpans(engine, 'http/protobuf', telemetry.spans);
      const messagesOf = async () => {
        const api = new EngineApiClient(engine.httpPort);
        const [summary] = await api.listTraces();
        const span = (await api.trace(summary.traceId)).spans[0];
        return { messages: (span.inputMessages ?? []).map((m) => m.content), events: span.events.map((e) => e.name).sort() };
      };
      const before = await messagesOf();
      assert.deepEqual(before.messages, [SYSTEM, USER]);
      await engine.close();
      engine = await startEngine(options);
      try {
        await engine.ready;
        assert.deepEqual(await messagesOf(), before);
        await engine.reloadStore();
        assert.deepEqual(await messagesOf(), before, 'reading the store once more (a takeover) changes nothing');
      } finally {
        await engine.close();
      }
    });
  }
});

describe('log records and retention', () => {
  it('keeps the prompts of a failed trace, sent as log records, as long as the trace', async () => {
    const storeDir = mkdtempSync(join(tmpdir(), 'logs-retention-'));
    let engine = await startEngine({ httpPort: 0, grpcPort: null, storeDir });
    const telemetry = await chatWithContentLogs('logs-retention');
    // The call failed: its trace is kept 90 days, not 7.
    const failed = telemetry.spans.map((span) => Object.create(span, { status: { value: { code: 2, message: 'RateLimitError' } } }) as ReadableSpan);
    await exportSpans(engine, 'http/protobuf', failed);
    await exportLogs(engine, 'http/protobuf', telemetry.logs);
    await engine.close();
    const tenDaysAgo = (Date.now() - 10 * 24 * 3600_000) / 1000;
    for (const f of readdirSync(storeDir)) utimesSync(join(storeDir, f), tenDaysAgo, tenDaysAgo);
    engine = await startEngine({ httpPort: 0, grpcPort: null, storeDir });
    try {
      await engine.ready; // replays, then applies retention
      assert.ok(readdirSync(storeDir).some((f) => f.startsWith('keptlogs-')), readdirSync(storeDir).join(', '));
      assert.ok(!readdirSync(storeDir).some((f) => f.startsWith('logs-')), 'the old logs segment was retired');
    } finally {
      await engine.close();
    }
    engine = await startEngine({ httpPort: 0, grpcPort: null, storeDir });
    try {
      await engine.ready;
      const api = new EngineApiClient(engine.httpPort);
      const [summary] = await api.listTraces();
      assert.equal(summary.status, 'error');
      const span = (await api.trace(summary.traceId)).spans[0];
      assert.deepEqual((span.inputMessages ?? []).map((m) => m.content), [SYSTEM, USER]);
    } finally {
      await engine.close();
    }
  });
});

describe('many log records for one span', () => {
  it('keeps 10,000 records that share a name and a time but not a body, and drops each repeat', () => {
    // Each record used to be compared with every one before it (10,000 took half a minute).
    const index = new TraceIndex(new PriceTable());
    const ids = { traceId: 'ab'.repeat(16), spanId: 'cd'.repeat(8) };
    const records = (): RawLog[] => Array.from({ length: 10_000 }, (_, n) => ({
      ...ids, event: { name: 'gen_ai.choice', timeMs: 1_700_000_000_000, attributes: {}, body: { index: n }, fromLog: true },
    }));
    index.addLogs(records());
    index.addLogs(records());
    assert.equal(index.stats().pendingLogs, 10_000, 'waiting for their span, each once');
    index.addSpans([rawSpan({}, ids)]);
    index.addLogs(records());
    assert.equal(index.rawSpans(ids.traceId)![0].events.length, 10_000, 'attached, each once');
  });

  it('keeps alike records of one request (a history that says "yes" twice), and each once when read again', () => {
    const index = new TraceIndex(new PriceTable());
    const span = rawSpan({});
    const message = (content: string): RawLog => ({ traceId: span.traceId, spanId: span.spanId,
      event: { name: 'gen_ai.user.message', timeMs: 1_700_000_000_000, attributes: {}, body: { content }, fromLog: true } });
    const history = () => [message('yes'), message('no'), message('yes')];
    index.addLogs(history()); // before its span: waiting
    index.addSpans([span]);
    index.addLogs(history()); // a store reload sends them again
    const bodies = () => index.rawSpans(span.traceId)![0].events.map((e) => (e.body as { content: string }).content);
    assert.deepEqual(bodies(), ['yes', 'no', 'yes']);
    index.addLogs(history());
    assert.deepEqual(bodies(), ['yes', 'no', 'yes']);
  });
});
