// Google ADK (`gcp.vertex.agent.*`): the LLM request and response as JSON dumps of its
// pydantic models (Gemini `contents` with `parts`, `config.system_instruction`), tool calls in
// `tool_call_args` / `tool_response`. Tool spans set the LLM pair to `{}`.
import type { Attributes, Message } from '../../../shared/spanModel';
import { recordOf } from '../attributeReader';
import { messageFrom, messagesFromJson } from '../messageParts';

const REQUEST = 'gcp.vertex.agent.llm_request';
const RESPONSE = 'gcp.vertex.agent.llm_response';

export function inputMessages(attrs: Attributes): Message[] | undefined {
  const request = recordOf(attrs[REQUEST]);
  if (!request) return undefined;
  const messages = messagesFromJson(request.contents, 'user') ?? [];
  const config = recordOf(request.config);
  const instruction = config?.system_instruction ?? config?.systemInstruction;
  const system = instruction === undefined ? undefined
    : messageFrom(typeof instruction === 'string' ? instruction : { ...recordOf(instruction), role: 'system' }, 'system');
  if (system?.content || system?.parts) messages.unshift({ ...system, role: 'system' });
  return messages.length ? messages : undefined;
}

export function outputMessages(attrs: Attributes): Message[] | undefined {
  const response = recordOf(attrs[RESPONSE]);
  if (!response?.content) return undefined;
  const message = messageFrom(response.content, 'assistant');
  if (!message) return undefined;
  const finish = response.finish_reason ?? response.finishReason;
  if (typeof finish === 'string') message.finishReason = finish;
  return [message];
}

/** A tool span's arguments and result, where the `{}` placeholders are not all there is. */
export function toolInput(attrs: Attributes): unknown {
  const args = attrs['gcp.vertex.agent.tool_call_args'];
  return args === 'N/A' ? undefined : args;
}

export function toolOutput(attrs: Attributes): unknown {
  return attrs['gcp.vertex.agent.tool_response'];
}

/** The request and response blobs, unless they are the tool span's empty placeholders. */
export function rawInput(attrs: Attributes): unknown {
  const v = attrs[REQUEST];
  return v === '{}' ? undefined : v;
}

export function rawOutput(attrs: Attributes): unknown {
  const v = attrs[RESPONSE];
  return v === '{}' ? undefined : v;
}
