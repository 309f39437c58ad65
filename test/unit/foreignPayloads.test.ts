// Real payloads from other tools' test suites and recorded traces (test/fixtures/foreign/, with
// their provenance in its README), fed as OTLP/JSON requests through the engine's own ingest.
// Each test asserts what a user must see of that payload: kinds, model, provider, messages,
// tool calls, tokens, cost, ids, and that a trace's totals count nothing twice.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Message, Span, TraceDetail } from '../../src/shared/spanModel';
import { TraceIndex } from '../../src/engine/index/traceIndex';
import { PriceTable } from '../../src/engine/normalize/pricing';
import { Ingest } from '../../src/engine/otlp/ingest';
import { FIXTURES, normalizeAttributes } from './helpers/rawSpans';

/** The traces a fixture holds, as the engine shows them, in the order they first appear. */
function ingestTraces(file: string): TraceDetail[] {
  const index = new TraceIndex(new PriceTable());
  const body = readFileSync(join(FIXTURES, 'foreign', file));
  const result = new Ingest(index).receive('traces', 'json', body, { persist: false });
  assert.equal(result.rejected, 0, `${file}: no span refused`);
  const traceIds = new Set([...body.toString('utf8').matchAll(/"traceId": "([0-9a-f]{32})"/g)].map((m) => m[1]));
  return [...traceIds].map((traceId) => {
    const trace = index.trace(traceId);
    assert.ok(trace, `${file}: trace ${traceId} indexed`);
    return trace;
  });
}

function ingestFixture(file: string): TraceDetail {
  const traces = ingestTraces(file);
  assert.equal(traces.length, 1, `${file} holds one trace`);
  return traces[0];
}

function spansNamed(trace: TraceDetail, name: string): Span[] {
  const spans = trace.spans.filter((s) => s.name === name);
  assert.ok(spans.length, `a span named ${name}`);
  return spans.sort((a, b) => a.startMs - b.startMs);
}

/** Each named span (the first of that name) is of its kind. */
function assertKinds(trace: TraceDetail, kinds: Record<string, Span['kind']>): void {
  for (const [name, kind] of Object.entries(kinds)) assert.equal(spansNamed(trace, name)[0].kind, kind, name);
}

/** The span is a model call to this model (and provider). */
function assertCall(span: Span, model: string, provider?: string): void {
  assert.equal(span.kind, 'LLM', span.name);
  assert.equal(span.model, model);
  if (provider) assert.equal(span.provider, provider);
}

const roles = (messages: Message[] | undefined) => messages?.map((m) => m.role);
const callsOf = (messages: Message[] | undefined) => messages?.flatMap((m) => m.toolCalls ?? []);

