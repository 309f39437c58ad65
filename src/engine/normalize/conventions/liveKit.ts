// LiveKit Agents (`lk.*`). Content keys gained an `lk.pii.` prefix in 2026 (so PII redaction
// can find them); both spellings are read. `llm_node` holds the chat context sent and the
// reply, `agent_turn` the user's input, `function_tool` one tool execution.
import type { Attributes, Message, ToolCall } from '../../../shared/spanModel';
import { asText, firstString, isRecord, parseJson, recordOf } from '../attributeReader';
import { messageFrom, toolCallFrom } from '../messageParts';

/** The value of `lk.pii.<name>`, or of the older `lk.<name>`. */
function lk(attrs: Attributes, name: string) {
  return attrs[`lk.pii.${name}`] ?? attrs[`lk.${name}`];
}

export function inputMessages(attrs: Attributes): Message[] | undefined {
  const context = recordOf(lk(attrs, 'chat_ctx'));
  if (Array.isArray(context?.items)) {
    const messages = context.items.map((item) => messageFrom(item, 'user')).filter((m): m is Message => m !== undefined);
    if (messages.length) return messages;
  }
  const userInput = firstString(attrs, 'lk.pii.user_input', 'lk.user_input');
  return userInput === undefined ? undefined : [{ role: 'user', content: userInput }];
}

export function outputMessages(attrs: Attributes): Message[] | undefined {
  const text = lk(attrs, 'response.text');
  const calls = listOfCalls(lk(attrs, 'response.function_calls'));
  if (text === undefined && !calls.length) return undefined;
  const message: Message = { role: 'assistant', content: asText(text) };
  if (calls.length) message.toolCalls = calls;
  return [message];
}

function listOfCalls(v: unknown): ToolCall[] {
  const parsed = parseJson(v);
  return Array.isArray(parsed) ? parsed.filter(isRecord).map(toolCallFrom).filter((c): c is ToolCall => c !== undefined) : [];
}

/** What a LiveKit span took in and gave out, for its raw input/output. */
export function rawInput(attrs: Attributes): unknown {
  return lk(attrs, 'function_tool.arguments') ?? lk(attrs, 'user_input') ?? lk(attrs, 'input_text')
    ?? lk(attrs, 'user_transcript') ?? lk(attrs, 'chat_ctx');
}

export function rawOutput(attrs: Attributes): unknown {
  return lk(attrs, 'function_tool.output') ?? lk(attrs, 'response.text');
}
