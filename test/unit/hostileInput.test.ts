// Regression tests for what the stress run's fuzzing found, and for admission control:
// attribute values nested past the depth limit are a bad request (400), never a stack overflow
// (500) nor a value every later recursive step (search, normalization, JSON) would trip on;
// past the receivers' limit a request is told to retry later (HTTP 429 + Retry-After, gRPC
// UNAVAILABLE + RetryInfo) and succeeds once there is room.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { request, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as grpc from '@grpc/grpc-js';
import { createHttpServer } from '../../src/engine/http/httpServer';
import { TraceIndex } from '../../src/engine/index/traceIndex';
import { PriceTable } from '../../src/engine/normalize/pricing';
import { Admission, type AdmissionLimits } from '../../src/engine/otlp/admission';
import { GrpcReceiver, startGrpcReceiver } from '../../src/engine/otlp/grpcReceiver';
import { Ingest } from '../../src/engine/otlp/ingest';
import { DecodeError, MAX_VALUE_DEPTH } from '../../src/engine/otlp/protoReader';
import { jsonDeepRequest, kvDeep, protoRequest, protoSpan } from '../stress/fuzz/cases';
import { GrpcTraceClient } from '../stress/senders';
import { JSON_TYPE, mediaType, postOtlp, PROTOBUF, rawRequest, rpcStatusMessage, useEngine } from './helpers/otelSenders';

const DEEP_TRACE_ID = 'ab'.repeat(16);

function freshIngest(): { ingest: Ingest; index: TraceIndex } {
  const index = new TraceIndex(new PriceTable());
  return { ingest: new Ingest(index), index };
}

/** How many arrays deep the first value of the span's "deep" attribute goes. */
function depthOf(value: unknown): number {
  let depth = 0;
  for (let v = value; Array.isArray(v) || (typeof v === 'object' && v !== null); depth++) {
    v = Array.isArray(v) ? v[0] : Object.values(v)[0];
  }
  return depth;
}

/** Both receivers on one admission with these limits, for a describe block. */
function useReceivers(limits: () => AdmissionLimits) {
  const ctx = {} as { server: Server; grpcReceiver: GrpcReceiver; admission: Admission; index: TraceIndex; port: () => number };
  before(async () => {
    const fresh = freshIngest();
    ctx.index = fresh.index;
    ctx.admission = new Admission(limits());
    ctx.server = createHttpServer({ ingest: fresh.ingest, index: ctx.index, maxBodyBytes: 64 * 2 ** 20, allowedHosts: [], log: () => undefined, admission: ctx.admission });
    ctx.server.listen(0, '127.0.0.1');
    await once(ctx.server, 'listening');
    ctx.grpcReceiver = await startGrpcReceiver(fresh.ingest, '127.0.0.1', 0, 64 * 2 ** 20, () => undefined, ctx.admission);
    ctx.port = () => (ctx.server.address() as AddressInfo).port;
  });
  after(async () => {
    ctx.server.closeAllConnections();
    ctx.server.close();
    await ctx.grpcReceiver.close();
    ctx.admission.close();
  });
  return ctx;
}