describe('foreign payloads: Koog (recorded, exported from Langfuse)', () => {
  const trace = ingestFixture('koog.otlp.json');
  const [first, second] = spansNamed(trace, 'llm.chat');

  it('reads tool calls Koog sends as OpenAI tool_calls JSON in a message\'s content, under the role `tool`', () => {
    assertCall(first, 'gpt-4o', 'openai');
    assert.deepEqual(roles(first.inputMessages), ['system', 'user']);
    assert.deepEqual(first.outputMessages?.map((m) => [m.role, m.content, m.finishReason]),
      [['assistant', '', 'tool_calls'], ['assistant', '', 'tool_calls']]);
    assert.deepEqual(callsOf(first.outputMessages), [
      { id: 'call_n2HaWg9KFP0BZDqXv6G4b3nJ', name: 'HelloTool', arguments: { name: 'Bob' } },
      { id: 'call_dOeEHJDI0liHrCdFWTpkTsuO', name: 'ByeTool', arguments: { name: 'Bob' } },
    ]);
    assert.ok(!first.outputMessages?.some((m) => m.parts), 'no call is left as an unknown part');
  });

  it('shows the history: a call is the assistant\'s, its result the tool\'s', () => {
    assert.deepEqual(roles(second.inputMessages), ['system', 'user', 'assistant', 'tool', 'assistant', 'tool']);
    assert.equal(second.inputMessages?.[2].toolCalls?.[0].name, 'HelloTool');
    assert.equal(second.inputMessages?.[3].content, 'Hello my darling Bob!');
    assert.equal(second.outputMessages?.[0].content, 'Hello my darling Bob! And, bye my dear Bob!');
    assert.deepEqual(second.tokens, { input: 168, output: 19, total: 187 });
    assert.equal(second.sessionId, '6f8d2449-33ed-4c7c-82e7-5410e34ee4e6');
  });

  it('kinds the agent, its strategy graph\'s nodes and its tools; totals are the two calls\'', () => {
    assertKinds(trace, { 'agent.f9f77d1a-437f-4ba6-890e-b592a50cbd21': 'AGENT', 'run.6f8d2449-33ed-4c7c-82e7-5410e34ee4e6': 'AGENT' });
    for (const node of trace.spans.filter((s) => s.name.startsWith('node.'))) assert.equal(node.kind, 'CHAIN', node.name);
    const tool = spansNamed(trace, 'tool.HelloTool')[0];
    assert.equal(tool.kind, 'TOOL');
    assert.deepEqual(tool.tool, {
      name: 'HelloTool', description: 'A tool greets the user', callId: 'call_n2HaWg9KFP0BZDqXv6G4b3nJ',
      arguments: { name: 'Bob' }, result: 'Hello my darling Bob!',
    });
    assert.deepEqual(trace.summary.tokens, { input: 47 + 168, output: 106 + 19, total: 153 + 187 });
    assert.deepEqual(trace.summary.models, ['gpt-4o']);
    assert.ok(Math.abs(trace.summary.costUsd - (first.costUsd! + second.costUsd!)) < 1e-12, 'cost is the calls\' only');
  });
});

describe('foreign payloads: Microsoft Agent Framework (recorded, exported from Langfuse)', () => {
  const trace = ingestFixture('microsoft-agent-framework.otlp.json');
  const agent = trace.spans.find((s) => s.name.startsWith('invoke_agent '))!;
  const [decide, answer] = spansNamed(trace, 'chat gpt-4o');

  it('reads call ids recorded as a list (the run\'s, then the call\'s) as the call\'s own', () => {
    assert.deepEqual(callsOf(decide.outputMessages), [{ id: 'call_Sz1QP8T7fuJkIECGDLFWOorq', name: 'get_weather', arguments: { location: 'Portland' } }]);
    assert.deepEqual(roles(answer.inputMessages), ['assistant', 'tool']);
    assert.equal(answer.inputMessages?.[1].toolCallId, 'call_Sz1QP8T7fuJkIECGDLFWOorq');
    const tool = spansNamed(trace, 'execute_tool get_weather')[0];
    assert.equal(tool.kind, 'TOOL');
    assert.equal(tool.tool?.callId, 'call_Sz1QP8T7fuJkIECGDLFWOorq');
    assert.deepEqual(tool.tool?.arguments, { location: 'Portland' });
  });

  it('does not name the agent span\'s model `unknown`, and counts its copy of the usage once', () => {
    assert.equal(agent.kind, 'AGENT');
    assert.equal(agent.model, undefined);
    assert.deepEqual(answer.tokens, { input: 631, output: 35, total: 666 });
    assert.equal(answer.model, 'gpt-4o');
    assert.equal(answer.sessionId, 'thread_G78qCSLpzn0YQwFwrvK5OivI');
    assert.deepEqual(trace.summary.tokens, { input: 631, output: 35, total: 666 }, 'the agent repeats its call\'s usage');
  });
});

