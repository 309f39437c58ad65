// One test per framework and shape: spans as each SDK emits them (test/fixtures/frameworks/,
// provenance in its README) must come out as the one span model.
import assert from 'node:assert/strict';
import type { Message, Span } from '../../src/shared/spanModel';
import { loadFramework } from './helpers/frameworkFixtures';
import { normalizeAttributes } from './helpers/rawSpans';
import { diagnoseContent } from '../../src/engine/index/doctor/contentDiagnoses';
import { DiagnosisList } from '../../src/engine/index/doctor/diagnosisList';

const roles = (messages: Message[] | undefined) => messages?.map((m) => m.role);
const texts = (messages: Message[] | undefined) => messages?.map((m) => m.content);

function get(spans: Map<string, Span>, id: string): Span {
  const span = spans.get(id);
  assert.ok(span, `fixture span ${id}`);
  return span;
}

describe('frameworks: Pydantic AI (and Logfire)', () => {
  const spans = loadFramework('pydantic-ai.json');

  it('reads an agent run: all_messages as the conversation, with its instructions, final_result as the answer', () => {
    const run = get(spans, 'run');
    assert.equal(run.kind, 'AGENT');
    assert.deepEqual(roles(run.inputMessages), ['system', 'user', 'assistant', 'tool', 'assistant']);
    assert.equal(run.inputMessages?.[0].content, 'Be terse.');
    assert.deepEqual(run.inputMessages?.[2].toolCalls, [{ id: 'call_1', name: 'my_ret', arguments: { x: 0 } }]);
    assert.equal(run.inputMessages?.[3].toolCallId, 'call_1');
    assert.equal(run.inputMessages?.[3].content, '1');
    assert.deepEqual(run.outputMessages, [{ role: 'assistant', content: '{"my_ret":"1"}' }]);
    assert.equal(run.sessionId, 'conv-42');
    assert.equal(run.tokens, undefined, 'aggregated usage is the children\'s, not counted again');
  });

  it('reads a model request: GenAI messages, cache read and reasoning details', () => {
    const chat = get(spans, 'chat');
    assert.equal(chat.kind, 'LLM');
    assert.equal(chat.model, 'gpt-4o-2024-08-06');
    assert.equal(chat.provider, 'openai');
    assert.deepEqual(chat.tokens, { input: 51, output: 6, total: 57, cacheRead: 32, reasoning: 4 });
    assert.equal(chat.outputMessages?.[0].toolCalls?.[0].name, 'my_ret');
  });

  it('reads tool spans of instrumentation v3 (gen_ai.tool.call.*) and v2 (tool_arguments / tool_response)', () => {
    const v3 = get(spans, 'tool-v3');
    assert.equal(v3.kind, 'TOOL');
    assert.deepEqual(v3.tool, { name: 'my_ret', callId: 'call_1', arguments: { x: 0 }, result: '1' });
    const v2 = get(spans, 'tool-v2');
    assert.equal(v2.kind, 'TOOL');
    assert.deepEqual(v2.tool, { name: 'roulette_wheel', callId: 'call_idvalue', arguments: { square: 18 }, result: 'winner' });
  });

  it('reads agent runs of instrumentation v2 and v1 (all_messages_events)', () => {
    const v2 = get(spans, 'run-v2');
    assert.equal(v2.kind, 'AGENT');
    assert.equal(v2.model, 'gpt-4o');
    assert.deepEqual(texts(v2.inputMessages), ['Hello']);
    assert.equal(v2.outputMessages?.[0].content, 'You won!');
    const v1 = get(spans, 'run-v1');
    assert.equal(v1.kind, 'AGENT');
    assert.deepEqual(roles(v1.inputMessages), ['system', 'user']);
    assert.deepEqual(texts(v1.inputMessages), ['Be terse.', 'Capital of France?']);
    assert.equal(v1.outputMessages?.[0].content, 'Paris');
    assert.equal(normalizeAttributes({ model_name: 'gpt-4o', agent_name: 'quiet' }, { name: 'agent run' }).kind, 'AGENT',
      'a v2 agent run recorded without content is still the agent');
  });
});

