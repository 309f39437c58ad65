// Trace Doctor in the editor: traffic whose LLM calls recorded no content gives one Problems entry
// per service and problem (not one per span), on a document that says what to change; a burst of
// one-span traces offers a quick fix on the app's tracer set-up file.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { sendAiRequests, sendSpans } from '../otlpTraffic';
import { config, waitFor } from './harness';

describe('Trace Doctor in the Problems panel', () => {
  it('shows one entry per service and problem, opening a document with the evidence and the fix', async () => {
    const sent = await sendAiRequests(config.httpPort, [
      { name: 'doctor-one', durationMs: 300, inputTokens: 10, outputTokens: 5 },
      { name: 'doctor-two', durationMs: 300, inputTokens: 10, outputTokens: 5 },
    ]);
    const service = sent[0].service;
    // The engine counts content as missing once the traces have been quiet for its grace period.
    const [uri, diagnostics] = await waitFor('a Trace Doctor problem for the service', () => vscode.languages.getDiagnostics()
      .find(([u, list]) => u.scheme === 'ai-trace-doctor' && decodeURIComponent(u.path) === `/${service}.txt`
        && list.some((d) => d.code === 'contentCaptureOff')));
    const capture = diagnostics.filter((d) => d.code === 'contentCaptureOff');
    assert.equal(capture.length, 1, 'one entry for the service, however many spans and traces show it');
    assert.equal(capture[0].source, 'Trace Doctor');
    assert.match(capture[0].message, /No prompt and response recorded: content capture is off\. \d+ trace\(s\)\. Fix: /);
    const document = await vscode.workspace.openTextDocument(uri);
    const line = document.lineAt(capture[0].range.start.line).text;
    assert.match(line, /^ {2}content capture off: /);
    assert.match(document.getText(), /evidence: chat gpt-4o-mini \(scope [^)]+\) has no prompt and response on the span/);
  });

  it('offers the fix as a code action on the app\'s set-up file', async () => {
    // Six LLM calls that each started a trace of their own: nothing propagates context.
    await sendSpans(config.httpPort, (tracer) => {
      for (let i = 0; i < 6; i++) tracer.startSpan('chat', { attributes: { 'openinference.span.kind': 'LLM', 'input.value': 'q', 'output.value': 'a', 'llm.token_count.prompt': 3 } }).end();
    }, 'doctor-burst');
    await waitFor('the burst diagnosis', () => vscode.languages.getDiagnostics()
      .some(([u, list]) => u.scheme === 'ai-trace-doctor' && list.some((d) => d.code === 'noContextPropagation')));
    const file = join(mkdtempSync(join(tmpdir(), 'doctor-setup-')), 'tracing.ts');
    writeFileSync(file, "import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';\n\nconst provider = new BasicTracerProvider();\n");
    const document = await vscode.workspace.openTextDocument(vscode.Uri.file(file));
    const actions = await waitFor('the Trace Doctor code action', async () => {
      const all = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', document.uri, new vscode.Range(2, 0, 2, 0));
      const found = all?.filter((a) => a.title.startsWith('Trace Doctor: keep the active context across async calls'));
      return found?.length ? found : undefined;
    });
    const edits = actions[0].edit!.get(document.uri);
    assert.deepEqual(edits.map((e) => e.range.start.line), [0, 0, 2]);
    assert.match(edits[2].newText, /context\.setGlobalContextManager\(new AsyncLocalStorageContextManager\(\)\.enable\(\)\);/);
  });
});