describe('hostile input', () => {
  describe(`attribute values nested deeper than ${MAX_VALUE_DEPTH} levels`, () => {
    it(`keeps values nested exactly ${MAX_VALUE_DEPTH} deep, over JSON and protobuf, and serves them`, () => {
      const { ingest, index } = freshIngest();
      ingest.receive('traces', 'json', Buffer.from(jsonDeepRequest(MAX_VALUE_DEPTH, 'array')));
      const [span] = index.trace(DEEP_TRACE_ID)!.spans;
      assert.equal(depthOf(span.attributes.deep), MAX_VALUE_DEPTH);
      assert.doesNotThrow(() => JSON.stringify(index.trace(DEEP_TRACE_ID)));
      const proto = freshIngest();
      proto.ingest.receive('traces', 'protobuf', protoRequest([protoSpan(0, { attributes: [kvDeep(MAX_VALUE_DEPTH)] })]));
      assert.equal(depthOf(proto.index.trace(DEEP_TRACE_ID)!.spans[0].attributes.deep), MAX_VALUE_DEPTH);
    });

    const tooDeep = [
      { what: 'OTLP/JSON arrays 100,000 deep', encoding: 'json' as const, body: () => Buffer.from(jsonDeepRequest(100_000, 'array')) },
      { what: 'OTLP/JSON maps 100,000 deep', encoding: 'json' as const, body: () => Buffer.from(jsonDeepRequest(100_000, 'kvlist')) },
      { what: 'protobuf arrays 5,000 deep', encoding: 'protobuf' as const, body: () => protoRequest([protoSpan(0, { attributes: [kvDeep(5000)] })]) },
      { what: `protobuf arrays ${MAX_VALUE_DEPTH + 1} deep`, encoding: 'protobuf' as const, body: () => protoRequest([protoSpan(0, { attributes: [kvDeep(MAX_VALUE_DEPTH + 1)] })]) },
    ];
    for (const { what, encoding, body } of tooDeep) {
      it(`refuses ${what} with a DecodeError (was a stack overflow) and stores nothing`, () => {
        const { ingest, index } = freshIngest();
        assert.throws(() => ingest.receive('traces', encoding, body()), (error) => error instanceof DecodeError && /nest deeper/.test(error.message));
        assert.equal(index.stats().spans, 0);
      });
    }

    it('refuses a log record body 100,000 deep with a DecodeError', () => {
      const deepBody = jsonDeepRequest(100_000, 'array').replace(/^.*"value":/, '').replace(/\}\]\}\]\}\]\}\]\}$/, '');
      const logs = `{"resourceLogs":[{"scopeLogs":[{"logRecords":[{"traceId":"${DEEP_TRACE_ID}","spanId":"${'cd'.repeat(8)}","body":${deepBody}}]}]}]}`;
      assert.throws(() => freshIngest().ingest.receive('logs', 'json', Buffer.from(logs)), DecodeError);
    });

    describe('through the OTLP/HTTP receiver', () => {
      const ctx = useEngine();
      for (const { what, encoding, body } of tooDeep.slice(0, 3)) {
        it(`answers ${what} with 400 and a google.rpc.Status (was 500), then keeps serving`, async () => {
          const contentType = encoding === 'json' ? JSON_TYPE : PROTOBUF;
          const res = await postOtlp(ctx.engine.httpPort, contentType, body());
          assert.equal(res.status, 400, res.body.toString().slice(0, 200));
          assert.equal(mediaType(res), contentType);
          const message = encoding === 'json' ? (JSON.parse(res.body.toString()) as { message: string }).message : rpcStatusMessage(res.body);
          assert.match(message ?? '', /nest deeper than 64 levels/);
          assert.equal((await rawRequest(ctx.engine.httpPort, { method: 'GET', path: '/api/stats' })).status, 200);
        });
      }
    });
  });

  describe('admission control (a budget of one request\'s bytes)', () => {
    const body = () => protoRequest([protoSpan(0)]);
    // Room for one request's bytes: a second one in flight is over the budget.
    const ctx = useReceivers(() => ({ maxRequests: 1, maxBytes: body().length, maxLagMs: 60_000 }));
    const port = () => ctx.port();

    /** A request admitted and left half-sent: its declared bytes fill the budget until finish() is called. */
    async function holdThePlace(): Promise<{ finish: () => Promise<number> }> {
      const full = body();
      const held = request({ host: '127.0.0.1', port: port(), method: 'POST', path: '/v1/traces', agent: false,
        headers: { 'content-type': PROTOBUF, 'content-length': full.length } });
      const status = new Promise<number>((resolve, reject) => {
        held.on('response', (res) => { res.resume(); resolve(res.statusCode ?? 0); });
        held.on('error', reject);
      });
      held.write(full.subarray(0, 5));
      await once(ctx.server, 'request'); // the receiver's handler ran first and admitted it
      return { finish: () => { held.end(full.subarray(5)); return status; } };
    }

    it('answers 429 with Retry-After and a google.rpc.Status while the place is taken, and 200 once it is free', async () => {
      const holder = await holdThePlace();
      const refused = await postOtlp(port(), PROTOBUF, body());
      assert.equal(refused.status, 429);
      assert.equal(refused.headers['retry-after'], '1');
      assert.equal(mediaType(refused), PROTOBUF);
      assert.match(rpcStatusMessage(refused.body) ?? '', /retry in 1 s/);
      assert.equal(await holder.finish(), 200);
      assert.equal((await postOtlp(port(), PROTOBUF, body())).status, 200);
      assert.equal(ctx.index.stats().spans, 1, 'the same span, stored by both accepted requests');
    });

    it('answers a gRPC export UNAVAILABLE with a 1 s RetryInfo while the shared place is taken, and OK once it is free', async () => {
      const holder = await holdThePlace();
      const client = new GrpcTraceClient(ctx.grpcReceiver.port);
      try {
        const refused = await client.export(body());
        assert.equal(refused.code, grpc.status.UNAVAILABLE);
        assert.equal(refused.retryDelayMs, 1000);
        assert.equal(await holder.finish(), 200);
        assert.equal((await client.export(body())).code, grpc.status.OK);
      } finally {
        client.close();
      }
    });
  });

  describe('slow uploads and many large gRPC exports', () => {
    const ctx = useReceivers(() => ({ maxRequests: 4, maxBytes: 16 * 2 ** 20, maxLagMs: 60_000, bodyIdleMs: 1500, grpcMessageMs: 3000 }));
    const port = () => ctx.port();

    /** Uploads that send a few bytes and stall: what four of them did to every other exporter for 88 s. */
    function slowUpload(chunked: boolean): Promise<number> {
      const full = protoRequest([protoSpan(0)]);
      const req = request({ host: '127.0.0.1', port: port(), method: 'POST', path: '/v1/traces', agent: false,
        headers: { 'content-type': PROTOBUF, ...(chunked ? {} : { 'content-length': full.length }) } });
      req.write(full.subarray(0, 3));
      return new Promise((resolve) => {
        req.on('response', (res) => { res.resume(); resolve(res.statusCode ?? 0); });
        req.on('error', () => resolve(-1)); // the connection closed after the answer
      });
    }

    it('lets a normal exporter in while eight bodies trickle in (sized and chunked), and answers those 408 once they stall', async () => {
      const slow = [...Array.from({ length: 4 }, () => slowUpload(false)), ...Array.from({ length: 4 }, () => slowUpload(true))];
      await new Promise((resolve) => setTimeout(resolve, 50));
      for (let i = 0; i < 3; i++) {
        const res = await postOtlp(port(), PROTOBUF, protoRequest([protoSpan(i)]));
        assert.equal(res.status, 200, 'a body still arriving holds no place among those being decoded');
      }
      const statuses = await Promise.all(slow);
      for (const status of statuses) assert.ok(status === 408 || status === -1 || status === 429, String(status));
      assert.ok(statuses.filter((s) => s === 408).length >= 4, statuses.join(','));
      assert.equal((await postOtlp(port(), PROTOBUF, protoRequest([protoSpan(9)]))).status, 200);
    });

    it('bounds the bytes in flight over gRPC as over HTTP: 24 exports of 2 MB at once', async () => {
      const big = protoRequest(Array.from({ length: 8 }, (_, i) => protoSpan(i, { name: Buffer.alloc(256 * 1024, 0x78) })));
      ctx.admission.peakBytes = 0;
      const clients = Array.from({ length: 24 }, () => new GrpcTraceClient(ctx.grpcReceiver.port));
      try {
        const results = await Promise.all(clients.map((c) => c.export(big)));
        const codes = results.map((r) => r.code);
        assert.ok(codes.every((c) => c === grpc.status.OK || c === grpc.status.UNAVAILABLE), codes.join(','));
        assert.ok(codes.includes(grpc.status.OK), codes.join(','));
        assert.ok(ctx.admission.peakBytes <= 16 * 2 ** 20, `${ctx.admission.peakBytes} bytes in flight`);
        assert.ok(results.filter((r) => r.code === grpc.status.UNAVAILABLE).every((r) => r.retryDelayMs === 1000));
      } finally {
        for (const c of clients) c.close();
      }
    });

    it('gives up a gRPC call whose message never comes (DEADLINE_EXCEEDED), and frees its place', async () => {
      const client = new grpc.Client(`127.0.0.1:${ctx.grpcReceiver.port}`, grpc.credentials.createInsecure());
      try {
        const code = await new Promise<number>((resolve) => {
          const call = client.makeClientStreamRequest<Buffer, Buffer>('/opentelemetry.proto.collector.trace.v1.TraceService/Export',
            (b: Buffer) => b, (b: Buffer) => b, new grpc.Metadata(), {}, (error) => resolve(error?.code ?? 0));
          void call; // metadata sent, message never written
        });
        assert.equal(code, grpc.status.DEADLINE_EXCEEDED);
        assert.equal((await new GrpcTraceClient(ctx.grpcReceiver.port).export(protoRequest([protoSpan(1)]))).code, grpc.status.OK);
      } finally {
        client.close();
      }
    });
  });
});