describe('frameworks: Google ADK', () => {
  const spans = loadFramework('google-adk.json');

  it('reads call_llm: the Gemini request and response blobs, usage with cache and thoughts from usage_metadata', () => {
    const llm = get(spans, 'llm');
    assert.equal(llm.kind, 'LLM');
    assert.equal(llm.model, 'gemini-2.0-flash');
    assert.deepEqual(roles(llm.inputMessages), ['system', 'user', 'assistant', 'tool']);
    assert.equal(llm.inputMessages?.[0].content, 'You are a weather agent.');
    assert.deepEqual(llm.inputMessages?.[2].toolCalls, [{ id: 'adk-1', name: 'get_weather', arguments: { city: 'Paris' } }]);
    assert.equal(llm.inputMessages?.[3].toolCallId, 'adk-1');
    assert.deepEqual(JSON.parse(llm.inputMessages![3].content), { result: 'rainy, 14C' });
    assert.deepEqual(llm.outputMessages, [{ role: 'assistant', content: 'It is rainy in Paris, 14C.', finishReason: 'STOP' }]);
    assert.deepEqual(llm.tokens, { input: 1000, output: 200, total: 1250, cacheRead: 800, reasoning: 50 });
    assert.equal(llm.sessionId, 'sess-7');
    assert.ok(llm.costUsd! > 0, 'gemini-2.0-flash is priced');
  });

  it('reads a tool span from tool_call_args / tool_response, not the {} placeholders', () => {
    const tool = get(spans, 'tool');
    assert.equal(tool.kind, 'TOOL');
    assert.deepEqual(tool.tool, { name: 'get_weather', description: 'Weather of a city', callId: 'adk-1', arguments: { city: 'Paris' }, result: { result: 'rainy, 14C' } });
    assert.equal(tool.inputMessages, undefined);
  });

  it('reads later versions\' gen_ai.usage with reasoning, and the agent span', () => {
    assert.deepEqual(get(spans, 'llm-v2').tokens, { input: 100, output: 60, total: 160, reasoning: 25 });
    assert.equal(get(spans, 'llm-v2').kind, 'LLM');
    assert.equal(get(spans, 'agent').kind, 'AGENT');
    assert.equal(get(spans, 'agent-run-v0').kind, 'AGENT', 'ADK before 1.x named agent spans agent_run [name]');
    const merged = get(spans, 'merged');
    assert.equal(merged.kind, 'TOOL');
    assert.equal(merged.tool?.arguments, undefined, 'N/A is no argument');
    assert.equal((merged.tool?.result as { content: { role: string } }).content.role, 'user');
  });
});

describe('frameworks: LiveKit Agents', () => {
  const spans = loadFramework('livekit-agents.json');

  it('reads agent_turn as the agent step with the user\'s input', () => {
    const turn = get(spans, 'turn');
    assert.equal(turn.kind, 'AGENT');
    assert.deepEqual(turn.inputMessages, [{ role: 'user', content: "What's the weather in Tokyo?" }]);
  });

  it('reads llm_node: the chat context with its function call and output, and the reply', () => {
    const node = get(spans, 'node');
    assert.equal(node.kind, 'CHAIN', 'the step around the model call (llm_request), which is the LLM span');
    assert.equal(node.model, 'gpt-4o-mini');
    assert.deepEqual(roles(node.inputMessages), ['system', 'user', 'assistant', 'tool']);
    assert.deepEqual(node.inputMessages?.[2].toolCalls, [{ id: 'call_lk1', name: 'get_weather', arguments: { location: 'Tokyo' } }]);
    assert.deepEqual(node.inputMessages?.[3], { role: 'tool', content: 'sunny, 75F', toolCallId: 'call_lk1', name: 'get_weather' });
    assert.deepEqual(node.outputMessages, [{ role: 'assistant', content: 'It is sunny in Tokyo, 75F.' }]);
  });

  it('reads llm_request\'s message events, whose tool calls are JSON strings, and its cache reads', () => {
    const request = get(spans, 'req');
    assert.equal(request.kind, 'LLM');
    assert.deepEqual(roles(request.inputMessages), ['system', 'user', 'assistant', 'tool']);
    assert.deepEqual(request.inputMessages?.[2].toolCalls, [{ id: 'call_lk1', name: 'get_weather', arguments: { location: 'Tokyo' } }]);
    assert.equal(request.inputMessages?.[3].toolCallId, 'call_lk1');
    assert.equal(request.outputMessages?.[0].content, 'It is sunny in Tokyo, 75F.');
    assert.deepEqual(request.tokens, { input: 120, output: 14, total: 134, cacheRead: 64 });
  });

  it('reads function_tool in both the lk.pii.* and the older lk.* names', () => {
    const tool = get(spans, 'tool');
    assert.equal(tool.kind, 'TOOL');
    assert.deepEqual(tool.tool, { name: 'get_weather', callId: 'call_lk1', arguments: { location: 'Tokyo' }, result: 'sunny, 75F' });
    const old = get(spans, 'old-tool');
    assert.deepEqual(old.tool?.result, { temperature: 75, condition: 'sunny' });
    const oldNode = get(spans, 'old-node');
    assert.deepEqual(texts(oldNode.inputMessages), ['Be brief.', "Hey there. What's the weather?"]);
    assert.equal(oldNode.outputMessages?.[0].content, 'The weather is sunny with a high of 75°F.');
    assert.deepEqual(oldNode.outputMessages?.[0].toolCalls, [{ id: 'call_9', name: 'get_weather', arguments: { location: 'here' } }]);
  });

  it('shows speech input and transcripts as the span\'s input', () => {
    assert.equal(get(spans, 'tts').input, 'What is the weather today?');
    assert.equal(get(spans, 'user').input, "Hey there. What's the weather?");
  });
});

describe('frameworks: Semantic Kernel and OTel GenAI message events', () => {
  const spans = loadFramework('semantic-kernel.json');

  it('takes a span with a response model and message events as an LLM call, parsing JSON-string attributes', () => {
    const span = get(spans, 'dotnet');
    assert.equal(span.kind, 'LLM');
    assert.deepEqual(roles(span.inputMessages), ['system', 'user', 'assistant', 'tool']);
    assert.deepEqual(span.inputMessages?.[2].toolCalls, [{ id: 'call_sk1', name: 'geo-capital', arguments: { country: 'France' } }]);
    assert.equal(span.inputMessages?.[3].toolCallId, 'call_sk1');
    assert.deepEqual(span.outputMessages, [{ role: 'assistant', content: 'The capital of France is Paris.', finishReason: 'stop' }]);
  });

  it('reads Python\'s log records, whose bodies are JSON strings', () => {
    const span = get(spans, 'python');
    assert.equal(span.kind, 'LLM');
    assert.deepEqual(span.inputMessages, [{ role: 'user', content: 'Say hi' }]);
    assert.equal(span.outputMessages?.[0].content, 'Hi!');
    assert.deepEqual(span.outputMessages?.[0].toolCalls, [{ id: 'call_p1', name: 'greet', arguments: {} }]);
    assert.deepEqual(span.tokens, { input: 30, output: 9, total: 39 });
  });
});

