// Trace Doctor in the editor: traffic whose LLM calls recorded no content gives one Problems entry
// per service and problem (not one per span), on a document that says what to change.
import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { sendAiRequests } from '../otlpTraffic';
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
});