describe('foreign payloads: Google GenAI and Google ADK under OpenInference (recorded, exported from Langfuse)', () => {
  it('reads Gemini\'s `model` role in OpenInference messages as the assistant; reasoning within the output count', () => {
    const trace = ingestFixture('google-genai-openinference.otlp.json');
    const call = spansNamed(trace, 'GenerateContent')[0];
    assertCall(call, 'gemini-2.5-flash', 'google');
    assert.deepEqual(roles(call.outputMessages), ['assistant']);
    assert.match(call.outputMessages![0].content, /^\*\*Langfuse\*\* is an/);
    assert.deepEqual(call.tokens, { input: 6, output: 2055, total: 2061, reasoning: 1104 });
    assert.equal(call.costSource, 'computed');
    assert.deepEqual(trace.summary.tokens, { input: 6, output: 2055, total: 2061 });
  });

  it('reads an ADK run: system instruction, the `model` turn with its call, the tool\'s answer, usage per call', () => {
    const trace = ingestFixture('google-adk-openinference.otlp.json');
    const [decide, answer] = spansNamed(trace, 'call_llm');
    assert.deepEqual(roles(decide.inputMessages), ['system', 'user']);
    assert.deepEqual(roles(decide.outputMessages), ['assistant']);
    assert.equal(callsOf(decide.outputMessages)?.[0].name, 'say_hello');
    assert.deepEqual(roles(answer.inputMessages), ['system', 'user', 'assistant', 'tool']);
    assert.deepEqual(answer.outputMessages?.map((m) => [m.role, m.content]), [['assistant', 'Hello Langfuse 👋!\n']]);
    assert.deepEqual(answer.tokens, { input: 39, output: 6, total: 45 });
    assert.equal(answer.sessionId, 'demo-session');
    assert.equal(answer.userId, 'demo-user');
    assert.equal(spansNamed(trace, 'execute_tool say_hello')[0].tool?.callId, 'adk-8bd8dc65-717d-4102-858b-3a1dd6b75a00');
    assert.equal(spansNamed(trace, 'agent_run [hello_agent]')[0].kind, 'AGENT');
    assert.deepEqual(trace.summary.tokens, { input: 28 + 39, output: 3 + 6, total: 31 + 45 });
    assert.equal(trace.summary.userId, 'demo-user');
  });
});

describe('foreign payloads: OpenLIT and OpenLLMetry (Langfuse\'s OTel mapping tests)', () => {
  it('splits OpenLIT\'s `role: content` prompt lines into messages and leaves out the parameters it did not set', () => {
    const trace = ingestFixture('openlit-openai.otlp.json');
    const call = spansNamed(trace, 'openai.chat.completions')[0];
    assertCall(call, 'gpt-3.5-turbo');
    assert.deepEqual(call.inputMessages, [{ role: 'user', content: 'What is LLM Observability?' }]);
    assert.match(call.outputMessages![0].content, /^LLM Observability stands for/);
    assert.deepEqual(call.tokens, { input: 14, output: 96, total: 110 });
    assert.equal(call.costUsd, 0.000151);
    assert.equal(call.costSource, 'attribute');
    assert.equal(call.invocationParameters?.max_tokens, undefined, 'OpenLIT records an unset max_tokens as -1');
    assert.equal(call.invocationParameters?.seed, undefined);
    assert.equal(call.invocationParameters?.temperature, 1);
  });

  it('reads an OpenLLMetry OpenAI span', () => {
    const call = spansNamed(ingestFixture('traceloop-openai.otlp.json'), 'openai.chat')[0];
    assertCall(call, 'gpt-3.5-turbo-0125');
    assert.deepEqual(call.inputMessages, [{ role: 'user', content: 'What is LLM Observability?' }]);
    assert.deepEqual(roles(call.outputMessages), ['assistant']);
    assert.deepEqual(call.tokens, { input: 14, output: 173, total: 187 });
  });
});

