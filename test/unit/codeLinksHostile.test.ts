// Code links read trace content (recorded paths, documents) and the workspace files a trace
// names: hostile values must neither throw out of the link queue nor hold the event loop.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CodeLinks } from '../../src/engine/code/codeLinks';
import { WorkspacePaths } from '../../src/engine/code/workspacePaths';
import { TraceIndex } from '../../src/engine/index/traceIndex';
import { PriceTable } from '../../src/engine/normalize/pricing';
import { rawSpan } from './helpers/rawSpans';

const AGENT_PY = 'def answer(question):\n    return client.chat(question)\n';

function workspace(): string {
  const root = mkdtempSync(join(tmpdir(), 'code-links-hostile-'));
  mkdirSync(join(root, 'app'));
  writeFileSync(join(root, 'app', 'agent.py'), AGENT_PY);
  return root;
}

async function linksFor(root: string): Promise<{ index: TraceIndex; links: CodeLinks }> {
  const index = new TraceIndex(new PriceTable());
  const links = new CodeLinks(index);
  index.onSpansAdded = (spans) => links.spansAdded(spans);
  await links.configure([root], {});
  return { index, links };
}

/** Waits until the link queue has handled what was added (it drains in setImmediate batches). */
async function linked(check: () => boolean): Promise<void> {
  for (let waited = 0; waited < 5000 && !check(); waited += 20) await new Promise((resolve) => setTimeout(resolve, 20));
}

describe('code links, hostile input', () => {
  it('links an LLM span whose trace has a retrieval of 300,000 documents (was a RangeError out of the link queue)', async () => {
    const root = workspace();
    const { index, links } = await linksFor(root);
    const traceId = 'ef'.repeat(16);
    const documents = JSON.stringify(Array.from({ length: 300_000 }, (_, i) => ({ content: `d${i}` })));
    index.addSpans([
      rawSpan({ 'gen_ai.operation.name': 'retrieve', 'gen_ai.retrieval.documents': documents }, { traceId }),
      rawSpan({ 'openinference.span.kind': 'LLM', 'code.file.path': 'app/agent.py', 'code.line.number': 2 }, { traceId }),
    ]);
    const agent = join(root, 'app', 'agent.py');
    await linked(() => links.activity.line(agent, 2) !== undefined);
    assert.equal(links.activity.line(agent, 2)?.count, 1);
    await links.close();
  });

  it('goes on linking after a span that throws while it is linked (the queue stopped, and the rejection could end the engine)', async () => {
    const root = workspace();
    const { index, links } = await linksFor(root);
    // No input is known to throw today; make the first link throw as a future defect would.
    const linker = links as unknown as { link: (span: unknown) => string[] };
    const link = linker.link.bind(links);
    let calls = 0;
    linker.link = (span) => {
      if (++calls === 1) throw new Error('a defect in a convention reader');
      return link(span);
    };
    const agent = join(root, 'app', 'agent.py');
    const llm = { 'openinference.span.kind': 'LLM', 'code.file.path': 'app/agent.py', 'code.line.number': 2 };
    index.addSpans([rawSpan(llm, { traceId: 'a1'.repeat(16) }), rawSpan(llm, { traceId: 'b2'.repeat(16) })]);
    await linked(() => links.activity.line(agent, 2) !== undefined);
    assert.equal(links.activity.line(agent, 2)?.count, 1, 'the second span is linked');
    index.addSpans([rawSpan(llm, { traceId: 'c3'.repeat(16) })]);
    await linked(() => links.activity.line(agent, 2)?.count === 2);
    assert.equal(links.activity.line(agent, 2)?.count, 2, 'and the queue keeps draining afterwards');
    await links.close();
  });

  it('resolves a recorded path of 200,000 folders by its file name in linear time (the suffix search was quadratic)', () => {
    const root = workspace();
    const paths = new WorkspacePaths([root], {});
    paths.addFile(join(root, 'app', 'agent.py'));
    paths.addFile(join(root, 'other', 'agent.py'));
    // Two files named agent.py: only the tail `app/agent.py` tells them apart.
    assert.equal(paths.resolve('/x'.repeat(200_000) + '/app/agent.py'), join(root, 'app', 'agent.py'));
    assert.equal(paths.resolve('/x'.repeat(200_000) + '/agent.py'), undefined, 'two candidates, no longer tail: no guess');
  });

  it('never reads a named workspace path that is not a regular file (a FIFO blocked the engine for good)', async function () {
    if (process.platform === 'win32') this.skip();
    const root = workspace();
    const fifo = join(root, 'app', 'stream.py');
    execFileSync('mkfifo', [fifo]);
    const { index, links } = await linksFor(root);
    index.addSpans([rawSpan({ 'openinference.span.kind': 'LLM', 'code.file.path': fifo, 'code.line.number': 1 })]);
    await linked(() => links.activity.line(fifo, 1) !== undefined);
    assert.equal(links.activity.line(fifo, 1)?.count, 1, 'the span still counts on its line, without an anchor');
    assert.equal(links.diskLines(fifo), undefined);
    await links.close();
  });

  it('does not read a workspace text file over the size limit again at each change (a growing log was read whole)', async () => {
    const root = workspace();
    const { links } = await linksFor(root);
    const texts: number[] = [];
    const fileChanged = links.fileChanged.bind(links);
    links.fileChanged = (file, text) => {
      if (text !== undefined) texts.push(text.length);
      fileChanged(file, text);
    };
    const log = join(root, 'training.txt');
    writeFileSync(log, 'x'.repeat(3 << 20));
    writeFileSync(join(root, 'small.txt'), 'hello');
    await linked(() => texts.includes(5));
    // The two changes settle together; give the large one as long again to show up.
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.deepEqual(texts, [5], 'only the small file was read');
    await links.close();
  });
});
