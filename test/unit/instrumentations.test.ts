// End to end with real instrumentations from npm: each app below is traced by a published LLM
// instrumentation, exports through the real OTLP/HTTP protobuf exporters (spans, and log
// records where the instrumentation puts message content there) into a running engine, and
// the engine's query API must hand back the same normalized LLM call whatever the convention.
import assert from 'node:assert/strict';
import type { Span, TraceDetail } from '../../src/shared/spanModel';
import { CANNED, RESPONSE_MODEL } from './helpers/fakeOpenAiServer';
import { useLiveEngine } from './helpers/liveEngine';
import { chatScenario, ChatScenario, InstrumentedApp, instrumentedApps, REQUEST_MODEL, ScenarioKind } from './helpers/instrumentedLlmApps';
import { OtlpExportPipeline, startOtlpExportPipeline } from './helpers/otlpExportPipeline';

const USAGE: Record<ScenarioKind, { prompt_tokens: number; completion_tokens: number; total_tokens: number }> = {
  text: CANNED.text.usage,
  toolCall: CANNED.toolCall.usage,
};

const expectedTokens = (kind: ScenarioKind) => ({
  input: USAGE[kind].prompt_tokens,
  output: USAGE[kind].completion_tokens,
  total: USAGE[kind].total_tokens,
});

/** The span of the call to the provider: the LLM span no other LLM span hangs below. */
function providerCallSpan(detail: TraceDetail): Span {
  const llm = detail.spans.filter((s) => s.kind === 'LLM');
  const parents = new Set(llm.map((s) => s.parentSpanId));
  const calls = llm.filter((s) => !parents.has(s.spanId));
  const seen = detail.spans.map((s) => `${s.name} (${s.kind})`).join(', ');
  assert.equal(calls.length, 1, `expected one LLM span for the provider call, spans are: ${seen}`);
  return calls[0];
}

function assertNormalizedCall(span: Span, scenario: ChatScenario): void {
  assert.equal(span.kind, 'LLM');
  assert.equal(span.model, RESPONSE_MODEL, 'the model the API answered with');
  assert.equal(span.provider, 'openai');
  const { input, output, total } = span.tokens ?? {};
  assert.deepEqual({ input, output, total }, expectedTokens(scenario.kind), 'tokens are the usage the API reported');
  assert.ok((span.costUsd ?? 0) > 0, `a priced model has a cost, got ${span.costUsd}`);
  assert.deepEqual(
    span.inputMessages?.map(({ role, content }) => ({ role, content })),
    [{ role: 'system', content: scenario.system }, { role: 'user', content: scenario.user }],
  );
  assert.equal(span.outputMessages?.length, 1, `one output message, got ${JSON.stringify(span.outputMessages)}`);
  assert.equal(span.outputMessages[0].role, 'assistant');
}

function assertToolCall(span: Span): void {
  const calls = span.outputMessages?.[0].toolCalls;
  assert.equal(calls?.length, 1, `one tool call, got ${JSON.stringify(span.outputMessages)}`);
  const [call] = calls;
  assert.equal(call.name, CANNED.toolCall.name);
  const args = typeof call.arguments === 'string' ? JSON.parse(call.arguments) : call.arguments;
  assert.deepEqual(args, CANNED.toolCall.arguments);
  if (call.id !== undefined) assert.equal(call.id, CANNED.toolCall.id);
}

describe('real LLM instrumentations exported over OTLP into the engine', () => {
  const live = useLiveEngine();

  for (const app of instrumentedApps()) describeApp(app);

  function describeApp(app: InstrumentedApp): void {
    describe(app.label, () => {
      const tag = app.service.replace(/[^a-z]/g, '');
      const scenarios: Record<ScenarioKind, ChatScenario> = {
        text: chatScenario('text', `zqtext${tag}`),
        toolCall: chatScenario('toolCall', `zqtool${tag}`),
      };
      let pipeline: OtlpExportPipeline | undefined;
      const traceOf = (kind: ScenarioKind) => live.api.onlyTrace({ q: scenarios[kind].marker });

      before(async () => {
        pipeline = startOtlpExportPipeline(live.engine.httpPort, app.service);
        app.start(pipeline, live.fakeApi);
        await app.ask(scenarios.text);
        await app.ask(scenarios.toolCall);
        await pipeline.flush();
      });

      after(async () => {
        app.stop();
        await pipeline?.shutdown();
      });

      if (app.needsFakeApi) {
        it('drives the real openai client against the local API', () => {
          const sent = live.fakeApi.requests.filter((r) => JSON.stringify(r.messages).includes(tag));
          assert.deepEqual(sent.map((r) => r.model), [REQUEST_MODEL, REQUEST_MODEL]);
        });
      }

      it('normalizes a text answer: kind, model, provider, tokens, cost and messages', async () => {
        const span = providerCallSpan(await traceOf('text'));
        assertNormalizedCall(span, scenarios.text);
        assert.equal(span.outputMessages?.[0].content, CANNED.text.content);
      });

      it('normalizes a tool-call answer with the call\'s name and arguments', async () => {
        const span = providerCallSpan(await traceOf('toolCall'));
        assertNormalizedCall(span, scenarios.toolCall);
        assertToolCall(span);
      });

      it('counts the provider call once in the trace\'s tokens and cost', async () => {
        for (const kind of ['text', 'toolCall'] as const) {
          const detail = await traceOf(kind);
          const call = providerCallSpan(detail);
          assert.deepEqual(detail.summary.tokens, expectedTokens(kind), `${kind} trace tokens, over ${detail.spans.length} span(s)`);
          assert.ok(Math.abs(detail.summary.costUsd - (call.costUsd ?? 0)) < 1e-12,
            `${kind} trace cost ${detail.summary.costUsd} should equal its one call's ${call.costUsd}`);
          assert.ok(detail.summary.models.includes(RESPONSE_MODEL), `models ${JSON.stringify(detail.summary.models)}`);
          if (app.wrapper) {
            // Without this the check above would pass vacuously: the wrapper must be there,
            // repeating the usage, for a naive sum to double it.
            const wrapper = detail.spans.find((s) => s.spanId === call.parentSpanId);
            assert.equal(wrapper?.name, app.wrapper.spanName, 'the provider call\'s parent');
            assert.equal(wrapper.attributes[app.wrapper.totalTokensAttribute], USAGE[kind].total_tokens);
          }
        }
      });

      if (app.messagesInLogRecords) {
        it('takes the message content from the log records, as the span carries none', async () => {
          const span = providerCallSpan(await traceOf('text'));
          assert.ok(!JSON.stringify(span.attributes).includes(scenarios.text.marker), 'the prompt is not among the span\'s attributes');
          assert.equal(span.inputMessages?.[1]?.content, scenarios.text.user);
        });
      }

      it('finds each trace by a word of its prompt, and ranks them by tokens and cost', async () => {
        const [text, toolCall] = await Promise.all([traceOf('text'), traceOf('toolCall')]);
        const filtered = await live.api.listTraces({ q: scenarios.text.marker, service: app.service, model: RESPONSE_MODEL });
        assert.deepEqual(filtered.map((t) => t.traceId), [text.summary.traceId]);
        for (const sort of ['tokens', 'cost'] as const) {
          const ranked = await live.api.listTraces({ service: app.service, sort });
          assert.deepEqual(ranked.map((t) => t.traceId), [toolCall.summary.traceId, text.summary.traceId], `sort=${sort}`);
        }
      });
    });
  }
});
