// Running a replay request against a provider through its maintained client package: `openai`
// for any OpenAI-compatible endpoint (OpenAI, Azure OpenAI, Ollama, LM Studio, vLLM, OpenRouter)
// and `@anthropic-ai/sdk` for Anthropic. Both stream or not, report tool calls without running
// them, and turn failures into sentences. No `vscode` here: unit tests drive these against fake
// servers on loopback.
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { hostOf } from './replayEndpoint';
import type { ReplayMessage, ReplayRequest, ReplayToolCall } from './replayRequest';

export type ProviderKind = 'openai' | 'anthropic' | 'vscode-lm';

export interface ReplayAnswer {
  text: string;
  toolCalls: ReplayToolCall[];
  finishReason?: string;
  /** The model that answered, as the provider names it. */
  model?: string;
  usage?: { input?: number; output?: number };
  startMs: number;
  endMs: number;
  /** When the first token arrived (streaming only). */
  firstTokenMs?: number;
}

/** Streams the answer's text as it arrives; resolves with the whole answer. */
export interface ReplayProvider {
  readonly kind: ProviderKind;
  /** Where the prompt goes, for messages and the trace (never carries the key). */
  readonly endpoint: string;
  run(request: ReplayRequest, onText: (delta: string) => void, signal?: AbortSignal): Promise<ReplayAnswer>;
}

export interface EndpointOptions {
  baseURL: string;
  /** Local servers (Ollama, LM Studio) take any key; undefined sends a placeholder. */
  apiKey?: string;
}

/** A key local servers ignore: the clients refuse to start without one. */
const NO_KEY = 'no-key';
const TEN_MINUTES_MS = 600_000;

export class OpenAiCompatibleProvider implements ReplayProvider {
  readonly kind = 'openai';
  readonly endpoint: string;
  private readonly client: OpenAI;

  constructor(options: EndpointOptions) {
    this.endpoint = options.baseURL;
    const apiKey = options.apiKey || NO_KEY;
    // Azure OpenAI's v1 endpoint takes its key in `api-key`; everyone else in Authorization.
    const azure = /\.(openai|cognitiveservices)\.azure\.com$/i.test(hostOf(options.baseURL));
    // No retries: a rate limit is reported with its retry time instead of waited out silently.
    this.client = new OpenAI({ baseURL: options.baseURL, apiKey, maxRetries: 0, timeout: TEN_MINUTES_MS, defaultHeaders: azure ? { 'api-key': apiKey } : undefined });
  }

  async run(request: ReplayRequest, onText: (delta: string) => void, signal?: AbortSignal): Promise<ReplayAnswer> {
    const startMs = Date.now();
    const body = {
      ...request.parameters,
      model: request.model,
      messages: request.messages.map(openAiMessage),
      ...(request.tools.length ? { tools: request.tools.map((t) => ({ type: 'function' as const, function: { name: t.name, description: t.description, parameters: t.parameters ?? { type: 'object', properties: {} } } })) } : {}),
    } as OpenAI.Chat.ChatCompletionCreateParamsNonStreaming;
    if (request.stream === false) {
      const completion = await this.client.chat.completions.create({ ...body, stream: false }, { signal });
      const choice = completion.choices[0];
      const text = choice?.message.content ?? '';
      if (text) onText(text);
      return {
        text,
        toolCalls: (choice?.message.tool_calls ?? []).map((c) => c.type === 'function'
          ? { id: c.id, name: c.function.name, arguments: parseArguments(c.function.arguments) }
          : { id: c.id, name: c.type, arguments: {} }),
        finishReason: choice?.finish_reason ?? undefined,
        model: completion.model,
        usage: completion.usage && { input: completion.usage.prompt_tokens, output: completion.usage.completion_tokens },
        startMs,
        endMs: Date.now(),
      };
    }
    const stream = await this.client.chat.completions.create({ ...body, stream: true, stream_options: { include_usage: true } }, { signal });
    const answer: ReplayAnswer = { text: '', toolCalls: [], startMs, endMs: startMs };
    const calls: { id?: string; name: string; arguments: string }[] = [];
    for await (const chunk of stream) {
      answer.model ??= chunk.model;
      if (chunk.usage) answer.usage = { input: chunk.usage.prompt_tokens, output: chunk.usage.completion_tokens };
      const choice = chunk.choices?.[0];
      if (!choice) continue;
      const delta = choice.delta;
      if (delta?.content) {
        answer.firstTokenMs ??= Date.now();
        answer.text += delta.content;
        onText(delta.content);
      }
      for (const part of delta?.tool_calls ?? []) {
        answer.firstTokenMs ??= Date.now();
        const call = (calls[part.index] ??= { name: '', arguments: '' });
        if (part.id) call.id = part.id;
        if (part.function?.name) call.name += part.function.name;
        if (part.function?.arguments) call.arguments += part.function.arguments;
      }
      if (choice.finish_reason) answer.finishReason = choice.finish_reason;
    }
    answer.toolCalls = calls.filter(Boolean).map((c) => ({ id: c.id, name: c.name, arguments: parseArguments(c.arguments) }));
    answer.endMs = Date.now();
    return answer;
  }
}

