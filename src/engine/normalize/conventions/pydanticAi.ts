// Pydantic AI (and Logfire's view of it). Agent run spans carry the whole conversation in
// `pydantic_ai.all_messages` (GenAI `{role, parts}` messages, instrumentation v2+) or
// `all_messages_events` (v1: GenAI events as dicts with `event.name`), the answer in
// `final_result` (v1 model request spans' `events` are read with Logfire's). Tool spans use
// `tool_arguments` / `tool_response` (v2) or the GenAI `gen_ai.tool.call.*` names (v3+).
import type { Attributes, Message } from '../../../shared/spanModel';
import { asText, isRecord, parseJson } from '../attributeReader';
import { messageFrom, messagesFromJson } from '../messageParts';
import { eventRole, systemInstructions } from './genAi';

export function inputMessages(attrs: Attributes): Message[] | undefined {
  const all = messagesFromJson(attrs['pydantic_ai.all_messages'], 'user');
  if (all) {
    // Instructions travel beside the history unless it already opens with them.
    const system = all[0]?.role === 'system' ? undefined : systemInstructions(attrs);
    return system ? [system, ...all] : all;
  }
  return eventMessages(attrs['all_messages_events']);
}

export function outputMessages(attrs: Attributes): Message[] | undefined {
  const final = attrs.final_result;
  if (final !== undefined && (attrs['pydantic_ai.all_messages'] !== undefined || attrs['all_messages_events'] !== undefined
    || attrs['gen_ai.agent.name'] !== undefined || attrs.agent_name !== undefined)) {
    return [{ role: 'assistant', content: asText(final) }];
  }
  return undefined;
}

/** v1's event dicts of the whole run; the answer is `final_result`, so its choice is left out. */
function eventMessages(value: unknown): Message[] | undefined {
  const events = typeof value === 'string' ? parseJson(value) : value;
  if (!Array.isArray(events)) return undefined;
  const messages: Message[] = [];
  for (const event of events) {
    if (!isRecord(event) || typeof event['event.name'] !== 'string') continue;
    const name = event['event.name'];
    if (name === 'gen_ai.choice') continue;
    const message = messageFrom(event, eventRole(name) ?? 'assistant');
    if (message) messages.push(message);
  }
  return messages.length ? messages : undefined;
}
