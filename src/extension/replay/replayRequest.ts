// The replay request: a recorded LLM call as an editable JSON document (messages with tool calls
// and results, model, parameters, tool definitions), and the checks that turn the edited text
// back into a request with errors that say where. No `vscode` here: unit tests use it directly.
import type { Attributes, Message, Span } from '../../shared/spanModel';

export interface ReplayToolCall {
  id?: string;
  name: string;
  arguments: unknown;
}

export interface ReplayMessage {
  role: 'system' | 'user' | 'assistant' | 'tool';
  content: string;
  /** An assistant turn's tool calls. */
  toolCalls?: ReplayToolCall[];
  /** A tool result: the id of the call it answers. */
  toolCallId?: string;
}

export interface ReplayToolDefinition {
  name: string;
  description?: string;
  /** The tool's arguments as a JSON schema. */
  parameters?: Record<string, unknown>;
}

export interface ReplayRequest {
  /** The recorded span this request came from; the replay's trace links to it. */
  replayOf?: { traceId: string; spanId: string; name?: string };
  model: string;
  messages: ReplayMessage[];
  /** Sampling parameters passed to the provider as they are (temperature, max_tokens, ...). */
  parameters: Record<string, unknown>;
  tools: ReplayToolDefinition[];
  /** Stream the answer token by token (default true). */
  stream?: boolean;
}

export const REPLAY_FILE_SUFFIX = '.replay.json';

const ROLES = new Set(['system', 'user', 'assistant', 'tool']);
/** Parameters worth replaying; the rest of invocation_parameters (stream, messages, ...) is not a sampling choice. */
const REPLAYED_PARAMETERS = new Set([
  'temperature', 'top_p', 'top_k', 'max_tokens', 'max_completion_tokens', 'stop', 'seed', 'frequency_penalty',
  'presence_penalty', 'response_format', 'tool_choice', 'reasoning_effort', 'n',
]);
/** Bounds on what one span may turn into (trace content is untrusted). */
const MAX_TOOLS = 128;

export function requestFromSpan(span: Span): ReplayRequest {
  const parameters: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(span.invocationParameters ?? {})) {
    if (REPLAYED_PARAMETERS.has(key) && value !== null && value !== undefined) parameters[key] = value;
  }
  return {
    replayOf: { traceId: span.traceId, spanId: span.spanId, name: span.name },
    model: span.model ?? '',
    messages: (span.inputMessages ?? []).map(replayMessage),
    parameters,
    tools: toolDefinitions(span.attributes, span.invocationParameters),
    stream: true,
  };
}

function replayMessage(message: Message): ReplayMessage {
  const role = ROLES.has(message.role) ? (message.role as ReplayMessage['role']) : message.role === 'developer' ? 'system' : 'user';
  const out: ReplayMessage = { role, content: message.content ?? '' };
  if (message.toolCalls?.length) out.toolCalls = message.toolCalls.map((c) => ({ id: c.id, name: c.name, arguments: c.arguments }));
  if (message.toolCallId) out.toolCallId = message.toolCallId;
  return out;
}

/** Tool definitions as OpenInference, OTel GenAI and OpenLLMetry record them (or invocation parameters). */
export function toolDefinitions(attributes: Attributes, invocationParameters?: Record<string, unknown>): ReplayToolDefinition[] {
  const found: ReplayToolDefinition[] = [];
  const add = (value: unknown) => {
    const tool = toolDefinition(typeof value === 'string' ? parseJson(value) : value);
    if (tool && found.length < MAX_TOOLS) found.push(tool);
  };
  for (let i = 0; i < MAX_TOOLS; i++) {
    const schema = attributes[`llm.tools.${i}.tool.json_schema`];
    if (schema === undefined) break;
    add(schema);
  }
  const genAi = attributes['gen_ai.tool.definitions'];
  const genAiList = typeof genAi === 'string' ? parseJson(genAi) : genAi;
  if (Array.isArray(genAiList)) genAiList.slice(0, MAX_TOOLS).forEach(add);
  for (let i = 0; i < MAX_TOOLS; i++) {
    const name = attributes[`llm.request.functions.${i}.name`];
    if (typeof name !== 'string') break;
    const parameters = attributes[`llm.request.functions.${i}.parameters`];
    add({ name, description: attributes[`llm.request.functions.${i}.description`], parameters: typeof parameters === 'string' ? parseJson(parameters) : parameters });
  }
  if (!found.length && Array.isArray(invocationParameters?.tools)) invocationParameters.tools.slice(0, MAX_TOOLS).forEach(add);
  return found;
}

