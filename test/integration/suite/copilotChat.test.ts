// Trace Copilot Chat: the command writes exactly Copilot Chat's four OpenTelemetry settings and
// Stop Tracing puts back what the user had. The settings are declared by a stand-in extension
// (test/integration/copilotChatStandIn), as Copilot Chat cannot be installed here. Agent traffic
// shaped like Copilot Chat's shows as one nested trace.
import assert from 'node:assert/strict';
import { context as otelContext, trace, type Span, type Tracer } from '@opentelemetry/api';
import * as vscode from 'vscode';
import { COMMANDS } from '../../../src/shared/commands';
import { sendSpans } from '../otlpTraffic';
import { api, config, rowsFor } from './harness';

const OTEL = 'github.copilot.chat.otel';
const KEYS = ['enabled', 'exporterType', 'otlpEndpoint', 'captureContent'];
const userValues = () => Object.fromEntries(KEYS.map((k) => [k, vscode.workspace.getConfiguration(OTEL).inspect(k)?.globalValue]));

describe('Trace Copilot Chat', () => {
  before(async () => {
    await api();
    // What the user had: their own collector, export switched off, the rest never set.
    await vscode.workspace.getConfiguration(OTEL).update('otlpEndpoint', 'http://collector.internal:4318', vscode.ConfigurationTarget.Global);
    await vscode.workspace.getConfiguration(OTEL).update('enabled', false, vscode.ConfigurationTarget.Global);
  });

  it('points Copilot Chat\'s export at this window\'s receiver, without content unless the user agreed', async () => {
    assert.equal(await vscode.commands.executeCommand(COMMANDS.traceCopilotChat, { captureContent: false }), true);
    assert.deepEqual(userValues(), { enabled: true, exporterType: 'otlp-http', otlpEndpoint: `http://127.0.0.1:${config.httpPort}`, captureContent: false });
  });

  it('restores exactly the settings it changed, even after running twice', async () => {
    assert.equal(await vscode.commands.executeCommand(COMMANDS.traceCopilotChat, { captureContent: true }), true);
    assert.equal(userValues().captureContent, true);
    assert.equal(await vscode.commands.executeCommand(COMMANDS.stopTracingCopilotChat), true);
    assert.deepEqual(userValues(), { enabled: false, exporterType: undefined, otlpEndpoint: 'http://collector.internal:4318', captureContent: undefined });
    assert.equal(await vscode.commands.executeCommand(COMMANDS.stopTracingCopilotChat), false, 'nothing left to restore');
  });

  it('shows an agent run shaped like Copilot Chat\'s as one nested trace: agent, LLM and tool steps, subagent under its tool call', async () => {
    // Base 36: a 13-digit run would be masked one time in ten, when it passes the card check.
    const conversation = `conv-${Date.now().toString(36)}`;
    const traceId = await sendSpans(config.httpPort, (tracer) => {
      const child = (parent: Span, name: string, attributes: Record<string, string | number>) =>
        tracer.startSpan(name, { attributes }, trace.setSpan(otelContext.active(), parent));
      const agent = tracer.startSpan('invoke_agent copilot', { attributes: { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.agent.name': 'copilot', 'gen_ai.conversation.id': conversation } });
      const chat = child(agent, 'chat gpt-4o', { 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'gpt-4o', 'gen_ai.usage.input_tokens': 2100, 'gen_ai.usage.output_tokens': 80 });
      chat.end();
      const runSubagent = child(agent, 'execute_tool runSubagent', { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 'runSubagent' });
      const subagent = child(runSubagent, 'invoke_agent search-agent', { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.agent.name': 'search-agent', 'gen_ai.conversation.id': conversation });
      const readFile = child(subagent, 'execute_tool readFile', { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 'readFile' });
      readFile.end();
      subagent.end();
      runSubagent.end();
      agent.end();
      return agent.spanContext().traceId;
    }, 'copilot-chat');
    await rowsFor([{ traceId, name: 'invoke_agent copilot' }]);
    const { source } = await api();
    const detail = (await source.trace(traceId))!;
    assert.equal(detail.summary.sessionId, conversation);
    const byName = new Map(detail.spans.map((s) => [s.name, s]));
    const kindAndParent = (name: string) => [byName.get(name)!.kind, detail.spans.find((s) => s.spanId === byName.get(name)!.parentSpanId)?.name];
    assert.deepEqual(kindAndParent('chat gpt-4o'), ['LLM', 'invoke_agent copilot']);
    assert.deepEqual(kindAndParent('execute_tool runSubagent'), ['TOOL', 'invoke_agent copilot']);
    assert.deepEqual(kindAndParent('invoke_agent search-agent'), ['AGENT', 'execute_tool runSubagent']);
    assert.deepEqual(kindAndParent('execute_tool readFile'), ['TOOL', 'invoke_agent search-agent']);
    assert.equal(byName.get('invoke_agent copilot')!.kind, 'AGENT');
  });
});
