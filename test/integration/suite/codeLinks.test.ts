// From code to spans: traffic whose spans point into the workspace (by code.* attributes, or by
// their prompt text alone) yields code lenses, hovers and diagnostics on those lines, which
// follow the lines' text through edits.
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { context as otelContext, SpanStatusCode, trace } from '@opentelemetry/api';
import * as vscode from 'vscode';
import { COMMANDS } from '../../../src/shared/commands';
import { sendSpans } from '../otlpTraffic';
import { api, config, shownTexts, sleep, ui, waitFor, waitForTraceEditor } from './harness';

const AGENT_PY = `import openai

REFUND_PROMPT = """You are the refund assistant of Acme Outdoor. Decide whether the order
qualifies under the thirty day policy and explain the decision politely."""


def answer(question):
    """Answers a customer's refund question."""
    return openai.chat.completions.create(model="gpt-4o", messages=[{"role": "system", "content": REFUND_PROMPT}])
`;
const TONE_TXT = `# Tone guide

Write like a calm librarian who has read every manual in the building, never promise delivery dates, and always offer the tracking link.
`;
const SYSTEM_PROMPT = 'You are the refund assistant of Acme Outdoor. Decide whether the order qualifies under the thirty day policy and explain the decision politely.';

/** An LLM call from app/agent.py line 9 as a container recorded it (/srv/app/...), failing or not. */
function sendCall(options: { failed?: string; prompt?: string; code?: boolean }) {
  return sendSpans(config.httpPort, (tracer) => {
    const root = tracer.startSpan('answer', { attributes: { 'openinference.span.kind': 'CHAIN' } });
    const llm = tracer.startSpan('ChatCompletion', {
      attributes: {
        'openinference.span.kind': 'LLM', 'llm.model_name': 'gpt-4o', 'llm.token_count.total': 640,
        'llm.input_messages.0.message.role': 'system', 'llm.input_messages.0.message.content': options.prompt ?? SYSTEM_PROMPT,
        'llm.input_messages.1.message.role': 'user', 'llm.input_messages.1.message.content': 'Can I return a tent after 40 days?',
        'llm.output_messages.0.message.role': 'assistant', 'llm.output_messages.0.message.content': 'Sadly no: returns are accepted within 30 days.',
        ...(options.code === false ? {} : { 'code.filepath': '/srv/app/agent.py', 'code.lineno': 9, 'code.function': 'answer' }),
      },
    }, trace.setSpan(otelContext.active(), root));
    if (options.failed) llm.setStatus({ code: SpanStatusCode.ERROR, message: options.failed });
    llm.end();
    root.end();
    return root.spanContext().traceId;
  });
}

