// Trace Doctor's cost when a trace is read: GET /api/traces/{id} on a 10,000-span agent run (LLM
// calls, tools, some orphans) with the doctor, against the same read's normalization alone.
//   ratio = read with the doctor ÷ normalization alone   (target ≤ 1.5)
import { TraceIndex } from '../src/engine/index/traceIndex';
import { normalizeSpan } from '../src/engine/normalize/normalizeSpan';
import { PriceTable } from '../src/engine/normalize/pricing';
import type { Attributes } from '../src/shared/spanModel';
import { rawSpan } from '../test/unit/helpers/rawSpans';

const SPANS = 10_000;
const ROUNDS = 20;
const TARGET = 1.5;

function agentRunSpans(traceId: string) {
  const hex = (n: number) => n.toString(16).padStart(16, '0');
  const spans = [rawSpan({ 'openinference.span.kind': 'AGENT' }, { traceId, spanId: hex(1), name: 'agent', startMs: 0, endMs: SPANS * 10 })];
  for (let i = 2; i <= SPANS; i++) {
    const llm = i % 2 === 0;
    const attributes: Attributes = llm
      ? { 'openinference.span.kind': 'LLM', 'llm.model_name': 'gpt-4o-mini', 'input.value': `question ${i}`, 'output.value': `answer ${i}`, 'llm.token_count.prompt': 100, 'llm.token_count.completion': 20 }
      : { 'openinference.span.kind': 'TOOL', 'tool.name': 'search', 'input.value': `{"q": ${i}}` };
    // Every 100th span's parent never arrives.
    const parent = i % 100 === 0 ? hex(1_000_000 + i) : hex(1);
    spans.push(rawSpan(attributes, { traceId, spanId: hex(i), parentSpanId: parent, name: llm ? 'chat' : 'search', startMs: i * 10, endMs: i * 10 + 8 }));
  }
  return spans;
}

function timed(run: () => void): number {
  let best = Infinity;
  for (let i = 0; i < ROUNDS; i++) {
    const start = performance.now();
    run();
    best = Math.min(best, performance.now() - start);
  }
  return best;
}

export function doctorBench(): void {
  const index = new TraceIndex(new PriceTable(), { doctorGraceMs: 0 });
  const traceId = 'b0c7'.padEnd(32, '0');
  index.addSpans(agentRunSpans(traceId));
  const stored = [...index.liveTrace(traceId)!.spans.values()];
  const normalizeOnly = timed(() => void stored.sort((a, b) => a.startMs - b.startMs).map(normalizeSpan));
  const read = timed(() => void index.trace(traceId));
  const ratio = read / normalizeOnly;
  console.log(`trace doctor: reading a ${SPANS}-span trace takes ${read.toFixed(1)} ms with the doctor vs ${normalizeOnly.toFixed(1)} ms normalizing alone → `
    + `ratio ${ratio.toFixed(2)} (target ≤ ${TARGET}) ${ratio <= TARGET ? 'PASS' : 'MISS'}`);
}

if (require.main === module) doctorBench();