/** `{type: "function", function: {...}}` (OpenAI), `{name, input_schema}` (Anthropic) or `{name, parameters}`. */
function toolDefinition(value: unknown): ReplayToolDefinition | undefined {
  if (!isRecord(value)) return undefined;
  const inner = isRecord(value.function) ? value.function : value;
  if (typeof inner.name !== 'string' || !inner.name) return undefined;
  const schema = inner.parameters ?? inner.input_schema ?? inner.inputSchema;
  const tool: ReplayToolDefinition = { name: inner.name };
  if (typeof inner.description === 'string') tool.description = inner.description;
  if (isRecord(schema)) tool.parameters = schema;
  return tool;
}

/** The edited document's text as a request, or every problem found, each naming its place. */
export function parseReplayRequest(text: string): { request: ReplayRequest } | { errors: string[] } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { errors: [`The request is not valid JSON: ${(error as Error).message}`] };
  }
  const errors: string[] = [];
  if (!isRecord(value)) return { errors: ['The request must be a JSON object with "model" and "messages".'] };
  if (typeof value.model !== 'string' || !value.model.trim()) errors.push('"model" must name the model to run, e.g. "gpt-4o-mini".');
  if (!Array.isArray(value.messages) || !value.messages.length) errors.push('"messages" must be a non-empty array.');
  const messages = Array.isArray(value.messages) ? value.messages : [];
  messages.forEach((m, i) => {
    const where = `messages[${i}]`;
    if (!isRecord(m)) return errors.push(`${where} must be an object with "role" and "content".`);
    if (typeof m.role !== 'string' || !ROLES.has(m.role)) errors.push(`${where}.role must be one of system, user, assistant, tool.`);
    if (typeof m.content !== 'string') errors.push(`${where}.content must be a string.`);
    if (m.role === 'tool' && typeof m.toolCallId !== 'string') errors.push(`${where} is a tool result: give "toolCallId", the id of the call it answers.`);
    if (m.toolCalls !== undefined) {
      if (!Array.isArray(m.toolCalls)) errors.push(`${where}.toolCalls must be an array.`);
      else m.toolCalls.forEach((c, j) => {
        if (!isRecord(c) || typeof c.name !== 'string' || !c.name) errors.push(`${where}.toolCalls[${j}] needs a "name".`);
      });
    }
    return undefined;
  });
  if (value.parameters !== undefined && !isRecord(value.parameters)) errors.push('"parameters" must be an object.');
  if (value.tools !== undefined) {
    if (!Array.isArray(value.tools)) errors.push('"tools" must be an array.');
    else value.tools.forEach((t, i) => {
      if (!isRecord(t) || typeof t.name !== 'string' || !t.name) errors.push(`tools[${i}] needs a "name".`);
      else if (t.parameters !== undefined && !isRecord(t.parameters)) errors.push(`tools[${i}].parameters must be a JSON schema object.`);
    });
  }
  if (value.stream !== undefined && typeof value.stream !== 'boolean') errors.push('"stream" must be true or false.');
  if (errors.length) return { errors };
  const replayOf = isRecord(value.replayOf) && typeof value.replayOf.traceId === 'string' && typeof value.replayOf.spanId === 'string'
    ? { traceId: value.replayOf.traceId, spanId: value.replayOf.spanId, name: typeof value.replayOf.name === 'string' ? value.replayOf.name : undefined }
    : undefined;
  return {
    request: {
      replayOf,
      model: (value.model as string).trim(),
      messages: messages as ReplayMessage[],
      parameters: (value.parameters as Record<string, unknown>) ?? {},
      tools: (value.tools as ReplayToolDefinition[]) ?? [],
      stream: value.stream !== false,
    },
  };
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