describe('code lenses, hovers and diagnostics', () => {
  const agent = vscode.Uri.file(join(config.workspace, 'app', 'agent.py'));
  const tone = vscode.Uri.file(join(config.workspace, 'prompts', 'tone.txt'));
  const lensTitles = async (uri: vscode.Uri) =>
    ((await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri)) ?? [])
      .filter((l) => l.command?.command === COMMANDS.openTrace).map((l) => ({ line: l.range.start.line, title: l.command!.title, lens: l }));
  const warnings = (uri: vscode.Uri) => vscode.languages.getDiagnostics(uri).filter((d) => d.source === 'AI Trace Inspector');

  before(async () => {
    await api();
    mkdirSync(join(config.workspace, 'app'), { recursive: true });
    mkdirSync(join(config.workspace, 'prompts'), { recursive: true });
    // Written after the engine scanned the workspace: it learns of them from the file watcher.
    writeFileSync(agent.fsPath, AGENT_PY);
    writeFileSync(tone.fsPath, TONE_TXT);
    await vscode.window.showTextDocument(agent);
    await sleep(1500);
  });

  it('puts a lens over the line that made the calls, and a warning on it while it fails', async () => {
    await sendCall({ failed: 'RateLimitError: 429 Too Many Requests' });
    const lens = await waitFor('a code lens on the call in agent.py', async () => (await lensTitles(agent)).find((l) => l.line === 8));
    assert.match(lens.title, /^1 LLM call · p50 .* · 640 tokens · 1 error$/);
    // The span's system prompt is the literal on line 3: that line has its own lens.
    const template = await waitFor('a code lens on the prompt in agent.py', async () => (await lensTitles(agent)).find((l) => l.line === 2));
    assert.match(template.title, /^1 LLM call · .* · prompt match 100%$/);
    const warning = await waitFor('a warning on the call in agent.py', () => warnings(agent).find((w) => w.range.start.line === 8));
    assert.equal(warning.severity, vscode.DiagnosticSeverity.Warning);
    assert.match(warning.message, /^Failed at \d\d:\d\d:\d\d: RateLimitError: 429 Too Many Requests/);
  });

  it('shows the latest prompt and response in a hover, with a link to the span', async () => {
    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', agent, new vscode.Position(8, 10));
    const text = hovers.flatMap((h) => h.contents.map((c) => (c instanceof vscode.MarkdownString ? c.value : String(c)))).join('\n');
    assert.match(text, /Can I return a tent after 40 days\?/);
    assert.match(text, /Sadly no: returns are accepted within 30 days\./);
    assert.match(text, /\[Open latest span\]\(command:aiTraceInspector\.openTrace\?/);
  });

  it('clears the warning once a later call from the line succeeds', async () => {
    await sendCall({});
    await waitFor('the warning to go', () => warnings(agent).length === 0);
    const lens = await waitFor('the lens to count both calls', async () => (await lensTitles(agent)).find((l) => l.line === 8 && l.title.startsWith('2 LLM calls')));
    assert.match(lens.title, /1 error$/);
  });

  it('opens the latest span when the lens is clicked', async () => {
    const traceId = await sendCall({});
    const [lens] = await waitFor('the lens to count three calls', async () => (await lensTitles(agent)).filter((l) => l.title.startsWith('3 LLM calls')));
    await vscode.commands.executeCommand(lens.lens.command!.command, ...(lens.lens.command!.arguments ?? []));
    await waitForTraceEditor({ traceId, name: 'answer' });
  });

  it('finds the prompt file a span\'s system prompt came from when the span names no code', async () => {
    await vscode.workspace.openTextDocument(tone);
    await sendCall({ code: false, prompt: 'Write like a calm librarian who has read every manual in the building, never promise delivery dates, and always offer the tracking link.' });
    const [lens] = await waitFor('a lens on tone.txt', async () => {
      const lenses = await lensTitles(tone);
      return lenses.length ? lenses : undefined;
    });
    assert.equal(lens.line, 2);
    assert.match(lens.title, /1 LLM call .* prompt match 100%/);
  });

  it('keeps working after Restart Engine, from the stored traces', async () => {
    const { engine } = await api();
    const before = engine.processId;
    await vscode.commands.executeCommand(COMMANDS.restartEngine);
    await waitFor('a new engine process', () => engine.processId !== undefined && engine.processId !== before);
    let shown: string[] = [];
    await waitFor('the lens to come back with the stored calls', async () => {
      shown = (await lensTitles(agent)).map((l) => l.title);
      return shown.some((title) => title.startsWith('3 LLM calls'));
    }).catch((error: Error) => assert.fail(`${error.message}; lenses shown: ${JSON.stringify(shown)}`));
    await sendCall({});
    await waitFor('the lens to count a new call', async () => (await lensTitles(agent)).find((l) => l.title.startsWith('4 LLM calls')));
  });

  it('moves a lens with its line through edits, saved or not, and takes it off a line whose text changed', async () => {
    // code-server saves after a delay by default; off here, so each step is an unsaved edit or a save.
    const files = vscode.workspace.getConfiguration('files');
    await files.update('autoSave', 'off', vscode.ConfigurationTarget.Global);
    try {
      const editor = await vscode.window.showTextDocument(agent);
      const callLines = async () => (await lensTitles(agent)).filter((l) => /LLM calls/.test(l.title) && !l.title.includes('prompt match')).map((l) => l.line);
      const drawnCallLens = async () => (await shownTexts('.codelens-decoration')).some((t) => /LLM calls/.test(t) && !/prompt match/.test(t));
      await waitFor('the call\'s lens on line 9', async () => (await callLines()).join() === '8');
      await waitFor('the lens drawn in the editor', drawnCallLens);
      await ui({ do: 'screenshot', name: 'suites-lens-before-edit' });

      // Two lines added above, not saved: the lens goes down with its line.
      await editor.edit((edit) => edit.insert(new vscode.Position(0, 0), '# Refunds for Acme Outdoor\n# Owner: the support team\n'));
      await waitFor('the lens to follow its line down', async () => (await callLines()).join() === '10');
      await sleep(1500); // the editor draws lenses again a moment after an edit
      await ui({ do: 'screenshot', name: 'suites-lens-after-edit' });
      // Saved: the engine moves the line's activity with the file, and the lens stays with its line.
      await editor.document.save();
      await sleep(2000);
      assert.deepEqual(await callLines(), [10]);

      // The call's line rewritten: no lens stays on it, nor moves to another line.
      const callLine = editor.document.lineAt(10);
      await editor.edit((edit) => edit.replace(callLine.range, '    return None'));
      await waitFor('the lens to leave the rewritten line', async () => (await callLines()).length === 0);
      await waitFor('the editor to stop drawing it', async () => !(await drawnCallLens()));
      await ui({ do: 'screenshot', name: 'suites-lens-after-rewrite' });
      await editor.edit((edit) => edit.replace(editor.document.lineAt(10).range, callLine.text));
      await waitFor('the lens back once the line reads as before', async () => (await callLines()).join() === '10');

      // The added lines taken out again and saved: back on line 9.
      await editor.edit((edit) => edit.delete(new vscode.Range(0, 0, 2, 0)));
      await editor.document.save();
      await waitFor('the lens back on line 9', async () => (await callLines()).join() === '8');
    } finally {
      await files.update('autoSave', undefined, vscode.ConfigurationTarget.Global);
    }
  });

  it('can be turned off', async () => {
    await vscode.workspace.getConfiguration('aiTraceInspector').update('codeLens.enabled', false, vscode.ConfigurationTarget.Global);
    try {
      assert.deepEqual(await lensTitles(agent), []);
    } finally {
      await vscode.workspace.getConfiguration('aiTraceInspector').update('codeLens.enabled', undefined, vscode.ConfigurationTarget.Global);
    }
  });
});
