// Detectors and the filter language on traffic made by the real OpenTelemetry SDK and shipped
// by the real OTLP exporter: a loop, a weak retrieval and a cost spike are each found, and a
// clean trace has no findings.
import assert from 'node:assert/strict';
import { Context, ROOT_CONTEXT, SpanStatusCode, trace, Tracer } from '@opentelemetry/api';
import { parseFilter } from '../../src/shared/traceFilter';
import type { TraceSummary } from '../../src/shared/spanModel';
import { exportSpans, recordSpans, useEngine } from './helpers/otelSenders';

const T0 = Date.UTC(2026, 10, 20, 14, 0, 0);
const at = (ms: number) => new Date(T0 + ms);

function chat(tracer: Tracer, parent: Context, start: number, tokens: number, costUsd: number, question: string) {
  const span = tracer.startSpan('chat', { startTime: at(start), attributes: {
    'openinference.span.kind': 'LLM', 'llm.model_name': 'gpt-4o', 'llm.token_count.prompt': tokens - 100,
    'llm.token_count.completion': 100, 'llm.token_count.total': tokens, 'llm.cost.total': costUsd,
    'llm.input_messages.0.message.role': 'user', 'llm.input_messages.0.message.content': question,
  } }, parent);
  span.end(at(start + 900));
}

function retrieve(tracer: Tracer, parent: Context, start: number, scores: number[]) {
  const attributes: Record<string, string | number> = { 'openinference.span.kind': 'RETRIEVER' };
  scores.forEach((score, i) => {
    attributes[`retrieval.documents.${i}.document.id`] = `doc-${i}`;
    attributes[`retrieval.documents.${i}.document.score`] = score;
    attributes[`retrieval.documents.${i}.document.content`] = `Refund policy section ${i}`;
  });
  tracer.startSpan('retrieve', { startTime: at(start), attributes }, parent).end(at(start + 300));
}

/** An agent run: a root, its steps laid out by `steps`, ended after them. */
function request(tracer: Tracer, name: string, start: number, steps: (tracer: Tracer, parent: Context) => number) {
  const root = tracer.startSpan(name, { startTime: at(start), attributes: { 'openinference.span.kind': 'AGENT' } });
  root.end(at(steps(tracer, trace.setSpan(ROOT_CONTEXT, root))));
}

