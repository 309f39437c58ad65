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

  it('takes a later details record\'s usage over an earlier one\'s, in the same request or a later one', () => {
    for (const together of [true, false]) {
      const { span, logs } = chatSpanWithRecords();
      const later = { ...logs[2], event: { ...logs[2].event, timeMs: logs[2].event.timeMs + 1,
        attributes: { ...logs[2].event.attributes, 'gen_ai.usage.input_tokens': 1000, 'gen_ai.usage.output_tokens': 50 } } };
      const idx = new TraceIndex(new PriceTable());
      idx.addSpans([span]);
      if (together) idx.addLogs([...logs, later]);
      else {
        idx.addLogs(logs);
        idx.addLogs([later]);
      }
      assert.deepEqual(idx.trace(span.traceId)!.spans[0].tokens, { input: 1000, output: 50, total: 1050 }, together ? 'one request' : 'two requests');
      assert.deepEqual(idx.query({})[0].tokens, { input: 1000, output: 50, total: 1050 });
    }
  });

  it('reads Gemini CLI\'s request details record, then its response details record, as the response says (model and usage)', () => {
    // The CLI logs both inside its llm_call span: the request's (request model only), then the response's.
    const records = agentLogRequests('gemini-cli-logs.otlp.jsonl').flat().filter((log) => log.spanId === '004cb3d004739e7a');
    const details = records.filter((log) => log.event.name === 'gen_ai.client.inference.operation.details');
    assert.equal(details.length, 2);
    const span = rawSpan({ 'gen_ai.request.model': 'gemini-3.5-flash-lite', 'gen_ai.operation.name': 'llm_call' },
      { name: 'llm_call', traceId: records[0].traceId, spanId: records[0].spanId });
    for (const oneByOne of [false, true]) {
      const idx = new TraceIndex(new PriceTable());
      idx.addSpans([{ ...span, events: [] }]);
      if (oneByOne) for (const record of records) idx.addLogs([record]);
      else idx.addLogs(records);
      const [call] = idx.trace(span.traceId)!.spans;
      assert.equal(call.model, 'gemini-2.5-flash');
      assert.deepEqual(call.tokens, { input: 901, output: 21, total: 922 });
      assert.ok(call.costUsd! > 0);
    }
  });
});

describe('detectors on spans whose kind or usage came by log record', () => {
  /** A chat span as Semantic Kernel makes it, in `traceId`, and its records: a message and a details record with this usage. */
  function call(traceId: string, input: number, attributes: Record<string, string> = {}): { span: RawSpan; logs: RawLog[] } {
    const { span, logs } = chatSpanWithRecords();
    const traced = { ...span, traceId, attributes: { ...span.attributes, ...attributes } };
    const details = logs[2].event;
    return {
      span: traced,
      logs: [logs[0], { ...logs[2], event: { ...details, attributes: { ...details.attributes, 'gen_ai.usage.input_tokens': input } } }]
        .map((log) => ({ ...log, traceId })),
    };
  }

  it('finds context bloat and a token spike the usage of a details record shows', () => {
    const idx = new TraceIndex(new PriceTable());
    const calls = [...Array.from({ length: 10 }, (_, i) => call(rawSpan({}).traceId, 900 + i)), call(rawSpan({}).traceId, 9000)];
    for (const { span, logs } of calls) {
      idx.addSpans([span]);
      idx.addLogs(logs);
    }
    const last = idx.trace(calls[10].span.traceId)!;
    assert.deepEqual(last.spans[0].findings?.map((f) => f.detector), ['contextBloat', 'spike']);
    assert.deepEqual(idx.query({ filter: 'finding = spike' }).map((s) => s.traceId), [calls[10].span.traceId]);
  });

  it('finds a repeated call whose spans were no LLM calls until their message records came', () => {
    const idx = new TraceIndex(new PriceTable());
    const traceId = rawSpan({}).traceId;
    for (let i = 0; i < 5; i++) {
      const { span, logs } = call(traceId, 900, { 'input.value': 'What is the capital of France?' });
      idx.addSpans([span]);
      idx.addLogs(logs);
    }
    const [summary] = idx.query({});
    assert.match(summary.findings?.find((f) => f.detector === 'loop')?.message ?? '', /LLM call chat_completion ran 5 times/);
  });

  it('counts a span once in its step\'s median, however often its records recompute it', () => {
    const idx = new TraceIndex(new PriceTable());
    // Five calls recomputed twice each would make ten values, enough for a median.
    for (let i = 0; i < 5; i++) {
      const { span, logs } = call(rawSpan({}).traceId, 900);
      idx.addSpans([span]);
      idx.addLogs(logs);
      idx.addLogs([{ ...logs[1], event: { ...logs[1].event, timeMs: logs[1].event.timeMs + 1 } }]);
    }
    const { span, logs } = call(rawSpan({}).traceId, 9000);
    idx.addSpans([span]);
    idx.addLogs(logs);
    assert.equal(idx.trace(span.traceId)!.spans[0].findings, undefined, 'five calls are too few for a median');
  });
});
