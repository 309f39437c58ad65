// Sessions, the LLM calls table and the context-window X-ray on real instrumentation traffic: the
// `openai` client traced by OpenInference against the fake OpenAI API, exported by the real OTLP
// exporter to a running engine, read back through the query API as a user's script would.
//   - a multi-turn chat: three turns, each its own trace, one session (OpenInference's setSession),
//     the third with a changed system prompt (the prompt cache breaks there);
//   - an agent loop: one trace, a retrieval, then a call that asks for a tool and a call with its result.
import assert from 'node:assert/strict';
import { setSession, setUser } from '@arizeai/openinference-core';
import { OpenAIInstrumentation } from '@arizeai/openinference-instrumentation-openai';
import { context, trace } from '@opentelemetry/api';
import * as openaiModule from 'openai';
import { QueryApiClient, QueryApiStatusError } from '../../src/shared/queryApi';
import { CANNED } from './helpers/fakeOpenAiServer';
import { useLiveEngine } from './helpers/liveEngine';
import { startOtlpExportPipeline, type OtlpExportPipeline } from './helpers/otlpExportPipeline';

const SESSION = 'chat-session-7f3a';
/** The call site the last call records (as the snippets' span processor does). */
const LATE_CALL_SITE = { file: 'lighthouse/chat.py', line: 42 };
const USER = 'user-ada';
const MODEL = 'gpt-4o-mini';
const SYSTEM = 'You are a terse guide to Icelandic lighthouses. Answer in one sentence.';
const ARTICLE = 'Hornbjargsviti stands on the Hornbjarg cliffs in the Westfjords; it was built in 1930 and automated in 1995.';
const WEATHER_TOOL = {
  type: 'function' as const,
  function: { name: CANNED.toolCall.name, description: 'Current weather for a city', parameters: { type: 'object', properties: { city: { type: 'string' } } } },
};

type ChatMessage = openaiModule.OpenAI.Chat.Completions.ChatCompletionMessageParam;

