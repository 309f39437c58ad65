// Mastra's OTel exporter: GenAI names where they fit (`chat` for a model call, `execute_tool`,
// `invoke_agent`), and its own span types (`mastra.span.type`) and operation names for the rest:
// a generation (`model_generation`) holds steps (`model_step`, named `agent_step`), each holding
// the model call and the streamed chunks (`model_chunk`). A run's, generation's or step's input
// and output sit under its type: `mastra.agent_run.input`, `mastra.model_step.output`.
import type { AttributeValue, Attributes, Message, SpanKind } from '../../../shared/spanModel';
import { ownEntry } from '../attributeReader';
import { messagesFromValue } from '../messageParts';

const KINDS: Record<string, SpanKind> = {
  agent_run: 'AGENT', workflow_run: 'CHAIN', workflow_step: 'CHAIN', model_generation: 'CHAIN', model_step: 'CHAIN',
  model_chunk: 'CHAIN', model_inference: 'LLM', tool_call: 'TOOL', mcp_tool_call: 'TOOL', processor_run: 'CHAIN', generic: 'CHAIN',
};

const spanType = (attrs: Attributes) => (typeof attrs['mastra.span.type'] === 'string' ? attrs['mastra.span.type'].toLowerCase() : undefined);

/** The kind of a span whose operation name is Mastra's own (GenAI's names are read first). */
export function kind(attrs: Attributes): SpanKind | undefined {
  const type = spanType(attrs);
  return type === undefined ? undefined : ownEntry(KINDS, type);
}

/** A run's or step's input or output, under its span type. */
export function value(attrs: Attributes, which: 'input' | 'output'): AttributeValue | undefined {
  const type = spanType(attrs);
  return type === undefined ? undefined : attrs[`mastra.${type}.${which}`];
}

/** Types whose values are conversations: an agent run (its prompt text, its answer `{text}`), a generation or step. */
const CONVERSATIONS = new Set(['agent_run', 'model_generation', 'model_step']);

export function inputMessages(attrs: Attributes): Message[] | undefined {
  const type = spanType(attrs);
  if (type === undefined || !CONVERSATIONS.has(type)) return undefined;
  const input = value(attrs, 'input');
  if (type === 'agent_run' && typeof input === 'string' && !input.trimStart().startsWith('[')) return [{ role: 'user', content: input }];
  return messagesFromValue(input, 'user');
}

export function outputMessages(attrs: Attributes): Message[] | undefined {
  const type = spanType(attrs);
  return type !== undefined && CONVERSATIONS.has(type) ? messagesFromValue(value(attrs, 'output'), 'assistant') : undefined;
}