describe('frameworks: Vercel AI SDK provider metadata', () => {
  const spans = loadFramework('vercel-ai-sdk-provider-metadata.json');

  it('reads Anthropic cache writes and reads; input already counts them (AI SDK 5+)', () => {
    const span = get(spans, 'anthropic');
    assert.deepEqual(span.tokens, { input: 18495, output: 445, total: 18940, cacheRead: 16399, cacheWrite: 2089 });
    assert.equal(span.provider, 'anthropic');
  });

  it('adds the cache into input where the SDK counted it apart (Anthropic before AI SDK 5, Bedrock)', () => {
    assert.deepEqual(get(spans, 'anthropic-v4').tokens, { input: 7 + 2089 + 16399, output: 20, total: 7 + 2089 + 16399 + 20, cacheRead: 16399, cacheWrite: 2089 });
    assert.deepEqual(get(spans, 'bedrock').tokens, { input: 5734 + 4482 + 100, output: 178, total: 5734 + 4482 + 100 + 178, cacheRead: 4482, cacheWrite: 100 });
  });

  it('reads OpenAI cached prompt and reasoning tokens, and Google\'s cached content and thoughts', () => {
    assert.deepEqual(get(spans, 'openai').tokens, { input: 1200, output: 300, total: 1500, cacheRead: 1024, reasoning: 256 });
    assert.deepEqual(get(spans, 'google').tokens, { input: 1000, output: 200, total: 1200, cacheRead: 600, reasoning: 80 });
  });
});

describe('frameworks: Langfuse SDK attributes', () => {
  const spans = loadFramework('langfuse-sdk.json');

  it('reads usage_details with provider-style keys, cost_details by bucket, user and session from trace metadata', () => {
    const span = get(spans, 'gen');
    assert.equal(span.kind, 'LLM');
    assert.equal(span.model, 'gpt-4o');
    assert.deepEqual(span.tokens, { input: 123, output: 456, total: 579 });
    assert.ok(Math.abs(span.costUsd! - 0.0021) < 1e-12, `cost ${span.costUsd}`);
    assert.equal(span.costSource, 'attribute');
    assert.equal(span.userId, 'user-from-metadata');
    assert.equal(span.sessionId, 'session-from-metadata');
    assert.deepEqual(span.inputMessages, [{ role: 'user', content: 'hello' }]);
    assert.equal(span.outputMessages?.[0].content, "what's up?");
  });

  it('reads Langfuse usage buckets: input leaves the cache out, so the cache is added back', () => {
    const span = get(spans, 'buckets');
    assert.deepEqual(span.tokens, { input: 120, output: 40, total: 160, cacheRead: 30, cacheWrite: 10 });
    assert.equal(span.costUsd, 0.5);
    assert.equal(span.userId, 'u-obs');
    assert.equal(span.sessionId, 's-obs');
  });

  it('counts the cache once when a GenAI input count (cache included) stands beside a Langfuse usage blob (cache left out)', () => {
    // A span with both: a GenAI instrumentation's counts and, from a Langfuse exporter on the same
    // span, its buckets (`input` without the cache, as Mastra's Langfuse exporter formats them).
    const span = normalizeAttributes({
      'gen_ai.operation.name': 'chat',
      'gen_ai.request.model': 'claude-sonnet-4-5',
      'gen_ai.usage.input_tokens': 1000,
      'gen_ai.usage.output_tokens': 50,
      'gen_ai.usage.cache_read.input_tokens': 800,
      'langfuse.observation.usage_details': JSON.stringify({ input: 200, output: 50, total: 1050, cache_read_input_tokens: 800 }),
    });
    assert.deepEqual(span.tokens, { input: 1000, output: 50, total: 1050, cacheRead: 800 });
    // Without the GenAI count, the blob's input is the one used, and the cache is added back.
    const blobOnly = normalizeAttributes({
      'gen_ai.request.model': 'claude-sonnet-4-5',
      'langfuse.observation.usage_details': JSON.stringify({ input: 200, output: 50, total: 1050, cache_read_input_tokens: 800 }),
    });
    assert.equal(blobOnly.tokens?.input, 1000);
  });

  it('ranks langfuse.session.id over session.id over gen_ai.conversation.id over metadata', () => {
    assert.equal(get(spans, 'precedence').sessionId, 'lf-session');
    assert.equal(get(spans, 'precedence').userId, 'lf-user');
    assert.equal(get(spans, 'conv').sessionId, 'conversation-1');
  });
});

describe('frameworks: any SDK', () => {
  const spans = loadFramework('any-sdk.json');

  it('keeps usage that has only reasoning tokens', () => {
    assert.deepEqual(get(spans, 'reasoning-only').tokens, { reasoning: 25 });
  });

  it('reads an OpenInference output message without a role as the assistant\'s', () => {
    assert.deepEqual(roles(get(spans, 'oi-no-role').outputMessages), ['assistant']);
  });
});

