// The language model tools, invoked as Copilot Chat would (vscode.lm.invokeTool) on real OTLP
// traffic: each answers with the right traces, by id.
import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { sendAiRequests, SentTrace } from '../otlpTraffic';
import { api, config, rowsFor } from './harness';

const TOOLS = ['aiTraceInspector_summary', 'aiTraceInspector_slowTraces', 'aiTraceInspector_failedTraces', 'aiTraceInspector_searchTraces', 'aiTraceInspector_getTrace'];

async function ask(tool: string, input: object): Promise<string> {
  const result = await vscode.lm.invokeTool(tool, { input, toolInvocationToken: undefined });
  return result.content.map((part) => (part instanceof vscode.LanguageModelTextPart ? part.value : '')).join('');
}

describe('chat tools', () => {
  let sent: SentTrace[];
  const run = Date.now().toString(36);

  before(async () => {
    await api();
    sent = await sendAiRequests(config.httpPort, [
      { name: `lookup-order-${run}`, durationMs: 650, inputTokens: 800, outputTokens: 60 },
      { name: `draft-reply-${run}`, durationMs: 7400, inputTokens: 6400, outputTokens: 900 },
      { name: `classify-${run}`, durationMs: 300, inputTokens: 200, outputTokens: 3, error: `ContextWindowExceeded ${run}` },
    ]);
    await rowsFor(sent);
  });

  it('are registered with descriptions and input schemas the model can read', () => {
    for (const name of TOOLS) {
      const tool = vscode.lm.tools.find((t) => t.name === name);
      assert.ok(tool, `${name} is registered`);
      assert.ok(tool.description.length > 80, `${name} explains itself`);
      assert.equal((tool.inputSchema as { type?: string } | undefined)?.type, 'object');
    }
  });

  it('say why the last request failed, naming its trace id', async () => {
    const text = await ask('aiTraceInspector_failedTraces', { limit: 5 });
    const line = text.split('\n').find((l) => l.includes(sent[2].traceId));
    assert.ok(line, text);
    assert.match(line, new RegExp(`FAILED: ContextWindowExceeded ${run}`));
  });

  it('list the slowest requests first with their slowest step', async () => {
    const text = await ask('aiTraceInspector_slowTraces', { minDurationMs: 5000 });
    const lines = text.split('\n').filter((l) => l.startsWith('- '));
    const mine = lines.find((l) => l.includes(sent[1].traceId));
    assert.ok(mine, text);
    assert.match(mine, /7\.40 s .*slowest step: chat gpt-4o-mini/);
    const seconds = lines.map((l) => Number(/\| ([\d.]+) s \|/.exec(l)?.[1]));
    assert.deepEqual(seconds, [...seconds].sort((a, b) => b - a), 'slowest first');
    assert.ok(!text.includes(sent[0].traceId), 'a 650 ms trace is not slow');
  });

  it('find a request by text from its prompt', async () => {
    const text = await ask('aiTraceInspector_searchTraces', { text: `question for lookup-order-${run}` });
    assert.ok(text.includes(sent[0].traceId), text);
    assert.ok(!text.includes(sent[1].traceId));
  });

  it('summarize counts, errors and steps', async () => {
    const text = await ask('aiTraceInspector_summary', { sinceHours: 1 });
    assert.match(text, /\d+ traces, [1-9]\d* failed/);
    assert.match(text, /By model:\n(- .*\n)*- gpt-4o-mini: \d+ calls/);
    assert.match(text, /LLM chat gpt-4o-mini \(support-bot\)/);
  });

  it('show what the model saw in one trace, from an id prefix', async () => {
    const text = await ask('aiTraceInspector_getTrace', { traceId: `${sent[2].traceId.slice(0, 10)}…` });
    assert.ok(text.startsWith(`Trace ${sent[2].traceId}: classify-${run}`), text);
    assert.match(text, /- LLM chat gpt-4o-mini .*ERROR: ContextWindowExceeded/);
    assert.match(text, /input: question for classify/);
  });

  it('say what is wrong with an id that names no trace', async () => {
    assert.match(await ask('aiTraceInspector_getTrace', { traceId: 'zz' }), /not a trace id/);
    assert.match(await ask('aiTraceInspector_getTrace', { traceId: 'ffffffffffff' }), /No loaded trace id starts with ffffffffffff/);
  });
});
