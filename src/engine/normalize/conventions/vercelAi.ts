// Vercel AI SDK legacy telemetry (`ai.*` spans, v3–v6; v7 emits GenAI and needs nothing here).
import type { Attributes, Message } from '../../../shared/spanModel';
import { asText, isRecord, parseJson } from '../attributeReader';
import { messagesFromJson, toolCallFrom } from '../messageParts';
import { pushAll } from '../../../shared/arrays';

export function inputMessages(attrs: Attributes): Message[] | undefined {
  const inner = messagesFromJson(attrs['ai.prompt.messages'], 'user');
  if (inner) return inner;
  // Outer spans: `ai.prompt` is JSON {system, prompt, messages}.
  const outer = parseJson(attrs['ai.prompt']);
  if (!isRecord(outer)) return undefined;
  const messages: Message[] = [];
  if (typeof outer.system === 'string') messages.push({ role: 'system', content: outer.system });
  pushAll(messages, messagesFromJson(outer.messages, 'user') ?? []);
  if (outer.prompt !== undefined && outer.prompt !== null) {
    pushAll(messages, messagesFromJson(outer.prompt, 'user') ?? [{ role: 'user', content: asText(outer.prompt) }]);
  }
  return messages.length ? messages : undefined;
}

export function outputMessages(attrs: Attributes): Message[] | undefined {
  const text = attrs['ai.response.text'] ?? attrs['ai.result.text'];
  const object = attrs['ai.response.object'] ?? attrs['ai.result.object'];
  const callsRaw = parseJson(attrs['ai.response.toolCalls'] ?? attrs['ai.result.toolCalls']);
  const toolCalls = Array.isArray(callsRaw) ? callsRaw.map(toolCallFrom).filter((c) => c !== undefined) : [];
  if (text === undefined && object === undefined && !toolCalls.length) return undefined;
  const message: Message = { role: 'assistant', content: asText(text ?? object) };
  if (toolCalls.length) message.toolCalls = toolCalls;
  const finish = attrs['ai.response.finishReason'];
  if (typeof finish === 'string') message.finishReason = finish;
  return [message];
}

export function settings(attrs: Attributes): Record<string, unknown> {
  const params: Record<string, unknown> = {};
  // `ai.settings.context.*` is the app's runtime context (v7), not a model setting.
  for (const key in attrs) {
    if (key.startsWith('ai.settings.') && !key.startsWith('ai.settings.context.')) params[key.slice('ai.settings.'.length)] = attrs[key];
  }
  return params;
}
