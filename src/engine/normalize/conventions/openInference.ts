// OpenInference (Arize Phoenix): flattened `llm.input_messages.N.message.*` lists,
// `retrieval.documents.N.document.*`, legacy completions prompts and choices.
import type { AttributeValue, Attributes, Message, RetrievalDocument, ToolCall } from '../../../shared/spanModel';
import { asText, firstString, indexedList, toNumber } from '../attributeReader';
import { callIdOf, roleOf, toolArguments } from '../messageParts';

export function inputMessages(attrs: Attributes): Message[] | undefined {
  return messages(attrs, 'llm.input_messages', 'user')
    ?? textList(attrs, 'llm.prompts', 'prompt.text', 'user');
}

export function outputMessages(attrs: Attributes): Message[] | undefined {
  return messages(attrs, 'llm.output_messages', 'assistant')
    ?? textList(attrs, 'llm.choices', 'completion.text', 'assistant');
}

const TEXT_TYPES = new Set(['text', 'input_text', 'output_text']);

function messages(attrs: Attributes, prefix: string, defaultRole: string): Message[] | undefined {
  const items = indexedList(attrs, prefix);
  if (!items.length) return undefined;
  return items.map((item) => {
    const message: Message = { role: roleOf(item['message.role']) ?? defaultRole, content: '' };
    const texts = typeof item['message.content'] === 'string' ? [item['message.content']] : [];
    for (const part of indexedList(item, 'message.contents')) {
      const type = asText(part['message_content.type']) || 'text';
      // The Responses API's content types (`output_text`, `input_text`) are text too.
      if (TEXT_TYPES.has(type)) texts.push(asText(part['message_content.text']));
      else if (type === 'reasoning') (message.parts ??= []).push({ type, content: asText(part['message_content.text']) });
      else (message.parts ??= []).push({ type, ...stripPrefix(part, 'message_content.') });
    }
    message.content = texts.join('\n');
    const calls = indexedList(item, 'message.tool_calls').map(toolCall);
    const legacyName = item['message.function_call_name'];
    if (typeof legacyName === 'string') calls.push({ name: legacyName, arguments: toolArguments(item['message.function_call_arguments_json']) });
    if (calls.length) message.toolCalls = calls;
    const callId = item['message.tool_call_id'];
    if (typeof callId === 'string') message.toolCallId = callId;
    const name = item['message.name'];
    if (typeof name === 'string') message.name = name;
    return message;
  });
}

function toolCall(item: Record<string, AttributeValue>): ToolCall {
  const call: ToolCall = { name: asText(item['tool_call.function.name']), arguments: toolArguments(item['tool_call.function.arguments']) };
  const id = callIdOf(item['tool_call.id']);
  if (id) call.id = id;
  return call;
}

function stripPrefix(item: Record<string, AttributeValue>, prefix: string): Record<string, AttributeValue> {
  const out: Record<string, AttributeValue> = {};
  for (const key in item) out[key.startsWith(prefix) ? key.slice(prefix.length) : key] = item[key];
  return out;
}

/** Legacy completions: `llm.prompts` may be a flattened list or a plain string array. */
function textList(attrs: Attributes, prefix: string, field: string, role: string): Message[] | undefined {
  const direct = attrs[prefix];
  const texts = Array.isArray(direct) ? direct.map(asText) : indexedList(attrs, prefix).map((item) => asText(item[field]));
  return texts.length ? texts.map((content) => ({ role, content })) : undefined;
}

export function documents(attrs: Attributes, prefix = 'retrieval.documents'): RetrievalDocument[] | undefined {
  const items = indexedList(attrs, prefix);
  if (!items.length) return undefined;
  return items.map((item) => {
    const doc: RetrievalDocument = {};
    const id = item['document.id'];
    if (id !== undefined && id !== null) doc.id = asText(id);
    if (item['document.content'] !== undefined) doc.content = asText(item['document.content']);
    const score = toNumber(item['document.score']);
    if (score !== undefined) doc.score = score;
    if (item['document.metadata'] !== undefined) doc.metadata = toolArguments(item['document.metadata']);
    return doc;
  });
}

export function invocationParameters(attrs: Attributes): Record<string, unknown> | undefined {
  const raw = firstString(attrs, 'llm.invocation_parameters', 'embedding.invocation_parameters');
  const parsed = raw === undefined ? undefined : toolArguments(raw);
  return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? parsed as Record<string, unknown> : undefined;
}