describe('foreign payloads: the Vercel AI SDK v7 OpenTelemetry integration (its own test snapshot)', () => {
  const trace = ingestFixture('ai-sdk-v7-otel.otlp.json');

  it('kinds the agent, its step, the model call and the tool; the runtime context\'s user id is the user', () => {
    assertKinds(trace, { 'invoke_agent gpt-4': 'AGENT', 'step 1': 'CHAIN', 'chat gpt-4': 'LLM', 'execute_tool myTool': 'TOOL' });
    assert.equal(spansNamed(trace, 'step 1')[0].userId, 'user-123');
    assert.equal(spansNamed(trace, 'invoke_agent gpt-4')[0].invocationParameters?.['context.userId'], undefined,
      'the app\'s runtime context is not a model setting');
    assert.deepEqual(spansNamed(trace, 'execute_tool myTool')[0].tool, { name: 'myTool', callId: 'tool-call-1', arguments: { query: 'test' }, result: { result: 'ok' } });
    assert.equal(trace.summary.userId, 'user-123');
  });

  it('reads the call\'s usage with its cache and reasoning details and counts the agent\'s copy once', () => {
    const chat = spansNamed(trace, 'chat gpt-4')[0];
    assert.equal(chat.kind, 'LLM');
    assert.equal(chat.provider, 'openai');
    assert.deepEqual(chat.tokens, { input: 10, output: 20, total: 30, cacheRead: 2, cacheWrite: 1, reasoning: 5 });
    assert.deepEqual(chat.outputMessages, [{ role: 'assistant', content: 'Hello world', finishReason: 'stop' }]);
    assert.deepEqual(trace.summary.tokens, { input: 10, output: 20, total: 30 });
    assert.equal(trace.summary.costUsd, chat.costUsd, 'the agent\'s copy of the usage is not priced again');
  });
});

