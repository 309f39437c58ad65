// DSPy LM history entries (`lm.history`, reference §3.2) saved as JSON: `messages` or `prompt`,
// `outputs` or the LiteLLM `response`, `usage`, `cost`, `model`, `timestamp`, `uuid`. Each
// entry is one LLM call, so it becomes one LLM span in OpenInference attributes.
import type { Attributes, AttributeValue } from '../../../shared/spanModel';
import { setAttribute } from '../../model/rawSpan';
import { Converted, derivedIds, finiteNumber, isObject, isoToMs, Json, RecordContext, resourceOf } from './shapeContext';

export function isDspyHistoryEntry(v: Json): boolean {
  return ('messages' in v || 'prompt' in v) && ('outputs' in v || 'response' in v) && ('model' in v || 'usage' in v);
}

export function convertDspyHistoryEntry(v: Json, ctx: RecordContext): Converted {
  const { strings } = ctx;
  // The same entry is kept in the LM's, the module's and the global history: its uuid dedupes.
  const ids = derivedIds(ctx, v, typeof v.uuid === 'string' ? `dspy-history:${v.uuid}` : undefined);
  const attributes: Attributes = {};
  const set = (key: string, value: AttributeValue) =>
    setAttribute(attributes, strings.intern(key), typeof value === 'string' ? strings.intern(value) : value);
  set('openinference.span.kind', 'LLM');
  const model = typeof v.model === 'string' ? v.model : typeof v.response_model === 'string' ? v.response_model : undefined;
  if (model) set('llm.model_name', model);
  const input = Array.isArray(v.messages) ? v.messages.filter(isObject)
    : typeof v.prompt === 'string' ? [{ role: 'user', content: v.prompt }] : [];
  input.forEach((m, i) => {
    set(`llm.input_messages.${i}.message.role`, String(m.role ?? 'user'));
    set(`llm.input_messages.${i}.message.content`, contentText(m.content));
  });
  outputTexts(v).forEach((text, i) => {
    set(`llm.output_messages.${i}.message.role`, 'assistant');
    set(`llm.output_messages.${i}.message.content`, text);
  });
  const usage = isObject(v.usage) ? v.usage : {};
  for (const [from, to] of [['prompt_tokens', 'prompt'], ['completion_tokens', 'completion'], ['total_tokens', 'total']]) {
    const n = finiteNumber(usage[from]);
    if (n !== undefined) set(`llm.token_count.${to}`, n);
  }
  const cost = finiteNumber(v.cost);
  if (cost !== undefined) set('llm.cost.total', cost);
  if (isObject(v.kwargs)) set('llm.invocation_parameters', JSON.stringify(v.kwargs));
  const startMs = isoToMs(v.timestamp) ?? ctx.fileTimeMs;
  return {
    spans: [{
      traceId: ids.traceId, spanId: ids.spanId(0), name: strings.intern(model ? `chat ${model}` : 'chat'), otelKind: 3,
      startMs, endMs: startMs, attributes, events: [], statusCode: 0,
      resource: resourceOf({ 'service.name': 'dspy' }), scope: { name: 'dspy' },
    }],
  };
}

/** Message content: a string, or a list of parts of which the text ones are kept. */
function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return content === undefined || content === null ? '' : JSON.stringify(content);
  return content.map((part) => (isObject(part) && typeof part.text === 'string' ? part.text : '')).filter(Boolean).join('\n');
}

/** `outputs` (strings or `{text}`), else the LiteLLM response's choices. */
function outputTexts(v: Json): string[] {
  if (Array.isArray(v.outputs)) return v.outputs.map((o) => (typeof o === 'string' ? o : isObject(o) ? contentText(o.text ?? o.content) : ''));
  const choices = isObject(v.response) && Array.isArray(v.response.choices) ? v.response.choices : [];
  return choices.filter(isObject).map((c) => contentText(isObject(c.message) ? c.message.content : c.text));
}
