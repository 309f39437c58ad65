// Copy-paste instrumentation that sends traces to this extension's receiver.

export function pythonSnippet(httpPort: number): string {
  return `# pip install openinference-instrumentation-dspy opentelemetry-sdk opentelemetry-exporter-otlp-proto-http
from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from openinference.instrumentation.dspy import DSPyInstrumentor

provider = TracerProvider()
provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter(endpoint="http://127.0.0.1:${httpPort}/v1/traces")))
trace.set_tracer_provider(provider)
DSPyInstrumentor().instrument(tracer_provider=provider)
`;
}

export function nodeSnippet(httpPort: number): string {
  return `// npm i @opentelemetry/sdk-node @opentelemetry/exporter-trace-otlp-proto
import { NodeSDK } from '@opentelemetry/sdk-node';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';

const sdk = new NodeSDK({
  serviceName: 'my-ai-app',
  traceExporter: new OTLPTraceExporter({ url: 'http://127.0.0.1:${httpPort}/v1/traces' }),
});
sdk.start();
// Vercel AI SDK: pass experimental_telemetry: { isEnabled: true } to generateText / streamText.
`;
}
