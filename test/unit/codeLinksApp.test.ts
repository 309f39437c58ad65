// Every span of a small support bot, linked to its code as `serve --workspace DIR` does: the bot
// (test/fixtures/code-links-app) keeps its prompt templates in one file and its help-center
// articles as string literals in another, with a support address inside a template that the
// engine's default redaction masks in the spans. The JS bot runs as a child process, traced by
// the real OpenInference OpenAI instrumentation with the snippets' call-site processor, against
// the fake OpenAI server. (It makes no failing call: that instrumentation never ends the span of
// a call whose promise rejects, so a failed call sends nothing.) OTel Python cannot be installed here: the Python bot's spans are built
// with the attributes openinference-instrumentation-openai records (and the Python snippet's
// processor, for one of them), and go through the same redaction and index.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { startEngine, Engine } from '../../src/engine/engine';
import { DEFAULT_REDACTIONS } from '../../src/shared/redaction';
import type { Span } from '../../src/shared/spanModel';
import { NODE_CALL_SITE } from '../../src/extension/commands/snippets';
import { EngineApiClient } from './helpers/engineApiClient';
import { FakeOpenAiServer, startFakeOpenAiServer } from './helpers/fakeOpenAiServer';
import { FIXTURES, rawSpan } from './helpers/rawSpans';

const run = promisify(execFile);

const tracingModule = (port: number) => `import { BasicTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { context, trace } from '@opentelemetry/api';
import { isAbsolute } from 'node:path';
import { fileURLToPath } from 'node:url';
import OpenAI from 'openai';
import { OpenAIInstrumentation } from '@arizeai/openinference-instrumentation-openai';

${NODE_CALL_SITE}

const provider = new BasicTracerProvider({
  resource: resourceFromAttributes({ 'service.name': 'support-bot' }),
  spanProcessors: [callSite, new SimpleSpanProcessor(new OTLPTraceExporter({ url: 'http://127.0.0.1:${port}/v1/traces' }))],
});
context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
trace.setGlobalTracerProvider(provider);
new OpenAIInstrumentation().manuallyInstrument(OpenAI);
process.once('beforeExit', () => provider.shutdown());
`;

/** The 1-based line of a file that contains the text (exactly one). */
function lineOf(file: string, text: string): number {
  const lines = readFileSync(file, 'utf8').split('\n');
  const found = lines.flatMap((line, i) => (line.includes(text) ? [i + 1] : []));
  assert.equal(found.length, 1, `${text} is on one line of ${file}`);
  return found[0];
}

const where = (s: Span['source']) => s && { file: s.file, line: s.line, how: s.how };

