// The AI SDK (the real `ai` package) reporting a call with prompt-cache reads and writes and
// reasoning: its telemetry spans, recorded in memory, must come out with those counts broken
// out and priced at the cache rates.
import assert from 'node:assert/strict';
import { BasicTracerProvider, InMemorySpanExporter, ReadableSpan, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { generateText } from 'ai';
import type * as AiTestExports from 'ai/dist/test';
import type { Attributes } from '../../src/shared/spanModel';
import type { RawSpan } from '../../src/engine/model/rawSpan';
import { normalized } from './helpers/rawSpans';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { MockLanguageModelV3 } = require('ai/test') as typeof AiTestExports;

const hrMs = ([s, ns]: [number, number]) => s * 1000 + ns / 1e6;

function rawOf(span: ReadableSpan): RawSpan {
  return {
    traceId: span.spanContext().traceId, spanId: span.spanContext().spanId, parentSpanId: span.parentSpanContext?.spanId,
    name: span.name, otelKind: span.kind + 1, startMs: hrMs(span.startTime), endMs: hrMs(span.endTime),
    attributes: span.attributes as Attributes, events: [], statusCode: span.status.code,
    resource: { attributes: {}, service: 'ai-sdk-cache' }, scope: { name: span.instrumentationScope.name },
  };
}

describe('the AI SDK\'s cache and reasoning usage (ai telemetry)', () => {
  it('breaks out cache reads, cache writes and reasoning, counts the call once and prices the cache at its rates', async () => {
    const exporter = new InMemorySpanExporter();
    const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
    const model = new MockLanguageModelV3({
      provider: 'anthropic.messages',
      modelId: 'claude-sonnet-4-20250514',
      doGenerate: {
        content: [{ type: 'text', text: 'Cached answer.' }],
        finishReason: { unified: 'stop', raw: 'end_turn' },
        usage: {
          inputTokens: { total: 20000, noCache: 1000, cacheRead: 16000, cacheWrite: 3000 },
          outputTokens: { total: 500, text: 380, reasoning: 120 },
        },
        providerMetadata: { anthropic: { cacheCreationInputTokens: 3000 } },
        response: { id: 'msg_cache', modelId: 'claude-sonnet-4-20250514', timestamp: new Date() },
        warnings: [],
      },
    });
    await generateText({ model, prompt: 'Summarize the manual.', experimental_telemetry: { isEnabled: true, tracer: provider.getTracer('ai') } });
    const raw = exporter.getFinishedSpans().map(rawOf);
    const { index, spans } = normalized(raw);
    const call = [...spans.values()].find((s) => s.name === 'ai.generateText.doGenerate')!;
    assert.equal(call.kind, 'LLM');
    assert.deepEqual(call.tokens, { input: 20000, output: 500, total: 20500, cacheRead: 16000, cacheWrite: 3000, reasoning: 120 });
    // claude-sonnet-4: $3 input, $0.30 cache read, $3.75 cache write, $15 output per million.
    const expected = (1000 * 3 + 16000 * 0.3 + 3000 * 3.75 + 500 * 15) / 1e6;
    assert.ok(Math.abs(call.costUsd! - expected) < 1e-9, `cost ${call.costUsd} vs ${expected}`);
    const summary = index.trace(raw[0].traceId)!.summary;
    assert.equal(summary.tokens.total, 20500, 'the generateText wrapper repeats the usage; the call counts once');
  });
});
