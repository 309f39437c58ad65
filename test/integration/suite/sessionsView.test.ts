// The Sessions view and the insights panel in the editor: a three-turn chat sent over OTLP lists
// as one session, its turns open their traces, and the session, the LLM calls table and a call's
// context window open as panels (asked of the engine over LSP, as the query API answers them).
import assert from 'node:assert/strict';
import { context as otelContext, trace as otelTrace, type Span } from '@opentelemetry/api';
import * as vscode from 'vscode';
import { COMMANDS, VIEWS } from '../../../src/shared/commands';
import { sendSpans } from '../otlpTraffic';
import { api, config, shootInBothThemes, sleep, waitFor } from './harness';

describe('the Sessions view', () => {
  const run = Date.now().toString(36);
  const sessionId = `session-${run}`;

  before(async () => {
    await api();
    const now = Date.now();
    await sendSpans(config.httpPort, (tracer) => {
      for (let turn = 0; turn < 3; turn++) {
        const start = now - 10_000 + turn * 2000;
        const root = tracer.startSpan(`chat-turn-${run}`, { startTime: start, attributes: { 'session.id': sessionId, 'user.id': `user-${run}` } });
        const messages: Record<string, string> = { 'gen_ai.input.messages': JSON.stringify([
          { role: 'system', parts: [{ type: 'text', content: 'You are a terse guide.' }] },
          { role: 'user', parts: [{ type: 'text', content: `question ${turn + 1} of ${run}` }] },
        ]), 'gen_ai.output.messages': JSON.stringify([{ role: 'assistant', parts: [{ type: 'text', content: `answer ${turn + 1}` }] }]) };
        const llm = tracer.startSpan('chat gpt-4o-mini', { startTime: start + 10, attributes: {
          'gen_ai.operation.name': 'chat', 'gen_ai.provider.name': 'openai', 'gen_ai.request.model': 'gpt-4o-mini',
          'gen_ai.usage.input_tokens': 40 + turn * 20, 'gen_ai.usage.output_tokens': 8, ...messages,
        } }, parentOf(root));
        llm.end(start + 900);
        root.end(start + 1000);
      }
    });
  });

  it('lists the chat as one session with its turns, and each turn opens its trace', async () => {
    const { sessions } = await api();
    const row = await waitFor('the session of this run', async () =>
      (await sessions.getChildren()).find((n) => n.type === 'session' && n.session.sessionId === sessionId));
    assert.equal(row.type === 'session' && row.session.turns, 3);
    const item = sessions.getTreeItem(row);
    assert.equal(item.label, `question 1 of ${run}`);
    assert.match(String(item.description), /^3 turns · /);
    assert.equal(item.command?.command, COMMANDS.openSession);
    const turns = await sessions.getChildren(row);
    assert.deepEqual(turns.map((t) => sessions.getTreeItem(t).label), [1, 2, 3].map((n) => `question ${n} of ${run}`));
    assert.equal(sessions.getTreeItem(turns[0]).command?.command, COMMANDS.openTrace);
  });

  it('opens the session, the LLM calls table and a call\'s context window as panels', async () => {
    const { source } = await api();
    const detail = await source.ask('session', sessionId);
    assert.equal(detail.context.calls.length, 3);
    assert.ok(detail.context.calls[2].parts.newMessage > 0);
    const calls = await source.ask('calls', { filter: `session = "${sessionId}"` });
    assert.equal(calls.total, 3);
    await vscode.commands.executeCommand(`${VIEWS.sessions}.focus`);
    // Earlier suites' notifications would cover the panels.
    await vscode.commands.executeCommand('notifications.clearAll');
    // Screenshots of each, in a light and a dark theme: sessions-<what>-light.png, -dark.png.
    for (const [command, args, shot] of [[COMMANDS.openSession, [sessionId], 'conversation'], [COMMANDS.showLlmCalls, [`session = "${sessionId}"`], 'llm-calls'],
      [COMMANDS.showContextXray, [calls.calls[0].traceId, calls.calls[0].spanId], 'context-xray']] as const) {
      await vscode.commands.executeCommand(command, ...args);
      await waitFor(`a panel after ${command}`, () => vscode.window.tabGroups.activeTabGroup.activeTab?.input instanceof vscode.TabInputWebview
        && (vscode.window.tabGroups.activeTabGroup.activeTab.input as vscode.TabInputWebview).viewType.endsWith('aiTraceInspector.insights'));
      await sleep(1500); // the panel asks the engine, then draws
      await shootInBothThemes(`sessions-${shot}`);
    }
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('groups the Steps by model when asked, and back by span name', async () => {
    const { steps } = await api();
    // Other suites' spans share the engine (some named like ours, without a model): count LLM steps by name.
    const callsIn = async (name: string) => (await steps.getChildren()).filter((s) => s.kind === 'LLM' && s.name === name).reduce((n, s) => n + s.count, 0);
    const byName = await callsIn('chat gpt-4o-mini');
    await vscode.commands.executeCommand(COMMANDS.groupSteps, 'model');
    assert.equal(steps.grouping, 'model');
    assert.ok(await callsIn('gpt-4o-mini') >= 3, 'a step for the model with this run\'s three calls');
    assert.ok(byName - await callsIn('chat gpt-4o-mini') >= 3, 'the calls left the span name\'s step for the model\'s');
    await vscode.commands.executeCommand(COMMANDS.groupSteps, 'name');
    assert.equal(await callsIn('chat gpt-4o-mini'), byName);
  });
});

/** The root as the parent context of the LLM span. */
function parentOf(root: Span) {
  return otelTrace.setSpan(otelContext.active(), root);
}
