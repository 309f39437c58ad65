// Replay in the editor: an LLM span sent by the OpenTelemetry SDK opens as a `.replay.json`
// request, the system prompt is edited, Run streams the answer of a local OpenAI-compatible
// server (the real `openai` client in the extension) into a document beside it, the replay lands
// in the Traces view linked to the original, and Compare with original opens the diff editor.
// Screenshots: suites-replay-*.png.
import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { LanguageModelProvider } from '../../../src/extension/replay/languageModelProvider';
import { runAndRecord } from '../../../src/extension/replay/replayRunner';
import { COMMANDS, REPLAY_COMMANDS } from '../../../src/shared/commands';
import { cannedAnswer, startFakeReplayServer, type FakeReplayServer } from '../../unit/helpers/fakeReplayServers';
import { sendSpans } from '../otlpTraffic';
import { api, config, runAndAccept, setSetting, shownTexts, sleep, ui, waitFor, withoutWholeTraces } from './harness';

const EDITED_SYSTEM = 'You are a pirate guide to lighthouses. Answer in one sentence.';
const REPLAY_SCHEME = 'ai-trace-replay';

function documentText(scheme: string, pathPart = ''): string | undefined {
  return vscode.workspace.textDocuments.find((d) => d.uri.scheme === scheme && d.uri.path.includes(pathPart))?.getText();
}

