// What the engine gives the reading UI (issue 17): each trace's gist for its row, where a search
// matched, a filter that refuses what cannot match, and a clear that deletes what is stored.
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEngine } from '../../src/engine/engine';
import { TraceIndex } from '../../src/engine/index/traceIndex';
import { PriceTable } from '../../src/engine/normalize/pricing';
import { encodeTracesData } from '../../src/engine/otlp/encodeJson';
import { parseFilter } from '../../src/shared/traceFilter';
import { EngineApiClient } from './helpers/engineApiClient';
import { rawSpan } from './helpers/rawSpans';

function supportTraces() {
  const index = new TraceIndex(new PriceTable());
  const chat = rawSpan({
    'openinference.span.kind': 'CHAIN', 'input.value': '{"question": "Where is my\\n refund for A-17?"}', 'output.value': 'It was sent on Monday.',
  }, { name: 'support.answer' });
  const retrieval = rawSpan({
    'openinference.span.kind': 'RETRIEVER', 'retrieval.documents.0.document.content': 'Our policy: a refund is sent within 5 days of the return.',
  }, { name: 'retrieve', traceId: chat.traceId, parentSpanId: chat.spanId, startMs: chat.startMs + 10 });
  const llmRoot = rawSpan({
    'openinference.span.kind': 'LLM', 'llm.input_messages.0.message.role': 'system', 'llm.input_messages.0.message.content': 'Be brief.',
    'llm.input_messages.1.message.role': 'user', 'llm.input_messages.1.message.content': 'Cancel order B-2 please',
    'llm.output_messages.0.message.role': 'assistant', 'llm.output_messages.0.message.content': 'Order B-2 is cancelled.',
  }, { name: 'support.answer' });
  index.addSpans([chat, retrieval, llmRoot]);
  return { index, chat, llmRoot };
}

