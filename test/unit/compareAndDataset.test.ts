import assert from 'node:assert/strict';
import { alignSteps, compareTraces } from '../../src/extension/compare/traceComparison';
import { datasetRow } from '../../src/extension/commands/datasetRows';
import { normalized, rawSpan } from './helpers/rawSpans';

const T0 = 1_700_000_000_000;

/** A RAG request as OpenInference records it: yesterday's worked, today's retrieved badly. */
function ragTrace(n: number, rerankMs: number, answer: string, score: number) {
  const traceId = String(n).repeat(32);
  const id = (k: number) => `${n}${String(k).padStart(15, '0')}`;
  const start = T0 + n * 86_400_000;
  return [
    rawSpan({ 'openinference.span.kind': 'CHAIN', 'input.value': '{"question": "Can I return shoes after 40 days?", "customer_id": "12345"}', 'input.mime_type': 'application/json', 'output.value': answer },
      { traceId, spanId: id(1), name: 'answer_question', startMs: start, endMs: start + rerankMs + 1500 }),
    rawSpan({ 'openinference.span.kind': 'RETRIEVER', 'retrieval.documents.0.document.content': 'Returns within 30 days.', 'retrieval.documents.0.document.score': score },
      { traceId, spanId: id(2), parentSpanId: id(1), name: 'retrieve', startMs: start, endMs: start + 200 }),
    rawSpan({ 'openinference.span.kind': 'RERANKER' }, { traceId, spanId: id(3), parentSpanId: id(1), name: 'rerank', startMs: start + 200, endMs: start + 200 + rerankMs }),
    rawSpan({ 'openinference.span.kind': 'LLM', 'llm.model_name': 'gpt-4o', 'llm.token_count.total': 900 + n,
      'llm.input_messages.0.message.role': 'user', 'llm.input_messages.0.message.content': 'Can I return shoes after 40 days?',
      'llm.output_messages.0.message.role': 'assistant', 'llm.output_messages.0.message.content': answer },
    { traceId, spanId: id(4), parentSpanId: id(1), name: 'chat', startMs: start + 200 + rerankMs, endMs: start + 1500 + rerankMs }),
  ];
}

describe('compare two traces', () => {
  const { index } = normalized([...ragTrace(1, 300, 'No, returns are accepted within 30 days.', 0.91), ...ragTrace(2, 4200, 'Yes, any time.', 0.42)]);
  const a = index.trace('1'.repeat(32))!;
  const b = index.trace('2'.repeat(32))!;

  it('aligns steps by kind, name and order', () => {
    assert.deepEqual(alignSteps(a, b).map((s) => [s.key, s.depth, !!s.a, !!s.b]), [
      ['CHAIN answer_question', 0, true, true], ['RETRIEVER retrieve', 1, true, true], ['RERANKER rerank', 1, true, true], ['LLM chat', 1, true, true],
    ]);
  });

  it('shows the latency and token deltas, and the answers that differ, in the same layout on both sides', () => {
    const { left, right } = compareTraces(a, b);
    assert.match(left, /\| · RERANKER rerank \| 300 ms \| 4\.20 s \| \+3\.90 s \|/);
    assert.match(left, /\| · LLM chat \| 1\.30 s \| 1\.30 s \| 0 \| 901 \| 902 \| \+1 \|/);
    assert.match(left, /No, returns are accepted within 30 days\./);
    assert.match(right, /Yes, any time\./);
    assert.match(right, /\[document 1 score 0\.42\]/);
    assert.equal(left.split('\n').length, right.split('\n').length, 'sides line up in the diff editor');
  });
});

describe('dataset rows', () => {
  it('keep the input field names of the root span and the answer as output', () => {
    const { index } = normalized(ragTrace(3, 100, 'No.', 0.9));
    assert.deepEqual(datasetRow(index.trace('3'.repeat(32))!), {
      inputs: { question: 'Can I return shoes after 40 days?', customer_id: '12345' },
      outputs: { output: 'No.' },
    });
  });

  it('skip a trace whose root recorded no input', () => {
    const { index } = normalized([rawSpan({}, { traceId: '4'.repeat(32), spanId: '4'.repeat(16), name: 'health' })]);
    assert.equal(datasetRow(index.trace('4'.repeat(32))!), undefined);
  });
});
