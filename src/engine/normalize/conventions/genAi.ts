// OTel GenAI in all its generations: structured `gen_ai.input.messages` (v1.37+), message
// events and log records (v1.28–v1.36), `gen_ai.content.*` events with `gen_ai.prompt`
// strings (v1.26), tool execution and retrieval attributes.
import type { Attributes, Message, RetrievalDocument } from '../../../shared/spanModel';
import type { RawEvent } from '../../model/rawSpan';
import { asText, firstNumber, isRecord, ownEntry, parseJson, toNumber } from '../attributeReader';
import { messageFrom, messagesFromJson, messagesFromValue } from '../messageParts';

const INPUT_EVENT_ROLES: Record<string, string> = {
  'gen_ai.system.message': 'system',
  'gen_ai.user.message': 'user',
  'gen_ai.assistant.message': 'assistant',
  'gen_ai.tool.message': 'tool',
};
const CHOICE_EVENT = 'gen_ai.choice';
export const DETAILS_EVENT = 'gen_ai.client.inference.operation.details';

/** The role a GenAI message event's name stands for (a choice is the assistant's), if it is one. */
export function eventRole(name: string): string | undefined {
  return name === CHOICE_EVENT ? 'assistant' : ownEntry(INPUT_EVENT_ROLES, name);
}

/** Events whose content becomes messages (and so are not listed again as plain events). */
export function isMessageEvent(event: RawEvent): boolean {
  return ownEntry(INPUT_EVENT_ROLES, event.name) !== undefined || event.name === CHOICE_EVENT || event.name === DETAILS_EVENT;
}

export function systemInstructions(attrs: Attributes): Message | undefined {
  const raw = attrs['gen_ai.system_instructions'];
  if (raw === undefined) return undefined;
  const parsed = typeof raw === 'string' ? parseJson(raw) ?? raw : raw;
  // A list of parts, or (Gemini CLI) a Gemini Content `{role, parts}`.
  const message = messageFrom(isRecord(parsed) ? { ...parsed, role: 'system' } : { role: 'system', parts: parsed }, 'system');
  return message && (message.content || message.parts) ? message : undefined;
}

export function structuredInput(attrs: Attributes): Message[] | undefined {
  return messagesFromJson(attrs['gen_ai.input.messages'], 'user');
}

export function structuredOutput(attrs: Attributes): Message[] | undefined {
  return messagesFromJson(attrs['gen_ai.output.messages'], 'assistant');
}

/** The body of a GenAI event, whether it came as a log record or a span event's attributes. */
function eventBody(event: RawEvent): Record<string, unknown> {
  if (isRecord(event.body)) return event.body;
  if (typeof event.body === 'string') {
    // Semantic Kernel (Python) logs each message as the JSON of its dict.
    const parsed = event.body.trimStart().startsWith('{') ? parseJson(event.body) : undefined;
    return isRecord(parsed) ? parsed : { content: event.body };
  }
  // Exported traces carry an attached log's body in this attribute (otlp/encodeJson.ts).
  const packed = parseJson(event.attributes['gen_ai.event.content']);
  return isRecord(packed) ? packed : event.attributes;
}

export function eventInput(events: RawEvent[]): Message[] | undefined {
  const details = events.find((e) => e.name === DETAILS_EVENT);
  if (details) {
    const fromDetails = structuredInput(details.attributes);
    if (fromDetails) return [...(systemInstructions(details.attributes) ? [systemInstructions(details.attributes)!] : []), ...fromDetails];
  }
  const messages = events
    .filter((e) => ownEntry(INPUT_EVENT_ROLES, e.name) !== undefined)
    .map((e) => messageFrom(eventBody(e), INPUT_EVENT_ROLES[e.name]))
    .filter((m): m is Message => m !== undefined);
  if (messages.length) return messages;
  const prompt = events.find((e) => e.name === 'gen_ai.content.prompt')?.attributes['gen_ai.prompt'];
  return prompt === undefined ? undefined
    : messagesFromJson(prompt, 'user') ?? rolePrefixedLines(prompt) ?? [{ role: 'user', content: asText(prompt) }];
}

