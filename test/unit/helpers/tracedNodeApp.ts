// A user's Node app traced by @opentelemetry/instrumentation-openai, as Trace Doctor's quick fixes
// find and edit it: the tracer set-up at the top, then one chat call. Its source, and running it
// as a process of its own (from a folder outside the repository too: NODE_PATH finds the packages).
import { execFile } from 'node:child_process';
import { join } from 'node:path';

/** A user's app: tracing set up at the top, then one chat call. `openai` is required after the set-up, as the instrumentation needs. */
export const tracedAppSource = (captureMessageContent: boolean, exportLogs: boolean) => `import { trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { context } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { OpenAIInstrumentation } from '@opentelemetry/instrumentation-openai';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';

context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
${exportLogs ? `const { logs } = require('@opentelemetry/api-logs');
const { BatchLogRecordProcessor, LoggerProvider } = require('@opentelemetry/sdk-logs');
const { OTLPLogExporter } = require('@opentelemetry/exporter-logs-otlp-proto');
logs.setGlobalLoggerProvider(new LoggerProvider({ processors: [new BatchLogRecordProcessor({ exporter: new OTLPLogExporter() })] }));
` : ''}const provider = new BasicTracerProvider({
  resource: resourceFromAttributes({ 'service.name': process.env.SERVICE_NAME }),
  spanProcessors: [new SimpleSpanProcessor(new OTLPTraceExporter())],
});
trace.setGlobalTracerProvider(provider);
registerInstrumentations({ instrumentations: [new OpenAIInstrumentation({ captureMessageContent: ${captureMessageContent} })] });

async function main() {
  const { OpenAI } = require('openai');
  const client = new OpenAI({ apiKey: 'sk-test-local-only', baseURL: process.env.FAKE_OPENAI, maxRetries: 0 });
  await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'How tall is Hornbjargsviti?' }] });
  await provider.forceFlush();
  const { logs } = require('@opentelemetry/api-logs');
  await logs.getLoggerProvider().forceFlush?.();
}
main();
`;


/** Runs the app's file with tsx; `repo`: where tsx and the packages are installed. */
export function runTracedApp(file: string, repo: string, env: Record<string, string>, nodePath = process.execPath): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    execFile(nodePath, ['--import', 'tsx', file], {
      cwd: repo,
      env: { ...process.env, NODE_PATH: join(repo, 'node_modules'), ...env },
    }, (error, _stdout, stderr) => (error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve()));
  });
}
