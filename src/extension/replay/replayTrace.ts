// A replay recorded as a trace: one LLM span in OTel GenAI's structured form, marked as a replay,
// linked to the span it replays, sent as OTLP/JSON to this window's own receiver. The engine
// normalizes and prices it like any other call, so the replay's tokens and cost come from the
// same place as the original's.
import { randomBytes } from 'node:crypto';
import type { ReplayAnswer, ReplayProvider } from './replayProviders';
import type { ReplayMessage, ReplayRequest, ReplayToolCall } from './replayRequest';

export const REPLAY_SERVICE = 'ai-trace-inspector-replay';
/** Set on every replay span; the original's ids are also a span link. */
export const REPLAY_ATTRIBUTE = 'ai_trace_inspector.replay';
export const REPLAY_OF_TRACE_ATTRIBUTE = 'ai_trace_inspector.replay.of_trace_id';
export const REPLAY_OF_SPAN_ATTRIBUTE = 'ai_trace_inspector.replay.of_span_id';

export interface RecordedReplay {
  traceId: string;
  spanId: string;
  /** The OTLP/JSON ExportTraceServiceRequest. */
  body: unknown;
}

type OtlpValue = { stringValue: string } | { intValue: string } | { doubleValue: number } | { boolValue: boolean } | { arrayValue: { values: OtlpValue[] } };

function otlpValue(value: string | number | boolean | string[]): OtlpValue {
  if (Array.isArray(value)) return { arrayValue: { values: value.map((v) => ({ stringValue: v })) } };
  if (typeof value === 'string') return { stringValue: value };
  if (typeof value === 'boolean') return { boolValue: value };
  return Number.isInteger(value) ? { intValue: String(value) } : { doubleValue: value };
}

function attributes(record: Record<string, string | number | boolean | string[] | undefined>) {
  return Object.entries(record).filter(([, v]) => v !== undefined).map(([key, value]) => ({ key, value: otlpValue(value!) }));
}

const toolCallPart = (call: ReplayToolCall) => ({ type: 'tool_call', id: call.id, name: call.name, arguments: call.arguments });

/** GenAI's structured message: text and tool calls as parts, a tool result as its own part. */
function genAiMessage(message: ReplayMessage) {
  const parts: unknown[] = message.role === 'tool'
    ? [{ type: 'tool_call_response', id: message.toolCallId, response: message.content }]
    : [...(message.content ? [{ type: 'text', content: message.content }] : []), ...(message.toolCalls ?? []).map(toolCallPart)];
  return { role: message.role, parts };
}

const PARAMETER_ATTRIBUTES: Record<string, string> = {
  temperature: 'gen_ai.request.temperature', top_p: 'gen_ai.request.top_p', top_k: 'gen_ai.request.top_k',
  max_tokens: 'gen_ai.request.max_tokens', max_completion_tokens: 'gen_ai.request.max_tokens', seed: 'gen_ai.request.seed',
  frequency_penalty: 'gen_ai.request.frequency_penalty', presence_penalty: 'gen_ai.request.presence_penalty',
};

const GEN_AI_PROVIDER: Record<ReplayProvider['kind'], string> = { openai: 'openai', anthropic: 'anthropic', 'vscode-lm': 'vscode.lm' };

const nanos = (ms: number) => (BigInt(Math.round(ms)) * 1_000_000n).toString();

/** The replay as one OTLP span; `error` (a sentence) marks it failed when the run did. */
export function replayTrace(request: ReplayRequest, provider: Pick<ReplayProvider, 'kind' | 'endpoint'>, outcome: { answer: ReplayAnswer } | { error: string; startMs: number; endMs: number }): RecordedReplay {
  const traceId = randomBytes(16).toString('hex');
  const spanId = randomBytes(8).toString('hex');
  const answer = 'answer' in outcome ? outcome.answer : undefined;
  const params: Record<string, number> = {};
  for (const [name, key] of Object.entries(PARAMETER_ATTRIBUTES)) {
    const value = request.parameters[name];
    if (typeof value === 'number') params[key] = value;
  }
  let server: string | undefined;
  try {
    server = new URL(provider.endpoint).host;
  } catch {
    server = undefined;
  }
  const span = {
    traceId,
    spanId,
    name: `replay chat ${request.model}`,
    kind: 3, // CLIENT
    startTimeUnixNano: nanos(answer?.startMs ?? (outcome as { startMs: number }).startMs),
    endTimeUnixNano: nanos(answer?.endMs ?? (outcome as { endMs: number }).endMs),
    attributes: attributes({
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': GEN_AI_PROVIDER[provider.kind],
      'gen_ai.request.model': request.model,
      'gen_ai.response.model': answer?.model,
      'gen_ai.usage.input_tokens': answer?.usage?.input,
      'gen_ai.usage.output_tokens': answer?.usage?.output,
      'gen_ai.response.finish_reasons': answer?.finishReason ? [answer.finishReason] : undefined,
      'gen_ai.response.time_to_first_chunk': answer?.firstTokenMs !== undefined ? (answer.firstTokenMs - answer.startMs) / 1000 : undefined,
      'gen_ai.input.messages': JSON.stringify(request.messages.map(genAiMessage)),
      'gen_ai.output.messages': answer ? JSON.stringify([{ role: 'assistant', parts: [...(answer.text ? [{ type: 'text', content: answer.text }] : []), ...answer.toolCalls.map(toolCallPart)], finish_reason: answer.finishReason }]) : undefined,
      'gen_ai.tool.definitions': request.tools.length ? JSON.stringify(request.tools.map((t) => ({ type: 'function', name: t.name, description: t.description, parameters: t.parameters }))) : undefined,
      'server.address': server,
      ...params,
      [REPLAY_ATTRIBUTE]: true,
      [REPLAY_OF_TRACE_ATTRIBUTE]: request.replayOf?.traceId,
      [REPLAY_OF_SPAN_ATTRIBUTE]: request.replayOf?.spanId,
      'error.type': 'error' in outcome ? 'replay_failed' : undefined,
    }),
    links: request.replayOf ? [{ traceId: request.replayOf.traceId, spanId: request.replayOf.spanId, attributes: attributes({ 'ai_trace_inspector.link': 'replay_of' }) }] : [],
    status: 'error' in outcome ? { code: 2, message: outcome.error } : { code: 1 },
  };
  const body = {
    resourceSpans: [{
      resource: { attributes: attributes({ 'service.name': REPLAY_SERVICE }) },
      scopeSpans: [{ scope: { name: 'ai-trace-inspector.replay' }, spans: [span] }],
    }],
  };
  return { traceId, spanId, body };
}

/** Posts the replay to the engine's OTLP/HTTP receiver on loopback. */
export async function sendReplayTrace(httpPort: number, replay: RecordedReplay): Promise<void> {
  const response = await fetch(`http://127.0.0.1:${httpPort}/v1/traces`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(replay.body),
    signal: AbortSignal.timeout(10_000),
  });
  if (!response.ok) throw new Error(`the receiver on port ${httpPort} answered ${response.status}: ${(await response.text()).slice(0, 200)}`);
}
