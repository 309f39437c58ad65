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
import { Admission } from '../../src/engine/otlp/admission';
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

  describe('admission control (one request at a time)', () => {
    let server: Server;
    let grpcReceiver: GrpcReceiver;
    let admission: Admission;
    let index: TraceIndex;
    const port = () => (server.address() as AddressInfo).port;
    const body = () => protoRequest([protoSpan(0)]);

    before(async () => {
      const fresh = freshIngest();
      index = fresh.index;
      admission = new Admission({ maxRequests: 1, maxBytes: 64 * 2 ** 20, maxLagMs: 60_000 });
      server = createHttpServer({ ingest: fresh.ingest, index, maxBodyBytes: 64 * 2 ** 20, allowedHosts: [], log: () => undefined, admission });
      server.listen(0, '127.0.0.1');
      await once(server, 'listening');
      grpcReceiver = await startGrpcReceiver(fresh.ingest, '127.0.0.1', 0, 64 * 2 ** 20, () => undefined, admission);
    });
    after(async () => {
      server.closeAllConnections();
      server.close();
      await grpcReceiver.close();
      admission.close();
    });

    /** A request admitted and left half-sent: it holds the only place until finish() is called. */
    async function holdThePlace(): Promise<{ finish: () => Promise<number> }> {
      const full = body();
      const held = request({ host: '127.0.0.1', port: port(), method: 'POST', path: '/v1/traces', agent: false,
        headers: { 'content-type': PROTOBUF, 'content-length': full.length } });
      const status = new Promise<number>((resolve, reject) => {
        held.on('response', (res) => { res.resume(); resolve(res.statusCode ?? 0); });
        held.on('error', reject);
      });
      held.write(full.subarray(0, 5));
      await once(server, 'request'); // the receiver's handler ran first and admitted it
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
      assert.equal(index.stats().spans, 1, 'the same span, stored by both accepted requests');
    });

    it('answers a gRPC export UNAVAILABLE with a 1 s RetryInfo while the shared place is taken, and OK once it is free', async () => {
      const holder = await holdThePlace();
      const client = new GrpcTraceClient(grpcReceiver.port);
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
});
