// The tutorials' ad-hoc attributes (`llm.prompt`, `llm.response`, `llm.tokens.*`, `cost.usd`):
// no spec, so the lowest-priority fallback.
import type { Attributes, Message } from '../../../shared/spanModel';
import { messagesFromJson } from '../messageParts';

export function inputMessages(attrs: Attributes): Message[] | undefined {
  return text(attrs['llm.prompt'], 'user');
}

export function outputMessages(attrs: Attributes): Message[] | undefined {
  return text(attrs['llm.response'] ?? attrs['llm.completion'], 'assistant');
}

function text(v: unknown, role: string): Message[] | undefined {
  if (typeof v !== 'string') return undefined;
  return messagesFromJson(v, role) ?? [{ role, content: v }];
}