describe('foreign payloads: Logfire\'s LLM instrumentations (its own test snapshots)', () => {
  it('takes the cost Logfire recorded (operation.cost) over a computed one', () => {
    const call = spansNamed(ingestFixture('logfire-openai-chat.otlp.json'), 'Chat Completion with {request_data[model]!r}')[0];
    assert.equal(call.kind, 'LLM');
    assert.deepEqual(roles(call.inputMessages), ['system', 'user']);
    assert.deepEqual(call.outputMessages, [{ role: 'assistant', content: 'Nine', finishReason: 'stop' }]);
    assert.deepEqual(call.tokens, { input: 2, output: 1, total: 3 });
    assert.equal(call.costUsd, 0.00012);
    assert.equal(call.costSource, 'attribute');
  });

  it('counts a streamed call once: the stream\'s log is the call, the span that opened it is not a call without an answer', () => {
    const [opening, stream] = ingestTraces('logfire-openai-stream-tool-call.otlp.json');
    const request = opening.spans[0];
    assert.equal(request.kind, 'CHAIN');
    assert.ok(!opening.diagnoses?.some((d) => d.kind === 'usageMissing' || d.kind === 'contentCaptureOff'),
      `no call without usage or answer is diagnosed: ${opening.diagnoses?.map((d) => d.kind).join(', ')}`);
    const call = stream.spans[0];
    assert.equal(call.kind, 'LLM');
    assert.deepEqual(callsOf(call.outputMessages), [{ id: '1', name: 'get_current_weather', arguments: { location: 'Boston' } }]);
    assert.deepEqual(call.tokens, { input: 2, output: 1, total: 3 });
    assert.equal(call.costSource, 'attribute');
  });

  it('reads a Claude Agent SDK run: the run\'s usage and cost once, its turns\' partial usage left uncounted and undiagnosed', () => {
    const trace = ingestFixture('logfire-claude-agent-sdk.otlp.json');
    const run = spansNamed(trace, 'invoke_agent')[0];
    assert.equal(run.kind, 'AGENT');
    assert.deepEqual(run.tokens, { input: 18872, output: 415, total: 19287, cacheRead: 17653, cacheWrite: 1215 });
    assert.equal(run.costUsd, 0.01608915);
    assert.equal(run.costSource, 'attribute');
    assert.equal(run.sessionId, 'ca03765b-a7e1-483b-9629-448c7aba5e7a');
    const [decide, answer] = spansNamed(trace, 'chat claude-sonnet-4-6');
    assert.equal(decide.kind, 'LLM');
    assert.equal(decide.tokens, undefined, 'a turn\'s partial usage is not its usage');
    assert.equal(callsOf(decide.outputMessages)?.[0].name, 'Bash');
    assert.deepEqual(roles(answer.inputMessages), ['system', 'user', 'assistant', 'tool']);
    assert.equal(answer.inputMessages?.[3].toolCallId, 'toolu_01MRdgcFhYNo1LHvRQKvKckg');
    assert.equal(spansNamed(trace, 'execute_tool Bash')[0].tool?.callId, 'toolu_01MRdgcFhYNo1LHvRQKvKckg');
    assert.deepEqual(trace.summary.tokens, { input: 18872, output: 415, total: 19287 });
    assert.equal(trace.summary.costUsd, 0.01608915);
    assert.ok(!trace.diagnoses?.some((d) => d.kind === 'usageNonStandardKey' || d.kind === 'usageMissing'),
      `no usage diagnosis: ${trace.diagnoses?.map((d) => d.kind).join(', ')}`);
  });

  it('reads the cache counts Logfire keeps only in the provider\'s raw usage', () => {
    // get_anthropic_usage_attributes' output in Logfire's test_llm_usage_attributes.py, on a span with the test response's model.
    const anthropic = normalizeAttributes({
      'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'claude-3-haiku-20240307',
      'gen_ai.usage.input_tokens': 15, 'gen_ai.usage.output_tokens': 5,
      'gen_ai.usage.raw': JSON.stringify({ input_tokens: 10, output_tokens: 5, cache_read_input_tokens: 3, cache_creation_input_tokens: 2 }),
    });
    assert.deepEqual(anthropic.tokens, { input: 15, output: 5, total: 20, cacheRead: 3, cacheWrite: 2 }, 'Logfire\'s input already holds the cache');
    // get_openai_usage_attributes' output for a Responses API usage, same file.
    const responses = normalizeAttributes({
      'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'gpt-4o',
      'gen_ai.usage.input_tokens': 20, 'gen_ai.usage.output_tokens': 10,
      'gen_ai.usage.raw': JSON.stringify({ input_tokens: 20, input_tokens_details: { cached_tokens: 0 }, output_tokens: 10,
        output_tokens_details: { reasoning_tokens: 0 }, total_tokens: 30 }),
    });
    assert.deepEqual(responses.tokens, { input: 20, output: 10, total: 30, cacheRead: 0, reasoning: 0 });
  });
});

describe('foreign payloads: OpenInference\'s OpenAI Responses spans (its JS instrumentation\'s test snapshots)', () => {
  const [text, toolCall, reasoning] = ingestTraces('openinference-js-openai-responses.otlp.json').map((t) => t.spans[0]);

  it('reads output_text contents as the answer, with the instructions as the system message', () => {
    assert.deepEqual(text.inputMessages?.map((m) => [m.role, m.content]), [
      ['system', 'You are a helpful assistant.'], ['user', 'say this is a test'], ['user', 'remember to say this is a test'],
    ]);
    assert.deepEqual(text.outputMessages, [{ role: 'assistant', content: 'This is a test.' }]);
    assert.deepEqual(text.tokens, { input: 12, output: 6, total: 18, cacheRead: 0, reasoning: 0 });
  });

  it('reads a streamed tool call', () => {
    assert.deepEqual(callsOf(toolCall.outputMessages), [{ id: 'call_abc123', name: 'get_weather', arguments: { location: 'boston' } }]);
    assert.deepEqual(toolCall.tokens, { total: 101 });
  });

  it('keeps reasoning as a reasoning part and the answer as text', () => {
    assert.deepEqual(reasoning.outputMessages, [
      { role: 'assistant', content: '', parts: [{ type: 'reasoning', content: 'First thought\nSecond thought' }] },
      { role: 'assistant', content: 'Answer.' },
    ]);
  });
});