describe('detectors and the filter language, on real OTLP traffic', () => {
  const engine = useEngine();
  let traces: TraceSummary[];
  const byName = (name: string) => traces.find((t) => t.name === name)!;

  before(async () => {
    const spans = await recordSpans('support-bot', (tracer) => {
      // Ten ordinary requests teach the detectors what a normal chat step costs.
      for (let i = 0; i < 10; i++) {
        request(tracer, `ordinary-${i}`, i * 10_000, (t, c) => {
          retrieve(t, c, i * 10_000, [0.91, 0.85]);
          chat(t, c, i * 10_000 + 300, 1000 + i * 10, 0.002, `Where is my order ${i}?`);
          return i * 10_000 + 1200;
        });
      }
      request(tracer, 'clean', 200_000, (t, c) => {
        retrieve(t, c, 200_000, [0.88, 0.8]);
        for (let i = 0; i < 2; i++) t.startSpan('calculator', { startTime: at(200_300 + i * 10), attributes: { 'openinference.span.kind': 'TOOL', 'tool.name': 'calculator', 'tool.parameters': `{"expression":"${i}+1"}` } }, c).end(at(200_305 + i * 10));
        chat(t, c, 200_400, 1020, 0.002, 'Can I get a refund?');
        return 201_300;
      });
      request(tracer, 'looping', 300_000, (t, c) => {
        for (let i = 0; i < 47; i++) {
          const tool = t.startSpan('calculator', { startTime: at(300_000 + i * 20), attributes: { 'openinference.span.kind': 'TOOL', 'tool.name': 'calculator', 'tool.parameters': '{"expression":"1/0"}' } }, c);
          tool.setStatus({ code: SpanStatusCode.ERROR, message: 'division by zero' });
          tool.end(at(300_010 + i * 20));
        }
        return 301_000;
      });
      request(tracer, 'weak-retrieval', 400_000, (t, c) => {
        retrieve(t, c, 400_000, [0.42, 0.31]);
        chat(t, c, 400_300, 1010, 0.002, 'What does the warranty cover?');
        return 401_300;
      });
      // Six model calls recorded without content (capture off): nothing says they repeat.
      request(tracer, 'no-content', 600_000, (t, c) => {
        for (let i = 0; i < 6; i++) t.startSpan('chat gpt-4o', { startTime: at(600_000 + i * 100), attributes: { 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'gpt-4o' } }, c).end(at(600_050 + i * 100));
        return 601_000;
      });
      request(tracer, 'expensive', 500_000, (t, c) => {
        chat(t, c, 500_000, 9000, 0.05, 'Summarize all my orders since 2019 in detail.');
        return 503_000;
      });
    });
    await exportSpans(engine.engine, 'http/protobuf', spans);
    traces = await engine.api.listTraces({ limit: '100' });
  });

  it('finds the loop, naming the repeated call and the spans', () => {
    const loop = byName('looping').findings?.find((f) => f.detector === 'loop');
    assert.ok(loop, JSON.stringify(byName('looping').findings));
    assert.match(loop.message, /tool calculator ran 47 times with the same arguments/);
    assert.equal(loop.spanIds?.length, 47);
  });

  it('finds the weak retrieval with its best score', () => {
    const weak = byName('weak-retrieval').findings?.find((f) => f.detector === 'weakRetrieval');
    assert.match(weak?.message ?? '', /best of 2 documents scores 0\.42/);
  });

  it('finds the cost spike against the step\'s median', () => {
    const detectors = byName('expensive').findings?.map((f) => f.detector) ?? [];
    assert.ok(detectors.includes('spike'), JSON.stringify(byName('expensive').findings));
    assert.ok(detectors.includes('contextBloat'));
  });

  it('finds nothing in a clean trace or an ordinary one', () => {
    assert.equal(byName('clean').findings, undefined);
    assert.equal(byName('no-content').findings, undefined, 'calls without recorded arguments are not a loop');
    assert.equal(byName('ordinary-9').findings, undefined);
  });

  it('marks the spans themselves, for the waterfall', async () => {
    const detail = await engine.api.trace(byName('weak-retrieval').traceId);
    const retrieval = detail.spans.find((s) => s.kind === 'RETRIEVER')!;
    assert.equal(retrieval.findings?.[0].detector, 'weakRetrieval');
  });

  it('filters with the operators users know', async () => {
    const names = async (filter: string) => (await engine.api.listTraces({ filter, limit: '100' })).map((t) => t.name).sort();
    assert.deepEqual(await names('kind = RETRIEVER AND score < 0.5'), ['weak-retrieval']);
    assert.deepEqual(await names('finding = loop'), ['looping']);
    assert.deepEqual(await names('finding = "weak retrieval"'), ['weak-retrieval'], 'the label shown in the tree works too');
    assert.deepEqual(await names("What's covered? warranty"), [], 'free text with an apostrophe is a phrase, not an error');
    assert.deepEqual(await names('trace.duration > 2s'), ['expensive']);
    assert.deepEqual(await names('tool = calculator AND error CONTAINS "division"'), ['looping']);
    assert.deepEqual(await names('tokens >= 9000 OR name REGEXP "^weak"'), ['expensive', 'weak-retrieval']);
    assert.deepEqual(await names('warranty'), ['weak-retrieval'], 'free text searches prompts');
    assert.equal((await names('model IN (gpt-4o, claude-3) AND NOT trace.name CONTAINS ordinary')).length, 4);
    assert.equal((await names('trace.name NOT IN (clean, looping)')).length, 13);
  });

  it('refuses a bad filter with a clear message, and the API keeps serving', async () => {
    const response = await fetch(`http://127.0.0.1:${engine.engine.httpPort}/api/traces?filter=${encodeURIComponent('scor < 0.5')}`);
    assert.equal(response.status, 400);
    assert.match((await response.json() as { error: string }).error, /Unknown field "scor".*column 1/);
    assert.throws(() => parseFilter('duration > fast'), /"duration" takes a number like 2s or 500ms, got "fast"/);
    assert.throws(() => parseFilter('name > 3'), /"name" is text/);
    assert.throws(() => parseFilter('(kind = LLM'), /Missing "\)"/);
    assert.throws(() => parseFilter('error REGEXP "(("'), /Bad regular expression/);
    assert.equal((await engine.api.listTraces({ limit: '100' })).length, 15);
  });
});