describe('frameworks: Firebase Genkit (spans made by genkit)', () => {
  const spans = loadFramework('genkit.json');

  it('reads the model action: messages with tool requests and responses, usage with thoughts and cache, the model', () => {
    const call = get(spans, 's5');
    assert.equal(call.kind, 'LLM');
    assert.equal(call.model, 'fake/weather-model');
    assert.deepEqual(roles(call.inputMessages), ['system', 'user', 'assistant', 'tool']);
    assert.deepEqual(call.inputMessages?.[2].toolCalls, [{ id: 'call_gk1', name: 'getWeather', arguments: { city: 'Paris' } }]);
    assert.equal(call.inputMessages?.[3].toolCallId, 'call_gk1');
    assert.equal(call.inputMessages?.[3].content, 'rainy in Paris, 14C');
    assert.deepEqual(call.outputMessages, [{ role: 'assistant', content: 'Paris: "rainy in Paris, 14C"', finishReason: 'stop' }]);
    assert.deepEqual(call.tokens, { input: 80, output: 14, total: 110, cacheRead: 40, reasoning: 16 });
    assert.equal(call.invocationParameters?.temperature, 0.2);
    const first = get(spans, 's2');
    assert.deepEqual(first.outputMessages?.[0].toolCalls, [{ id: 'call_gk1', name: 'getWeather', arguments: { city: 'Paris' } }]);
  });

  it('reads the tool action, the flow and the generate step', () => {
    const tool = get(spans, 's3');
    assert.equal(tool.kind, 'TOOL');
    assert.deepEqual(tool.tool, { name: 'getWeather', arguments: { city: 'Paris' }, result: 'rainy in Paris, 14C' });
    const flow = get(spans, 's0');
    assert.equal(flow.kind, 'CHAIN');
    assert.equal(flow.input, '"Weather in Paris?"');
    assert.equal(get(spans, 's1').kind, 'CHAIN');
    assert.equal(get(spans, 's1').tokens, undefined, 'generate repeats its model call\'s usage; only the model action counts it');
  });
});

describe('frameworks: OpenAI Agents SDK', () => {
  it('reads Logfire\'s Responses spans: raw_input items and the response, usage with cached tokens', () => {
    const spans = loadFramework('openai-agents-logfire.json');
    const llm = get(spans, 'llm');
    assert.equal(llm.kind, 'LLM');
    assert.equal(llm.model, 'gpt-4o-2024-08-06');
    assert.deepEqual(roles(llm.inputMessages), ['system', 'user', 'assistant', 'tool']);
    assert.deepEqual(llm.inputMessages?.[2].toolCalls, [{ id: 'call_vwqy7HyGGnNht9NNfxMnnouY', name: 'random_number', arguments: {} }]);
    assert.equal(llm.inputMessages?.[3].toolCallId, 'call_vwqy7HyGGnNht9NNfxMnnouY');
    assert.deepEqual(llm.outputMessages, [{ role: 'assistant', content: 'The doubled number is 8.' }]);
    assert.deepEqual(llm.tokens, { input: 89, output: 18, total: 107, cacheRead: 64, cacheWrite: 0, reasoning: 0 });
    const fromEvents = get(spans, 'llm-no-response');
    assert.deepEqual(roles(fromEvents.inputMessages), ['system', 'user', 'assistant', 'tool']);
    assert.deepEqual(fromEvents.outputMessages, [{ role: 'assistant', content: 'The doubled number is 8.' }]);
    const tool = get(spans, 'tool');
    assert.equal(tool.kind, 'TOOL');
    assert.deepEqual(tool.tool, { name: 'random_number', arguments: {}, result: 4 });
    assert.equal(get(spans, 'agent').kind, 'AGENT');
    assert.equal(get(spans, 'handoff').kind, 'CHAIN');
  });

  it('reads OpenInference\'s agent, response and function spans', () => {
    const spans = loadFramework('openai-agents-openinference.json');
    const llm = get(spans, 'llm');
    assert.equal(llm.kind, 'LLM');
    assert.deepEqual(roles(llm.inputMessages), ['system', 'user']);
    assert.deepEqual(llm.outputMessages?.[0].toolCalls, [{ id: 'call_w1', name: 'get_weather', arguments: { city: 'London' } }]);
    assert.deepEqual(llm.tokens, { input: 120, output: 18, total: 138, cacheRead: 64, reasoning: 0 });
    assert.equal(llm.provider, 'openai');
    assert.deepEqual(get(spans, 'tool').tool, { name: 'get_weather', description: 'Weather of a city', arguments: { city: 'London' }, result: 'It is 21C and sunny in London.' });
    assert.equal(get(spans, 'agent').kind, 'AGENT');
  });
});

