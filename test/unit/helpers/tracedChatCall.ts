// One chat call through the real @opentelemetry/instrumentation-openai against the fake OpenAI
// server, its spans and logs exported over OTLP into a running engine; prints the trace as the
// engine serves it (JSON on stdout). Run as its own process by the webview tests, whose program has
// the DOM types and so must not compile the engine: `node --import tsx tracedChatCall.ts '{...}'`.
import * as openaiModule from 'openai';
import { startEngine } from '../../../src/engine/engine';
import { EngineApiClient } from './engineApiClient';
import { startFakeOpenAiServer } from './fakeOpenAiServer';
import { patchOtelGenAi, REQUEST_MODEL } from './instrumentedLlmApps';
import { startOtlpExportPipeline } from './otlpExportPipeline';

export interface TracedChatCallRequest {
  service: string;
  captureMessageContent: boolean;
  messages: openaiModule.OpenAI.ChatCompletionMessageParam[];
}

async function main(request: TracedChatCallRequest): Promise<void> {
  const engine = await startEngine({ host: '127.0.0.1', httpPort: 0, grpcPort: 0, doctorGraceMs: 0 });
  const fakeApi = await startFakeOpenAiServer();
  try {
    const pipeline = startOtlpExportPipeline(engine.httpPort, request.service);
    const unpatch = patchOtelGenAi(pipeline, request.captureMessageContent, true);
    try {
      const client = new openaiModule.OpenAI({ apiKey: 'sk-test-local-only', baseURL: fakeApi.baseURL, maxRetries: 0 });
      await client.chat.completions.create({ model: REQUEST_MODEL, messages: request.messages });
      await pipeline.flush();
    } finally {
      unpatch();
      await pipeline.shutdown();
    }
    const api = new EngineApiClient(engine.httpPort);
    const [summary] = await api.listTraces({ service: request.service });
    if (!summary) throw new Error(`no trace from ${request.service}`);
    process.stdout.write(JSON.stringify(await api.trace(summary.traceId)));
  } finally {
    await fakeApi.close();
    await engine.close();
  }
}

main(JSON.parse(process.argv[2] ?? '{}') as TracedChatCallRequest).catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