describe('reading support in the engine (issue 17)', () => {
  it('gives each trace the root\'s input and output on one line: the first user message, or the input value', () => {
    const { index, chat, llmRoot } = supportTraces();
    const [a, b] = [chat.traceId, llmRoot.traceId].map((id) => index.query({ limit: 10 }).find((t) => t.traceId === id)!);
    assert.equal(a.input, 'Where is my refund for A-17?', 'one string of a JSON input, whitespace flattened');
    assert.equal(a.output, 'It was sent on Monday.');
    assert.equal(b.input, 'Cancel order B-2 please', 'the user message, not the system prompt');
    assert.equal(b.output, 'Order B-2 is cancelled.');
  });

  it('trims a long input to one line with an ellipsis', () => {
    const index = new TraceIndex(new PriceTable());
    const span = rawSpan({ 'input.value': `${'very long question '.repeat(40)}\nsecond line` }, { name: 'ask' });
    index.addSpans([span]);
    const { input } = index.query({})[0];
    assert.ok(input!.length <= 160 && input!.endsWith('…') && !input!.includes('\n'), input);
  });

  it('keeps the gist up to date as a trace arrives over several requests and records', () => {
    const index = new TraceIndex(new PriceTable());
    const root = rawSpan({ 'input.value': 'Where is my refund?' }, { name: 'support.answer' });
    const call = rawSpan({ 'openinference.span.kind': 'LLM', 'llm.input_messages.0.message.role': 'user', 'llm.input_messages.0.message.content': 'Find order A-17' },
      { name: 'chat', traceId: root.traceId, parentSpanId: root.spanId, startMs: root.startMs + 10 });
    const gist = () => { const [{ input, output }] = index.query({}); return { input, output }; };
    index.addSpans([call]);
    assert.deepEqual(gist(), { input: 'Find order A-17', output: undefined }, 'the orphan stands in for the root');
    index.addSpans([root]);
    assert.deepEqual(gist(), { input: 'Where is my refund?', output: undefined });
    index.addLogs([{ traceId: root.traceId, spanId: root.spanId,
      event: { name: 'gen_ai.content.completion', timeMs: root.endMs, attributes: { 'gen_ai.completion': 'It was sent on Monday.' }, fromLog: true } }]);
    assert.deepEqual(gist(), { input: 'Where is my refund?', output: 'It was sent on Monday.' }, 'a record the root got later');
    index.addSpans([{ ...root, attributes: { 'input.value': 'Where is my refund, please?' }, events: [] }]);
    assert.equal(gist().input, 'Where is my refund, please?', 'a root sent again');
  });

  it('says where free text matched, with the field and an excerpt that marks it', () => {
    const { index, chat } = supportTraces();
    const found = index.query({ filter: 'refund policy', matches: true });
    assert.equal(found.length, 0, 'a phrase that is not there');
    const refund = index.query({ q: 'policy', matches: true });
    assert.equal(refund.length, 1);
    assert.equal(refund[0].traceId, chat.traceId);
    const match = refund[0].match!;
    assert.equal(match.spanName, 'retrieve');
    assert.equal(match.field, 'retrieval.documents.0.document.content');
    assert.equal(match.excerpt.slice(match.at[0], match.at[1]), 'policy');
    assert.equal(index.query({ q: 'policy' })[0].match, undefined, 'only when asked for');
    const viaFilter = index.query({ filter: 'refund AND trace.spans > 1', matches: true });
    assert.equal(viaFilter[0].match?.field, 'input.value', 'the filter\'s free text, first match in start order');
  });

  it('refuses an unknown kind, status or finding with the valid ones', () => {
    assert.throws(() => parseFilter('kind = RETRIVER'), /Unknown kind "RETRIVER"; kind is one of: LLM, CHAIN, RETRIEVER/);
    assert.throws(() => parseFilter('kind IN (LLM, TOLL)'), /Unknown kind "TOLL"/);
    assert.throws(() => parseFilter('status = failed'), /status is one of: ok, error, unset/);
    assert.throws(() => parseFilter('finding = loops'), /finding is one of: .*loop/);
    assert.throws(() => parseFilter('knd = LLM'), /Unknown field "knd"; fields: name, kind/);
    assert.doesNotThrow(() => parseFilter('kind = retriever AND finding = "weak retrieval" AND status = error'));
  });

  describe('deleting what is stored', () => {
    let dir: string;
    beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'reading-store-')); });
    afterEach(() => rmSync(dir, { recursive: true, force: true }));

    it('deletes the store\'s segments and forgets imported files, so nothing returns after a restart; the files stay', async () => {
      const store = join(dir, 'store');
      const imported = join(dir, 'app.otlp.jsonl');
      writeFileSync(imported, JSON.stringify(encodeTracesData([rawSpan({ 'input.value': 'from a file' }, { name: 'file-span' })])) + '\n');
      const log: string[] = [];
      let engine = await startEngine({ httpPort: 0, grpcPort: null, storeDir: store, log: (m) => log.push(m) });
      const body = JSON.stringify(encodeTracesData([rawSpan({ 'input.value': 'received' }, { name: 'received-span' })]));
      const res = await fetch(`http://127.0.0.1:${engine.httpPort}/v1/traces`, { method: 'POST', body, headers: { 'Content-Type': 'application/json' } });
      assert.equal(res.status, 200);
      await engine.files.import([imported], { watch: true, remember: true });
      assert.ok(log.some((line) => line === `imported ${imported}: OTLP/JSON lines, 1 span(s) in 1 trace(s); tailing it`), log.join('\n'));
      assert.equal((await new EngineApiClient(engine.httpPort).listTraces({})).length, 2);

      const deletion = await engine.deleteStored();
      assert.ok(deletion.deletedFiles >= 1);
      assert.equal(deletion.forgottenImports, 1);
      assert.deepEqual(deletion.problems, []);
      assert.deepEqual(readdirSync(store).filter((f) => f.endsWith('.pb') || f.endsWith('.jsonl')), [], 'no segment left');
      assert.equal((await new EngineApiClient(engine.httpPort).listTraces({})).length, 0);
      // What arrives next is stored again, in a new segment.
      await (await fetch(`http://127.0.0.1:${engine.httpPort}/v1/traces`, { method: 'POST', body, headers: { 'Content-Type': 'application/json' } })).arrayBuffer();
      await engine.close();

      engine = await startEngine({ httpPort: 0, grpcPort: null, storeDir: store, log: () => undefined });
      await engine.ready;
      const after = await new EngineApiClient(engine.httpPort).listTraces({});
      assert.deepEqual(after.map((t) => t.name), ['received-span'], 'only what came after the clear; the imported file is not read again');
      assert.ok(readdirSync(dir).includes('app.otlp.jsonl'), 'the user\'s file is untouched');
      await engine.close();
    });
  });
});
