// The coding agents' own traces. Claude Code (scope `com.anthropic.claude_code.tracing`, with
// its enhanced telemetry on) sends `claude_code.interaction` → `claude_code.llm_request` /
// `claude_code.tool` spans with bare attributes: `user_prompt`, `model`, `input_tokens` (the
// Anthropic count, without the cache), `cache_read_tokens`, `response.model_output`, `tool_name`,
// `tool_input`. Gemini CLI names its spans by operation (`llm_call`, `tool_call`) and puts the
// Gemini contents it sent and got as JSON in `gen_ai.input.messages` / `gen_ai.output.messages`.
import type { AttributeValue, Attributes, Message } from '../../../shared/spanModel';
import { dig, firstString, isRecord, parseJson, recordOf } from '../attributeReader';
import { agentEventName, ASSEMBLED_FROM_LOGS } from './agentLogs';
import { messageFrom, messagesFromJson } from '../messageParts';
import type { UsageOffer } from '../packedUsage';

/** Claude Code hides prompts unless OTEL_LOG_USER_PROMPTS is set, and says so in their place. */
const REDACTED = '<REDACTED>';

export function claudeCodeInput(attrs: Attributes): Message[] | undefined {
  const type = attrs['span.type'];
  if (type === 'interaction') {
    const prompt = firstString(attrs, 'user_prompt');
    return prompt && prompt !== REDACTED ? [{ role: 'user', content: prompt }] : undefined;
  }
  if (type !== 'llm_request') return undefined;
  const messages: Message[] = [];
  const system = firstString(attrs, 'system_prompt_preview');
  if (system) messages.push({ role: 'system', content: system });
  const latest = firstString(attrs, 'new_context');
  if (latest) messages.push({ role: 'user', content: latest });
  return messages.length ? messages : undefined;
}

export function claudeCodeOutput(attrs: Attributes): Message[] | undefined {
  if (attrs['span.type'] !== 'llm_request') return undefined;
  const text = firstString(attrs, 'response.model_output');
  const thinking = firstString(attrs, 'response.thinking_output');
  if (text === undefined && thinking === undefined) return undefined;
  const message: Message = { role: 'assistant', content: text ?? '' };
  if (thinking) message.parts = [{ type: 'reasoning', content: thinking }];
  const stop = firstString(attrs, 'stop_reason');
  if (stop) message.finishReason = stop;
  return [message];
}

/** A Claude Code tool's input, and its result where the span carries one. */
export function claudeCodeTool(attrs: Attributes): { name?: string; args?: AttributeValue; result?: AttributeValue } | undefined {
  if (attrs['span.type'] !== 'tool') return undefined;
  return { name: firstString(attrs, 'tool_name'), args: attrs.tool_input, result: attrs.new_context };
}

/** Claude Code's bare usage counts on an `llm_request` span (read at ingest, keyed on `span.type`). */
export function claudeCodeUsage(value: AttributeValue, attrs: Attributes, offer: UsageOffer): void {
  if (value !== 'llm_request') return;
  // Anthropic counts input without the cache; where GenAI counts come too, they stand as sent.
  const excludesCache = attrs['gen_ai.usage.input_tokens'] === undefined;
  offer('input', attrs.input_tokens, excludesCache);
  offer('output', attrs.output_tokens);
  offer('cacheRead', attrs.cache_read_tokens);
  offer('cacheWrite', attrs.cache_creation_tokens);
}

const isGeminiCli = (attrs: Attributes) => attrs['gen_ai.agent.name'] === 'gemini-cli';

/**
 * Gemini CLI's answer: one Gemini Content, or (streamed) the Content of every chunk, joined
 * here into one message. A prompt assembled from its log records carries its last call's.
 */
export function geminiCliOutput(attrs: Attributes): Message[] | undefined {
  const operation = attrs['gen_ai.operation.name'];
  if (!isGeminiCli(attrs) || (operation !== 'llm_call' && !(operation === 'invoke_agent' && attrs[ASSEMBLED_FROM_LOGS] !== undefined))) return undefined;
  return geminiAnswer(attrs['gen_ai.output.messages']);
}

/** One Gemini Content or API response, or a list of them (streamed chunks), as one assistant message. */
function geminiAnswer(value: AttributeValue | undefined): Message[] | undefined {
  const output = parseJson(value);
  const chunks = Array.isArray(output) ? output : [output];
  const message: Message = { role: 'assistant', content: '' };
  for (const chunk of chunks) {
    // Contents (its spans), or the API's responses as they came (its logged `response_text`).
    const candidates = isRecord(chunk) && Array.isArray(chunk.candidates) ? chunk.candidates : undefined;
    const part = messageFrom(candidates ? dig(candidates[0], 'content') : chunk, 'assistant');
    if (!part) continue;
    message.content += part.content;
    // One by one, not push(...): a chunk may hold more items than a call takes arguments.
    for (const call of part.toolCalls ?? []) (message.toolCalls ??= []).push(call);
    for (const other of part.parts ?? []) (message.parts ??= []).push(other);
  }
  return message.content || message.toolCalls || message.parts ? [message] : undefined;
}

/** A Gemini CLI tool call's request `{callId, name, args}` and its completed call's display. */
export function geminiCliTool(attrs: Attributes): { args?: unknown; result?: unknown } | undefined {
  if (!isGeminiCli(attrs) || attrs['gen_ai.operation.name'] !== 'tool_call') return undefined;
  const request = recordOf(attrs['gen_ai.input.messages']);
  const response = recordOf(attrs['gen_ai.output.messages'])?.response;
  return { args: request?.args, result: isRecord(response) ? response.resultDisplay ?? response.responseParts : undefined };
}

/** A log event of a coding agent attached to the span (logged inside it, or a prompt's record, see agentLogs.ts). */
interface LoggedEvent { name: string; attributes: Attributes; body?: AttributeValue }

const PROMPT_EVENTS = new Set(['gemini_cli.user_prompt', 'claude_code.user_prompt']);

/**
 * The prompt a coding agent logged (`prompt`, when its prompt logging is on), or else what a
 * Gemini CLI call sent: the Gemini contents of its latest `api_request` record.
 */
export function loggedPrompt(events: readonly LoggedEvent[]): Message[] | undefined {
  const prompt = events.find((e) => PROMPT_EVENTS.has(agentEventName(e) ?? '') && typeof e.attributes.prompt === 'string'
    && e.attributes.prompt !== REDACTED);
  if (prompt) return [{ role: 'user', content: prompt.attributes.prompt as string }];
  for (let i = events.length - 1; i >= 0; i--) {
    const text = agentEventName(events[i]) === 'gemini_cli.api_request' ? events[i].attributes.request_text : undefined;
    if (typeof text === 'string') return messagesFromJson(text, 'user');
  }
  return undefined;
}

/** The answer a coding agent logged: Claude Code's `assistant_response`, Gemini CLI's `api_response` text. */
export function loggedResponse(events: readonly LoggedEvent[]): Message[] | undefined {
  for (let i = events.length - 1; i >= 0; i--) {
    const e = events[i];
    const name = agentEventName(e);
    if (name === 'gemini_cli.api_response' && typeof e.attributes.response_text === 'string') {
      // The API's response as it came: its answer, not its JSON.
      return geminiAnswer(e.attributes.response_text) ?? [{ role: 'assistant', content: e.attributes.response_text }];
    }
    const text = name === 'claude_code.assistant_response' ? e.attributes.response : undefined;
    if (typeof text === 'string') return [{ role: 'assistant', content: text }];
  }
  return undefined;
}
