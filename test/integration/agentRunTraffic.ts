// A long agent run as OTLP/JSON, for the large-trace tests and bench: a root agent whose turns
// are an LLM call (a ~1 KB prompt, GenAI attributes) and a tool call, every few turns a sub-agent
// with turns of its own, three levels deep, until the trace has the spans asked for. Sent to the
// receiver in requests of a few thousand spans, as an exporter's batches would arrive.
const PROMPT_FILLER = 'Read the repository, find where the failing test calls the parser, and propose the smallest change that makes it pass. '
  .repeat(8).slice(0, 900);

interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  attributes: { key: string; value: { stringValue?: string; intValue?: number } }[];
  status?: { code: number; message?: string };
}

const hex = (n: number, width: number) => n.toString(16).padStart(width, '0');
const nanos = (ms: number) => `${BigInt(Math.round(ms * 1000)) * 1000n}`;
const text = (key: string, value: string) => ({ key, value: { stringValue: value } });
const int = (key: string, value: number) => ({ key, value: { intValue: value } });

/** Turns per agent at each depth, and how often a turn starts a sub-agent. */
const TURNS = [Infinity, 12, 8, 6];
const SUB_AGENT_EVERY = [5, 4, 3, Infinity];

/**
 * The spans of one agent run of `total` spans (trace id from `traceNumber`), children before
 * their parents; the last span made is the root.
 */
export function agentRunSpans(traceNumber: number, total: number, startMs = Date.now() - 3_600_000): OtlpSpan[] {
  const traceId = hex(traceNumber, 32);
  const spans: OtlpSpan[] = [];
  let nextId = 1;
  const newId = () => hex(nextId++, 16);
  const rootId = newId();
  /** Sub-agents begun and not yet made (they are made after their turns). */
  let open = 0;
  const budget = () => total - 1 - spans.length - open;
  // Returns the end of what it made.
  const agent = (depth: number, parentId: string, spanId: string, start: number): number => {
    let cursor = start + 1;
    for (let turn = 0; turn < TURNS[depth] && budget() > 0; turn++) {
      const llmId = newId();
      spans.push({
        traceId, spanId: llmId, parentSpanId: spanId, name: 'chat claude-sonnet-4', kind: 3,
        startTimeUnixNano: nanos(cursor), endTimeUnixNano: nanos(cursor + 40), status: { code: 1 },
        attributes: [text('gen_ai.operation.name', 'chat'), text('gen_ai.system', 'anthropic'), text('gen_ai.request.model', 'claude-sonnet-4'),
          int('gen_ai.usage.input_tokens', 900 + turn), int('gen_ai.usage.output_tokens', 60),
          text('gen_ai.prompt.0.role', 'user'), text('gen_ai.prompt.0.content', `Turn ${spans.length} at depth ${depth}. ${PROMPT_FILLER}`),
          text('gen_ai.completion.0.role', 'assistant'), text('gen_ai.completion.0.content', `I will call run_tests (step ${spans.length}).`)],
      });
      cursor += 41;
      if (budget() <= 0) break;
      if (turn % SUB_AGENT_EVERY[depth] === SUB_AGENT_EVERY[depth] - 1 && budget() > 2) {
        const subId = newId();
        open++;
        const end = agent(depth + 1, spanId, subId, cursor);
        open--;
        spans.push({
          traceId, spanId: subId, parentSpanId: spanId, name: `sub-agent ${depth + 1}`, kind: 1,
          startTimeUnixNano: nanos(cursor), endTimeUnixNano: nanos(end + 1), attributes: [text('openinference.span.kind', 'AGENT')],
        });
        cursor = end + 2;
      } else {
        spans.push({
          traceId, spanId: newId(), parentSpanId: spanId, name: 'run_tests', kind: 1,
          startTimeUnixNano: nanos(cursor), endTimeUnixNano: nanos(cursor + 15),
          attributes: [text('openinference.span.kind', 'TOOL'), text('tool.name', 'run_tests'), text('input.value', `{"path": "test/${spans.length}.ts"}`), text('output.value', 'ok')],
        });
        cursor += 16;
      }
    }
    return cursor;
  };
  const end = agent(0, '', rootId, startMs);
  spans.push({
    traceId, spanId: rootId, name: `agent run ${total}`, kind: 1, startTimeUnixNano: nanos(startMs), endTimeUnixNano: nanos(end + 1),
    attributes: [text('openinference.span.kind', 'AGENT'), text('input.value', `Fix the failing tests (${total} spans)`)],
  });
  return spans;
}

/** One OTLP/JSON ExportTraceServiceRequest body of these spans. */
export function otlpJsonBody(spans: OtlpSpan[], service = 'coding-agent'): string {
  return JSON.stringify({ resourceSpans: [{ resource: { attributes: [text('service.name', service)] }, scopeSpans: [{ scope: { name: 'agent-run' }, spans }] }] });
}

/** Sends the spans to `http://127.0.0.1:<port>/v1/traces` in requests of `perRequest` spans. */
export async function sendOtlpJson(httpPort: number, spans: OtlpSpan[], perRequest = 2000): Promise<void> {
  for (let i = 0; i < spans.length; i += perRequest) {
    const response = await fetch(`http://127.0.0.1:${httpPort}/v1/traces`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: otlpJsonBody(spans.slice(i, i + perRequest)),
    });
    if (!response.ok) throw new Error(`the receiver answered ${response.status}: ${await response.text()}`);
  }
}

export const agentRunTraceId = (traceNumber: number) => hex(traceNumber, 32);