describe('replay', () => {
  let fake: FakeReplayServer;
  let original: { traceId: string; spanId: string };

  before(async () => {
    await api();
    // Slow enough to watch it stream: ~15 events, 150 ms apart.
    fake = await startFakeReplayServer({ chunkDelayMs: 150 });
    original = await sendSpans(config.httpPort, (tracer) => {
      const span = tracer.startSpan('chat gpt-4o-mini', {
        attributes: {
          'gen_ai.operation.name': 'chat',
          'gen_ai.provider.name': 'openai',
          'gen_ai.request.model': 'gpt-4o-mini',
          'gen_ai.request.temperature': 0.3,
          'gen_ai.usage.input_tokens': 40,
          'gen_ai.usage.output_tokens': 12,
          'gen_ai.input.messages': JSON.stringify([
            { role: 'system', parts: [{ type: 'text', content: 'You are a terse guide to Icelandic lighthouses.' }] },
            { role: 'user', parts: [{ type: 'text', content: 'How tall is the Hornbjargsviti lighthouse? (replayflow)' }] },
          ]),
          'gen_ai.output.messages': JSON.stringify([{ role: 'assistant', parts: [{ type: 'text', content: 'About 10 m.' }], finish_reason: 'stop' }]),
        },
      });
      span.end();
      return { traceId: span.spanContext().traceId, spanId: span.spanContext().spanId };
    });
    const { source } = await api();
    await waitFor('the original LLM span', async () => (await source.trace(original.traceId))?.spans.length);
    await setSetting('replay.openAiBaseUrl', fake.openAiBaseURL);
  });
  after(async () => {
    await setSetting('replay.openAiBaseUrl', undefined);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await fake?.close();
  });

  it('offers the language models VS Code has (none in this window) beside the endpoints, and remembers the pick', async () => {
    assert.deepEqual(await vscode.lm.selectChatModels(), [], 'no language model provider (no Copilot) in this code-server');
    const choosing = vscode.commands.executeCommand(REPLAY_COMMANDS.chooseReplayTarget);
    const rows = await waitFor('the target quick pick', async () => {
      const shown = await shownTexts('.quick-input-widget .quick-input-list-row').catch(() => []);
      return shown.some((r) => r.includes('No language model is available')) ? shown : undefined;
    });
    assert.ok(rows.some((r) => r.includes('OpenAI-compatible endpoint') && r.includes(fake.openAiBaseURL)), rows.join(' | '));
    assert.ok(rows.some((r) => r.includes('Anthropic API')));
    await ui({ do: 'screenshot', name: 'suites-replay-01-targets' });
    await runAndAccept(Promise.resolve(choosing)); // the first entry: the OpenAI-compatible endpoint
  });

  it('opens an LLM span as an editable request validated by the schema', async () => {
    // The span alone is read, never its whole trace.
    await withoutWholeTraces(() => Promise.resolve(vscode.commands.executeCommand(REPLAY_COMMANDS.replaySpan, original.traceId, original.spanId)));
    const editor = await waitFor('the replay request editor', () => {
      const e = vscode.window.activeTextEditor;
      return e?.document.uri.path.endsWith('.replay.json') ? e : undefined;
    });
    const request = JSON.parse(editor.document.getText());
    assert.deepEqual(request.replayOf, { traceId: original.traceId, spanId: original.spanId, name: 'chat gpt-4o-mini' });
    assert.equal(request.model, 'gpt-4o-mini');
    assert.equal(request.parameters.temperature, 0.3);
    assert.equal(request.messages[0].content, 'You are a terse guide to Icelandic lighthouses.');
    // A wrong role is flagged by the contributed JSON schema, as the user types it.
    const roleAt = editor.document.getText().indexOf('"system"');
    await editor.edit((e) => e.replace(new vscode.Range(editor.document.positionAt(roleAt), editor.document.positionAt(roleAt + 8)), '"robot"'));
    const problems = await waitFor('a schema diagnostic on the role', () => {
      const found = vscode.languages.getDiagnostics(editor.document.uri);
      return found.length ? found : undefined;
    });
    assert.match(problems.map((d) => d.message).join(' '), /system|Value is not accepted/i);
    await vscode.commands.executeCommand('undo');
    await waitFor('the diagnostic to clear', () => vscode.languages.getDiagnostics(editor.document.uri).length === 0);
    const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', editor.document.uri);
    assert.deepEqual(lenses.map((l) => l.command?.title.replace(/\$\([^)]+\) /, '')), [`Run on OpenAI-compatible ${fake.openAiBaseURL}`, 'Run ×5', 'Change target']);
    await ui({ do: 'screenshot', name: 'suites-replay-02-request' });
  });

  it('runs the edited request, streaming the answer beside it, and records it linked to the original', async () => {
    const editor = vscode.window.activeTextEditor!;
    const text = editor.document.getText();
    const at = text.indexOf('You are a terse guide to Icelandic lighthouses.');
    await editor.edit((e) => e.replace(new vscode.Range(editor.document.positionAt(at), editor.document.positionAt(at + 'You are a terse guide to Icelandic lighthouses.'.length)), EDITED_SYSTEM));
    const requestsBefore = fake.requests.length;
    const running = vscode.commands.executeCommand<string | undefined>(REPLAY_COMMANDS.runReplay, editor.document.uri);
    const partial = await waitFor('part of the answer, still running', () => {
      const shown = documentText(REPLAY_SCHEME, '/output/');
      return shown?.includes('Following') && shown.includes('running…') ? shown : undefined;
    });
    assert.ok(!partial.includes('lighthouse is 10 metres tall.'), 'caught mid-stream');
    await ui({ do: 'screenshot', name: 'suites-replay-03-streaming' });
    const outputPath = await running;
    assert.ok(outputPath);
    assert.equal(fake.requests[requestsBefore].body.messages[0].content, EDITED_SYSTEM, 'the unsaved edit is what ran');
    const done = await waitFor('the finished output with the engine\'s price', () => {
      const shown = documentText(REPLAY_SCHEME, outputPath);
      return shown?.includes(cannedAnswer(EDITED_SYSTEM)) && /\$0\.\d+/.test(shown) ? shown : undefined;
    });
    assert.match(done, /42 in · 9 out tokens · <?\$0\.\d+ · /);
    const traceId = /Trace ([0-9a-f]{32}) \(in the Traces view/.exec(done)?.[1];
    assert.ok(traceId, done);
    const { source, tree } = await api();
    const replay = (await source.trace(traceId))!.spans[0];
    assert.deepEqual(replay.links?.map((l) => [l.traceId, l.spanId]), [[original.traceId, original.spanId]]);
    assert.equal(replay.attributes['ai_trace_inspector.replay'], true);
    await waitFor('the replay in the Traces view', async () => (await tree.getChildren()).some((n) => n.type === 'trace' && n.trace.traceId === traceId));
    await ui({ do: 'screenshot', name: 'suites-replay-04-answer' });
  });

  it('compares the replay with the original in the diff editor', async () => {
    await withoutWholeTraces(() => Promise.resolve(vscode.commands.executeCommand(REPLAY_COMMANDS.compareReplay)));
    const tab = await waitFor('the diff editor', () => {
      const input = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
      return input instanceof vscode.TabInputTextDiff ? input : undefined;
    });
    const [left, right] = await Promise.all([vscode.workspace.openTextDocument(tab.original), vscode.workspace.openTextDocument(tab.modified)]);
    assert.match(left.getText(), /# Original: chat gpt-4o-mini[\s\S]*## Response\n\nAbout 10 m\./);
    assert.match(right.getText(), new RegExp(`## Response\\n\\n${cannedAnswer(EDITED_SYSTEM).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
    assert.match(right.getText(), /Tokens: 42 in · 9 out\nCost: <?\$0\.\d+\nLatency: \d/);
    await sleep(300);
    await ui({ do: 'screenshot', name: 'suites-replay-05-compare' });
  });

  it('says what went wrong and keeps the request: a model the endpoint does not have', async () => {
    const editor = await vscode.window.showTextDocument(vscode.workspace.textDocuments.find((d) => d.uri.path.endsWith('.replay.json'))!);
    const before = editor.document.getText();
    const at = before.indexOf('"gpt-4o-mini"');
    await editor.edit((e) => e.replace(new vscode.Range(editor.document.positionAt(at), editor.document.positionAt(at + 13)), '"missing-model"'));
    const path = await vscode.commands.executeCommand<string>(REPLAY_COMMANDS.runReplay, editor.document.uri);
    const shown = await waitFor('the error in the output', () => documentText(REPLAY_SCHEME, path)?.includes('**Error:**') && documentText(REPLAY_SCHEME, path));
    assert.match(shown!, /Model "missing-model" was not found at .* \(404/);
    assert.ok(editor.document.getText().includes('"missing-model"'), 'the edited request is kept');
    await vscode.commands.executeCommand('undo');
    await vscode.commands.executeCommand('workbench.action.files.save');
  });

  it('asks before the prompt leaves this machine, naming the endpoint; refused, nothing is sent', async () => {
    await setSetting('replay.openAiBaseUrl', 'http://replay-endpoint.invalid/v1');
    try {
      const uri = vscode.workspace.textDocuments.find((d) => d.uri.path.endsWith('.replay.json'))!.uri;
      const outputs = vscode.workspace.textDocuments.filter((d) => d.uri.scheme === REPLAY_SCHEME).length;
      // VS Code refuses modal dialogs under test and rejects with the dialog's text: the modal that would show.
      await assert.rejects(Promise.resolve(vscode.commands.executeCommand(REPLAY_COMMANDS.runReplay, uri)),
        /refused to show dialog in tests\. Contents: Replay sends the request \(2 messages, with the tool definitions\) to http:\/\/replay-endpoint\.invalid\/v1\./);
      assert.equal(vscode.workspace.textDocuments.filter((d) => d.uri.scheme === REPLAY_SCHEME).length, outputs, 'no output: nothing was sent');
    } finally {
      await setSetting('replay.openAiBaseUrl', fake.openAiBaseURL);
    }
  });

  it('keeps the API key in secret storage: sent to the endpoint, never in settings, the output or the trace', async () => {
    const setting = vscode.commands.executeCommand(REPLAY_COMMANDS.setReplayApiKey);
    await waitFor('the endpoints to pick from', async () => (await shownTexts('.quick-input-widget .quick-input-list-row').catch(() => [])).some((r) => r.includes('OpenAI-compatible endpoint')));
    await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem'); // the first: the OpenAI-compatible endpoint
    await waitFor('the key input box', async () => (await shownTexts('.quick-input-widget .quick-input-title').catch(() => [])).some((t) => t.includes(`API key for ${fake.openAiBaseURL}`)));
    await ui({ do: 'quickInput', text: 'sk-replay-test-key', enter: true });
    await setting;
    const uri = vscode.workspace.textDocuments.find((d) => d.uri.path.endsWith('.replay.json'))!.uri;
    const before = fake.requests.length;
    const path = await vscode.commands.executeCommand<string>(REPLAY_COMMANDS.runReplay, uri);
    assert.equal(fake.requests[before].headers.authorization, 'Bearer sk-replay-test-key');
    const shown = await waitFor('the finished output', () => documentText(REPLAY_SCHEME, path)?.includes('Trace ') && documentText(REPLAY_SCHEME, path));
    const traceId = /Trace ([0-9a-f]{32})/.exec(shown!)![1];
    const { source } = await api();
    const trace = await waitFor('the recorded replay', () => source.trace(traceId));
    for (const [where, text] of [['settings', JSON.stringify(vscode.workspace.getConfiguration('aiTraceInspector'))], ['the output', shown!], ['the trace', JSON.stringify(trace)],
      ['the request', vscode.workspace.textDocuments.find((d) => d.uri.path.endsWith('.replay.json'))!.getText()]] as const) {
      assert.ok(!text.includes('sk-replay-test-key'), `the key is not in ${where}`);
    }
  });

  // VS Code 1.100 cannot register a language model from an extension (that API was proposed), and
  // this window has no Copilot: so a LanguageModelChat stand-in answers, and the request, the
  // messages and the stream go through VS Code's real classes.
  it('runs on a vscode.lm model: system as a first user turn, tool calls and results as parts, streamed text and tool calls', async () => {
    let sent: readonly vscode.LanguageModelChatMessage[] = [];
    let options: vscode.LanguageModelChatRequestOptions | undefined;
    const model = {
      id: 'stand-in-model', name: 'Stand-in', vendor: 'test', family: 'stand-in', version: '1', maxInputTokens: 100_000,
      countTokens: async (text: string | vscode.LanguageModelChatMessage) => (typeof text === 'string' ? text : JSON.stringify(text.content)).split(/\s+/).length,
      sendRequest: async (messages: vscode.LanguageModelChatMessage[], requestOptions?: vscode.LanguageModelChatRequestOptions) => {
        sent = messages;
        options = requestOptions;
        async function* stream() {
          yield new vscode.LanguageModelTextPart('Checking ');
          yield new vscode.LanguageModelTextPart('the weather.');
          yield new vscode.LanguageModelToolCallPart('call_lm_1', 'get_weather', { city: 'Reykjavik' });
        }
        return { stream: stream(), text: (async function* () { /* unused */ })() };
      },
    } as unknown as vscode.LanguageModelChat;
    const deltas: string[] = [];
    const request = {
      replayOf: original, model: 'stand-in-model', parameters: { temperature: 0 }, stream: true,
      tools: [{ name: 'get_weather', description: 'Weather for a city', parameters: { type: 'object', properties: { city: { type: 'string' } } } }],
      messages: [
        { role: 'system' as const, content: EDITED_SYSTEM },
        { role: 'user' as const, content: 'Weather in Reykjavik?' },
        { role: 'assistant' as const, content: '', toolCalls: [{ id: 'call_0', name: 'get_weather', arguments: { city: 'Oslo' } }] },
        { role: 'tool' as const, toolCallId: 'call_0', content: '4 °C' },
      ],
    };
    const run = await runAndRecord(new LanguageModelProvider(model), request, { httpPort: config.httpPort, onText: (d) => deltas.push(d) });
    assert.ok('answer' in run.outcome, JSON.stringify(run.outcome));
    const { answer } = run.outcome;
    assert.deepEqual(deltas, ['Checking ', 'the weather.']);
    assert.deepEqual(answer.toolCalls, [{ id: 'call_lm_1', name: 'get_weather', arguments: { city: 'Reykjavik' } }]);
    assert.ok((answer.usage?.input ?? 0) > 0 && (answer.usage?.output ?? 0) > 0, 'tokens counted with the model');
    assert.deepEqual(sent.map((m) => m.role), [vscode.LanguageModelChatMessageRole.User, vscode.LanguageModelChatMessageRole.User, vscode.LanguageModelChatMessageRole.Assistant, vscode.LanguageModelChatMessageRole.User]);
    assert.match((sent[0].content[0] as vscode.LanguageModelTextPart).value, /^System instructions:\nYou are a pirate/);
    const call = sent[2].content[0] as vscode.LanguageModelToolCallPart;
    assert.ok(call instanceof vscode.LanguageModelToolCallPart && call.callId === 'call_0' && call.name === 'get_weather');
    const result = sent[3].content[0] as vscode.LanguageModelToolResultPart;
    assert.ok(result instanceof vscode.LanguageModelToolResultPart && result.callId === 'call_0');
    assert.deepEqual(options?.tools?.map((t) => t.name), ['get_weather']);
    assert.deepEqual(options?.modelOptions, { temperature: 0 });
    const { source } = await api();
    const span = await waitFor('the recorded vscode.lm replay', async () => (await source.trace(run.traceId))?.spans[0]);
    assert.equal(span.provider, 'vscode.lm');
    assert.deepEqual(span.outputMessages?.[0].toolCalls?.map((c) => c.name), ['get_weather']);
  });

  it('Run ×N runs the request N times and says how the answers differ', async () => {
    const uri = vscode.workspace.textDocuments.find((d) => d.uri.path.endsWith('.replay.json'))!.uri;
    const before = fake.requests.length;
    const path = await vscode.commands.executeCommand<string>(REPLAY_COMMANDS.runReplayTimes, uri, 3);
    assert.equal(fake.requests.length, before + 3);
    const shown = await waitFor('the summary of the runs', () => documentText(REPLAY_SCHEME, path)?.includes('How the answers differ') && documentText(REPLAY_SCHEME, path));
    assert.match(shown!, /## Run 1 of 3[\s\S]*## Run 3 of 3[\s\S]*1 distinct answer in 3 runs\.[\s\S]*### Answer A: runs 1, 2, 3/);
    await ui({ do: 'screenshot', name: 'suites-replay-06-run-times' });
  });

  it('opens from a row of the Traces view, and says why a span that is not an LLM call cannot be replayed', async () => {
    const { tree } = await api();
    const traceRow = (await tree.getChildren()).find((n) => n.type === 'trace' && n.trace.traceId === original.traceId)!;
    // The original is a one-span trace: its row is the LLM call (span rows are its root's children).
    assert.deepEqual(await tree.getChildren(traceRow), []);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await withoutWholeTraces(() => Promise.resolve(vscode.commands.executeCommand(REPLAY_COMMANDS.replaySpan, traceRow)));
    await waitFor('the request opened from the tree', () => vscode.window.activeTextEditor?.document.uri.path.endsWith(`${original.spanId}.replay.json`));
    const plain = await sendSpans(config.httpPort, (tracer) => {
      const span = tracer.startSpan('load-config');
      span.end();
      return { traceId: span.spanContext().traceId, spanId: span.spanContext().spanId };
    });
    const { source } = await api();
    await waitFor('the plain span', async () => (await source.trace(plain.traceId))?.spans.length);
    assert.equal(await vscode.commands.executeCommand(REPLAY_COMMANDS.replaySpan, plain.traceId, plain.spanId), undefined);
    const toast = await waitFor('the warning', async () => (await shownTexts('.notification-toast').catch(() => [])).find((t) => t.includes('load-config')));
    assert.match(toast, /"load-config" is not an LLM call: only LLM spans can be replayed\./);
  });

  it('says a prompt recorded without its content cannot be replayed, and the span detail shows Replay… disabled', async () => {
    // Capture off: the messages' roles arrive, not what they said.
    const blank = await sendSpans(config.httpPort, (tracer) => {
      const span = tracer.startSpan('chat without content', { attributes: {
        'gen_ai.operation.name': 'chat', 'gen_ai.provider.name': 'openai', 'gen_ai.request.model': 'gpt-4o-mini',
        'gen_ai.input.messages': JSON.stringify([{ role: 'system', parts: [] }, { role: 'user', parts: [] }]),
      } });
      span.end();
      return { traceId: span.spanContext().traceId, spanId: span.spanContext().spanId };
    });
    const { source } = await api();
    await waitFor('the content-less span', async () => (await source.trace(blank.traceId))?.spans[0]?.inputMessages?.length === 2);
    await vscode.commands.executeCommand('notifications.clearAll');
    assert.equal(await vscode.commands.executeCommand(REPLAY_COMMANDS.replaySpan, blank.traceId, blank.spanId), undefined);
    const toast = await waitFor('the warning', async () => (await shownTexts('.notification-toast').catch(() => [])).find((t) => t.includes('chat without content')));
    assert.match(toast, /was recorded without its content .*nothing to replay/);
    await vscode.commands.executeCommand('notifications.clearAll');
    await vscode.commands.executeCommand(COMMANDS.openTrace, blank.traceId, blank.spanId);
    const [replay] = await waitFor('Replay… in the span detail, disabled', async () => {
      const shown = JSON.parse(await ui({ do: 'webviewText', selector: '.detail-actions .replay-button[disabled]' })) as { text: string }[];
      return shown.length ? shown : undefined;
    });
    assert.equal(replay.text, 'Replay…');
    await ui({ do: 'screenshot', name: 'suites-replay-07-no-content' });
  });

  it('opens the replay request from the chat tool', async () => {
    const result = await vscode.lm.invokeTool('aiTraceInspector_replaySpan', { input: { traceId: original.traceId }, toolInvocationToken: undefined });
    const text = result.content.map((p) => (p instanceof vscode.LanguageModelTextPart ? p.value : '')).join('');
    assert.match(text, /Opened the LLM call as an editable replay request .*model gpt-4o-mini, 2 messages, 0 tools/);
    assert.match(text, /- user: How tall is the Hornbjargsviti lighthouse\? \(replayflow\)/);
  });
});