describe('sessions, LLM calls and the context window (OpenInference openai → OTLP → engine)', function () {
  this.timeout(60_000);
  const live = useLiveEngine();
  let pipeline: OtlpExportPipeline;
  let instrumentation: OpenAIInstrumentation;
  let api: QueryApiClient;
  const turnTraces: string[] = [];
  let agentTrace = '';

  before(async () => {
    pipeline = startOtlpExportPipeline(live.engine.httpPort, 'lighthouse-chat');
    instrumentation = new OpenAIInstrumentation({ tracerProvider: pipeline.tracerProvider });
    instrumentation.manuallyInstrument(openaiModule.OpenAI);
    const client = new openaiModule.OpenAI({ apiKey: 'sk-test-local-only', baseURL: live.fakeApi.baseURL, maxRetries: 0 });
    const tracer = pipeline.tracerProvider.getTracer('lighthouse-app');
    api = new QueryApiClient(live.engine.httpPort);

    // The chat: each turn is a request of its own, with the whole conversation so far.
    const history: ChatMessage[] = [{ role: 'system', content: SYSTEM }];
    const questions = ['How tall is Hornbjargsviti?', 'When was it built?', 'Is it still staffed?'];
    for (const [turn, question] of questions.entries()) {
      // The app "improves" its system prompt before the third turn: every cached prefix is lost.
      if (turn === 2) history[0] = { role: 'system', content: `${SYSTEM} Today is a holiday.` };
      history.push({ role: 'user', content: question });
      await context.with(setUser(setSession(context.active(), { sessionId: SESSION }), { userId: USER }), () =>
        tracer.startActiveSpan(`chat turn ${turn + 1}`, async (root) => {
          const reply = await client.chat.completions.create({ model: MODEL, messages: history });
          history.push({ role: 'assistant', content: reply.choices[0].message.content ?? '' });
          turnTraces.push(root.spanContext().traceId);
          root.end();
        }));
    }

    // The agent loop: retrieve, ask with a tool, run the tool, ask again with its result.
    await tracer.startActiveSpan('agent', async (root) => {
      agentTrace = root.spanContext().traceId;
      const retrieval = tracer.startSpan('retrieve', { attributes: {
        'openinference.span.kind': 'RETRIEVER', 'retrieval.documents.0.document.content': ARTICLE, 'retrieval.documents.0.document.score': 0.91,
      } }, trace.setSpan(context.active(), root));
      retrieval.end();
      const messages: ChatMessage[] = [
        { role: 'system', content: SYSTEM },
        { role: 'user', content: `Context:\n${ARTICLE}\n\nQuestion: should I visit Hornbjargsviti today, given the weather?` },
      ];
      const first = await client.chat.completions.create({ model: MODEL, messages, tools: [WEATHER_TOOL] });
      const call = first.choices[0].message.tool_calls![0];
      messages.push(first.choices[0].message, { role: 'tool', tool_call_id: call.id, content: JSON.stringify({ temperatureC: 4, wind: 'gale' }) });
      await client.chat.completions.create({ model: MODEL, messages, tools: [WEATHER_TOOL] });
      root.end();
    });
    await pipeline.flush();
  });

  after(async () => {
    instrumentation?.disable();
    await pipeline?.shutdown();
  });

  it('lists the chat as one session with its turns, tokens, user and first message', async () => {
    const { sessions } = await api.get('sessions', {});
    assert.equal(sessions.length, 1);
    const [session] = sessions;
    assert.equal(session.sessionId, SESSION);
    assert.equal(session.userId, USER);
    assert.equal(session.turns, 3);
    assert.equal(session.tokens.input, 3 * CANNED.text.usage.prompt_tokens);
    assert.equal(session.firstUserMessage, 'How tall is Hornbjargsviti?');
    assert.equal((await api.get('sessions', { user: 'someone-else' })).sessions.length, 0);
    assert.equal((await api.get('sessions', { filter: `user = ${USER}` })).sessions.length, 1);
  });

  it('opens the session as a conversation: each turn\'s question and answer in order, with a link to its trace', async () => {
    const detail = await api.get('session', SESSION);
    assert.deepEqual(detail.turns.map((t) => t.traceId), turnTraces);
    assert.deepEqual(detail.turns.map((t) => t.userInput), ['How tall is Hornbjargsviti?', 'When was it built?', 'Is it still staffed?']);
    for (const turn of detail.turns) {
      assert.equal(turn.answer, CANNED.text.content);
      assert.equal(turn.llmCalls, 1);
      assert.ok(turn.durationMs >= 0);
    }
  });

  it('shows how the earlier turns grow call by call, and where the prompt cache broke', async () => {
    const { context: growth } = await api.get('session', SESSION);
    assert.equal(growth.calls.length, 3);
    const history = growth.calls.map((c) => c.parts.history);
    assert.equal(history[0], 0);
    assert.ok(history[1] > 0 && history[2] > history[1], `earlier turns grow: ${history.join(', ')}`);
    for (const call of growth.calls) {
      assert.equal(call.inputTokens, CANNED.text.usage.prompt_tokens, 'the split adds up to the recorded usage');
      assert.equal(call.counting, 'usage');
      assert.match(call.tokenizer, /o200k_base/);
      assert.ok(call.contextLimit && call.contextLimit >= 100_000, 'gpt-4o-mini\'s context window comes from the catalog');
      assert.equal(call.limitSource, 'catalog');
    }
    // Turn 2 extends turn 1's prompt; turn 3 changed the system prompt, its first message.
    assert.equal(growth.breaks.length, 1);
    assert.equal(growth.breaks[0].traceId, turnTraces[2]);
    assert.equal(growth.breaks[0].messageIndex, 0);
    assert.match(growth.breaks[0].reason, /system prompt changed/);
  });

  it('splits an agent call\'s prompt into system, tools, retrieved documents, tool results and the new message', async () => {
    const { calls } = await api.get('calls', { filter: `trace.name = agent`, sort: 'start', order: 'asc' });
    assert.equal(calls.length, 2);
    const [first, second] = await Promise.all(calls.map((c) => api.get('spanContext', c.traceId, c.spanId)));
    assert.ok(first.xray.parts.documents > 0, 'the retrieved article is counted as retrieved documents');
    assert.ok(first.xray.parts.tools > 0 && first.xray.parts.system > 0 && first.xray.parts.newMessage > 0);
    assert.equal(first.xray.parts.toolResults, 0);
    assert.ok(second.xray.parts.toolResults > 0, 'the tool result is its own part');
    assert.equal(second.cacheBreak, undefined, 'the second call extends the first prompt: nothing broke');
    assert.equal(first.xray.cachedTokens, 0);
    assert.equal(first.xray.uncachedTokens, first.xray.inputTokens);
    assert.ok(first.xray.largest.length > 0);
  });

  it('lists every LLM call in one table, sorted and filtered with the filter language', async () => {
    const all = await api.get('calls', {});
    assert.equal(all.total, 5);
    assert.deepEqual(all.calls.map((c) => c.startMs), [...all.calls.map((c) => c.startMs)].sort((a, b) => b - a), 'newest first');
    const bySession = await api.get('calls', { filter: `session = ${SESSION}` });
    assert.equal(bySession.total, 3);
    assert.ok(bySession.calls.every((c) => c.sessionId === SESSION && c.model?.startsWith(MODEL) && c.inputTokens === CANNED.text.usage.prompt_tokens));
    assert.deepEqual(bySession.calls.map((c) => c.promptStart), ['Is it still staffed?', 'When was it built?', 'How tall is Hornbjargsviti?']);
    // Only the agent's first call asked with a tool and no result yet: the fake API's larger usage.
    const byInput = await api.get('calls', { sort: 'input_tokens', order: 'asc', limit: 2, offset: 3 });
    assert.equal(byInput.total, 5);
    assert.deepEqual(byInput.calls.map((c) => c.inputTokens), [CANNED.text.usage.prompt_tokens, CANNED.toolCall.usage.prompt_tokens]);
    const bad = await api.get('calls', { sort: 'size' as never }).catch((e: unknown) => e);
    assert.ok(bad instanceof QueryApiStatusError && bad.status === 400);
  });

  it('lets a trace that arrives later join its session', async () => {
    const tracer = pipeline.tracerProvider.getTracer('lighthouse-app');
    // The app's own span carries the session id this time (no LLM call in this turn).
    tracer.startSpan('chat turn 4', { attributes: { 'session.id': SESSION } }).end();
    await pipeline.flush();
    assert.equal((await api.get('session', SESSION)).turns.length, 4);
    const missing = await api.get('session', 'no-such-session').catch((e: unknown) => e);
    assert.ok(missing instanceof QueryApiStatusError && missing.status === 404);
  });

  it('puts a call that arrives later in the calls table, under a filter and a sort it already answered', async () => {
    const filter = `session = ${SESSION}`;
    const before = await api.get('calls', { filter, sort: 'input_tokens' });
    const tracer = pipeline.tracerProvider.getTracer('lighthouse-app');
    tracer.startSpan('late call', { attributes: {
      'openinference.span.kind': 'LLM', 'session.id': SESSION, 'llm.token_count.prompt': 99_999, 'code.file.path': LATE_CALL_SITE.file, 'code.line.number': LATE_CALL_SITE.line,
    } }).end();
    await pipeline.flush();
    const after = await api.get('calls', { filter, sort: 'input_tokens' });
    assert.equal(after.total, before.total + 1);
    assert.equal(after.calls[0].name, 'late call', 'the most input tokens first');
    assert.equal((await api.get('calls', { filter, sort: 'start' })).calls[0].name, 'late call');
  });

  it('groups the Steps by model or by prompt source instead of the one name OpenInference gives every chat call', async () => {
    // The app's own turn spans ('chat turn N') are steps of their own whatever the grouping.
    const stepsBy = async (groupBy: 'name' | 'model' | 'promptSource') =>
      (await api.get('report', 0, groupBy)).steps.filter((s) => !s.name.startsWith('chat turn')).map((s) => `${s.name} ${s.count}`).sort();
    assert.deepEqual(await stepsBy('name'), ['OpenAI Chat Completions 5', 'agent 1', 'late call 1', 'retrieve 1']);
    const byModel = await stepsBy('model');
    const calls = byModel.find((step) => step.startsWith(MODEL));
    assert.match(calls ?? '', / 5$/, 'the five chat calls, by the model that answered');
    assert.deepEqual(byModel.filter((step) => step !== calls), ['agent 1', 'late call 1', 'retrieve 1'], 'a span that names no model stays by its name');
    const site = `${LATE_CALL_SITE.file}:${LATE_CALL_SITE.line}`;
    assert.deepEqual(await stepsBy('promptSource'), ['OpenAI Chat Completions 5', 'agent 1', `${site} 1`, 'retrieve 1']);
    // The step opens its traces through the filter language.
    assert.equal((await api.get('traces', { filter: `prompt_source = "${site}"` })).traces.length, 1);
    const wrong = await api.get('report', 0, 'span' as never).catch((e: unknown) => e);
    assert.ok(wrong instanceof QueryApiStatusError && wrong.status === 400);
  });
});
