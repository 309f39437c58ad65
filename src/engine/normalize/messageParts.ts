// Turns the many shapes of chat content (strings, part lists, provider message objects) into
// the model's Message: text joined, tool calls and tool results lifted out, other parts kept.
import type { Message, ToolCall } from '../../shared/spanModel';
import { asText, isRecord, parseJson } from './attributeReader';

/** Arguments arrive as JSON strings or objects; show them parsed where they parse. */
export function toolArguments(v: unknown): unknown {
  if (typeof v !== 'string') return v;
  const parsed = parseJson(v);
  return parsed === undefined ? v : parsed;
}

/**
 * Reads one message-like object: GenAI `{role, parts}`, OpenAI `{role, content, tool_calls}`,
 * AI SDK `{role, content: [{type: 'text'|'tool-call'|'tool-result'}]}`, or a bare string.
 */
export function messageFrom(raw: unknown, defaultRole: string): Message | undefined {
  if (typeof raw === 'string') return { role: defaultRole, content: raw };
  if (!isRecord(raw)) return undefined;
  const inner = isRecord(raw.message) ? raw.message : raw;
  const message: Message = { role: typeof inner.role === 'string' ? inner.role : typeof raw.role === 'string' ? raw.role : defaultRole, content: '' };
  const texts: string[] = [];
  const toolCalls: ToolCall[] = [];
  const content = inner.parts ?? inner.content ?? inner.text;
  if (typeof content === 'string') {
    const parsed = content.trimStart().startsWith('[') ? parseJson(content) : undefined;
    if (Array.isArray(parsed) && parsed.every(isRecord)) addParts(parsed, message, texts, toolCalls);
    else texts.push(content);
  } else if (Array.isArray(content)) {
    addParts(content, message, texts, toolCalls);
  } else if (content !== undefined && content !== null) {
    texts.push(asText(content));
  }
  for (const call of [inner.tool_calls, raw.tool_calls].find(Array.isArray) ?? []) {
    const parsed = toolCallFrom(call);
    if (parsed) toolCalls.push(parsed);
  }
  message.content = texts.join('\n');
  if (toolCalls.length) message.toolCalls = toolCalls;
  const toolCallId = inner.tool_call_id ?? inner.toolCallId ?? (message.role === 'tool' ? raw.id : undefined);
  if (typeof toolCallId === 'string' && !message.toolCallId) message.toolCallId = toolCallId;
  if (typeof inner.name === 'string') message.name = inner.name;
  const finish = raw.finish_reason ?? inner.finish_reason;
  if (typeof finish === 'string') message.finishReason = finish;
  return message;
}

function addParts(parts: unknown[], message: Message, texts: string[], toolCalls: ToolCall[]): void {
  for (const part of parts) {
    if (typeof part === 'string') { texts.push(part); continue; }
    if (!isRecord(part)) continue;
    const type = typeof part.type === 'string' ? part.type : 'text';
    switch (type) {
      case 'text':
      case 'input_text':
      case 'output_text':
        texts.push(asText(part.content ?? part.text));
        break;
      case 'tool_call':
      case 'tool-call':
      case 'tool_use':
      case 'function_call': {
        const call = toolCallFrom(part);
        if (call) toolCalls.push(call);
        break;
      }
      case 'tool_call_response':
      case 'tool-result':
      case 'tool_result':
        texts.push(asText(part.response ?? part.result ?? part.output ?? part.content));
        message.toolCallId ??= stringOr(part.id ?? part.toolCallId ?? part.tool_use_id);
        break;
      default:
        (message.parts ??= []).push({ ...part, type });
    }
  }
}

/** `{id, name, arguments}`, OpenAI `{id, function: {name, arguments}}`, AI SDK `{toolCallId, toolName, input|args}`. */
export function toolCallFrom(raw: unknown): ToolCall | undefined {
  if (!isRecord(raw)) return undefined;
  const fn = isRecord(raw.function) ? raw.function : raw;
  const name = fn.name ?? raw.toolName;
  if (typeof name !== 'string') return undefined;
  const call: ToolCall = { name, arguments: toolArguments(fn.arguments ?? raw.input ?? raw.args ?? fn.parameters) };
  const id = raw.id ?? raw.toolCallId;
  if (typeof id === 'string') call.id = id;
  return call;
}

function stringOr(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

/** Messages from a JSON array (or a JSON string holding one). */
export function messagesFromJson(v: unknown, defaultRole: string): Message[] | undefined {
  const parsed = typeof v === 'string' ? parseJson(v) : v;
  if (!Array.isArray(parsed)) return undefined;
  const messages = parsed.map((m) => messageFrom(m, defaultRole)).filter((m): m is Message => m !== undefined);
  return messages.length ? messages : undefined;
}

/**
 * Messages from a raw input or output value: a message array, an OpenAI-style request
 * `{messages: [...]}`, or a response `{text}` / `{choices: [{message}]}`.
 */
export function messagesFromValue(v: unknown, defaultRole: string): Message[] | undefined {
  const parsed = typeof v === 'string' ? parseJson(v) : v;
  if (Array.isArray(parsed)) return messagesFromJson(parsed, defaultRole);
  if (!isRecord(parsed)) return undefined;
  if (Array.isArray(parsed.messages)) return messagesFromJson(parsed.messages, defaultRole);
  if (Array.isArray(parsed.choices)) return messagesFromJson(parsed.choices, defaultRole);
  if (typeof parsed.text === 'string' || typeof parsed.content === 'string') {
    const message = messageFrom(parsed, defaultRole);
    return message ? [message] : undefined;
  }
  return undefined;
}
