// OpenLLMetry (Traceloop) before its 2026 move to GenAI attributes: flattened
// `gen_ai.prompt.N.*` / `gen_ai.completion.N.*` messages and `traceloop.entity.*` io.
import type { AttributeValue, Attributes, Message } from '../../../shared/spanModel';
import { asText, indexedList } from '../attributeReader';
import { messageFrom } from '../messageParts';

export function inputMessages(attrs: Attributes): Message[] | undefined {
  return messages(attrs, 'gen_ai.prompt', 'user');
}

export function outputMessages(attrs: Attributes): Message[] | undefined {
  return messages(attrs, 'gen_ai.completion', 'assistant');
}

// Only `gen_ai.prompt.<digit>.` keys are messages: `gen_ai.prompt.name` is the GenAI managed
// prompt and `gen_ai.prompt.prompt_filter_results` Azure's filter, which indexedList skips.
function messages(attrs: Attributes, prefix: string, role: string): Message[] | undefined {
  const items = indexedList(attrs, prefix);
  if (!items.length) return undefined;
  return items.map((item) => {
    const calls = indexedList(item, 'tool_calls').map((call: Record<string, AttributeValue>) => ({
      id: call.id, name: call.name, arguments: call.arguments,
    }));
    return messageFrom({
      role: asText(item.role) || role,
      content: item.content,
      tool_calls: calls.length ? calls : undefined,
      tool_call_id: item.tool_call_id,
      finish_reason: item.finish_reason,
    }, role)!;
  });
}
