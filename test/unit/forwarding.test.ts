// Forwarding: what the receivers accept is exported again to upstream OTLP/HTTP receivers. A
// second engine is the upstream (it decodes what arrives, so the test reads back exactly what was
// forwarded); dead, silent, refusing and flapping upstreams are loopback servers. No timing
// assertion: "never delays the local 200" is shown by the local answer arriving while the
// upstream still holds the forwarded request unanswered.
import assert from 'node:assert/strict';
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SpanStatusCode } from '@opentelemetry/api';
import { SeverityNumber } from '@opentelemetry/api-logs';
import { Engine, startEngine } from '../../src/engine/engine';
import { Forwarder, forwardBaseUrl } from '../../src/engine/forward/forwarder';
import { DEFAULT_REDACTIONS } from '../../src/shared/redaction';
import type { EngineStats } from '../../src/shared/spanModel';
import { EngineApiClient } from './helpers/engineApiClient';
import { exportLogs, exportSpans, recordLogs, recordSpans } from './helpers/otelSenders';
import { encodeTracesProto } from '../../src/engine/otlp/encodeProto';
import { rawSpan } from './helpers/rawSpans';
import { deadPort } from './helpers/deadPort';

async function until(condition: () => Promise<boolean> | boolean, what: string, tries = 400): Promise<void> {
  for (let i = 0; i < tries; i++) {
    if (await condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  assert.fail(`gave up waiting: ${what}`);
}

async function stats(engine: Engine): Promise<EngineStats> {
  return (await fetch(`http://127.0.0.1:${engine.httpPort}/api/stats`)).json() as Promise<EngineStats>;
}

function listen(handler: (req: IncomingMessage, res: ServerResponse) => void, port = 0): Promise<Server> {
  const server = createServer(handler);
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}

const portOf = (server: Server) => (server.address() as AddressInfo).port;
const close = (server: Server) => new Promise<void>((resolve) => { server.close(() => resolve()); server.closeAllConnections(); });


const chatSpans = (marker: string) => recordSpans('forwarded-app', (tracer) => {
  const span = tracer.startSpan('chat gpt-4o-mini', { attributes: {
    'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'gpt-4o-mini', 'gen_ai.usage.input_tokens': 7,
    'app.customer': `${marker} mail ada@example.com`,
  } });
  span.setStatus({ code: SpanStatusCode.OK });
  span.end();
});

describe('forwarding accepted requests upstream', () => {
  let upstream: Engine;
  let local: Engine;

  before(async () => {
    upstream = await startEngine({ host: '127.0.0.1', httpPort: 0, grpcPort: null });
    local = await startEngine({ host: '127.0.0.1', httpPort: 0, grpcPort: 0, redaction: DEFAULT_REDACTIONS,
      forward: [`http://127.0.0.1:${upstream.httpPort}/v1/traces`] });
  });
  after(async () => {
    await local?.close();
    await upstream?.close();
  });

  it('sends what arrives over HTTP (protobuf, JSON) and gRPC to a second engine, masked as the local index holds it', async () => {
    const sent = [];
    for (const transport of ['http/protobuf', 'http/json', 'grpc'] as const) {
      const spans = await chatSpans(`via-${transport}`);
      await exportSpans(local, transport, spans);
      sent.push(spans[0].spanContext().traceId);
    }
    const upstreamApi = new EngineApiClient(upstream.httpPort);
    await until(async () => (await stats(upstream)).traces >= 3, 'three traces upstream');
    for (const traceId of sent) {
      const detail = await upstreamApi.trace(traceId);
      const customer = String(detail.spans[0].attributes['app.customer']);
      assert.match(customer, /^via-.* mail \[REDACTED:email\]$/, 'redacted before it leaves');
      assert.equal(detail.summary.tokens.input, 7);
    }
    const forward = (await stats(local)).forward;
    assert.deepEqual(forward?.map(({ url, sent: delivered, queued, dropped }) => ({ url, delivered, queued, dropped })),
      [{ url: `http://127.0.0.1:${upstream.httpPort}`, delivered: 3, queued: 0, dropped: 0 }]);
  });

  it('forwards log records too, which attach to their span upstream', async () => {
    const spans = await chatSpans('with-log');
    const { traceId, spanId } = spans[0].spanContext();
    const logs = await recordLogs('forwarded-app', (logger) => logger.emit({
      severityNumber: SeverityNumber.INFO, eventName: 'gen_ai.user.message', body: { content: 'forwarded question' },
      context: undefined, attributes: { 'gen_ai.system': 'openai' },
    }));
    const linked = logs.map((record) => Object.create(record, { spanContext: { value: { traceId, spanId, traceFlags: 1 } } }));
    await exportSpans(local, 'http/protobuf', spans);
    await exportLogs(local, 'http/protobuf', linked);
    await until(async () => ((await stats(local)).forward?.[0].sent ?? 0) >= 5, 'the log request delivered');
    const detail = await new EngineApiClient(upstream.httpPort).trace(traceId);
    assert.match(JSON.stringify(detail.spans), /forwarded question/, 'the record reached the upstream and joined its span');
  });
});

describe('forwarding to an upstream that is dead, silent, refusing or flapping', () => {
  it('answers the local 200 while the upstream holds the forwarded request unanswered', async () => {
    const held: ServerResponse[] = [];
    const silent = await listen((req, res) => { req.resume(); held.push(res); });
    const local = await startEngine({ host: '127.0.0.1', httpPort: 0, grpcPort: null, forward: [`http://127.0.0.1:${portOf(silent)}`] });
    try {
      await exportSpans(local, 'http/protobuf', await chatSpans('silent'));
      assert.equal((await stats(local)).traces, 1, 'indexed locally and acknowledged');
      await until(() => held.length === 1, 'the upstream got the request');
      const [target] = (await stats(local)).forward!;
      assert.equal(target.sent, 0, 'the upstream has not acknowledged anything yet');
      assert.equal(target.queued, 1, 'in flight');
    } finally {
      await local.close();
      await close(silent);
    }
  });

  it('keeps requests queued for a dead upstream, without delaying or failing local ingest', async () => {
    const port = await deadPort();
    const local = await startEngine({ host: '127.0.0.1', httpPort: 0, grpcPort: null, forward: [`http://127.0.0.1:${port}`] });
    try {
      for (let i = 0; i < 3; i++) await exportSpans(local, 'http/protobuf', await chatSpans(`dead-${i}`));
      const after = await stats(local);
      assert.equal(after.traces, 3);
      await until(async () => ((await stats(local)).forward![0].retries ?? 0) >= 1, 'a failed attempt');
      const [target] = (await stats(local)).forward!;
      assert.deepEqual({ sent: target.sent, queued: target.queued, dropped: target.dropped }, { sent: 0, queued: 3, dropped: 0 });
      assert.equal(target.lastError, 'ECONNREFUSED');
    } finally {
      await local.close();
    }
  });

  it('delivers everything, in order, once a flapping upstream comes back; nothing acknowledged is lost', async () => {
    const received: string[] = [];
    let refuse = 3;
    const flapping = await listen((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        if (refuse-- > 0) {
          res.writeHead(refuse % 2 ? 503 : 429, { 'Retry-After': '0' }).end();
          return;
        }
        received.push(Buffer.concat(chunks).toString('latin1'));
        res.writeHead(200, { 'Content-Type': 'application/x-protobuf' }).end();
      });
    });
    const forwarder = new Forwarder([`http://127.0.0.1:${portOf(flapping)}`], () => undefined,
      { maxQueuedBytes: 1 << 20, maxQueuedRequests: 100, maxInFlight: 1, timeoutMs: 2000, minBackoffMs: 5, maxBackoffMs: 20 });
    try {
      const bodies = Array.from({ length: 5 }, (_, i) => encodeTracesProto([rawSpan({ n: i }, { traceId: `${'a'.repeat(31)}${i}` })]));
      for (const body of bodies) forwarder.forward('traces', body);
      await until(() => received.length === 5, 'all five delivered');
      assert.deepEqual(received, bodies.map((b) => b.toString('latin1')), 'each request once, in the order it arrived');
      const [target] = forwarder.stats();
      assert.deepEqual({ sent: target.sent, queued: target.queued, dropped: target.dropped, retries: target.retries },
        { sent: 5, queued: 0, dropped: 0, retries: 3 });
    } finally {
      forwarder.close();
      await close(flapping);
    }
  });

  it('drops the oldest past the bound of its queue (never encoding them), and a request the upstream refuses for good, counting both', async () => {
    const port = await deadPort();
    const forwarder = new Forwarder([`http://127.0.0.1:${port}`], () => undefined,
      { maxQueuedBytes: 1 << 20, maxQueuedRequests: 3, maxInFlight: 1, timeoutMs: 2000, minBackoffMs: 60_000, maxBackoffMs: 60_000 });
    try {
      const encoded: number[] = [];
      for (let i = 0; i < 10; i++) forwarder.forward('traces', () => { encoded.push(i); return Buffer.from([i]); }, 1);
      const [target] = forwarder.stats();
      // One in flight, three waiting; six pushed out.
      assert.deepEqual({ queued: target.queued, dropped: target.dropped }, { queued: 4, dropped: 6 });
      // Encoding waits for a send: only the request in flight was encoded, the dropped ones never.
      assert.deepEqual(encoded, [0]);
    } finally {
      forwarder.close();
    }
    const refusing = await listen((req, res) => { req.resume(); res.writeHead(400).end('bad request'); });
    const strict = new Forwarder([`http://127.0.0.1:${portOf(refusing)}`]);
    try {
      strict.forward('logs', Buffer.from([1]));
      await until(() => strict.stats()[0].dropped === 1, 'the refused request dropped');
      assert.deepEqual({ ...strict.stats()[0], url: '' }, { url: '', sent: 0, queued: 0, dropped: 1, retries: 0, lastError: 'HTTP 400' });
    } finally {
      strict.close();
      await close(refusing);
    }
  });

  it('takes only http(s) base URLs, without credentials', () => {
    assert.equal(forwardBaseUrl('http://collector:4318/v1/traces'), 'http://collector:4318');
    assert.equal(forwardBaseUrl('https://otlp.example.com/prefix/'), 'https://otlp.example.com/prefix');
    assert.throws(() => forwardBaseUrl('collector:4317'), /must be http/);
    assert.throws(() => forwardBaseUrl('http://user:pw@collector:4318'), /credentials/);
    assert.throws(() => forwardBaseUrl('not a url'), /not a URL/);
  });
});
