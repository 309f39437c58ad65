import assert from 'node:assert/strict';
import { PriceTable } from '../../src/engine/normalize/pricing';
import { TraceIndex } from '../../src/engine/index/traceIndex';
import { fixtureAttributes, normalizeAttributes, normalized, rawSpan } from './helpers/rawSpans';

const WEATHER_REPLY = 'The weather in Paris is currently rainy with a temperature of 57°F.';

/** What every chat-shaped fixture must come out as, whatever convention carried it. */
function assertWeatherConversation(span: ReturnType<typeof normalizeAttributes>) {
  assert.equal(span.kind, 'LLM');
  assert.equal(span.provider, 'openai');
  assert.deepEqual(span.tokens && { input: span.tokens.input, output: span.tokens.output }, { input: 97, output: 52 });
  assert.equal(span.inputMessages?.[0].role, 'user');
  assert.equal(span.inputMessages?.[0].content, 'Weather in Paris?');
  assert.equal(span.outputMessages?.[0].role, 'assistant');
  assert.equal(span.outputMessages?.[0].content, WEATHER_REPLY);
}

describe('normalization across conventions', () => {
  it('reads OpenInference flattened messages, tool calls and tool results', () => {
    const span = normalizeAttributes(fixtureAttributes('openinference_client_span_tool_calls.json'));
    assertWeatherConversation(span);
    assert.equal(span.model, 'gpt-4-0613');
    assert.deepEqual(span.inputMessages?.[1].toolCalls, [{ id: '1234', name: 'get_weather', arguments: { location: 'Paris' } }]);
    assert.equal(span.inputMessages?.[2].role, 'tool');
    assert.equal(span.inputMessages?.[2].toolCallId, '1234');
    assert.equal(span.invocationParameters?.temperature, 0.5);
  });

  it('reads OTel GenAI structured messages with parts', () => {
    const span = normalizeAttributes(fixtureAttributes('otel_genai_client_span_tool_calls.json'));
    assertWeatherConversation(span);
    assert.equal(span.model, 'gpt-4-0613', 'the response model wins over the request model');
    assert.deepEqual(span.inputMessages?.[1].toolCalls, [{ id: '1234', name: 'get_weather', arguments: { location: 'Paris' } }]);
    assert.equal(span.inputMessages?.[2].content, 'rainy, 57°F');
    assert.deepEqual(span.finishReasons, ['stop']);
    assert.equal(span.invocationParameters?.max_tokens, 200);
  });

  it('reads the deprecated gen_ai.prompt / gen_ai.completion strings', () => {
    assertWeatherConversation(normalizeAttributes(fixtureAttributes('otel_genai_deprecated_client_span_tool_calls.json')));
  });

  it('derives a conversation from raw input/output values when that is all an LLM span has', () => {
    const span = normalizeAttributes(fixtureAttributes('openinference_client_span_input_output_only.json'));
    assertWeatherConversation(span);
    assert.equal(typeof span.input, 'string', 'the raw value is kept as recorded');
  });

  it('reads a GenAI tool execution span', () => {
    const span = normalizeAttributes(fixtureAttributes('otel_genai_tool_execution_span.json'));
    assert.equal(span.kind, 'TOOL');
    assert.equal(span.tool?.name, 'get_weather');
    assert.equal(span.tool?.callId, '1234');
    assert.deepEqual(span.tool?.arguments, { city: 'New York' });
    assert.equal((span.tool?.result as { status: string }).status, 'success');
  });

  it('reads OpenLLMetry flattened gen_ai.prompt.N and keeps gen_ai.prompt.name out of the messages', () => {
    const span = normalizeAttributes({
      'traceloop.span.kind': 'task', 'llm.request.type': 'chat', 'gen_ai.system': 'OpenAI',
      'gen_ai.request.model': 'gpt-4o', 'gen_ai.prompt.name': 'refund-policy',
      'gen_ai.prompt.prompt_filter_results': '[]',
      'gen_ai.prompt.0.role': 'system', 'gen_ai.prompt.0.content': 'You are a refund bot.',
      'gen_ai.prompt.1.role': 'user', 'gen_ai.prompt.1.content': 'Refund order 12345',
      'gen_ai.completion.0.role': 'assistant', 'gen_ai.completion.0.finish_reason': 'tool_calls',
      'gen_ai.completion.0.tool_calls.0.id': 'call_1', 'gen_ai.completion.0.tool_calls.0.name': 'refund',
      'gen_ai.completion.0.tool_calls.0.arguments': '{"order":12345}',
      'gen_ai.usage.prompt_tokens': 20, 'gen_ai.usage.completion_tokens': 5, 'llm.usage.total_tokens': 25,
    });
    assert.equal(span.kind, 'LLM', 'llm.request.type outranks traceloop.span.kind');
    assert.equal(span.provider, 'openai');
    assert.deepEqual(span.inputMessages?.map((m) => [m.role, m.content]), [['system', 'You are a refund bot.'], ['user', 'Refund order 12345']]);
    assert.deepEqual(span.outputMessages?.[0].toolCalls, [{ id: 'call_1', name: 'refund', arguments: { order: 12345 } }]);
    assert.deepEqual(span.finishReasons, ['tool_calls']);
    assert.deepEqual(span.tokens, { input: 20, output: 5, total: 25 });
    assert.ok(span.costUsd! > 0, 'gpt-4o is in the price table');
    assert.equal(span.costSource, 'computed');
  });

  it('maps traceloop.span.kind where nothing stronger says otherwise', () => {
    assert.equal(normalizeAttributes({ 'traceloop.span.kind': 'workflow' }).kind, 'CHAIN');
    assert.equal(normalizeAttributes({ 'traceloop.span.kind': 'agent' }).kind, 'AGENT');
    assert.equal(normalizeAttributes({ 'traceloop.span.kind': 'tool', 'traceloop.entity.name': 'lookup' }).tool?.name, 'lookup');
  });

  it('reads Vercel AI SDK inner and outer spans', () => {
    const inner = normalizeAttributes({
      'ai.operationId': 'ai.generateText.doGenerate', 'operation.name': 'ai.generateText.doGenerate my-fn',
      'ai.model.id': 'gpt-4o-mini', 'ai.model.provider': 'openai.chat',
      'ai.prompt.messages': JSON.stringify([
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: [{ type: 'text', text: 'Capital of France?' }] },
      ]),
      'ai.response.text': 'Paris.', 'ai.response.finishReason': 'stop',
      'ai.usage.inputTokens': 12, 'ai.usage.outputTokens': 2,
    });
    assert.equal(inner.kind, 'LLM');
    assert.equal(inner.provider, 'openai');
    assert.deepEqual(inner.inputMessages?.map((m) => m.content), ['Be brief.', 'Capital of France?']);
    assert.equal(inner.outputMessages?.[0].content, 'Paris.');
    assert.deepEqual(inner.tokens, { input: 12, output: 2, total: 14 });
    const outer = normalizeAttributes({
      'ai.operationId': 'ai.generateText', 'ai.prompt': JSON.stringify({ system: 'Be brief.', prompt: 'Capital of France?' }),
      'ai.response.toolCalls': JSON.stringify([{ toolCallId: 't1', toolName: 'lookup', input: '{"q":"France"}' }]),
    });
    assert.equal(outer.kind, 'CHAIN');
    assert.deepEqual(outer.inputMessages?.map((m) => m.role), ['system', 'user']);
    assert.deepEqual(outer.outputMessages?.[0].toolCalls, [{ id: 't1', name: 'lookup', arguments: { q: 'France' } }]);
  });

  it('reads the tutorials\' ad-hoc llm.* attributes, cost.usd and old code.* names', () => {
    const span = normalizeAttributes({
      'llm.model_name': 'gpt-3.5-turbo', 'llm.prompt': 'Tell me a story', 'llm.response': 'Once upon a time',
      'llm.tokens.input': 4, 'llm.tokens.output': 5, 'cost.usd': 0.5, 'llm.temperature': 0.7,
      'code.filepath': 'app.py', 'code.lineno': 41, 'code.namespace': 'app', 'code.function': 'story',
    });
    assert.equal(span.kind, 'LLM');
    assert.equal(span.inputMessages?.[0].content, 'Tell me a story');
    assert.equal(span.outputMessages?.[0].content, 'Once upon a time');
    assert.equal(span.costUsd, 0.5);
    assert.equal(span.costSource, 'attribute');
    assert.deepEqual(span.source, { file: 'app.py', line: 41, function: 'app.story', how: 'attribute' });
    assert.equal(span.invocationParameters?.temperature, 0.7);
  });

  it('prefers the new code.* names', () => {
    const span = normalizeAttributes({ 'code.file.path': '/src/new.ts', 'code.filepath': 'old.ts', 'code.line.number': 7, 'code.lineno': 1, 'code.function.name': 'mod.fn' });
    assert.deepEqual(span.source, { file: '/src/new.ts', line: 7, function: 'mod.fn', how: 'attribute' });
  });

  it('reads event-based GenAI content (v1.26 span events and v1.28 message events)', () => {
    const t = 1_700_000_000_500;
    const span = normalizeAttributes({ 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'gpt-4o' }, {
      events: [
        { name: 'gen_ai.system.message', timeMs: t, attributes: {}, body: { content: 'Be kind.' }, fromLog: true },
        { name: 'gen_ai.user.message', timeMs: t, attributes: {}, body: { content: 'Hi' }, fromLog: true },
        { name: 'gen_ai.choice', timeMs: t, attributes: {}, body: { index: 0, finish_reason: 'stop', message: { content: 'Hello!' } }, fromLog: true },
        { name: 'retry', timeMs: t, attributes: { attempt: 2 } },
      ],
    });
    assert.deepEqual(span.inputMessages?.map((m) => [m.role, m.content]), [['system', 'Be kind.'], ['user', 'Hi']]);
    assert.deepEqual(span.outputMessages?.map((m) => [m.role, m.content, m.finishReason]), [['assistant', 'Hello!', 'stop']]);
    assert.deepEqual(span.events.map((e) => e.name), ['retry'], 'GenAI content logs become messages, not events');
    const old = normalizeAttributes({ 'gen_ai.system': 'openai' }, {
      events: [
        { name: 'gen_ai.content.prompt', timeMs: t, attributes: { 'gen_ai.prompt': '[{"role":"user","content":"2+2?"}]' } },
        { name: 'gen_ai.content.completion', timeMs: t, attributes: { 'gen_ai.completion': '4' } },
      ],
    });
    assert.equal(old.inputMessages?.[0].content, '2+2?');
    assert.equal(old.outputMessages?.[0].content, '4');
  });

  it('reads retrieval documents in rank order', () => {
    const span = normalizeAttributes({
      'openinference.span.kind': 'RETRIEVER',
      'retrieval.documents.1.document.id': 'b', 'retrieval.documents.1.document.score': 0.42,
      'retrieval.documents.0.document.id': 'a', 'retrieval.documents.0.document.content': 'refund policy', 'retrieval.documents.0.document.score': 0.91,
    });
    assert.equal(span.kind, 'RETRIEVER');
    assert.deepEqual(span.documents, [{ id: 'a', content: 'refund policy', score: 0.91 }, { id: 'b', score: 0.42 }]);
  });

  it('survives hostile attribute names: huge list indexes and __proto__', () => {
    const attrs = JSON.parse('{"__proto__": "x", "llm.input_messages.99999999.message.role": "user", "llm.input_messages.0.message.content": "ok"}');
    const span = normalizeAttributes(attrs);
    assert.equal(span.inputMessages?.length, 1);
    assert.equal(({} as Record<string, unknown>).x, undefined);
  });

  it('detects kinds from GenAI operation names and span names', () => {
    assert.equal(normalizeAttributes({ 'gen_ai.operation.name': 'invoke_agent' }).kind, 'AGENT');
    assert.equal(normalizeAttributes({ 'gen_ai.operation.name': 'embeddings' }).kind, 'EMBEDDING');
    assert.equal(normalizeAttributes({}, { name: 'execute_tool search' }).kind, 'TOOL');
    assert.equal(normalizeAttributes({ 'mlflow.spanType': '"RETRIEVER"' }).kind, 'RETRIEVER');
    assert.equal(normalizeAttributes({ 'langfuse.observation.type': 'generation' }).kind, 'LLM');
    assert.equal(normalizeAttributes({}).kind, 'UNKNOWN');
  });
});