describe('foreign payloads: MLflow\'s Anthropic autolog (its test\'s request, response and asserted attributes)', () => {
  const [toolCalling, cached] = ingestTraces('mlflow-anthropic-autolog.otlp.json').map((t) => t.spans[0]);

  it('reads the model MLflow stores as JSON without its quotes, and the Anthropic request and response as the conversation', () => {
    assertCall(toolCalling, 'test_model');
    assert.deepEqual(roles(toolCalling.inputMessages), ['user', 'assistant', 'tool']);
    assert.deepEqual(callsOf(toolCalling.inputMessages), [{ id: 'tool_123', name: 'get_unit', arguments: { location: 'San Francisco' } }]);
    assert.equal(toolCalling.inputMessages?.[2].toolCallId, 'tool_123');
    assert.deepEqual(toolCalling.outputMessages?.map((m) => [m.role, m.content, m.finishReason]),
      [['assistant', '<thinking>Next, I need to use the get_weather</thinking>', 'end_turn']]);
    assert.deepEqual(callsOf(toolCalling.outputMessages), [{ id: 'tool_456', name: 'get_weather', arguments: { location: 'San Francisco', unit: 'celsius' } }]);
    assert.deepEqual(toolCalling.tokens, { input: 10, output: 18, total: 28 });
    assert.equal(toolCalling.costUsd, 46);
    assert.equal(toolCalling.costSource, 'attribute');
  });

  it('adds the cache to the input Anthropic and MLflow count without it', () => {
    assert.deepEqual(cached.tokens, { input: 50 + 25 + 15, output: 20, total: 110, cacheRead: 25, cacheWrite: 15 });
    assert.deepEqual(cached.outputMessages?.map((m) => m.content), ['cached answer']);
  });
});

describe('foreign payloads: the OTel GenAI conventions\' own examples of LLM calls', () => {
  const [toolResult, instructions, builtInTool, choices] = ingestTraces('otel-genai-semconv-examples.otlp.json').map((t) => t.spans[0]);

  it('reads a call that answers a tool result (it names no operation)', () => {
    assertCall(toolResult, 'gpt-4-0613', 'openai');
    assert.deepEqual(roles(toolResult.inputMessages), ['user', 'assistant', 'tool']);
    assert.equal(toolResult.inputMessages?.[2].toolCallId, 'call_VSPygqKTWdrhaFErNvMV18Yl');
    assert.equal(toolResult.inputMessages?.[2].content, 'rainy, 57°F');
    assert.deepEqual(toolResult.tokens, { input: 97, output: 52, total: 149 });
  });

  it('shows system instructions sent beside a history that has its own system message', () => {
    assert.deepEqual(instructions.inputMessages?.map((m) => [m.role, m.content]), [
      ['system', 'You must never tell jokes'], ['system', 'You are a helpful bot'], ['user', 'Tell me a joke about OpenTelemetry'],
    ]);
  });

  it('shows a built-in tool the provider ran as the answer\'s tool call, beside its text', () => {
    const [answer] = builtInTool.outputMessages!;
    assert.equal(answer.content, 'The generated random number is **89**, and the result of squaring it is **7921**');
    assert.equal(answer.toolCalls?.[0].name, 'code_interpreter');
    assert.equal(answer.toolCalls?.[0].id, 'call_VSPygqKTWdrhaFErNvMV18Yl');
    assert.match(String((answer.toolCalls?.[0].arguments as { code: string }).code), /^import random/);
    assert.equal(answer.parts?.[0].type, 'server_tool_call_response');
  });

  it('shows every choice', () => {
    assert.equal(choices.outputMessages?.length, 2);
    assert.deepEqual(choices.finishReasons, ['stop', 'stop']);
  });
});

