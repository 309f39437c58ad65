// LLM-shaped traces for the benchmark: a chain with four OpenInference LLM calls each, prompts
// of about 1.5 KB drawn from pools (real apps resend the same system prompts and questions).
import { ExportTraceServiceRequest } from './otlpProto';

const SYSTEM_PROMPTS = Array.from({ length: 20 }, (_, i) =>
  `You are support agent #${i} for an online store. ` + 'Follow the refund policy, cite the order, never invent facts. '.repeat(18));
const QUESTIONS = Array.from({ length: 200 }, (_, i) => `Customer ${10000 + i} asks: where is my order and can I get a refund? `.repeat(4));
const ANSWERS = Array.from({ length: 200 }, (_, i) => `Order ${20000 + i} shipped yesterday; a refund is possible within 30 days. `.repeat(3));

const str = (key: string, value: string) => ({ key, value: { stringValue: value } });
const int = (key: string, value: number) => ({ key, value: { intValue: value } });

function id(bytes: number, n: number, salt: number): Buffer {
  const b = Buffer.alloc(bytes);
  b.writeUInt32BE(n >>> 0, bytes - 4);
  b.writeUInt32BE(salt, 0);
  return b;
}

export interface Workload {
  requests: Buffer[];
  spans: number;
  wireBytes: number;
}

/** `requestCount` protobuf requests of `tracesPerRequest` traces (5 spans each). */
export function makeWorkload(requestCount: number, tracesPerRequest: number, salt = 1): Workload {
  const requests: Buffer[] = [];
  let spans = 0;
  let n = 0;
  const start = Date.now() - 3_600_000;
  for (let r = 0; r < requestCount; r++) {
    const out = [];
    for (let t = 0; t < tracesPerRequest; t++) {
      const traceNo = ++n;
      const traceId = id(16, traceNo, salt);
      const rootId = id(8, traceNo * 8, salt);
      const t0 = BigInt(start + traceNo) * 1_000_000n;
      out.push({
        traceId, spanId: rootId, name: 'answer_customer', kind: 1,
        startTimeUnixNano: String(t0), endTimeUnixNano: String(t0 + 4_000_000_000n),
        attributes: [str('openinference.span.kind', 'CHAIN'), str('session.id', `session-${traceNo % 1000}`)],
        status: { code: 1 },
      });
      for (let c = 0; c < 4; c++) {
        const k = traceNo * 7 + c;
        out.push({
          traceId, spanId: id(8, traceNo * 8 + c + 1, salt), parentSpanId: rootId, name: 'ChatCompletion', kind: 3,
          startTimeUnixNano: String(t0 + BigInt(c) * 1_000_000_000n), endTimeUnixNano: String(t0 + BigInt(c + 1) * 1_000_000_000n - 1n),
          attributes: [
            str('openinference.span.kind', 'LLM'), str('llm.model_name', 'gpt-4o-mini'), str('llm.provider', 'openai'),
            str('llm.input_messages.0.message.role', 'system'), str('llm.input_messages.0.message.content', SYSTEM_PROMPTS[k % 20]),
            str('llm.input_messages.1.message.role', 'user'), str('llm.input_messages.1.message.content', QUESTIONS[k % 200]),
            str('llm.output_messages.0.message.role', 'assistant'), str('llm.output_messages.0.message.content', ANSWERS[(k * 3) % 200]),
            int('llm.token_count.prompt', 350 + (k % 50)), int('llm.token_count.completion', 60 + (k % 20)),
            int('llm.token_count.total', 410 + (k % 70)),
          ],
          status: { code: 1 },
        });
      }
      spans += 5;
    }
    const message = ExportTraceServiceRequest.fromObject({
      resourceSpans: [{
        resource: { attributes: [str('service.name', 'support-bot')] },
        scopeSpans: [{ scope: { name: 'openinference.instrumentation.openai' }, spans: out }],
      }],
    });
    requests.push(Buffer.from(ExportTraceServiceRequest.encode(message).finish()));
  }
  return { requests, spans, wireBytes: requests.reduce((sum, b) => sum + b.length, 0) };
}