describe('trace summaries', () => {
  it('does not count a wrapper span and its provider-call child twice', () => {
    const wrapper = rawSpan({ 'ai.operationId': 'ai.generateText', 'ai.usage.inputTokens': 100, 'ai.usage.outputTokens': 10, 'ai.model.id': 'gpt-4o' }, { name: 'ai.generateText' });
    const call = rawSpan({ 'ai.operationId': 'ai.generateText.doGenerate', 'ai.usage.inputTokens': 100, 'ai.usage.outputTokens': 10, 'ai.model.id': 'gpt-4o' },
      { traceId: wrapper.traceId, parentSpanId: wrapper.spanId, name: 'ai.generateText.doGenerate' });
    // Child first: spans arrive in any order.
    const { index } = normalized([call, wrapper]);
    const summary = index.trace(wrapper.traceId)!.summary;
    assert.deepEqual(summary.tokens, { input: 100, output: 10, total: 110 });
    assert.equal(summary.name, 'ai.generateText');
    assert.equal(summary.spanCount, 2);
  });

  it('keeps orphans, counts errors and ignores a re-sent span', () => {
    const index = new TraceIndex(new PriceTable());
    const orphan = rawSpan({}, { parentSpanId: 'ffffffffffffffff', statusCode: 2, name: 'lost child' });
    index.addSpans([orphan]);
    index.addSpans([{ ...orphan, attributes: {} }]);
    const stats = index.stats();
    assert.equal(stats.spans, 1);
    assert.equal(stats.orphanSpans, 1);
    assert.equal(stats.errorTraces, 1);
    assert.equal(index.trace(orphan.traceId)!.summary.name, 'lost child');
  });

  it('keeps the summary of a long agent run right whenever it is read, batch after batch', () => {
    // Past 2,000 spans a growing trace is summarized when read rather than with every batch.
    const index = new TraceIndex(new PriceTable());
    const t = 1_700_000_000_000;
    const root = rawSpan({}, { name: 'agent run', startMs: t, endMs: t + 1 });
    const other = rawSpan({}, { name: 'another request', startMs: t + 10, endMs: t + 20 });
    index.addSpans([root, other]);
    let sent = 1;
    for (let batch = 0; batch < 40; batch++) {
      index.addSpans(Array.from({ length: 100 }, (_, i) => rawSpan({ 'llm.token_count.total': 3 }, {
        traceId: root.traceId, parentSpanId: root.spanId, name: 'step', startMs: t + sent + i, endMs: t + sent + i + 50,
        statusCode: batch === 30 && i === 0 ? 2 : 1,
      })));
      sent += 100;
      if (batch % 7 !== 6) continue; // read now and then, as the editor does
      const [longest] = index.query({ sort: 'duration', limit: 1 });
      assert.deepEqual([longest.traceId, longest.spanCount, longest.durationMs, longest.tokens.total], [root.traceId, sent, sent - 1 + 50, (sent - 1) * 3]);
      assert.equal(index.stats().errorTraces, batch >= 30 ? 1 : 0);
    }
    assert.equal(index.trace(root.traceId)!.summary.spanCount, 4001);
    assert.deepEqual(index.query({ status: 'error' }).map((s) => s.name), ['agent run']);
  });

  it('uses price overrides before the bundled table', () => {
    const index = new TraceIndex(new PriceTable({ 'my-finetune': { input: 1, output: 2 } }));
    const span = rawSpan({ 'gen_ai.request.model': 'openai/my-finetune', 'gen_ai.usage.input_tokens': 1_000_000, 'gen_ai.usage.output_tokens': 500_000 });
    index.addSpans([span]);
    assert.equal(index.trace(span.traceId)!.summary.costUsd, 2);
  });
});

describe('span kinds of the tutorials\' ad-hoc attributes', () => {
  it('takes a call with a model and llm.request_type but no usage (it failed) as an LLM call', () => {
    const span = normalizeAttributes({ 'llm.model_name': 'gpt-4o-mini', 'llm.request_type': 'chat.completions', 'llm.temperature': 0.7 }, { statusCode: 2 });
    assert.equal(span.kind, 'LLM');
  });
});