describe('frameworks: Strands Agents', () => {
  const spans = loadFramework('strands-agents.json');

  it('reads chat spans whose events carry content blocks as JSON, tool use and results, cache reads and writes', () => {
    const chat = get(spans, 'chat');
    assert.equal(chat.kind, 'LLM');
    assert.deepEqual(texts(chat.inputMessages), ['You are a weather bot.', 'Weather in Seattle?']);
    assert.deepEqual(chat.outputMessages?.[0].toolCalls, [{ id: 'tooluse_1', name: 'get_weather', arguments: { city: 'Seattle' } }]);
    assert.equal(chat.outputMessages?.[0].content, 'Let me check.');
    assert.deepEqual(chat.tokens, { input: 1000, output: 60, total: 1060, cacheRead: 700, cacheWrite: 300 });
    const second = get(spans, 'chat-2');
    assert.deepEqual(roles(second.inputMessages), ['user', 'assistant', 'tool']);
    assert.deepEqual(second.inputMessages?.[2], { role: 'tool', content: '12C, cloudy', toolCallId: 'tooluse_1' });
    assert.equal(second.outputMessages?.[0].content, 'It is 12C and cloudy in Seattle.');
    const latest = get(spans, 'chat-latest');
    assert.equal(latest.outputMessages?.[0].toolCalls?.[0].name, 'get_weather');
  });

  it('reads the tool span\'s arguments and result from its events, and the agent\'s plain-text answer', () => {
    const tool = get(spans, 'tool');
    assert.equal(tool.kind, 'TOOL');
    assert.deepEqual(tool.tool, { name: 'get_weather', callId: 'tooluse_1', arguments: { city: 'Seattle' }, result: '12C, cloudy' });
    const agent = get(spans, 'agent');
    assert.equal(agent.kind, 'AGENT');
    assert.equal(agent.outputMessages?.[0].content, 'It is 12C and cloudy in Seattle.\n');
  });
});

describe('frameworks: Strands Agents (TypeScript SDK, made by running it)', () => {
  const spans = loadFramework('strands-agents-ts.json');
  const [agent, firstCycle, firstChat, tool, secondCycle, secondChat] = ['s0', 's1', 's2', 's3', 's4', 's5'].map((id) => get(spans, id));

  it('reads its chat spans: typed toolUse blocks as tool calls, the history with the tool result, usage', () => {
    assert.equal(firstChat.kind, 'LLM');
    assert.equal(firstChat.model, 'gpt-4o-mini');
    assert.deepEqual(roles(firstChat.inputMessages), ['system', 'user']);
    assert.deepEqual(firstChat.outputMessages?.[0].toolCalls, [
      { id: 'call_Vk3uEJ2oQ5mIvGxLw8sRtY1b', name: 'get_weather', arguments: { city: 'Reykjavik', unit: 'celsius' } },
    ]);
    assert.deepEqual(firstChat.tokens, { input: 78, output: 19, total: 97 });
    assert.deepEqual(roles(secondChat.inputMessages), ['system', 'user', 'assistant', 'tool']);
    assert.deepEqual(secondChat.inputMessages?.[3], { role: 'tool', content: 'rainy in Reykjavik, 14 degrees celsius', toolCallId: 'call_Vk3uEJ2oQ5mIvGxLw8sRtY1b' });
    assert.equal(secondChat.outputMessages?.[0].content, 'The Hornbjargsviti lighthouse stands about 10 metres tall.');
  });

  it('reads the tool run and the agent run; loop cycles are steps', () => {
    assert.deepEqual(tool.tool, { name: 'get_weather', callId: 'call_Vk3uEJ2oQ5mIvGxLw8sRtY1b', arguments: { city: 'Reykjavik', unit: 'celsius' }, result: 'rainy in Reykjavik, 14 degrees celsius' });
    assert.equal(agent.kind, 'AGENT');
    assert.equal(agent.inputMessages?.[0].content, 'What is the weather in Reykjavik?');
    assert.equal(agent.outputMessages?.[0].content, 'The Hornbjargsviti lighthouse stands about 10 metres tall.');
    assert.deepEqual([firstCycle.kind, secondCycle.kind], ['CHAIN', 'CHAIN']);
  });
});

describe('frameworks: Mastra (made by running it, with its OTel exporter)', () => {
  const spans = loadFramework('mastra-run.json');
  const at = (id: string) => get(spans, id);

  it('reads the agent run: instructions and prompt in, the answer\'s text out (not its result object)', () => {
    const run = at('s0');
    assert.equal(run.kind, 'AGENT');
    assert.deepEqual(run.inputMessages, [
      { role: 'system', content: 'You answer weather questions.' }, { role: 'user', content: 'What is the weather in Reykjavik?' },
    ]);
    assert.deepEqual(run.outputMessages, [{ role: 'assistant', content: 'The Hornbjargsviti lighthouse stands about 10 metres tall.' }]);
  });

  it('reads model calls (`chat`) with usage and the provider without its API suffix; generations, steps and chunks are steps', () => {
    const [call, answer] = [at('s3'), at('s8')];
    assert.equal(call.kind, 'LLM');
    assert.equal(call.provider, 'openai');
    assert.equal(call.model, 'gpt-4o-mini-2024-07-18');
    assert.deepEqual(call.tokens, { input: 78, output: 19, total: 97, cacheRead: 0, reasoning: 0 });
    assert.equal(answer.outputMessages?.[0].content, 'The Hornbjargsviti lighthouse stands about 10 metres tall.');
    assert.deepEqual(['s1', 's2', 's4', 's6', 's7', 's9'].map((id) => at(id).kind), ['CHAIN', 'CHAIN', 'CHAIN', 'CHAIN', 'CHAIN', 'CHAIN']);
  });

  it('reads a step\'s conversation and the tool calls in its output (its model call\'s output leaves them out)', () => {
    const step = at('s2');
    assert.deepEqual(roles(step.inputMessages), ['system', 'user']);
    assert.deepEqual(step.outputMessages?.[0].toolCalls, [
      { id: 'call_Vk3uEJ2oQ5mIvGxLw8sRtY1b', name: 'get_weather', arguments: { city: 'Reykjavik', unit: 'celsius' } },
    ]);
    assert.deepEqual(roles(at('s7').inputMessages), ['system', 'user', 'assistant', 'tool']);
  });

  it('is not diagnosed "content capture off" for model calls whose conversation is on their step (as Mastra sends it)', () => {
    const diagnosed = (span: Span) => {
      const out = new DiagnosisList();
      diagnoseContent(span, false, true, out);
      return out.list().map((d) => d.kind);
    };
    assert.deepEqual(diagnosed(at('s3')), [], 'no input; an empty answer that ended in tool calls');
    assert.deepEqual(diagnosed(at('s8')), [], 'no input');
    // An empty answer that did not end in tool calls is still missing.
    assert.deepEqual(diagnosed({ ...at('s8'), outputMessages: [{ role: 'assistant', content: '' }] }), ['contentCaptureOff']);
  });

  it('reads the tool call: name, description, arguments and result', () => {
    assert.deepEqual(at('s5').tool, {
      name: 'get_weather', description: 'Current weather of a city', callId: 'call_Vk3uEJ2oQ5mIvGxLw8sRtY1b',
      arguments: { city: 'Reykjavik', unit: 'celsius' }, result: { forecast: 'rainy in Reykjavik, 14 degrees celsius' },
    });
  });
});

