// Real traffic for the extension's receiver: spans made by the OpenTelemetry JS SDK and shipped
// by its OTLP/HTTP protobuf exporter, the way an instrumented Node app sends them. Used inside
// the extension host (the API suites) and by the runner (the Playwright test).
import { context as otelContext, SpanStatusCode, trace, type Tracer } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';

/** What a test knows about a trace it sent: enough to find its row and check it. */
export interface SentTrace {
  traceId: string;
  name: string;
  service: string;
  model: string;
  /** Span names, root first. */
  spanNames: string[];
}

export interface AiRequest {
  /** Root span name, e.g. "answer-question". */
  name: string;
  durationMs: number;
  inputTokens: number;
  outputTokens: number;
  model?: string;
  /** Set to make the LLM call (and so the trace) fail with this message. */
  error?: string;
}

const SERVICE = 'support-bot';

/** ExportResultCode.SUCCESS of @opentelemetry/core. */
const EXPORT_SUCCESS = 0;

/**
 * One AI request as an app records it: a root chain span, a retrieval, then an LLM call with
 * GenAI attributes. Times are set explicitly so a "5 s" trace takes no 5 s to make.
 */
function recordRequest(tracer: Tracer, request: AiRequest, endMs: number): SentTrace {
  const start = endMs - request.durationMs;
  const model = request.model ?? 'gpt-4o-mini';
  const llmName = `chat ${model}`;
  const root = tracer.startSpan(request.name, { startTime: start, attributes: { 'openinference.span.kind': 'CHAIN', 'input.value': `question for ${request.name}` } });
  const context = trace.setSpan(otelContext.active(), root);
  const retrieval = tracer.startSpan('retrieve-documents', { startTime: start + 1, attributes: { 'openinference.span.kind': 'RETRIEVER' } }, context);
  retrieval.end(start + request.durationMs * 0.2);
  const llm = tracer.startSpan(llmName, {
    startTime: start + request.durationMs * 0.2,
    attributes: {
      'gen_ai.operation.name': 'chat',
      'gen_ai.system': 'openai',
      'gen_ai.request.model': model,
      'gen_ai.usage.input_tokens': request.inputTokens,
      'gen_ai.usage.output_tokens': request.outputTokens,
    },
  }, context);
  if (request.error) {
    llm.recordException(new Error(request.error));
    llm.setStatus({ code: SpanStatusCode.ERROR, message: request.error });
    root.setStatus({ code: SpanStatusCode.ERROR, message: request.error });
  }
  llm.end(endMs - 1);
  root.end(endMs);
  return {
    traceId: root.spanContext().traceId,
    name: request.name,
    service: SERVICE,
    model,
    spanNames: [request.name, 'retrieve-documents', llmName],
  };
}

/**
 * Records the requests and ships them in one export to `http://127.0.0.1:<port>/v1/traces`.
 * Resolves once the receiver accepted them; rejects with the exporter's error otherwise.
 */
export async function sendAiRequests(httpPort: number, requests: AiRequest[]): Promise<SentTrace[]> {
  // Ending 10 ms apart, in the order given.
  const now = Date.now();
  return sendSpans(httpPort, (tracer) => requests.map((request, i) => recordRequest(tracer, request, now - (requests.length - i) * 10)));
}

/** Spans that `record` makes with the SDK, shipped in one export by the OTLP/HTTP protobuf exporter. */
export async function sendSpans<T>(httpPort: number, record: (tracer: Tracer) => T, service = SERVICE): Promise<T> {
  const memory = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ resource: resourceFromAttributes({ 'service.name': service }), spanProcessors: [new SimpleSpanProcessor(memory)] });
  const recorded = record(provider.getTracer('ai-trace-inspector-integration', '1.0.0'));
  await provider.forceFlush();
  const spans = memory.getFinishedSpans();
  await provider.shutdown();
  const exporter = new OTLPTraceExporter({ url: `http://127.0.0.1:${httpPort}/v1/traces` });
  try {
    const result = await new Promise<{ code: number; error?: Error }>((resolve) => exporter.export(spans, resolve));
    if (result.code !== EXPORT_SUCCESS) throw new Error(`the OTLP exporter failed: ${result.error?.message ?? 'no reason given'}`);
  } finally {
    await exporter.shutdown();
  }
  return recorded;
}
