import assert from 'node:assert/strict';
import { traceForAi } from '../../src/shared/traceForAi';
import { contentSecurityPolicy, newNonce, webviewHtml } from '../../src/extension/traceView/webviewHtml';
import { lowScoreWarning } from '../../webview/detail/documents';
import { prettyValue } from '../../webview/detail/longValue';
import { missingContentNotes } from '../../webview/detail/missingContent';
import { parseStack } from '../../webview/detail/stackFrames';
import { fixtureAttributes, normalizeAttributes } from '../unit/helpers/rawSpans';
import { ragTrace, tutorialTraces } from './harness/traces';

describe('span detail data', () => {
  it('says why an LLM span has no content, naming the setting of its instrumentation', () => {
    const genAi = normalizeAttributes({ 'gen_ai.system': 'openai', 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'gpt-4o', 'gen_ai.usage.input_tokens': 10, 'gen_ai.usage.output_tokens': 3 });
    const notes = missingContentNotes(genAi).map((n) => `${n.title} ${n.fix}`).join('\n');
    assert.match(notes, /OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT=true/);
    assert.match(notes, /log events that never arrived/);

    const openLlmetry = normalizeAttributes({ 'llm.request.type': 'chat', 'gen_ai.system': 'OpenAI', 'gen_ai.request.model': 'gpt-4o' });
    assert.match(missingContentNotes(openLlmetry)[0].fix, /TRACELOOP_TRACE_CONTENT/);

    const hidden = normalizeAttributes({ 'openinference.span.kind': 'LLM', 'llm.model_name': 'gpt-4o', 'input.value': '__REDACTED__', 'output.value': '__REDACTED__' });
    assert.match(missingContentNotes(hidden)[0].fix, /OPENINFERENCE_HIDE_INPUTS/);

    const streamed = normalizeAttributes({ 'openinference.span.kind': 'LLM', 'llm.model_name': 'gpt-4o', 'llm.invocation_parameters': '{"stream": true}',
      'llm.input_messages.0.message.role': 'user', 'llm.input_messages.0.message.content': 'hi', 'llm.output_messages.0.message.role': 'assistant', 'llm.output_messages.0.message.content': 'hello' });
    assert.deepEqual(missingContentNotes(streamed).map((n) => n.fix.includes('include_usage')), [true]);

    assert.deepEqual(missingContentNotes(normalizeAttributes(fixtureAttributes('openinference_client_span_tool_calls.json'))), [], 'a complete span has nothing to explain');
  });

  it('links Python and JavaScript stack frames and leaves other lines as text', () => {
    const lines = parseStack([
      'Traceback (most recent call last):',
      '  File "/app/rag.py", line 42, in answer',
      '    raise ValueError("no docs")',
      'Error: boom',
      '    at retrieve (/srv/app/src/retrieve.ts:17:9)',
      '    at node:internal/process/task_queues:95:5',
    ].join('\n'));
    assert.deepEqual(lines.filter((l) => l.link).map((l) => l.link!.location), [
      { file: '/app/rag.py', line: 42, function: 'answer' },
      { file: '/srv/app/src/retrieve.ts', line: 17, column: 9, function: 'retrieve' },
    ]);
    const js = lines[4];
    assert.equal(js.text.slice(js.link!.start, js.link!.end), '/srv/app/src/retrieve.ts:17:9');
  });

  it('warns when retrieval scores are low, by the threshold setting', () => {
    const docs = ragTrace().spans.find((s) => s.kind === 'RETRIEVER')!.documents!;
    assert.deepEqual(docs.map((d) => d.score), [0.42, 0.31]);
    assert.match(lowScoreWarning(docs, 0.5)!, /best 0\.42.*had to guess/);
    assert.equal(lowScoreWarning(docs, 0.35), undefined, 'the best document is good enough: one weak one beside it is no alarm');
    assert.equal(lowScoreWarning(docs, 0.3), undefined);
  });

  it('pretty-prints JSON values and JSON held in strings', () => {
    assert.equal(prettyValue('{"a":1}'), '{\n  "a": 1\n}');
    assert.equal(prettyValue('{not json}'), '{not json}');
    assert.equal(prettyValue({ b: [1] }), '{\n  "b": [\n    1\n  ]\n}');
  });
});

describe('trace view host pieces', () => {
  it('serves HTML with a strict CSP: a nonce for scripts, no unsafe-inline or unsafe-eval', () => {
    const nonce = newNonce();
    assert.notEqual(nonce, newNonce(), 'a fresh nonce each time');
    const csp = contentSecurityPolicy('https://x.vscode-resource.test', nonce);
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval|\*/);
    assert.match(csp, /^default-src 'none'; script-src 'nonce-/);
    const html = webviewHtml({ cspSource: 'https://x.test', nonce, scriptUri: 'https://x.test/w.js', styleUri: 'https://x.test/w.css' });
    assert.equal(html.match(/<script/g)?.length, 1);
    assert.match(html, new RegExp(`<script nonce="${nonce.replace(/[+/]/g, '\\$&')}" src="https://x.test/w.js">`));
  });

  it('condenses a trace to Markdown for a chat, within the budget and with secrets masked', () => {
    const trace = ragTrace();
    trace.spans[0].input = 'Authorization: Bearer abcdefghijklmnop, key sk-proj-ABCDEFGHIJKLMNOPQRSTUV, mail ana@example.com';
    const markdown = traceForAi(trace, 4000).text;
    assert.match(markdown, /^# Trace: answer/);
    assert.match(markdown, /Slowest step: rerank, 4\.20 s of 5\.30 s/);
    assert.match(markdown, /Weather in Paris\?/);
    assert.doesNotMatch(markdown, /abcdefghijklmnop|ABCDEFGHIJKLMNOPQRSTUV|ana@example/);
    assert.match(markdown, /\[REDACTED:bearer\].*\[REDACTED:api-key\].*\[REDACTED:email\]/);
    assert.ok(markdown.length <= 4200);
    const failed = tutorialTraces().find((t) => t.summary.status === 'error')!;
    assert.match(traceForAi(failed).text, /ERROR/);
  });
});