describe('frameworks: MCP tool spans (OTel MCP conventions)', () => {
  const spans = loadFramework('mcp.json');

  it('shows a tools/call as a tool, with the server it ran on and the MCP session', () => {
    const client = get(spans, 'client');
    assert.equal(client.kind, 'TOOL');
    assert.deepEqual(client.tool, {
      name: 'get-weather', server: 'weather.example.local:8080',
      arguments: { location: 'San Francisco?', date: '2025-10-01' }, result: { temperature_range: { high: 75, low: 60 }, conditions: 'sunny' },
    });
    assert.equal(client.sessionId, '191c4850af6c49e08843a3f6c80e5046');
    const server = get(spans, 'server');
    assert.equal(server.kind, 'TOOL');
    assert.equal(server.tool?.server, 'weather-mcp-server', 'the server side names its own service');
    assert.notEqual(get(spans, 'list').kind, 'TOOL');
  });

  it('reads OpenLLMetry\'s MCP tool spans, unwrapping its {tool_name, arguments} and {result}', () => {
    const tool = get(spans, 'openllmetry');
    assert.equal(tool.kind, 'TOOL');
    assert.deepEqual(tool.tool, { name: 'get-weather', arguments: { location: 'Oslo' }, result: '3C, snow' });
  });
});

describe('frameworks: Mastra', () => {
  const spans = loadFramework('mastra.json');

  it('reads model generations, agent and workflow runs, and MCP tool calls', () => {
    const llm = get(spans, 'llm');
    assert.equal(llm.kind, 'LLM');
    assert.deepEqual(texts(llm.inputMessages), ['You report the weather.', 'Weather in Oslo?']);
    assert.deepEqual(llm.finishReasons, ['stop'], 'finish reasons come as the JSON of a list');
    assert.deepEqual(llm.tokens, { input: 410, output: 22, total: 432, cacheRead: 256, reasoning: 0 });
    const agent = get(spans, 'agent');
    assert.equal(agent.kind, 'AGENT');
    assert.equal(agent.sessionId, 'thread-9');
    assert.match(String(agent.input), /Weather in Oslo/);
    assert.match(String(agent.output), /3C, snow/);
    const tool = get(spans, 'mcp-tool');
    assert.equal(tool.kind, 'TOOL');
    assert.equal(tool.tool?.server, 'weather-mcp');
    assert.deepEqual(tool.tool?.arguments, { city: 'Oslo' });
    assert.equal(get(spans, 'workflow').kind, 'CHAIN');
    assert.match(String(get(spans, 'workflow').output), /done/);
  });
});

describe('frameworks: AutoGen and Microsoft Agent Framework', () => {
  it('reads AutoGen\'s agent and tool spans, with autogen.tool.arguments', () => {
    const spans = loadFramework('autogen.json');
    assert.equal(get(spans, 'invoke').kind, 'AGENT');
    assert.equal(get(spans, 'create').kind, 'AGENT');
    assert.deepEqual(get(spans, 'tool').tool, { name: 'get_weather', description: 'Get the weather for a city.', callId: 'call_ag1', arguments: { city: 'Berlin' } });
  });

  it('reads Agent Framework\'s agent, chat, tool and workflow spans', () => {
    const spans = loadFramework('ms-agent-framework.json');
    const chat = get(spans, 'chat');
    assert.equal(chat.kind, 'LLM');
    assert.deepEqual(roles(chat.inputMessages), ['system', 'user', 'assistant', 'tool']);
    assert.equal(chat.inputMessages?.[3].toolCallId, 'call_maf');
    assert.equal(chat.outputMessages?.[0].content, 'Madrid: 30C.');
    const agent = get(spans, 'agent');
    assert.equal(agent.kind, 'AGENT');
    assert.equal(agent.sessionId, 'conv-maf-1');
    assert.equal(agent.outputMessages?.[0].content, 'Madrid: 30C.');
    assert.deepEqual(get(spans, 'tool').tool, { name: 'get_weather', callId: 'call_maf', arguments: { city: 'Madrid' }, result: '30C' });
    assert.equal(get(spans, 'workflow').kind, 'CHAIN');
  });
});