function openAiMessage(message: ReplayMessage): OpenAI.Chat.ChatCompletionMessageParam {
  switch (message.role) {
    case 'tool':
      return { role: 'tool', tool_call_id: message.toolCallId ?? '', content: message.content };
    case 'assistant':
      return {
        role: 'assistant',
        content: message.content || (message.toolCalls?.length ? null : ''),
        ...(message.toolCalls?.length ? { tool_calls: message.toolCalls.map((c, i) => ({ id: c.id ?? `call_${i}`, type: 'function' as const, function: { name: c.name, arguments: argumentsText(c.arguments) } })) } : {}),
      };
    default:
      return { role: message.role, content: message.content };
  }
}

export class AnthropicProvider implements ReplayProvider {
  readonly kind = 'anthropic';
  readonly endpoint: string;
  private readonly client: Anthropic;

  constructor(options: EndpointOptions) {
    this.endpoint = options.baseURL;
    this.client = new Anthropic({ baseURL: options.baseURL, apiKey: options.apiKey || NO_KEY, maxRetries: 0, timeout: TEN_MINUTES_MS });
  }

  async run(request: ReplayRequest, onText: (delta: string) => void, signal?: AbortSignal): Promise<ReplayAnswer> {
    const startMs = Date.now();
    const { max_tokens: maxTokens, stop, ...rest } = request.parameters;
    const system = request.messages.filter((m) => m.role === 'system').map((m) => m.content).join('\n\n');
    const body = {
      ...rest,
      model: request.model,
      // Anthropic requires a limit; recorded OpenAI calls often have none.
      max_tokens: typeof maxTokens === 'number' ? maxTokens : 1024,
      ...(stop !== undefined ? { stop_sequences: Array.isArray(stop) ? stop : [stop] } : {}),
      ...(system ? { system } : {}),
      messages: anthropicMessages(request.messages),
      ...(request.tools.length ? { tools: request.tools.map((t) => ({ name: t.name, description: t.description, input_schema: (t.parameters ?? { type: 'object', properties: {} }) as Anthropic.Tool.InputSchema })) } : {}),
    } as Anthropic.MessageCreateParamsNonStreaming;
    let message: Anthropic.Message;
    let firstTokenMs: number | undefined;
    if (request.stream === false) {
      message = await this.client.messages.create(body, { signal });
      const text = textOf(message);
      if (text) onText(text);
    } else {
      const stream = this.client.messages.stream(body, { signal });
      for await (const event of stream) {
        if (event.type !== 'content_block_delta') continue;
        firstTokenMs ??= Date.now();
        if (event.delta.type === 'text_delta') onText(event.delta.text);
      }
      message = await stream.finalMessage();
    }
    return {
      text: textOf(message),
      toolCalls: message.content.flatMap((b) => (b.type === 'tool_use' ? [{ id: b.id, name: b.name, arguments: b.input }] : [])),
      finishReason: message.stop_reason ?? undefined,
      model: message.model,
      usage: { input: message.usage.input_tokens, output: message.usage.output_tokens },
      startMs,
      endMs: Date.now(),
      firstTokenMs,
    };
  }
}

function textOf(message: Anthropic.Message): string {
  return message.content.map((b) => (b.type === 'text' ? b.text : '')).join('');
}

