// Replay end to end without VS Code: an LLM call recorded by the real OpenInference instrumentation
// becomes a request document, is edited, runs through the real `openai` and `@anthropic-ai/sdk`
// clients against loopback fakes (streaming and not, tool calls, 401/404/429, unreachable), and is
// recorded in a running engine as a priced LLM span linked to the original.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isLoopbackUrl } from '../../src/extension/replay/replayEndpoint';
import { answerFactsOfSpan, comparisonSide, outputText, summarizeRuns, wordSimilarity } from '../../src/extension/replay/replayReport';
import {
  AnthropicProvider, OpenAiCompatibleProvider, retryAfterSeconds, type ReplayAnswer, type ReplayProvider,
} from '../../src/extension/replay/replayProviders';
import { parseReplayRequest, requestFromSpan, type ReplayRequest } from '../../src/extension/replay/replayRequest';
import { whyNotReplayable } from '../../src/shared/promptContent';
import { runAndRecord, runOnce, type RunOutcome } from '../../src/extension/replay/replayRunner';
import { REPLAY_ATTRIBUTE, REPLAY_OF_SPAN_ATTRIBUTE } from '../../src/extension/replay/replayTrace';
import type { Span } from '../../src/shared/spanModel';
import { ANSWERING_MODEL, cannedAnswer, startFakeReplayServer, TOOL_CALL, USAGE, type FakeReplayServer } from './helpers/fakeReplayServers';
import { chatScenario, instrumentedApps } from './helpers/instrumentedLlmApps';
import { useLiveEngine } from './helpers/liveEngine';
import { startOtlpExportPipeline } from './helpers/otlpExportPipeline';

const EDITED_SYSTEM = 'You are a pirate guide to lighthouses. Answer in one sentence.';

function answerOf(outcome: RunOutcome): ReplayAnswer {
  assert.ok('answer' in outcome, `expected an answer, got the error: ${'error' in outcome ? outcome.error : ''}`);
  return outcome.answer;
}

function errorOf(outcome: RunOutcome): string {
  assert.ok('error' in outcome, `expected an error, got an answer: ${JSON.stringify(outcome)}`);
  return outcome.error;
}

