// Turns the many shapes of chat content (strings, part lists, provider message objects) into
// the model's Message: text joined, tool calls and tool results lifted out, other parts kept.
import type { Message, ToolCall } from '../../shared/spanModel';
import { asText, isRecord, ownEntry, parseJson } from './attributeReader';

/** Arguments arrive as JSON strings or objects; show them parsed where they parse. */
export function toolArguments(v: unknown): unknown {
  if (typeof v !== 'string') return v;
  const parsed = parseJson(v);
  return parsed === undefined ? v : parsed;
}

/** Roles some SDKs name their own way: Gemini and Genkit answer as `model`. */
const ROLE_ALIASES: Record<string, string> = { model: 'assistant', human: 'user', ai: 'assistant' };

/**
 * A message role as the model names it: Gemini's `model` (also in OpenInference's flattened lists)
 * is the assistant, and so is LangChain's `ai` (its `human` the user).
 */
export function roleOf(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? ownEntry(ROLE_ALIASES, v) ?? v : undefined;
}

/**
 * A tool call's id: a string, or (Microsoft Agent Framework) a list of ids, the run's and then
 * the call's own, of which the last is the one the model's API knows.
 */
export function callIdOf(v: unknown): string | undefined {
  if (typeof v === 'string') return v || undefined;
  if (!Array.isArray(v)) return undefined;
  const last = v[v.length - 1];
  return typeof last === 'string' && last ? last : undefined;
}

/**
 * Reads one message-like object: GenAI `{role, parts}`, OpenAI `{role, content, tool_calls}`,
 * AI SDK `{role, content: [{type: 'text'|'tool-call'|'tool-result'}]}`, Gemini `{role: 'model',
 * parts: [{text}|{function_call}]}`, Genkit `{role, content: [{text}|{toolRequest}]}`, an item of
 * a LiveKit chat context or the Responses API (`function_call`, `function_call_output`), or a
 * bare string. A `message` held as a JSON string (Semantic Kernel's `gen_ai.choice`) is parsed.
 * A LangChain message serialized as its constructor (`{lc, type: 'constructor', kwargs}`) is its `kwargs`.
 */
export function messageFrom(raw: unknown, defaultRole: string): Message | undefined {
  if (typeof raw === 'string') return { role: defaultRole, content: raw };
  if (!isRecord(raw)) return undefined;
  if (raw.lc !== undefined && raw.type === 'constructor' && isRecord(raw.kwargs)) {
    return messageFrom({ ...raw.kwargs, role: raw.kwargs.role ?? raw.kwargs.type }, defaultRole);
  }
  const item = itemMessage(raw);
  if (item) return item;
  // `message` may hold the message (a record, or its JSON), or only its content: Strands sends
  // the JSON of its content blocks, or the answer's plain text.
  const nested = typeof raw.message === 'string' ? parseJson(raw.message) ?? raw.message : raw.message;
  const inner = isRecord(nested) ? nested : raw;
  const message: Message = { role: roleOf(inner.role) ?? roleOf(raw.role) ?? defaultRole, content: '' };
  const texts: string[] = [];
  const toolCalls: ToolCall[] = [];
  const content = inner.parts ?? inner.content ?? inner.text ?? (inner === raw ? nested : undefined);
  if (typeof content === 'string') {
    const parsed = content.trimStart().startsWith('[') ? parseJson(content) : undefined;
    if (Array.isArray(parsed) && parsed.every(isRecord)) addParts(parsed, message, texts, toolCalls);
    else texts.push(content);
  } else if (Array.isArray(content)) {
    addParts(content, message, texts, toolCalls);
  } else if (content !== undefined && content !== null) {
    texts.push(asText(content));
  }
  // `toolCalls`: the AI SDK's result (`{text, toolCalls}`), as Mastra records a step's output.
  for (const call of listOf(inner.tool_calls) ?? listOf(raw.tool_calls) ?? listOf(inner.toolCalls) ?? []) {
    const parsed = toolCallFrom(typeof call === 'string' ? parseJson(call) : call);
    if (parsed) toolCalls.push(parsed);
  }
  message.content = texts.join('\n');
  if (toolCalls.length) message.toolCalls = toolCalls;
  const toolCallId = callIdOf(inner.tool_call_id ?? inner.toolCallId ?? (message.role === 'tool' ? raw.id : undefined));
  if (toolCallId && !message.toolCallId) message.toolCallId = toolCallId;
  // A message that only calls tools is the assistant's, whatever role it came with (Koog sends `tool`).
  if (message.role === 'tool' && toolCalls.length && !message.content && !message.toolCallId) message.role = 'assistant';
  if (typeof inner.name === 'string') message.name = inner.name;
  const finish = raw.finish_reason ?? inner.finish_reason ?? raw.finishReason ?? raw.stop_reason;
  if (typeof finish === 'string') message.finishReason = finish;
  return message;
}