/** Anthropic takes tool results as user turns and wants turns to alternate, so neighbours merge. */
function anthropicMessages(messages: ReplayMessage[]): Anthropic.MessageParam[] {
  const out: { role: 'user' | 'assistant'; content: Anthropic.ContentBlockParam[] }[] = [];
  for (const message of messages) {
    if (message.role === 'system') continue;
    const role = message.role === 'assistant' ? 'assistant' : 'user';
    const blocks: Anthropic.ContentBlockParam[] = [];
    if (message.role === 'tool') blocks.push({ type: 'tool_result', tool_use_id: message.toolCallId ?? '', content: message.content });
    else if (message.content) blocks.push({ type: 'text', text: message.content });
    for (const [i, call] of (message.toolCalls ?? []).entries()) {
      blocks.push({ type: 'tool_use', id: call.id ?? `toolu_${i}`, name: call.name, input: typeof call.arguments === 'string' ? parseArguments(call.arguments) : call.arguments ?? {} });
    }
    if (!blocks.length) continue;
    const last = out[out.length - 1];
    if (last?.role === role) last.content.push(...blocks);
    else out.push({ role, content: blocks });
  }
  return out;
}

function parseArguments(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function argumentsText(args: unknown): string {
  return typeof args === 'string' ? args : JSON.stringify(args ?? {});
}

/** What went wrong, in a sentence a user can act on. */
export function describeReplayError(error: unknown, provider: Pick<ReplayProvider, 'endpoint'>, model: string): string {
  const e = error as { name?: string; message?: string; status?: number; headers?: Headers | Record<string, string>; cause?: unknown };
  if (e?.name === 'AbortError' || e?.name === 'APIUserAbortError') return 'The run was cancelled.';
  if (error instanceof OpenAI.APIConnectionError || error instanceof Anthropic.APIConnectionError) {
    const cause = rootCause(e.cause);
    const timedOut = error instanceof OpenAI.APIConnectionTimeoutError || error instanceof Anthropic.APIConnectionTimeoutError;
    return `${provider.endpoint} is unreachable${timedOut ? ' (timed out)' : ''}${cause ? `: ${cause}` : ''}. Check the base URL and that the server is running.`;
  }
  const detail = apiMessage(e.message);
  switch (e?.status) {
    case 401:
    case 403:
      return `${provider.endpoint} refused the API key (${e.status}${detail ? `: ${detail}` : ''}). Set the key with "AI Trace Inspector: Set Replay API Key…".`;
    case 404:
      return `Model "${model}" was not found at ${provider.endpoint} (404${detail ? `: ${detail}` : ''}). Change "model" in the request.`;
    case 429: {
      const retry = retryAfterSeconds(e.headers);
      return `Rate limited by ${provider.endpoint} (429)${retry !== undefined ? `: retry in ${retry} s` : ''}${detail ? ` (${detail})` : ''}.`;
    }
  }
  if (typeof e?.status === 'number') return `${provider.endpoint} answered ${e.status}${detail ? `: ${detail}` : ''}.`;
  return e?.message ? `The run failed: ${e.message}` : `The run failed: ${String(error)}`;
}

/** fetch wraps the socket's error ("fetch failed" → ECONNREFUSED): the innermost code says most. */
function rootCause(cause: unknown): string | undefined {
  let found: string | undefined;
  for (let c = cause as { code?: string; message?: string; cause?: unknown } | undefined, depth = 0; c && depth < 5; c = c.cause as typeof c, depth++) {
    found = c.code ?? c.message ?? found;
  }
  return found;
}

/** The SDKs prefix the status to the message ("429 Rate limit..."); the sentence says it already. */
function apiMessage(message: string | undefined): string {
  return (message ?? '').replace(/^\d{3}\s*/, '').replace(/^status code \(no body\)$/i, '').trim();
}

/** `retry-after-ms`, or `retry-after` as seconds or an HTTP date; rounded up to whole seconds. */
export function retryAfterSeconds(headers: Headers | Record<string, string> | undefined, nowMs = Date.now()): number | undefined {
  if (!headers) return undefined;
  const get = (name: string) => (typeof (headers as Headers).get === 'function' ? (headers as Headers).get(name) : (headers as Record<string, string>)[name]) ?? undefined;
  const ms = Number(get('retry-after-ms'));
  if (get('retry-after-ms') && Number.isFinite(ms)) return Math.max(0, Math.ceil(ms / 1000));
  const value = get('retry-after');
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, Math.ceil(seconds));
  const date = Date.parse(value);
  return Number.isFinite(date) ? Math.max(0, Math.ceil((date - nowMs) / 1000)) : undefined;
}