/** OpenLIT flattens a chat into one `role: content` line per message; a message's text may run over lines. */
const ROLE_LINE = /^(system|developer|user|assistant|tool|function): /;

function rolePrefixedLines(prompt: unknown): Message[] | undefined {
  if (typeof prompt !== 'string' || !ROLE_LINE.test(prompt)) return undefined;
  const messages: Message[] = [];
  for (const line of prompt.split('\n')) {
    const role = ROLE_LINE.exec(line);
    if (role) messages.push({ role: role[1], content: line.slice(role[0].length) });
    else messages[messages.length - 1].content += '\n' + line;
  }
  return messages;
}

export function eventOutput(events: RawEvent[]): Message[] | undefined {
  const details = events.find((e) => e.name === DETAILS_EVENT);
  const fromDetails = details && structuredOutput(details.attributes);
  if (fromDetails) return fromDetails;
  const choices = events
    .filter((e) => e.name === CHOICE_EVENT)
    .map((e) => ({ body: eventBody(e) }))
    .sort((a, b) => (toNumber(a.body.index) ?? 0) - (toNumber(b.body.index) ?? 0))
    .map(({ body }) => messageFrom(body, 'assistant'))
    .filter((m): m is Message => m !== undefined);
  if (choices.length) return choices;
  const completion = events.find((e) => e.name === 'gen_ai.content.completion')?.attributes['gen_ai.completion'];
  return completion === undefined ? undefined : messagesFromJson(completion, 'assistant') ?? [{ role: 'assistant', content: asText(completion) }];
}

/** The deprecated single-string `gen_ai.prompt` / `gen_ai.completion` set as span attributes. */
export function legacyStrings(attrs: Attributes, key: 'gen_ai.prompt' | 'gen_ai.completion', role: string): Message[] | undefined {
  const v = attrs[key];
  if (typeof v !== 'string') return undefined;
  return messagesFromValue(v, role) ?? (key === 'gen_ai.prompt' ? rolePrefixedLines(v) : undefined) ?? [{ role, content: v }];
}

export function retrievalDocuments(attrs: Attributes): RetrievalDocument[] | undefined {
  const parsed = parseJson(attrs['gen_ai.retrieval.documents']) ?? attrs['gen_ai.retrieval.documents'];
  if (!Array.isArray(parsed)) return undefined;
  return parsed.filter(isRecord).map((d) => {
    const doc: RetrievalDocument = {};
    if (d.id !== undefined) doc.id = asText(d.id);
    if (d.content !== undefined) doc.content = asText(d.content);
    const score = toNumber(d.score);
    if (score !== undefined) doc.score = score;
    return doc;
  });
}

const PARAMS: [string, string][] = [
  ['gen_ai.request.temperature', 'temperature'], ['gen_ai.request.max_tokens', 'max_tokens'],
  ['gen_ai.request.top_p', 'top_p'], ['gen_ai.request.top_k', 'top_k'],
  ['gen_ai.request.frequency_penalty', 'frequency_penalty'], ['gen_ai.request.presence_penalty', 'presence_penalty'],
  ['gen_ai.request.stop_sequences', 'stop'], ['gen_ai.request.seed', 'seed'],
  ['gen_ai.request.choice.count', 'n'], ['gen_ai.request.stream', 'stream'], ['gen_ai.is_streaming', 'stream'],
  ['gen_ai.output.type', 'output_type'], ['gen_ai.request.reasoning_effort', 'reasoning_effort'],
];

export function requestParameters(attrs: Attributes): Record<string, unknown> {
  const params: Record<string, unknown> = {};
  for (const [key, name] of PARAMS) {
    const value = attrs[key];
    // OpenLIT records parameters the app did not set as '' (seed) or -1 (max_tokens).
    if (value === undefined || value === '' || (name === 'max_tokens' && typeof value === 'number' && value < 0)) continue;
    params[name] = value;
  }
  return params;
}

export function timeToFirstChunkMs(attrs: Attributes): number | undefined {
  const seconds = firstNumber(attrs, 'gen_ai.response.time_to_first_chunk', 'gen_ai.client.operation.time_to_first_chunk');
  return seconds === undefined ? undefined : seconds * 1000;
}