/** A list, or a JSON string holding one (Semantic Kernel sends `tool_calls` so). */
function listOf(v: unknown): unknown[] | undefined {
  const parsed = typeof v === 'string' && v.trimStart().startsWith('[') ? parseJson(v) : v;
  return Array.isArray(parsed) ? parsed : undefined;
}

/** A chat-context or Responses API item that is a call or its output rather than a message. */
function itemMessage(raw: Record<string, unknown>): Message | undefined {
  if (raw.type === 'function_call' && typeof raw.name === 'string') {
    const call: ToolCall = { name: raw.name, arguments: toolArguments(raw.arguments) };
    const id = raw.call_id ?? raw.id;
    if (typeof id === 'string') call.id = id;
    return { role: 'assistant', content: '', toolCalls: [call] };
  }
  if (raw.type === 'function_call_output') {
    const message: Message = { role: 'tool', content: asText(raw.output) };
    if (typeof raw.call_id === 'string') message.toolCallId = raw.call_id;
    if (typeof raw.name === 'string') message.name = raw.name;
    return message;
  }
  return undefined;
}

function addParts(parts: unknown[], message: Message, texts: string[], toolCalls: ToolCall[]): void {
  for (const part of parts) {
    if (typeof part === 'string') { texts.push(part); continue; }
    if (!isRecord(part)) continue;
    if (typeof part.type !== 'string') { addUntypedPart(part, message, texts, toolCalls); continue; }
    const type = part.type;
    // An OpenAI `tool_calls` item inside a content list (Koog sends its calls so).
    const openAiCall = type === 'function' && isRecord(part.function) ? toolCallFrom(part) : undefined;
    if (openAiCall) { toolCalls.push(openAiCall); continue; }
    switch (type) {
      case 'text':
      case 'input_text':
      case 'output_text':
        texts.push(asText(part.content ?? part.text));
        break;
      case 'tool_call':
      case 'tool-call':
      case 'tool_use':
      case 'toolUse': // Strands (TypeScript SDK): `{type, name, toolUseId, input}`
      case 'function_call': {
        const call = toolCallFrom(part);
        if (call) toolCalls.push(call);
        break;
      }
      case 'tool_call_response':
      case 'tool-result':
      case 'tool_result':
      case 'toolResult':
        texts.push(resultText(part.response ?? part.result ?? part.output ?? part.content));
        message.toolCallId ??= callIdOf(part.id ?? part.toolCallId ?? part.tool_use_id ?? part.toolUseId);
        markToolResult(message);
        break;
      case 'server_tool_call': { // a built-in tool the provider ran (GenAI): its call, with what it ran
        const id = callIdOf(part.id);
        const call: ToolCall = { name: asText(part.name), arguments: part.server_tool_call };
        if (id) call.id = id;
        toolCalls.push(call);
        break;
      }
      case 'thinking': // Anthropic's extended thinking
        (message.parts ??= []).push({ type: 'reasoning', content: asText(part.thinking) });
        break;
      default:
        (message.parts ??= []).push({ ...part, type });
    }
  }
}

/**
 * A tool's result sent back in a `user` message (Pydantic AI, Gemini, Anthropic) reads as the
 * tool's message.
 */
function markToolResult(message: Message): void {
  if (message.role === 'user') message.role = 'tool';
}

