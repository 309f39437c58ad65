import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatDuration } from '../../src/shared/format';
import { lineMover } from '../../src/engine/code/anchors';
import { lensTitle } from '../../src/engine/code/codeActivity';
import { clockTime } from '../../src/engine/code/codeLspFeatures';
import { CodeLinks } from '../../src/engine/code/codeLinks';
import { PromptSources } from '../../src/engine/code/promptSources';
import { userFrame } from '../../src/engine/code/stackFrames';
import { WorkspacePaths } from '../../src/engine/code/workspacePaths';
import { TraceIndex } from '../../src/engine/index/traceIndex';
import { PriceTable } from '../../src/engine/normalize/pricing';
import { rawSpan } from './helpers/rawSpans';

const AGENT_PY = `import dspy

SYSTEM_PROMPT = """You are a refund assistant for Acme. Answer the customer {customer_name}
politely, cite the refund policy section, and never promise more than the policy allows."""

def answer(question):
    return client.chat(SYSTEM_PROMPT, question)  # line 8
`;
const REFUND_TXT = `# Refund prompt

Decide whether order {order_id} qualifies for a refund under the thirty day policy and explain the decision in two sentences.
`;

function workspace(): string {
  const root = mkdtempSync(join(tmpdir(), 'code-links-'));
  mkdirSync(join(root, 'app'));
  mkdirSync(join(root, 'prompts'));
  mkdirSync(join(root, 'node_modules', 'lib'), { recursive: true });
  writeFileSync(join(root, 'app', 'agent.py'), AGENT_PY);
  writeFileSync(join(root, 'prompts', 'refund.txt'), REFUND_TXT);
  writeFileSync(join(root, 'node_modules', 'lib', 'agent.py'), AGENT_PY);
  return root;
}

/** A prompt of one message, nothing in it credited elsewhere. */
const only = (message: string) => ({ messages: [message], attributed: [] });

const settle = () => new Promise((resolve) => setTimeout(resolve, 50));