describe('frameworks: Haystack', () => {
  const spans = loadFramework('haystack.json');

  it('reads a chat generator: ChatMessage dicts in and out, the model and usage from the reply\'s meta', () => {
    const llm = get(spans, 'llm');
    assert.equal(llm.kind, 'LLM');
    assert.equal(llm.model, 'gpt-4o-mini-2024-07-18');
    assert.deepEqual(texts(llm.inputMessages), ['Answer from the documents.', 'Who wrote Faust?']);
    assert.deepEqual(llm.outputMessages, [{ role: 'assistant', content: 'Goethe', finishReason: 'stop' }]);
    assert.deepEqual(llm.tokens, { input: 61, output: 3, total: 64, cacheRead: 0, reasoning: 0 });
    const agent = get(spans, 'agent-llm');
    assert.deepEqual(roles(agent.inputMessages), ['user', 'assistant', 'tool']);
    assert.deepEqual(agent.inputMessages?.[1].toolCalls, [{ id: 'toolu_1', name: 'weather', arguments: { city: 'Rome' } }]);
    assert.deepEqual(agent.inputMessages?.[2], { role: 'tool', content: 'sunny', toolCallId: 'toolu_1', name: 'weather' });
    assert.deepEqual(agent.tokens, { input: 120, output: 9, total: 129 });
  });

  it('reads a retriever\'s documents, the pipeline and other components\' kinds', () => {
    const retriever = get(spans, 'retriever');
    assert.equal(retriever.kind, 'RETRIEVER');
    assert.deepEqual(retriever.documents?.map((d) => [d.id, d.score]), [['d1', 0.92], ['d2', 0.41]]);
    assert.equal(get(spans, 'pipeline').kind, 'CHAIN');
    assert.match(String(get(spans, 'pipeline').input), /Faust/);
    assert.equal(get(spans, 'tools').kind, 'TOOL');
  });
});

describe('frameworks: through OpenInference (CrewAI, LlamaIndex, BeeAI)', () => {
  it('reads CrewAI\'s crew, task and tool spans', () => {
    const spans = loadFramework('crewai.json');
    assert.equal(get(spans, 'crew').kind, 'CHAIN');
    assert.equal(get(spans, 'task').kind, 'AGENT');
    assert.deepEqual(get(spans, 'tool').tool, { name: 'search', arguments: { query: 'AI agents 2026' }, result: '10 results' });
  });

  it('reads LlamaIndex\'s query, retrieval, embedding and LLM spans', () => {
    const spans = loadFramework('llamaindex.json');
    assert.equal(get(spans, 'retrieve').documents?.[0].score, 0.83);
    assert.equal(get(spans, 'embed').kind, 'EMBEDDING');
    const llm = get(spans, 'llm');
    assert.deepEqual(roles(llm.inputMessages), ['system', 'user']);
    assert.deepEqual(llm.tokens, { input: 210, output: 6, total: 216 });
  });

  it('reads BeeAI\'s agent, LLM and tool spans', () => {
    const spans = loadFramework('beeai.json');
    const llm = get(spans, 'llm');
    assert.equal(llm.kind, 'LLM');
    assert.equal(llm.model, 'granite3.3:8b');
    assert.equal(llm.provider, 'ollama');
    assert.equal(llm.outputMessages?.[0].content, 'Lima');
    assert.equal(get(spans, 'tool').tool?.name, 'Wikipedia');
  });
});

describe('frameworks: pricing of cache and reasoning tokens', () => {
  it('prices cache reads and writes at the table\'s cache rates, not as plain input', () => {
    const spans = loadFramework('vercel-ai-sdk-provider-metadata.json');
    const span = get(spans, 'anthropic');
    // claude-sonnet-4: $3 input, $15 output, $0.30 cache read, $3.75 cache write per million.
    const expected = (7 * 3 + 16399 * 0.3 + 2089 * 3.75 + 445 * 15) / 1e6;
    assert.ok(Math.abs(span.costUsd! - expected) < 1e-9, `cost ${span.costUsd} vs ${expected}`);
  });

  it('prices a Bedrock cross-region model id and Gemini thoughts billed beside the output', () => {
    const strands = loadFramework('strands-agents.json');
    assert.ok(get(strands, 'chat').costUsd! > 0, 'us.anthropic.claude-sonnet-4-... is priced');
    const adk = get(loadFramework('google-adk.json'), 'llm');
    // gemini-2.0-flash: $0.10 input, $0.025 cache read, $0.40 output; thoughts (50) billed as output.
    const expected = ((1000 - 800) * 0.1 + 800 * 0.025 + (200 + 50) * 0.4) / 1e6;
    assert.ok(Math.abs(adk.costUsd! - expected) < 1e-9, `cost ${adk.costUsd} vs ${expected}`);
  });
});