/** Gemini and Genkit parts say what they are by their one key, not by a `type`. */
function addUntypedPart(part: Record<string, unknown>, message: Message, texts: string[], toolCalls: ToolCall[]): void {
  // Gemini `function_call`, Genkit `toolRequest`, Bedrock/Strands `toolUse`, Haystack `tool_call`.
  const call = part.function_call ?? part.functionCall ?? part.toolRequest ?? part.toolUse ?? part.tool_call;
  const response = part.function_response ?? part.functionResponse ?? part.toolResponse ?? part.toolResult ?? part.tool_call_result;
  if (isRecord(call)) {
    const parsed = toolCallFrom(call);
    if (parsed) toolCalls.push(parsed);
  } else if (isRecord(response)) {
    texts.push(resultText(response.response ?? response.output ?? response.result ?? response.content));
    const origin = isRecord(response.origin) ? response.origin : undefined;
    message.toolCallId ??= callIdOf(response.id ?? response.ref ?? response.toolUseId ?? origin?.id);
    markToolResult(message);
    const name = response.name ?? origin?.tool_name;
    if (typeof name === 'string') message.name ??= name;
  } else if (part.thought === true || part.reasoning !== undefined || part.reasoningContent !== undefined) {
    const reasoning = part.reasoning ?? part.reasoningContent;
    const text = part.text ?? (isRecord(reasoning) ? reasoning.reasoning_text ?? reasoning.reasoningText ?? reasoning : reasoning);
    (message.parts ??= []).push({ type: 'reasoning', content: asText(text) });
  } else if (part.text !== undefined || part.content !== undefined) {
    texts.push(asText(part.text ?? part.content));
  } else {
    const kind = Object.keys(part)[0] ?? 'unknown';
    (message.parts ??= []).push({ ...part, type: kind });
  }
}

/** A tool result's content: text as it is, a list of `{text}` blocks (Bedrock, Haystack) joined. */
function resultText(v: unknown): string {
  if (Array.isArray(v) && v.every((b) => isRecord(b) && typeof b.text === 'string')) return v.map((b) => (b as { text: string }).text).join('\n');
  return asText(v);
}

/**
 * `{id, name, arguments}`, OpenAI `{id, function: {name, arguments}}`, AI SDK `{toolCallId, toolName, input|args}`,
 * Gemini `{id, name, args}`, Genkit `{ref, name, input}`, Bedrock `{toolUseId, name, input}`, Haystack `{id, tool_name, arguments}`.
 */
export function toolCallFrom(raw: unknown): ToolCall | undefined {
  if (!isRecord(raw)) return undefined;
  const fn = isRecord(raw.function) ? raw.function : raw;
  const name = fn.name ?? raw.toolName ?? raw.tool_name;
  if (typeof name !== 'string') return undefined;
  const call: ToolCall = { name, arguments: toolArguments(fn.arguments ?? raw.input ?? raw.args ?? fn.parameters) };
  const id = callIdOf(raw.id ?? raw.toolCallId ?? raw.call_id ?? raw.ref ?? raw.toolUseId);
  if (id) call.id = id;
  return call;
}

/** Messages from a JSON array (or a JSON string holding one). */
export function messagesFromJson(v: unknown, defaultRole: string): Message[] | undefined {
  const parsed = typeof v === 'string' ? parseJson(v) : v;
  if (!Array.isArray(parsed)) return undefined;
  const messages = parsed.map((m) => messageFrom(m, defaultRole)).filter((m): m is Message => m !== undefined);
  return messages.length ? messages : undefined;
}

/**
 * Messages from a raw input or output value: a message array, a request `{messages: [...]}`
 * (Anthropic's with its `system` beside them), or a response `{text}` / `{choices: [{message}]}` /
 * a message with a content list (Anthropic's).
 */
export function messagesFromValue(v: unknown, defaultRole: string): Message[] | undefined {
  const parsed = typeof v === 'string' ? parseJson(v) : v;
  if (Array.isArray(parsed)) return messagesFromJson(parsed, defaultRole);
  if (!isRecord(parsed)) return undefined;
  if (Array.isArray(parsed.messages)) {
    // LangChain's chat model runs take a batch: a list of conversations, of which there is one.
    const list = parsed.messages.length === 1 && Array.isArray(parsed.messages[0]) ? parsed.messages[0] : parsed.messages;
    const messages = messagesFromJson(list, defaultRole);
    const system = parsed.system === undefined ? undefined : messageFrom({ role: 'system', content: parsed.system }, 'system');
    return system?.content && messages?.[0]?.role !== 'system' ? [system, ...messages ?? []] : messages;
  }
  if (Array.isArray(parsed.choices)) return messagesFromJson(parsed.choices, defaultRole);
  // LangChain's LLM result: a list of generations per prompt, each `{text, message}`.
  if (Array.isArray(parsed.generations)) {
    const generations = parsed.generations.flatMap((g) => (Array.isArray(g) ? g : [g])).filter(isRecord);
    return messagesFromJson(generations.map((g) => g.message ?? g.text), defaultRole);
  }
  if (typeof parsed.text === 'string' || typeof parsed.content === 'string'
    || (typeof parsed.role === 'string' && Array.isArray(parsed.content))) {
    const message = messageFrom(parsed, defaultRole);
    return message ? [message] : undefined;
  }
  return undefined;
}
