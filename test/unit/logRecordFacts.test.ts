// A span's facts (kind, model, tokens, cost) and its trace's summary must not depend on whether
// the GenAI log records carrying its messages and usage came before or after it.
import assert from 'node:assert/strict';
import type { RawLog, RawSpan } from '../../src/engine/model/rawSpan';
import { TraceIndex } from '../../src/engine/index/traceIndex';
import { PriceTable } from '../../src/engine/normalize/pricing';
import { agentLogRequests } from './helpers/agentLogs';
import { rawSpan } from './helpers/rawSpans';

/** Gemini CLI's details record of its last answer, as the real CLI logged it (model, usage, options). */
function realDetailsRecord() {
  const records = agentLogRequests('gemini-cli-logs.otlp.jsonl').flat()
    .filter((log) => log.event.name === 'gen_ai.client.inference.operation.details' && log.event.attributes['gen_ai.usage.input_tokens'] !== undefined);
  return records.at(-1)!.event;
}

/** A chat span as Semantic Kernel (.NET) makes it: a model and nothing else; messages come as GenAI events. */
function chatSpanWithRecords(): { span: RawSpan; logs: RawLog[] } {
  const span = rawSpan({ 'gen_ai.response.model': 'gpt-4-0613' }, { name: 'chat_completion' });
  const at = (event: RawLog['event']): RawLog => ({ traceId: span.traceId, spanId: span.spanId, event });
  const details = realDetailsRecord();
  return {
    span,
    logs: [
      at({ name: 'gen_ai.user.message', timeMs: span.startMs, attributes: {}, body: { content: 'What is the capital of France?' }, fromLog: true }),
      at({ name: 'gen_ai.choice', timeMs: span.endMs, attributes: {}, body: { index: 0, finish_reason: 'stop', message: { content: 'Paris.' } }, fromLog: true }),
      at({ ...details, attributes: { ...details.attributes } }),
    ],
  };
}

function index(order: 'span first' | 'records first'): { index: TraceIndex; traceId: string } {
  const { span, logs } = chatSpanWithRecords();
  const idx = new TraceIndex(new PriceTable());
  if (order === 'records first') idx.addLogs(logs);
  idx.addSpans([span]);
  if (order === 'span first') idx.addLogs(logs);
  return { index: idx, traceId: span.traceId };
}

describe('facts of a span whose GenAI log records attach later', () => {
  for (const order of ['span first', 'records first'] as const) {
    it(`are the same in the span, the list and the trace view (${order})`, () => {
      const { index: idx, traceId } = index(order);
      const detail = idx.trace(traceId)!;
      const span = detail.spans[0];
      assert.equal(span.kind, 'LLM', 'a model and message records make an LLM call');
      // The span's own model outranks the details record's; the usage is the record's.
      assert.equal(span.model, 'gpt-4-0613');
      assert.deepEqual(span.tokens, { input: 903, output: 23, total: 926 });
      assert.ok(span.costUsd! > 0, 'priced from the usage');
      assert.equal(span.inputMessages?.find((m) => m.role === 'user')?.content, 'What is the capital of France?');
      const [listed] = idx.query({});
      assert.deepEqual(listed.tokens, { input: 903, output: 23, total: 926 });
      assert.equal(listed.costUsd, span.costUsd);
      assert.deepEqual(listed.models, ['gpt-4-0613']);
      assert.equal(listed.input, 'What is the capital of France?');
      assert.equal(listed.output, 'Paris.');
      assert.deepEqual(detail.summary, listed);
    });
  }

  it('recomputes a span once for the records that can change it, not for every record', () => {
    const { span, logs } = chatSpanWithRecords();
    const idx = new TraceIndex(new PriceTable());
    idx.addSpans([span]);
    idx.addLogs(logs);
    const before = idx.trace(span.traceId)!.spans[0].tokens;
    // More records of the same kinds change nothing (the first details record's usage stands).
    idx.addLogs([{ ...logs[2], event: { ...logs[2].event, timeMs: logs[2].event.timeMs + 1, attributes: { ...logs[2].event.attributes, 'gen_ai.usage.input_tokens': 1 } } }]);
    assert.deepEqual(idx.trace(span.traceId)!.spans[0].tokens, before);
  });
});
