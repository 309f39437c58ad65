// A conversation whose content was not recorded, in the real webview bundle: spans made by
// @opentelemetry/instrumentation-openai (captureMessageContent: false, logs exported) against the
// fake OpenAI server, exported over OTLP into a running engine, read back from its query API.
// Capture off still records each message's role: those must read as one muted line saying the
// content was not recorded and what to set, not as empty bubbles.
import assert from 'node:assert/strict';
import { metrics } from '@opentelemetry/api';
import { OpenAIInstrumentation } from '@opentelemetry/instrumentation-openai';
import * as openaiModule from 'openai';
import { startEngine, type Engine } from '../../src/engine/engine';
import type { TraceDetail } from '../../src/shared/spanModel';
import { EngineApiClient } from '../unit/helpers/engineApiClient';
import { startFakeOpenAiServer, type FakeOpenAiServer } from '../unit/helpers/fakeOpenAiServer';
import { moduleDefinition, REQUEST_MODEL } from '../unit/helpers/instrumentedLlmApps';
import { startOtlpExportPipeline } from '../unit/helpers/otlpExportPipeline';
import { SHOTS, viewsInSuite } from './harness/viewsInSuite';

describe('Messages whose content was not recorded', function () {
  let engine: Engine;
  let fakeApi: FakeOpenAiServer;
  const { show } = viewsInSuite();

  before(async () => {
    engine = await startEngine({ host: '127.0.0.1', httpPort: 0, grpcPort: 0, doctorGraceMs: 0 });
    fakeApi = await startFakeOpenAiServer();
  });
  after(async () => {
    await fakeApi?.close();
    await engine?.close();
  });

  /** One chat call through the real instrumentation, its logs exported; the trace as the engine serves it. */
  async function tracedCall(service: string, captureMessageContent: boolean, messages: openaiModule.OpenAI.ChatCompletionMessageParam[]): Promise<TraceDetail> {
    const pipeline = startOtlpExportPipeline(engine.httpPort, service);
    const instrumentation = new OpenAIInstrumentation({ captureMessageContent });
    instrumentation.setTracerProvider(pipeline.tracerProvider);
    instrumentation.setMeterProvider(metrics.getMeterProvider());
    instrumentation.setLoggerProvider(pipeline.loggerProvider);
    moduleDefinition(instrumentation).patch(openaiModule);
    try {
      const client = new openaiModule.OpenAI({ apiKey: 'sk-test-local-only', baseURL: fakeApi.baseURL, maxRetries: 0 });
      await client.chat.completions.create({ model: REQUEST_MODEL, messages });
      await pipeline.flush();
    } finally {
      moduleDefinition(instrumentation).unpatch(openaiModule);
      instrumentation.disable();
      await pipeline.shutdown();
    }
    const api = new EngineApiClient(engine.httpPort);
    const [summary] = await api.listTraces({ service });
    assert.ok(summary, `no trace from ${service}`);
    return api.trace(summary.traceId);
  }

  it('shows one muted line per run of content-less messages, naming the setting, instead of empty bubbles', async () => {
    const trace = await tracedCall('capture-off-app', false, [
      { role: 'system', content: 'You are a lighthouse guide.' },
      { role: 'user', content: 'How tall is Hornbjargsviti?' },
      { role: 'assistant', content: 'Which one?' },
      { role: 'user', content: 'The one in Iceland.' },
    ]);
    const llm = trace.spans.find((s) => s.kind === 'LLM')!;
    // The shape capture off leaves: every role, no text.
    assert.deepEqual(llm.inputMessages?.map((m) => [m.role, m.content]), [['system', ''], ['user', ''], ['assistant', ''], ['user', '']]);
    assert.deepEqual(llm.outputMessages?.map((m) => [m.role, m.content]), [['assistant', '']]);

    const view = await show(trace, { select: llm.spanId, height: 900 });
    const detail = view.page.locator('.span-detail');
    assert.equal(await detail.locator('.message').count(), 0, 'no empty bubbles');
    const lines = detail.locator('.message-not-recorded');
    assert.deepEqual(await lines.allInnerTexts(), [
      '4 messages (system, user, assistant, user) — content not recorded (capture is off for this instrumentation; the note above says what to set)',
      'Assistant message — content not recorded (capture is off for this instrumentation; the note above says what to set)',
    ]);
    const setting = /OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT=true .*\{ captureMessageContent: true \}/;
    assert.match(await lines.first().getAttribute('title') ?? '', setting, 'the setting, a hover away');
    assert.match(await detail.locator('.notice-banner').innerText(), setting, 'and in the note above');
    // Muted, in the theme's colours: not the text colour of a message.
    const colors = await lines.first().evaluate((el) => [getComputedStyle(el).color, getComputedStyle(document.body).color]);
    assert.notEqual(colors[0], colors[1], 'muted');
    // The logs did arrive (they carry the roles): the note above must not blame a missing log exporter.
    assert.doesNotMatch(await detail.locator('.notice-banner').innerText(), /never arrived/);
    await view.page.screenshot({ path: `${SHOTS}/content-not-recorded.png` });
  });

  it('tells a message recorded as an empty string from one not recorded', async () => {
    const trace = await tracedCall('capture-on-app', true, [
      { role: 'user', content: 'How tall is Hornbjargsviti?' },
      { role: 'assistant', content: '' },
      { role: 'user', content: 'The one in Iceland.' },
    ]);
    const llm = trace.spans.find((s) => s.kind === 'LLM')!;
    const view = await show(trace, { select: llm.spanId, theme: 'light' });
    const detail = view.page.locator('.span-detail');
    assert.equal(await detail.locator('.message-not-recorded').count(), 0);
    assert.deepEqual(await detail.locator('.message-empty').allInnerTexts(), ['Assistant message — empty (recorded as "")']);
    assert.equal(await detail.locator('.message').count(), 3, 'the others as they were');
    assert.equal(await detail.locator('.notice-banner').count(), 0, 'nothing is missing');
    await view.page.screenshot({ path: `${SHOTS}/content-recorded-empty.png` });
  });
});
