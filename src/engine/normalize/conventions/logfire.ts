// Logfire's own instrumentations (`logfire.instrument_openai`, `instrument_openai_agents`, Pydantic
// AI v1): GenAI events packed into one `events` attribute (dicts with `event.name`); the OpenAI
// Agents SDK's Responses spans also keep the API's `raw_input` items and `response`, with usage
// in a `usage` object. Span names are Logfire message templates (`Function: {name}`).
import type { Attributes, Message } from '../../../shared/spanModel';
import { asText, isRecord, parseJson, recordOf } from '../attributeReader';
import { messageFrom, messagesFromJson } from '../messageParts';
import { eventRole } from './genAi';

export function inputMessages(attrs: Attributes): Message[] | undefined {
  if (attrs.raw_input !== undefined) {
    const input = parseJson(attrs.raw_input) ?? attrs.raw_input;
    const messages = typeof input === 'string' ? [{ role: 'user', content: input }] : messagesFromJson(input, 'user') ?? [];
    const instructions = recordOf(attrs.response)?.instructions;
    if (typeof instructions === 'string' && instructions) messages.unshift({ role: 'system', content: instructions });
    if (messages.length) return messages;
  }
  return splitEvents(attrs.events)?.input;
}

export function outputMessages(attrs: Attributes): Message[] | undefined {
  const output = recordOf(attrs.response)?.output;
  if (Array.isArray(output)) {
    const fromResponse = responseOutput(output);
    if (fromResponse) return fromResponse;
  }
  return splitEvents(attrs.events)?.output;
}

/** The Responses API's output items as one assistant message: text, tool calls, reasoning. */
function responseOutput(items: unknown[]): Message[] | undefined {
  const message: Message = { role: 'assistant', content: '' };
  const texts: string[] = [];
  for (const item of items) {
    if (!isRecord(item)) continue;
    const part = messageFrom(item, 'assistant');
    if (item.type === 'reasoning') {
      (message.parts ??= []).push({ type: 'reasoning', content: asText(item.summary ?? item.content) });
    } else if (part) {
      if (part.content) texts.push(part.content);
      for (const call of part.toolCalls ?? []) (message.toolCalls ??= []).push(call);
    }
  }
  message.content = texts.join('\n');
  return message.content || message.toolCalls || message.parts ? [message] : undefined;
}

/**
 * Input and output of an `events` list: the `gen_ai.choice` events are the answer where there
 * are any; otherwise (Responses API) the assistant messages after the last other message are.
 */
function splitEvents(value: unknown): { input?: Message[]; output?: Message[] } | undefined {
  const events = (parseJson(value) ?? value);
  if (!Array.isArray(events)) return undefined;
  const named = events.filter((e): e is Record<string, unknown> => isRecord(e) && typeof e['event.name'] === 'string');
  if (!named.length) return undefined;
  const toMessage = (e: Record<string, unknown>) => messageFrom(e, eventRole(e['event.name'] as string) ?? 'user');
  const hasChoice = named.some((e) => e['event.name'] === 'gen_ai.choice');
  let split = named.length;
  if (hasChoice) {
    const input = named.filter((e) => e['event.name'] !== 'gen_ai.choice');
    const output = named.filter((e) => e['event.name'] === 'gen_ai.choice');
    return { input: defined(input.map(toMessage)), output: defined(output.map(toMessage)) };
  }
  while (split > 0 && named[split - 1]['event.name'] === 'gen_ai.assistant.message') split--;
  return { input: defined(named.slice(0, split).map(toMessage)), output: defined(named.slice(split).map(toMessage)) };
}

function defined(messages: (Message | undefined)[]): Message[] | undefined {
  const kept = messages.filter((m): m is Message => m !== undefined);
  return kept.length ? kept : undefined;
}

/** The OpenAI Agents SDK's function span names its tool in `name`. */
export function toolName(attrs: Attributes, spanName: string): string | undefined {
  return spanName === 'Function: {name}' && typeof attrs.name === 'string' ? attrs.name : undefined;
}