describe('code links of a support bot, headless (serve --workspace)', function () {
  this.timeout(60_000);
  let engine: Engine;
  let api: EngineApiClient;
  let fakeApi: FakeOpenAiServer;
  let app: string;

  before(async () => {
    app = realpathSync(mkdtempSync(join(tmpdir(), 'ati-support-bot-')));
    cpSync(join(FIXTURES, 'code-links-app'), app, { recursive: true });
    symlinkSync(resolve('node_modules'), join(app, 'js', 'node_modules'), 'dir');
    fakeApi = await startFakeOpenAiServer();
    engine = await startEngine({ host: '127.0.0.1', httpPort: 0, grpcPort: null, redaction: DEFAULT_REDACTIONS, workspace: [app] });
    await engine.ready;
    api = new EngineApiClient(engine.httpPort);
  });

  after(async () => {
    await fakeApi?.close();
    await engine?.close();
    rmSync(app, { recursive: true, force: true });
  });

  it('JS: every span opens its call site, and each LLM span its prompt template, not a retrieved article', async () => {
    writeFileSync(join(app, 'js', 'tracing.mjs'), tracingModule(engine.httpPort));
    await run(process.execPath, ['app.mjs'], {
      cwd: join(app, 'js'), timeout: 30_000,
      env: { ...process.env, OPENAI_API_KEY: 'sk-test-not-a-real-key', OPENAI_BASE_URL: fakeApi.baseURL, MARKER: 'zqjsbot' },
    });
    const trace = await api.onlyTrace({ q: 'zqjsbot' });
    const appFile = join(app, 'js', 'app.mjs');
    const prompts = join(app, 'js', 'prompts.mjs');
    const at = (text: string) => ({ file: appFile, line: lineOf(appFile, text), how: 'attribute' });
    const byName = (name: string) => trace.spans.filter((s) => s.name === name);
    assert.deepEqual(where(byName('support zqjsbot')[0].source), at('await tracer.startActiveSpan(`support'));
    assert.deepEqual(where(byName('retrieve')[0].source),
      { file: join(app, 'js', 'retriever.mjs'), line: lineOf(join(app, 'js', 'retriever.mjs'), "startActiveSpan('retrieve'"), how: 'attribute' });
    assert.deepEqual(where(byName('get_weather')[0].source), at("startActiveSpan('get_weather'"));

    const llm = trace.spans.filter((s) => s.kind === 'LLM').sort((a, b) => a.startMs - b.startMs);
    assert.equal(llm.length, 3, llm.map((s) => s.name).join(', '));
    const expected = [
      { call: 'const completion = await client.chat.completions.create(', template: 'export const ragPrompt' },
      { call: 'const first = await client.chat.completions.create(', template: 'export const agentPrompt' },
      { call: 'const second = await client.chat.completions.create(', template: 'export const agentPrompt' },
    ];
    llm.forEach((span, i) => {
      assert.deepEqual(where(span.source), at(expected[i].call), `LLM call ${i + 1} opens its call site`);
      assert.deepEqual(where(span.promptSource), { file: prompts, line: lineOf(prompts, expected[i].template), how: 'prompt' }, `LLM call ${i + 1}'s prompt comes from its template`);
      assert.ok(span.promptSource!.confidence! >= 0.9, `confidence ${span.promptSource!.confidence}`);
    });
    assert.match(JSON.stringify(llm[0].inputMessages), /\[REDACTED:email\]/, 'the template\'s address was masked in the span');

    // The lenses count the same: the agent's template has both agent calls, no article line has any.
    for (let waited = 0; waited < 5000 && !engine.code.activity.lines(prompts).length; waited += 50) await new Promise((r) => setTimeout(r, 50));
    const agentLine = engine.code.activity.atLine(prompts, lineOf(prompts, 'export const agentPrompt')).find((a) => a.how === 'prompt');
    assert.equal(agentLine?.count, 2);
    assert.deepEqual(engine.code.activity.lines(join(app, 'js', 'retriever.mjs')).filter((a) => a.how === 'prompt'), []);
  });

  it('Python: the call site from the processor, the error\'s stack, or the prompt, each with how it was found', async () => {
    const traceId = 'c0de'.repeat(8);
    const appFile = join(app, 'py', 'app.py');
    const prompts = join(app, 'py', 'prompts.py');
    const articles = (readFileSync(join(app, 'py', 'retriever.py'), 'utf8').match(/^ {4}"(.*)",$/gm) ?? []).map((line) => JSON.parse(line.trim().slice(0, -1)) as string);
    assert.equal(articles.length, 2);
    const question = 'My thermostat shows error E42 after the firmware update, what should I do?';
    const ragUser = `Reply to the customer with the knowledge-base entries below and nothing else. When the entries do not cover it, tell them so and point them to help@acme-support.example.com where a person will follow up.\n\nEntries:\n${articles.join('\n\n')}\n\nQuestion: ${question}`;
    const system = 'You are Acme Support, a patient assistant for the Acme smart thermostat. Answer in plain words and keep it short.';
    const messages = (...contents: [string, string][]) => Object.fromEntries(contents.flatMap(([role, content], i) => [
      [`llm.input_messages.${i}.message.role`, role], [`llm.input_messages.${i}.message.content`, content],
    ]));
    const llm = { 'openinference.span.kind': 'LLM', 'llm.model_name': 'gpt-4o-mini' };
    const t0 = Date.now();
    engine.index.addSpans([
      rawSpan({ 'openinference.span.kind': 'RETRIEVER', 'input.value': question, 'retrieval.documents.0.document.content': articles[0], 'retrieval.documents.1.document.content': articles[1] },
        { traceId, spanId: '0000000000000001', name: 'retrieve', startMs: t0, endMs: t0 + 5 }),
      // Recorded with the Python snippet's call-site processor, in a container.
      rawSpan({ ...llm, ...messages(['system', system], ['user', ragUser]), 'code.file.path': '/srv/bot/app.py', 'code.line.number': 13, 'code.function.name': 'answer' },
        { traceId, spanId: '0000000000000002', name: 'ChatCompletion', startMs: t0 + 10, endMs: t0 + 900 }),
      // Without the processor: the prompt alone says where it came from.
      rawSpan({ ...llm, ...messages(['user', "Write a short, friendly note that hands order 4471 over to a person on the support team, naming the customer's problem: the heating stays off"]) },
        { traceId, spanId: '0000000000000003', name: 'ChatCompletion', startMs: t0 + 1000, endMs: t0 + 1500 }),
      // A failure: the app's frame of the exception's traceback.
      rawSpan({ ...llm, ...messages(['system', system], ['user', ragUser.replace(articles.join('\n\n'), '')]) }, {
        traceId, spanId: '0000000000000004', name: 'ChatCompletion', startMs: t0 + 2000, endMs: t0 + 2100, statusCode: 2,
        events: [{ name: 'exception', timeMs: t0 + 2100, attributes: {
          'exception.type': 'openai.BadRequestError', 'exception.message': 'streaming is not supported',
          'exception.stacktrace': `Traceback (most recent call last):\n  File "/srv/bot/app.py", line ${lineOf(appFile, 'stream=True')}, in stream_answer\n    return client.chat.completions.create(model="gpt-4o-mini", messages=messages, stream=True)\n  File "/usr/local/lib/python3.12/site-packages/openai/_base_client.py", line 1047, in request\n    raise self._make_status_error_from_response(err.response) from None\nopenai.BadRequestError: streaming is not supported`,
        } }],
      }),
    ]);
    const detail = await api.trace(traceId);
    const span = (id: string) => detail.spans.find((s) => s.spanId === id)!;
    const ragTemplate = { file: prompts, line: lineOf(prompts, 'RAG_TEMPLATE = """'), how: 'prompt' };
    assert.deepEqual(where(span('0000000000000002').source), { file: appFile, line: 13, how: 'attribute' });
    assert.deepEqual(where(span('0000000000000002').promptSource), ragTemplate, 'the template, not an article in retriever.py');
    assert.deepEqual(where(span('0000000000000003').source), { file: prompts, line: lineOf(prompts, 'return f"Write a short'), how: 'prompt' });
    assert.ok(span('0000000000000003').source!.confidence! >= 0.9);
    assert.deepEqual(where(span('0000000000000004').source), { file: appFile, line: lineOf(appFile, 'stream=True'), how: 'stack' });
    assert.deepEqual(where(span('0000000000000004').promptSource), ragTemplate);
    assert.equal(span('0000000000000001').source, undefined, 'the retrieval recorded no line');
  });

  it('without a workspace, spans keep what their attributes say', async () => {
    const bare = await startEngine({ host: '127.0.0.1', httpPort: 0, grpcPort: null });
    try {
      bare.index.addSpans([rawSpan({ 'openinference.span.kind': 'LLM', 'code.file.path': '/srv/bot/app.py', 'code.line.number': 13 }, { traceId: 'ab'.repeat(16) })]);
      const detail = await new EngineApiClient(bare.httpPort).trace('ab'.repeat(16));
      assert.deepEqual(detail.spans[0].source, { file: '/srv/bot/app.py', line: 13, how: 'attribute' });
    } finally {
      await bare.close();
    }
  });
});