describe('foreign payloads: LangSmith\'s OpenTelemetry export (its exporter and its tests\' runs)', () => {
  const trace = ingestFixture('langsmith-otel.otlp.json');

  it('kinds runs by LangSmith\'s run type, not the operation it derives (a retriever is no embedding, a prompt no model call)', () => {
    assertKinds(trace, { RunnableSequence: 'CHAIN', VectorStoreRetriever: 'RETRIEVER', ChatPromptTemplate: 'CHAIN', get_weather: 'TOOL' });
    assert.deepEqual(spansNamed(trace, 'VectorStoreRetriever')[0].documents, [
      { id: 'doc-1', content: '2 + 2 = 4', metadata: { source: 'arithmetic.md' } },
      { id: 'doc-2', content: 'Addition adds numbers.', metadata: { source: 'faq.md' } },
    ], 'the documents of the run\'s outputs');
    assert.equal(spansNamed(trace, 'get_weather')[0].tool?.callId, 'call_123');
  });

  it('reads the thread from the run metadata and the cache reads from LangChain\'s usage details', () => {
    const [call, older] = spansNamed(trace, 'ChatOpenAI');
    assertCall(call, 'gpt-4o-mini', 'openai');
    assert.equal(call.sessionId, 's-456');
    assert.equal(trace.summary.sessionId, 's-456');
    assert.deepEqual(call.tokens, { input: 1200, output: 1, total: 1201, cacheRead: 1024, reasoning: 0 });
    assert.deepEqual(call.outputMessages, [{ role: 'assistant', content: '4', finishReason: 'stop' }]);
    assert.deepEqual(trace.summary.tokens, { input: 1200 + 40, output: 1 + 12, total: 1201 + 52 });
    // An exporter before the GenAI messages sent only the LangChain-serialized inputs and outputs.
    assert.deepEqual(roles(older.inputMessages), ['assistant', 'tool']);
    assert.deepEqual(callsOf(older.inputMessages), [{ id: 'call_1', name: 'calculator', arguments: { expression: '2 + 2' } }]);
    assert.equal(older.inputMessages?.[1].toolCallId, 'call_1');
    assert.deepEqual(callsOf(older.outputMessages), [{ id: 'call_1', name: 'calculator', arguments: { expression: '2 + 2' } }]);
  });
});

describe('foreign payloads: Braintrust\'s SDK spans (its Java SDK\'s Spring AI test)', () => {
  it('reads the span type, model, provider, messages and usage Braintrust packs as JSON', () => {
    const call = spansNamed(ingestFixture('braintrust-java-spring-ai.otlp.json'), 'Chat Completion')[0];
    assertCall(call, 'gpt-4o-mini-2024-07-18', 'openai');
    assert.deepEqual(call.inputMessages?.map((m) => [m.role, m.content]), [
      ['system', 'You are a helpful geography assistant.'], ['user', 'What is the capital of France?'],
    ]);
    assert.deepEqual(call.outputMessages, [{ role: 'assistant', content: 'The capital of France is Paris.', finishReason: 'stop' }]);
    assert.deepEqual(call.tokens, { input: 24, output: 7, total: 31 });
    assert.equal(call.costSource, 'computed');
  });
});

describe('foreign payloads: AgentOps\' decorators (its SDK and its span nesting test)', () => {
  it('kinds the session, agent and operations and shows each call\'s arguments and result', () => {
    const trace = ingestFixture('agentops-decorators.otlp.json');
    assertKinds(trace, { 'test_session.session': 'CHAIN', 'NestedAgent.agent': 'AGENT', 'main_operation.operation': 'CHAIN' });
    const nested = spansNamed(trace, 'nested_operation.operation')[0];
    assert.deepEqual(JSON.parse(String(nested.input)), { args: ['test message'], kwargs: {} });
    assert.equal(JSON.parse(String(nested.output)), 'Processed: test message');
  });
});
