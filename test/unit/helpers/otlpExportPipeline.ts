// The OpenTelemetry SDK side of an app, as a user would wire it: a tracer provider and a
// logger provider for one service, each batching into the real OTLP/HTTP protobuf exporters
// that point at an engine. Also installs the AsyncLocalStorage context manager, without which
// nested spans (a wrapper and its provider call) would each start a trace of their own.
import { context } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { OTLPLogExporter } from '@opentelemetry/exporter-logs-otlp-proto';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchLogRecordProcessor, LoggerProvider } from '@opentelemetry/sdk-logs';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';

export interface OtlpExportPipeline {
  readonly tracerProvider: BasicTracerProvider;
  readonly loggerProvider: LoggerProvider;
  /** Sends everything ended or emitted so far; resolves once the engine has answered. */
  flush(): Promise<void>;
  shutdown(): Promise<void>;
}

export function startOtlpExportPipeline(engineHttpPort: number, serviceName: string): OtlpExportPipeline {
  const base = `http://127.0.0.1:${engineHttpPort}`;
  const resource = resourceFromAttributes({ 'service.name': serviceName });
  const tracerProvider = new BasicTracerProvider({
    resource,
    spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter({ url: `${base}/v1/traces` }))],
  });
  const loggerProvider = new LoggerProvider({
    resource,
    processors: [new BatchLogRecordProcessor({ exporter: new OTLPLogExporter({ url: `${base}/v1/logs` }) })],
  });
  const contextManager = new AsyncLocalStorageContextManager().enable();
  context.setGlobalContextManager(contextManager);
  return {
    tracerProvider,
    loggerProvider,
    async flush() {
      await tracerProvider.forceFlush();
      await loggerProvider.forceFlush();
    },
    async shutdown() {
      await Promise.all([tracerProvider.shutdown(), loggerProvider.shutdown()]);
      context.disable();
    },
  };
}