describe('replay', () => {
  const live = useLiveEngine();
  let fake: FakeReplayServer;
  /** The LLM span the OpenInference instrumentation recorded for a tool-offering call. */
  let original: Span;

  before(async () => {
    fake = await startFakeReplayServer();
    const app = instrumentedApps().find((a) => a.label === '@arizeai/openinference-instrumentation-openai')!;
    const pipeline = startOtlpExportPipeline(live.engine.httpPort, 'app-to-replay');
    app.start(pipeline, live.fakeApi);
    try {
      await app.ask(chatScenario('toolCall', 'zqreplayorig'));
      await pipeline.flush();
    } finally {
      app.stop();
      await pipeline.shutdown();
    }
    const trace = await live.api.onlyTrace({ q: 'zqreplayorig' });
    original = trace.spans.find((s) => s.kind === 'LLM')!;
  });
  after(() => fake?.close());

  const providers: [string, () => ReplayProvider][] = [
    ['OpenAI-compatible', () => new OpenAiCompatibleProvider({ baseURL: fake.openAiBaseURL, apiKey: 'sk-local' })],
    ['Anthropic', () => new AnthropicProvider({ baseURL: fake.anthropicBaseURL, apiKey: 'sk-ant-local' })],
  ];

  /** The recorded call with its system prompt edited, as a user would in the editor. */
  function editedRequest(changes: Partial<ReplayRequest> = {}): ReplayRequest {
    const document = JSON.parse(JSON.stringify(requestFromSpan(original), null, 2)) as ReplayRequest;
    document.messages[0].content = EDITED_SYSTEM;
    const parsed = parseReplayRequest(JSON.stringify({ ...document, ...changes }));
    assert.ok('request' in parsed, `the edited request parses: ${JSON.stringify(parsed)}`);
    return parsed.request;
  }

  describe('the request document', () => {
    it('carries the recorded messages, model, parameters and tool definitions', () => {
      const request = requestFromSpan(original);
      assert.deepEqual(request.replayOf, { traceId: original.traceId, spanId: original.spanId, name: original.name });
      assert.equal(request.model, original.model);
      assert.deepEqual(request.messages.map((m) => m.role), ['system', 'user']);
      assert.match(request.messages[1].content, /weather in Reykjavik/);
      assert.equal(request.parameters.temperature, 0.2);
      assert.equal(request.tools.length, 1, `one tool definition from llm.tools.*, got ${JSON.stringify(request.tools)}`);
      assert.equal(request.tools[0].name, 'get_weather');
      assert.deepEqual((request.tools[0].parameters as { required: string[] }).required, ['city', 'unit']);
    });

    it('says what is wrong with an edited request, and where', () => {
      const bad = parseReplayRequest(JSON.stringify({ model: '', messages: [{ role: 'robot', content: 3 }, { role: 'tool', content: 'x' }], tools: [{}] }));
      assert.ok('errors' in bad);
      assert.deepEqual(bad.errors, [
        '"model" must name the model to run, e.g. "gpt-4o-mini".',
        'messages[0].role must be one of system, user, assistant, tool.',
        'messages[0].content must be a string.',
        'messages[1] is a tool result: give "toolCallId", the id of the call it answers.',
        'tools[0] needs a "name".',
      ]);
      const notJson = parseReplayRequest('{"model": "x",');
      assert.ok('errors' in notJson && /not valid JSON/.test(notJson.errors[0]));
    });

    it('refuses spans that are not LLM calls or carry no prompt', () => {
      assert.match(whyNotReplayable({ kind: 'TOOL', name: 'search', inputMessages: undefined })!, /only LLM spans/);
      assert.match(whyNotReplayable({ kind: 'LLM', name: 'chat', inputMessages: [] })!, /no prompt/);
      // Capture off: the roles were recorded, not what they said.
      assert.match(whyNotReplayable({ kind: 'LLM', name: 'chat', inputMessages: [{ role: 'system', content: '' }, { role: 'user', content: '' }] })!, /without its content/);
      assert.equal(whyNotReplayable(original), undefined);
    });

    it('is described by the contributed JSON schema', () => {
      const manifest = JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8'));
      const [validation] = manifest.contributes.jsonValidation.filter((v: { fileMatch: string }) => v.fileMatch === '*.replay.json');
      const schema = JSON.parse(readFileSync(join(__dirname, '..', '..', validation.url), 'utf8'));
      const documentKeys = Object.keys(requestFromSpan(original)).sort();
      assert.deepEqual(Object.keys(schema.properties).sort(), documentKeys, 'every field of the document is in the schema');
      assert.deepEqual(schema.required, ['model', 'messages']);
    });
  });

  for (const [label, make] of providers) {
    describe(`${label} through its client package`, () => {
      for (const stream of [true, false]) {
        it(`runs the edited prompt${stream ? ', streaming token by token' : ' without streaming'}`, async () => {
          const before = fake.requests.length;
          const deltas: string[] = [];
          const answer = answerOf(await runOnce(make(), editedRequest({ tools: [], stream }), (d) => deltas.push(d)));
          assert.equal(answer.text, cannedAnswer(EDITED_SYSTEM), 'the answer followed the edited system prompt');
          assert.equal(deltas.join(''), answer.text);
          if (stream) assert.ok(deltas.length > 5, `streamed in pieces, got ${deltas.length}`);
          else assert.equal(deltas.length, 1);
          assert.deepEqual(answer.usage, { input: USAGE.input, output: USAGE.output });
          assert.equal(answer.model, label === 'Anthropic' ? ANSWERING_MODEL.anthropic : ANSWERING_MODEL.openai);
          const sent = fake.requests[before].body;
          assert.equal(sent.stream ?? false, stream);
          if (label === 'Anthropic') {
            assert.equal(sent.system, EDITED_SYSTEM, 'the system prompt goes in Anthropic\'s system field');
            assert.equal(sent.max_tokens, 1024, 'Anthropic needs max_tokens; a default is given');
          } else {
            assert.deepEqual(sent.messages[0], { role: 'system', content: EDITED_SYSTEM });
          }
          assert.equal(sent.temperature, 0.2, 'the recorded parameters go along');
        });

        it(`shows the tool call of the answer without running it${stream ? ' (streaming)' : ''}`, async () => {
          const answer = answerOf(await runOnce(make(), editedRequest({ stream })));
          assert.equal(answer.toolCalls.length, 1);
          assert.equal(answer.toolCalls[0].name, TOOL_CALL.name);
          assert.deepEqual(answer.toolCalls[0].arguments, TOOL_CALL.arguments);
          assert.equal(answer.finishReason, label === 'Anthropic' ? 'tool_use' : 'tool_calls');
        });
      }

      it('sends a pasted tool result back as the provider expects', async () => {
        const request = editedRequest();
        request.messages.push(
          { role: 'assistant', content: '', toolCalls: [{ id: 'call_1', name: TOOL_CALL.name, arguments: TOOL_CALL.arguments }] },
          { role: 'tool', toolCallId: 'call_1', content: '{"temperature": 4}' });
        const before = fake.requests.length;
        const answer = answerOf(await runOnce(make(), request));
        assert.equal(answer.toolCalls.length, 0, 'after the result, the model answers in text');
        const sent = fake.requests[before].body.messages;
        if (label === 'Anthropic') {
          assert.deepEqual(sent.slice(1), [
            { role: 'assistant', content: [{ type: 'tool_use', id: 'call_1', name: TOOL_CALL.name, input: TOOL_CALL.arguments }] },
            { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'call_1', content: '{"temperature": 4}' }] },
          ]);
        } else {
          assert.deepEqual(sent.slice(2), [
            { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: TOOL_CALL.name, arguments: JSON.stringify(TOOL_CALL.arguments) } }] },
            { role: 'tool', tool_call_id: 'call_1', content: '{"temperature": 4}' },
          ]);
        }
      });

      it('says 401: the key was refused, and how to set it', async () => {
        const provider = label === 'Anthropic'
          ? new AnthropicProvider({ baseURL: fake.anthropicBaseURL, apiKey: 'bad-key' })
          : new OpenAiCompatibleProvider({ baseURL: fake.openAiBaseURL, apiKey: 'bad-key' });
        const error = errorOf(await runOnce(provider, editedRequest()));
        assert.match(error, /refused the API key \(401: .*Incorrect API key/);
        assert.match(error, /Set Replay API Key/);
      });

      it('says 404: the model was not found', async () => {
        assert.match(errorOf(await runOnce(make(), editedRequest({ model: 'missing-model' }))), /^Model "missing-model" was not found at http:\/\/127\.0\.0\.1:\d+.* \(404/);
      });

      it('says 429 with the retry time, without retrying on its own', async () => {
        const before = fake.requests.length;
        const error = errorOf(await runOnce(make(), editedRequest({ model: 'busy-model' })));
        assert.match(error, /^Rate limited by .* \(429\): retry in 7 s/);
        assert.equal(fake.requests.length, before + 1, 'one request: the user decides when to retry');
      });
    });
  }

  it('says when the endpoint is unreachable', async () => {
    const closed = await startFakeReplayServer();
    await closed.close();
    for (const provider of [new OpenAiCompatibleProvider({ baseURL: closed.openAiBaseURL }), new AnthropicProvider({ baseURL: closed.anthropicBaseURL })]) {
      assert.match(errorOf(await runOnce(provider, editedRequest())), /is unreachable.*ECONNREFUSED.*Check the base URL/);
    }
  });

  describe('recorded in the engine', () => {
    it('as a priced LLM span marked as a replay and linked to the original', async () => {
      const provider = new OpenAiCompatibleProvider({ baseURL: fake.openAiBaseURL });
      const run = await runAndRecord(provider, editedRequest({ tools: [] }), { httpPort: live.engine.httpPort });
      assert.equal(run.recordError, undefined);
      const trace = await live.api.trace(run.traceId);
      const [span] = trace.spans;
      assert.equal(span.spanId, run.spanId);
      assert.equal(span.kind, 'LLM');
      assert.equal(span.attributes[REPLAY_ATTRIBUTE], true);
      assert.equal(span.attributes[REPLAY_OF_SPAN_ATTRIBUTE], original.spanId);
      assert.deepEqual(span.links?.map((l) => [l.traceId, l.spanId]), [[original.traceId, original.spanId]]);
      assert.equal(span.model, ANSWERING_MODEL.openai);
      assert.deepEqual([span.tokens?.input, span.tokens?.output], [USAGE.input, USAGE.output]);
      assert.equal(span.costSource, 'computed', 'the engine priced it from its price table');
      assert.ok((span.costUsd ?? 0) > 0);
      assert.equal(span.inputMessages?.[0].content, EDITED_SYSTEM);
      assert.equal(span.outputMessages?.[0].content, cannedAnswer(EDITED_SYSTEM));
      assert.ok(!JSON.stringify(trace).includes('no-key'), 'no key reaches the trace');

      const left = comparisonSide(answerFactsOfSpan(original, 'Original'));
      const right = comparisonSide(answerFactsOfSpan(span, 'Replay'));
      assert.match(left, /## Tool calls\n\n- get_weather/);
      assert.match(right, /## Response\n\nFollowing "You are a pirate/);
      assert.deepEqual(left.split('\n').filter((l) => l.startsWith('#')).slice(1), right.split('\n').filter((l) => l.startsWith('#')).slice(1), 'both sides have the same sections');
    });

    it('a failed run is recorded as a failed span with the reason, and the output says it', async () => {
      const provider = new OpenAiCompatibleProvider({ baseURL: fake.openAiBaseURL });
      const run = await runAndRecord(provider, editedRequest({ model: 'missing-model' }), { httpPort: live.engine.httpPort });
      const [span] = (await live.api.trace(run.traceId)).spans;
      assert.equal(span.status, 'error');
      assert.match(span.statusMessage ?? '', /not found/);
      const text = outputText({ title: 'chat', model: 'missing-model', target: 'fake', planned: 1, runs: [{ streamed: '', done: run }] });
      assert.match(text, /\*\*Error:\*\* Model "missing-model" was not found/);
      assert.match(text, /The request is unchanged/);
    });
  });

  describe('Run ×N', () => {
    const answer = (text: string, output: number): RunOutcome => ({ answer: { text, toolCalls: [], usage: { output }, startMs: 0, endMs: 100 * output } });

    it('groups the distinct answers, most frequent first', () => {
      const summary = summarizeRuns([answer('Yes, 10 m.', 4), answer('Yes,  10 m.', 5), { error: 'x', startMs: 0, endMs: 1 }, answer('It is ten metres tall.', 6), answer('Yes, 10 m.', 4)]);
      assert.equal(summary.runs, 5);
      assert.equal(summary.failed, 1);
      assert.deepEqual(summary.distinct.map((d) => d.runs), [[1, 2, 5], [4]]);
      assert.equal(summary.distinct[0].similarityToCommonest, 1);
      assert.deepEqual(summary.outputTokens, { min: 4, max: 6 });
      assert.deepEqual(summary.latencyMs, { min: 400, max: 600 });
    });

    it('five real runs of the same request show as one answer', async () => {
      const provider = new OpenAiCompatibleProvider({ baseURL: fake.openAiBaseURL });
      const outcomes = [];
      for (let i = 0; i < 5; i++) outcomes.push(await runOnce(provider, editedRequest({ tools: [] })));
      const text = outputText({
        title: 'chat', model: 'gpt-4o-mini', target: 'fake', planned: 5,
        runs: outcomes.map((outcome) => ({ streamed: '', done: { outcome, traceId: 'a'.repeat(32), spanId: 'b'.repeat(16) } })),
      });
      assert.match(text, /## How the answers differ\n\n1 distinct answer in 5 runs\./);
    });

    it('word similarity is 1 for the same words and 0 for none shared', () => {
      assert.equal(wordSimilarity('The cat', 'the CAT'), 1);
      assert.equal(wordSimilarity('a b', 'c d'), 0);
    });
  });

  it('knows which endpoints keep the prompt on this machine', () => {
    for (const url of ['http://localhost:11434/v1', 'http://127.0.0.1:1234/v1', 'http://[::1]:8000/v1']) assert.ok(isLoopbackUrl(url), url);
    for (const url of ['https://api.openai.com/v1', 'http://127.0.0.1.evil.com/v1', 'http://192.168.1.5:11434/v1', 'not a url']) assert.ok(!isLoopbackUrl(url), url);
  });

  it('reads Retry-After as seconds, milliseconds or a date', () => {
    assert.equal(retryAfterSeconds(new Headers({ 'retry-after': '7' })), 7);
    assert.equal(retryAfterSeconds(new Headers({ 'retry-after-ms': '1500' })), 2);
    assert.equal(retryAfterSeconds(new Headers({ 'retry-after': new Date(60_000).toUTCString() }), 0), 60);
    assert.equal(retryAfterSeconds(new Headers({})), undefined);
  });
});
