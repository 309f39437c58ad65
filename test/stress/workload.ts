// Realistic request bodies at a rate no SDK could build them: one request of LLM-shaped traces
// is made by the real OpenTelemetry SDK and encoded by the real OTLP serializers (protobuf and
// JSON, as the exporters send them), then every request sent is that template with fresh trace
// ids and shifted times written over the same bytes (equal lengths, so the encoding stays valid).
import { context, SpanStatusCode, trace } from '@opentelemetry/api';
import { JsonTraceSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, InMemorySpanExporter, ReadableSpan, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';

export type Encoding = 'protobuf' | 'json';
export type TraceClass = 'normal' | 'slow' | 'error';

export const CONTENT_TYPE: Record<Encoding, string> = { protobuf: 'application/x-protobuf', json: 'application/json' };

export const SPANS_PER_TRACE = 5;
const DURATION_MS: Record<TraceClass, number> = { normal: 1200, slow: 3000, error: 1200 };

const SYSTEM_PROMPTS = Array.from({ length: 20 }, (_, i) =>
  `You are support agent #${i} for an online store. ` + 'Follow the refund policy, cite the order, never invent facts. '.repeat(18));
const QUESTIONS = Array.from({ length: 200 }, (_, i) => `Customer ${10000 + i} asks: where is my order and can I get a refund? `.repeat(4));
const ANSWERS = Array.from({ length: 200 }, (_, i) => `Order ${20000 + i} shipped yesterday; a refund is possible within 30 days. `.repeat(3));

/** The text a search for customer `n` (0-199) finds. */
export const customerSearch = (n: number) => `Customer ${10000 + n} asks`;

const BASE_MS = Date.UTC(2026, 0, 1);

/** An OTel SDK trace: a chain and four LLM calls with OpenInference attributes. */
function recordTrace(tracer: ReturnType<BasicTracerProvider['getTracer']>, t: number, cls: TraceClass): void {
  const start = BASE_MS + t * 10; // distinct times, so each can be found in the bytes
  const callMs = (DURATION_MS[cls] - 40) / 4;
  const root = tracer.startSpan('answer_customer', {
    startTime: start, attributes: { 'openinference.span.kind': 'CHAIN', 'session.id': `session-${t % 50}` },
  });
  const parent = trace.setSpan(context.active(), root);
  for (let c = 0; c < SPANS_PER_TRACE - 1; c++) {
    const k = t * 7 + c;
    const callStart = start + 10 + c * (callMs + 5);
    const call = tracer.startSpan('ChatCompletion', {
      startTime: callStart,
      attributes: {
        'openinference.span.kind': 'LLM', 'llm.model_name': 'gpt-4o-mini', 'llm.provider': 'openai',
        'llm.input_messages.0.message.role': 'system', 'llm.input_messages.0.message.content': SYSTEM_PROMPTS[k % 20],
        'llm.input_messages.1.message.role': 'user', 'llm.input_messages.1.message.content': QUESTIONS[(t + c) % 200],
        'llm.output_messages.0.message.role': 'assistant', 'llm.output_messages.0.message.content': ANSWERS[(k * 3) % 200],
        'llm.token_count.prompt': 350 + (k % 50), 'llm.token_count.completion': 60 + (k % 20), 'llm.token_count.total': 410 + (k % 70),
      },
    }, parent);
    if (cls === 'error' && c === SPANS_PER_TRACE - 2) {
      call.recordException(new Error('upstream model timed out'));
      call.setStatus({ code: SpanStatusCode.ERROR, message: 'upstream model timed out' });
    }
    call.end(callStart + callMs);
  }
  root.end(start + DURATION_MS[cls]);
}

interface Patch {
  offset: number;
  /** Which trace of the request this id belongs to, or -1 for a time. */
  trace: number;
  /** The time's original value in nanoseconds. */
  nanos: bigint;
}

/** A request of `classes.length` traces, rendered any number of times with fresh ids. */
export class RequestTemplate {
  readonly spans: number;
  private readonly bodies: Record<Encoding, Buffer>;
  private readonly patches: Record<Encoding, Patch[]>;

  private constructor(readonly classes: TraceClass[], spans: ReadableSpan[], private readonly salt: number) {
    this.spans = spans.length;
    const traceIds = [...new Set(spans.map((s) => s.spanContext().traceId))];
    const times = spans.flatMap((s) => [s.startTime, s.endTime]).map(([sec, ns]) => BigInt(sec) * 1_000_000_000n + BigInt(ns));
    const proto = Buffer.from(ProtobufTraceSerializer.serializeRequest(spans)!);
    const json = Buffer.from(JsonTraceSerializer.serializeRequest(spans)!);
    this.bodies = { protobuf: proto, json };
    this.patches = {
      protobuf: [
        ...traceIds.flatMap((id, t) => find(proto, Buffer.concat([Buffer.from([0x0a, 16]), Buffer.from(id, 'hex')]), 2)
          .map((offset) => ({ offset, trace: t, nanos: 0n }))),
        ...times.flatMap((nanos) => [0x39, 0x41].flatMap((tag) => find(proto, fixed64(tag, nanos), 1))
          .map((offset) => ({ offset, trace: -1, nanos }))),
      ],
      json: [
        ...traceIds.flatMap((id, t) => find(json, Buffer.from(`"traceId":"${id}"`), 11).map((offset) => ({ offset, trace: t, nanos: 0n }))),
        ...times.flatMap((nanos) => [`"startTimeUnixNano":"${nanos}"`, `"endTimeUnixNano":"${nanos}"`]
          .flatMap((needle) => find(json, Buffer.from(needle), needle.indexOf(':') + 2).map((offset) => ({ offset, trace: -1, nanos })))),
      ],
    };
    const expectedIds = spans.length;
    for (const encoding of ['protobuf', 'json'] as Encoding[]) {
      const ids = this.patches[encoding].filter((p) => p.trace >= 0).length;
      if (ids !== expectedIds) throw new Error(`template: found ${ids} trace ids in the ${encoding} body, expected ${expectedIds}`);
    }
  }

  /** Records the traces with the SDK; `salt` makes this run's ids unlike any other run's. */
  static async build(classes: TraceClass[], salt = Math.floor(Math.random() * 2 ** 32)): Promise<RequestTemplate> {
    const memory = new InMemorySpanExporter();
    const provider = new BasicTracerProvider({
      resource: resourceFromAttributes({ 'service.name': 'support-bot' }), spanProcessors: [new SimpleSpanProcessor(memory)],
    });
    const tracer = provider.getTracer('openinference.instrumentation.openai', '1.0.0');
    classes.forEach((cls, t) => recordTrace(tracer, t, cls));
    await provider.forceFlush();
    return new RequestTemplate(classes, memory.getFinishedSpans(), salt);
  }

  /** The trace id of trace `t` in request number `request` (lowercase hex). */
  traceId(request: number, t: number): string {
    const id = Buffer.alloc(16);
    id.writeUInt32BE(this.salt, 0);
    id.writeUInt32BE(request >>> 0, 4);
    id.writeUInt32BE(t, 8);
    id.writeUInt32BE(0x5eed, 12);
    return id.toString('hex');
  }

  /** Request number `request`, its times moved `shiftMs` later than the template's. */
  render(encoding: Encoding, request: number, shiftMs = 0): Buffer {
    const body = Buffer.from(this.bodies[encoding]);
    const shift = BigInt(Math.round(shiftMs)) * 1_000_000n;
    for (const patch of this.patches[encoding]) {
      if (patch.trace >= 0) {
        const id = this.traceId(request, patch.trace);
        if (encoding === 'json') body.write(id, patch.offset, 'latin1');
        else body.write(id, patch.offset, 'hex');
      } else if (encoding === 'json') {
        body.write(String(patch.nanos + shift), patch.offset, 'latin1');
      } else {
        body.writeBigUInt64LE(patch.nanos + shift, patch.offset);
      }
    }
    return body;
  }

  /** Where trace `t` starts (ms), once shifted. */
  startMs(t: number, shiftMs = 0): number {
    return BASE_MS + t * 10 + shiftMs;
  }
}

function fixed64(tag: number, value: bigint): Buffer {
  const b = Buffer.alloc(9);
  b[0] = tag;
  b.writeBigUInt64LE(value, 1);
  return b;
}

/** Offsets (plus `skip`) of every occurrence of needle in haystack. */
function find(haystack: Buffer, needle: Buffer, skip: number): number[] {
  const found: number[] = [];
  for (let at = haystack.indexOf(needle); at >= 0; at = haystack.indexOf(needle, at + 1)) found.push(at + skip);
  return found;
}