describe('from spans to source lines', () => {
  it('finds the user frame of Python and JavaScript stacks', () => {
    const python = `Traceback (most recent call last):
  File "/app/agent.py", line 8, in answer
    return client.chat(SYSTEM_PROMPT, question)
  File "/usr/lib/python3.11/site-packages/openai/_client.py", line 120, in chat
    raise RateLimitError()
openai.RateLimitError: 429`;
    const where = (frame: ReturnType<typeof userFrame>) => frame && { file: frame.file, line: frame.line, function: frame.function };
    assert.deepEqual(where(userFrame(python)), { file: '/app/agent.py', line: 8, function: 'answer' });
    const js = `Error: boom
    at callModel (/repo/node_modules/openai/index.js:10:3)
    at answer (/repo/src/agent.ts:42:11)
    at node:internal/process/task_queues:95:5`;
    assert.deepEqual(where(userFrame(js)), { file: '/repo/src/agent.ts', line: 42, function: 'answer' });
    assert.equal(userFrame('no frames here'), undefined);
  });

  it('maps recorded paths: exact, relative, by mapping, by unique suffix, never a wrong file', () => {
    const root = workspace();
    const paths = new WorkspacePaths([root], { '/srv/code': root });
    paths.addFile(join(root, 'app', 'agent.py'));
    paths.addFile(join(root, 'prompts', 'refund.txt'));
    assert.equal(paths.resolve(join(root, 'app', 'agent.py')), join(root, 'app', 'agent.py'));
    assert.equal(paths.resolve('app/agent.py'), join(root, 'app', 'agent.py'));
    assert.equal(paths.resolve('/srv/code/app/agent.py'), join(root, 'app', 'agent.py'));
    assert.equal(paths.resolve('/container/app/agent.py'), join(root, 'app', 'agent.py'));
    assert.equal(paths.resolve('/somewhere/else/missing.py'), undefined);
    assert.equal(paths.resolve(`${root}/../../etc/passwd`), undefined, 'a path from a trace never leaves the workspace');
    assert.equal(paths.resolve('../../../../etc/passwd'), undefined);
    assert.equal(paths.resolve('/srv/code/../../../etc/passwd'), undefined, 'nor the target of a mapping');
    assert.equal(new WorkspacePaths([], {}).resolve('/etc/passwd'), undefined, 'no folder open: nothing resolves');
    paths.addFile(join(root, 'other', 'agent.py'));
    assert.equal(paths.resolve('/x/agent.py'), undefined, 'two files named agent.py: no guess');
    assert.equal(paths.resolve('/container/app/agent.py'), join(root, 'app', 'agent.py'), 'the longer suffix is unique');
  });

  it('matches a filled-in prompt to its template literal or prompt file, with a confidence', () => {
    const prompts = new PromptSources();
    prompts.setFile('/ws/app/agent.py', AGENT_PY);
    prompts.setFile('/ws/prompts/refund.txt', REFUND_TXT);
    const fromCode = prompts.match(only('You are a refund assistant for Acme. Answer the customer Dana Smith\npolitely, cite the refund policy section, and never promise more than the policy allows.'));
    assert.equal(fromCode?.file, '/ws/app/agent.py');
    assert.equal(fromCode?.line, 3);
    assert.ok(fromCode!.confidence >= 0.8, `confidence ${fromCode?.confidence}`);
    const fromFile = prompts.match(only('Decide whether order 8812 qualifies for a refund under the thirty day policy and explain the decision in two sentences.'));
    assert.deepEqual([fromFile?.file, fromFile?.line], ['/ws/prompts/refund.txt', 3]);
    assert.equal(prompts.match(only('Translate the following sentence into French and keep the tone formal please.')), undefined);
    // Line numbers survive an apostrophe in a comment and a backslash-continued string above.
    prompts.removeFile('/ws/app/agent.py');
    prompts.setFile('/ws/app/other.py', `# don't\nx = "a \\\nb"\n${AGENT_PY}`);
    const shifted = prompts.match(only('You are a refund assistant for Acme. Answer the customer Dana Smith\npolitely, cite the refund policy section, and never promise more than the policy allows.'));
    assert.deepEqual([shifted?.file, shifted?.line], ['/ws/app/other.py', 6]);
    prompts.removeFile('/ws/app/other.py');
    prompts.removeFile('/ws/prompts/refund.txt');
    assert.equal(prompts.match(only('Decide whether order 8812 qualifies for a refund under the thirty day policy and explain the decision in two sentences.')), undefined);
  });

  it('credits a RAG or few-shot prompt to its template, not to a document or example pasted into it', () => {
    const prompts = new PromptSources();
    const system = 'You are a careful support agent for Acme routers, answer briefly and politely.';
    prompts.setFile('/ws/prompts.ts', [
      `export const SYSTEM = '${system}';`,
      `export const RAG = \`${system}`,
      'Use only the articles below. Questions about billing go to billing@acme.example.com and nowhere else.',
      '{{ articles }}',
      'Question: %s`;',
    ].join('\n'));
    const article = 'To restart the router, hold the power button for five seconds until the light turns red, then release it and wait two minutes.';
    const example = 'Q: How do I change the wifi password? A: Open the app, choose Network, then Password, and save the new one there.';
    prompts.setFile('/ws/docs.py', `ARTICLE = "${article}"\nEXAMPLE = "${example}"\n`);
    const filled = `${system}\nUse only the articles below. Questions about billing go to [REDACTED:email] and nowhere else.\n${article}\n${example}\nQuestion: why is the light red?`;
    const where = (m: ReturnType<PromptSources['match']>) => m && [m.file, m.line];
    // The article and the example are all in the prompt, but explain only their part of it.
    assert.deepEqual(where(prompts.match(only(filled))), ['/ws/prompts.ts', 2]);
    const attributed = prompts.match({ messages: [filled], attributed: [article] });
    assert.deepEqual(where(attributed), ['/ws/prompts.ts', 2]);
    assert.ok(attributed!.confidence >= 0.95, `the masked address and the placeholders match anything: ${attributed!.confidence}`);
    // The template's first sentence is also a literal of its own: the system message alone is that one.
    assert.deepEqual(where(prompts.match(only(system))), ['/ws/prompts.ts', 1]);
    // A copy of the template elsewhere scores as well: it is named as the runner-up.
    prompts.setFile('/ws/old/prompts.py', `RAG = """${system}\nUse only the articles below. Questions about billing go to {billing} and nowhere else.\n{articles}\nQuestion: {question}"""\n`);
    const tied = prompts.match({ messages: [filled], attributed: [article] });
    assert.deepEqual([tied?.file, tied?.runnerUp?.file].sort(), ['/ws/old/prompts.py', '/ws/prompts.ts']);
  });

  it('counts spans per line from code.* attributes, stack frames and prompts, and clears a failure once the line succeeds', async () => {
    const root = workspace();
    const index = new TraceIndex(new PriceTable());
    const links = new CodeLinks(index);
    const changed: string[] = [];
    links.onFilesChanged = (files) => changed.push(...files);
    index.onSpansAdded = (spans) => links.spansAdded(spans);
    await links.configure([root], {});
    const agent = join(root, 'app', 'agent.py');
    const t0 = 1_700_000_000_000;
    index.addSpans([
      rawSpan({ 'code.filepath': '/app/agent.py', 'code.lineno': 8, 'openinference.span.kind': 'LLM', 'llm.token_count.total': 500 },
        { startMs: t0, endMs: t0 + 800, statusCode: 2, statusMessage: 'RateLimitError: 429' }),
      rawSpan({ 'code.file.path': 'app/agent.py', 'code.line.number': 8, 'openinference.span.kind': 'LLM', 'llm.token_count.total': 700 },
        { startMs: t0 + 1000, endMs: t0 + 2200 }),
    ]);
    await settle();
    let line8 = links.activity.line(agent, 8)!;
    assert.equal(line8.count, 2);
    assert.equal(line8.errors, 1);
    assert.equal(line8.failing, undefined, 'a later success clears the warning');
    assert.equal(lensTitle(line8, formatDuration), '2 LLM calls · p50 800 ms · 1.2k tokens · 1 error');

    index.addSpans([rawSpan({ 'openinference.span.kind': 'LLM' }, {
      startMs: t0 + 3000, endMs: t0 + 3100, statusCode: 2,
      events: [{ name: 'exception', timeMs: t0 + 3100, attributes: { 'exception.type': 'ValueError', 'exception.message': 'bad answer', 'exception.stacktrace': 'Traceback (most recent call last):\n  File "/app/agent.py", line 8, in answer\nValueError: bad answer' } }],
    })]);
    await settle();
    line8 = links.activity.line(agent, 8)!;
    assert.equal(line8.failing?.message, 'ValueError: bad answer');

    index.addSpans([rawSpan({
      'openinference.span.kind': 'LLM',
      'llm.input_messages.0.message.role': 'system',
      'llm.input_messages.0.message.content': 'You are a refund assistant for Acme. Answer the customer Lee politely, cite the refund policy section, and never promise more than the policy allows.',
    }, { startMs: t0 + 4000, endMs: t0 + 4500 })]);
    await settle();
    const promptLine = links.activity.line(agent, 3)!;
    assert.equal(promptLine.how, 'prompt');
    assert.ok(changed.includes(agent));
    assert.deepEqual(links.activity.filesWithActivity(), [agent], 'nothing linked into node_modules');
  });

  it('links a span that arrived before its file was in the workspace once the file appears (the engine watches the workspace)', async () => {
    const root = mkdtempSync(join(tmpdir(), 'code-links-late-'));
    const index = new TraceIndex(new PriceTable());
    const links = new CodeLinks(index);
    index.onSpansAdded = (spans) => links.spansAdded(spans);
    await links.configure([root], {});
    index.addSpans([rawSpan({ 'code.filepath': '/srv/tools/search.py', 'code.lineno': 4, 'openinference.span.kind': 'TOOL' })]);
    await settle();
    assert.deepEqual(links.activity.filesWithActivity(), []);
    mkdirSync(join(root, 'tools'));
    writeFileSync(join(root, 'tools', 'search.py'), 'def search(q):\n    pass\n');
    // The engine's own watcher sees the new file; the span waiting for it is linked then.
    for (let waited = 0; waited < 10_000 && !links.activity.line(join(root, 'tools', 'search.py'), 4); waited += 100) await settle();
    assert.equal(links.activity.line(join(root, 'tools', 'search.py'), 4)?.count, 1);
    await links.close();
  });

  it('moves a line\'s activity with its text when the file changes, drops it when the text is gone, and never merges two origins', async () => {
    const relocateLine = (line: number, anchor: string, old: string[] | undefined, now: string[]) => lineMover(old, now)(line, anchor);
    const before = ['import x', '', 'def answer(q):', '    return client.chat(q)', '', 'def other(q):', '    return client.chat(q)'];
    // Lines added above: the call moves down with them.
    const added = ['import x', 'import y', '', 'def answer(q):', '    return client.chat(q)', '', 'def other(q):', '    return client.chat(q)'];
    assert.equal(relocateLine(4, 'return client.chat(q)', before, added), 5);
    assert.equal(relocateLine(7, 'return client.chat(q)', before, added), 8);
    // The line itself rewritten: gone, even though the same text is on another line.
    const rewritten = ['import x', '', 'def answer(q):', '    return client.complete(q)', '', 'def other(q):', '    return client.chat(q)'];
    assert.equal(relocateLine(4, 'return client.chat(q)', before, rewritten), undefined);
    assert.equal(relocateLine(7, 'return client.chat(q)', before, rewritten), 7);
    // A block moved: found by its text when it is on one line only of the changed part.
    assert.equal(relocateLine(3, 'def answer(q):', before, ['import x', '', 'def other(q):', '    return client.chat(q)', '', 'def answer(q):', '    return client.chat(q)']), 6);
    // Without the old text: the line itself, or the only line that reads the same.
    assert.equal(relocateLine(3, 'def answer(q):', undefined, added), 4);
    assert.equal(relocateLine(4, 'return client.chat(q)', undefined, added), undefined, 'two lines read so: no guess');
    assert.equal(relocateLine(2, '}', undefined, ['a', 'b', '}']), undefined, 'a lone brace is never looked for');

    const root = workspace();
    const agent = join(root, 'app', 'agent.py');
    const index = new TraceIndex(new PriceTable());
    const links = new CodeLinks(index);
    index.onSpansAdded = (spans) => links.spansAdded(spans);
    await links.configure([root], {});
    const call = (line: number, startMs: number) => rawSpan({ 'code.filepath': '/app/agent.py', 'code.lineno': line, 'openinference.span.kind': 'LLM' }, { startMs, endMs: startMs + 100 });
    index.addSpans([call(7, 1000), call(7, 2000)]);
    await settle();
    assert.equal(links.activity.line(agent, 7)?.anchor, 'return client.chat(SYSTEM_PROMPT, question)  # line 8');
    // Saved with two lines more above: the two calls are on line 9 now.
    const edited = `# the refund bot\n# (c) Acme\n${AGENT_PY}`;
    writeFileSync(agent, edited);
    links.fileChanged(agent, edited);
    assert.equal(links.activity.line(agent, 7), undefined);
    assert.equal(links.activity.line(agent, 9)?.count, 2);
    // A run of the edited code: its calls join the moved ones (same line, same text).
    index.addSpans([call(9, 3000)]);
    await settle();
    assert.equal(links.activity.line(agent, 9)?.count, 3);
    // The call rewritten: its activity goes, and a new call there starts its own count.
    const rewrittenCall = edited.replace('return client.chat(SYSTEM_PROMPT, question)', 'return client.respond(SYSTEM_PROMPT, question)');
    writeFileSync(agent, rewrittenCall);
    links.fileChanged(agent, rewrittenCall);
    assert.equal(links.activity.line(agent, 9), undefined);
    index.addSpans([call(9, 4000)]);
    await settle();
    assert.equal(links.activity.line(agent, 9)?.count, 1, 'the old line\'s counts are not the new one\'s');
  });

  it('words a warning with the time of the failure, which stays true ("Failed at 14:03:07", not "just now")', () => {
    const at = new Date(2026, 11, 4, 14, 3, 7).getTime();
    assert.equal(clockTime(at, at + 3_600_000), '14:03:07');
    assert.equal(clockTime(at, at + 86_400_000 * 2), '2026-12-04 14:03:07');
  });

  it('counts a span sent again once', async () => {
    const root = workspace();
    const index = new TraceIndex(new PriceTable());
    const links = new CodeLinks(index);
    index.onSpansAdded = (spans) => links.spansAdded(spans);
    const span = () => rawSpan({ 'code.filepath': 'app/agent.py', 'code.lineno': 8, 'openinference.span.kind': 'LLM' }, { traceId: 'ab'.repeat(16), spanId: 'cd'.repeat(8) });
    index.addSpans([span()]);
    await links.configure([root], {});
    index.addSpans([span()]);
    await settle();
    assert.equal(links.activity.line(join(root, 'app', 'agent.py'), 8)?.count, 1);
  });
});
