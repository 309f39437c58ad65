// Firebase Genkit (`genkit:*`): every action span carries its input and output as JSON in
// `genkit:input` / `genkit:output`, its type in `genkit:metadata:subtype` and its name in
// `genkit:name`. A model action's input is a GenerateRequest `{messages, config, tools}`, its
// output a GenerateResponse `{message, finishReason, usage}` (before Genkit 1.0: `{candidates}`).
import type { Attributes, Message } from '../../../shared/spanModel';
import { isRecord, recordOf } from '../attributeReader';
import { messageFrom, messagesFromJson } from '../messageParts';

const INPUT = 'genkit:input';
const OUTPUT = 'genkit:output';

export function inputMessages(attrs: Attributes): Message[] | undefined {
  if (attrs[INPUT] === undefined) return undefined;
  return messagesFromJson(recordOf(attrs[INPUT])?.messages, 'user');
}

export function outputMessages(attrs: Attributes): Message[] | undefined {
  if (attrs[OUTPUT] === undefined) return undefined;
  const output = recordOf(attrs[OUTPUT]);
  const candidate = Array.isArray(output?.candidates) ? output.candidates.find(isRecord) : undefined;
  const source = output?.message !== undefined ? output : candidate;
  if (!source || source.message === undefined) return undefined;
  const message = messageFrom(source.message, 'assistant');
  if (!message) return undefined;
  if (typeof source.finishReason === 'string') message.finishReason = source.finishReason;
  return [message];
}

/** The model action's request config (temperature, maxOutputTokens, ...). */
export function parameters(attrs: Attributes): Record<string, unknown> | undefined {
  if (attrs['genkit:metadata:subtype'] !== 'model') return undefined;
  const config = recordOf(attrs[INPUT])?.config;
  return isRecord(config) ? config : undefined;
}

/** A tool action is named in `genkit:name`. */
export function toolName(attrs: Attributes): string | undefined {
  const subtype = attrs['genkit:metadata:subtype'];
  const name = attrs['genkit:name'];
  return (subtype === 'tool' || subtype === 'tool.v2') && typeof name === 'string' ? name : undefined;
}