describe('frameworks: hostile content', () => {
  it('skips JSON nested past the depth limit and usage blobs past the ingest size limit, and loses nothing else', () => {
    const deep = '['.repeat(5000) + ']'.repeat(5000);
    const hugeOutput = JSON.stringify({ message: { role: 'model', content: [{ text: 'x'.repeat(1_100_000) }] }, usage: { inputTokens: 5, outputTokens: 6 } });
    const span = normalizeAttributes({
      'genkit:type': 'action', 'genkit:metadata:subtype': 'model', 'genkit:name': 'googleai/gemini-2.5-flash',
      'genkit:input': JSON.stringify({ messages: [{ role: 'user', content: [{ text: 'hi' }] }] }), 'genkit:output': hugeOutput,
      'gcp.vertex.agent.llm_request': deep, 'pydantic_ai.all_messages': deep, 'lk.chat_ctx': deep, events: deep,
      '__proto__': '{"x":1}', 'toString': '{"usage":1}',
    });
    assert.equal(span.kind, 'LLM');
    assert.equal(span.tokens, undefined, 'a usage blob over the ingest limit is not parsed at ingest');
    assert.equal(span.inputMessages?.[0].content, 'hi');
    assert.equal(span.outputMessages?.[0].content.length, 1_100_000, 'opening the span still shows the whole answer');
    assert.doesNotThrow(() => JSON.stringify(span));
  });
});

describe('frameworks: names from trace content that are also object keys', () => {
  it('finds no kind or role for `constructor`, `toString` or `__proto__`', () => {
    const span = normalizeAttributes({ 'openinference.span.kind': 'constructor', 'gen_ai.request.model': 'gpt-4o' }, {
      name: 'constructor', scope: { name: 'livekit-agents' },
      events: [{ name: 'constructor', timeMs: 0, attributes: { content: 'x' } }, { name: 'gen_ai.user.message', timeMs: 0, attributes: { role: 'toString', content: 'hi' } }],
    });
    assert.equal(typeof span.kind, 'string');
    assert.equal(span.kind, 'LLM');
    assert.deepEqual(span.inputMessages, [{ role: 'toString', content: 'hi' }]);
  });
});

describe('frameworks: coding agents\' traces (Claude Code, Gemini CLI)', () => {
  it('reads Claude Code\'s interaction, model request with cache counts, and tool spans', () => {
    const spans = loadFramework('claude-code.json');
    const interaction = get(spans, 'interaction');
    assert.equal(interaction.kind, 'AGENT');
    assert.deepEqual(interaction.inputMessages, [{ role: 'user', content: 'Rename foo to bar in utils.py' }]);
    assert.equal(interaction.sessionId, '5f1c2a9e-session');
    assert.equal(interaction.userId, 'user-hash-1');
    const llm = get(spans, 'llm');
    assert.equal(llm.kind, 'LLM');
    assert.equal(llm.model, 'claude-sonnet-4-20250514');
    assert.deepEqual(llm.tokens, { input: 12 + 14000 + 2100, output: 180, total: 12 + 14000 + 2100 + 180, cacheRead: 14000, cacheWrite: 2100 },
      'Anthropic counts input without the cache');
    assert.deepEqual(roles(llm.inputMessages), ['system', 'user']);
    assert.deepEqual(llm.outputMessages, [{ role: 'assistant', content: 'I\'ll make that change.', finishReason: 'tool_use' }]);
    assert.ok(llm.costUsd! > 0);
    const tool = get(spans, 'tool');
    assert.equal(tool.kind, 'TOOL');
    assert.deepEqual(tool.tool, { name: 'Edit', arguments: { file_path: 'utils.py', old_string: 'foo', new_string: 'bar' }, result: 'The file utils.py has been updated.' });
    assert.equal(get(spans, 'exec').kind, 'CHAIN');
    assert.equal(get(spans, 'redacted').inputMessages, undefined, 'a redacted prompt is not shown as the prompt');
  });

  it('reads Gemini CLI\'s model calls (Gemini contents, streamed chunks joined) and tool calls', () => {
    const spans = loadFramework('gemini-cli.json');
    const llm = get(spans, 'llm');
    assert.equal(llm.kind, 'LLM');
    assert.deepEqual(roles(llm.inputMessages), ['system', 'user', 'assistant', 'tool']);
    assert.equal(llm.inputMessages?.[0].content, 'You are an interactive CLI agent.');
    assert.deepEqual(llm.inputMessages?.[2].toolCalls, [{ id: 'fc1', name: 'list_directory', arguments: { path: '.' } }]);
    assert.deepEqual(llm.outputMessages, [{ role: 'assistant', content: 'There are two entries: README.md and src.' }]);
    assert.equal(llm.sessionId, 'c0ffee-session');
    assert.deepEqual(llm.tokens, { input: 5120, output: 14, total: 5134 });
    const tool = get(spans, 'tool');
    assert.equal(tool.kind, 'TOOL');
    assert.deepEqual(tool.tool, { name: 'list_directory', description: 'Lists a directory.', callId: 'fc1', arguments: { path: '.' }, result: 'README.md\nsrc' });
    assert.equal(get(spans, 'prompt').kind, 'CHAIN');
    const logged = get(spans, 'logged');
    assert.deepEqual(logged.inputMessages, [{ role: 'user', content: 'Hello' }], 'the prompt from its log record, logged inside the span');
    assert.deepEqual(logged.outputMessages, [{ role: 'assistant', content: 'Hi there.' }]);
  });
});
