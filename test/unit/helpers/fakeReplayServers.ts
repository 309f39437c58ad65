// Loopback stand-ins for an OpenAI-compatible endpoint (POST /v1/chat/completions) and Anthropic's
// Messages API (POST /v1/messages), streaming (server-sent events) and not, for the replay runner
// driven through the real `openai` and `@anthropic-ai/sdk` clients. The wire formats follow the
// providers' API references (chat.completion / chat.completion.chunk; Anthropic message and its
// stream events). What they answer is scripted by the request:
// - model "missing-model" → 404; model "busy-model" → 429 with Retry-After: 7;
// - key "bad-key" → 401;
// - tools offered and the last message is the user's → one tool call (get_weather);
// - otherwise text that quotes the system prompt, so a test sees which prompt was run.
import { createServer, IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export const TOOL_CALL = { id: 'call_replay_0001', name: 'get_weather', arguments: { city: 'Reykjavik' } } as const;
export const USAGE = { input: 42, output: 9 } as const;
export const ANSWERING_MODEL = { openai: 'gpt-4o-mini-2024-07-18', anthropic: 'claude-3-5-haiku-20241022' } as const;

/** The text answer for a system prompt; split into chunks when streamed. */
export function cannedAnswer(system: string): string {
  return `Following "${system}": the lighthouse is 10 metres tall.`;
}

interface AnyRequest {
  model: string;
  messages: { role: string; content?: unknown }[];
  system?: unknown;
  tools?: unknown[];
  stream?: boolean;
  [key: string]: unknown;
}

export interface FakeReplayServer {
  /** baseURL for the `openai` client (…/v1). */
  readonly openAiBaseURL: string;
  /** baseURL for the Anthropic client (the origin; it adds /v1/messages). */
  readonly anthropicBaseURL: string;
  /** Every request body received, with the path it came to. */
  readonly requests: { path: string; body: AnyRequest; headers: IncomingMessage['headers'] }[];
  close(): Promise<void>;
}

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const payload = Buffer.from(JSON.stringify(body));
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': payload.length, ...headers });
  res.end(payload);
}

/** Sends the events, `delayMs` apart (so a test can watch an answer stream in). */
async function sse(res: ServerResponse, events: { event?: string; data: unknown }[], delayMs: number): Promise<void> {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
  for (const e of events) {
    if (res.destroyed) return;
    res.write(`${e.event ? `event: ${e.event}\n` : ''}data: ${typeof e.data === 'string' ? e.data : JSON.stringify(e.data)}\n\n`);
    if (delayMs) await new Promise((resolve) => setTimeout(resolve, delayMs));
  }
  res.end();
}

const words = (text: string) => text.match(/\S+\s*/g) ?? [];

function systemPromptOf(body: AnyRequest): string {
  if (typeof body.system === 'string') return body.system;
  const system = body.messages.find((m) => m.role === 'system');
  return typeof system?.content === 'string' ? system.content : '';
}

const wantsTool = (body: AnyRequest) => (body.tools?.length ?? 0) > 0 && body.messages[body.messages.length - 1]?.role === 'user'
  && !JSON.stringify(body.messages[body.messages.length - 1]).includes('tool_result');

/** 401/404/429 in each provider's error shape, or undefined to answer normally. */
function scriptedError(body: AnyRequest, key: string | undefined, anthropic: boolean): [number, unknown, Record<string, string>?] | undefined {
  const error = (type: string, message: string) => (anthropic ? { type: 'error', error: { type, message } } : { error: { message, type, code: type } });
  if (key === 'bad-key') return [401, error('authentication_error', 'Incorrect API key provided.')];
  if (body.model === 'missing-model') return [404, error('not_found_error', `The model \`${body.model}\` does not exist.`)];
  if (body.model === 'busy-model') return [429, error('rate_limit_error', 'Rate limit reached for requests.'), { 'retry-after': '7' }];
  return undefined;
}

function openAi(body: AnyRequest, res: ServerResponse, delayMs: number): void {
  const base = { id: 'chatcmpl-replay1', created: Math.floor(Date.now() / 1000), model: ANSWERING_MODEL.openai, system_fingerprint: 'fp_replay' };
  const usage = { prompt_tokens: USAGE.input, completion_tokens: USAGE.output, total_tokens: USAGE.input + USAGE.output };
  const tool = wantsTool(body);
  const text = cannedAnswer(systemPromptOf(body));
  if (!body.stream) {
    const message = tool
      ? { role: 'assistant', content: null, refusal: null, tool_calls: [{ id: TOOL_CALL.id, type: 'function', function: { name: TOOL_CALL.name, arguments: JSON.stringify(TOOL_CALL.arguments) } }] }
      : { role: 'assistant', content: text, refusal: null };
    json(res, 200, { ...base, object: 'chat.completion', choices: [{ index: 0, message, logprobs: null, finish_reason: tool ? 'tool_calls' : 'stop' }], usage });
    return;
  }
  const chunk = (delta: unknown, finish: string | null = null) => ({ data: { ...base, object: 'chat.completion.chunk', choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }] } });
  const argsText = JSON.stringify(TOOL_CALL.arguments);
  const deltas = tool
    ? [chunk({ role: 'assistant', content: null, tool_calls: [{ index: 0, id: TOOL_CALL.id, type: 'function', function: { name: TOOL_CALL.name, arguments: '' } }] }),
      chunk({ tool_calls: [{ index: 0, function: { arguments: argsText.slice(0, 8) } }] }),
      chunk({ tool_calls: [{ index: 0, function: { arguments: argsText.slice(8) } }] }),
      chunk({}, 'tool_calls')]
    : [chunk({ role: 'assistant', content: '' }), ...words(text).map((w) => chunk({ content: w })), chunk({}, 'stop')];
  const withUsage = body.stream_options && (body.stream_options as { include_usage?: boolean }).include_usage;
  void sse(res, [...deltas, ...(withUsage ? [{ data: { ...base, object: 'chat.completion.chunk', choices: [], usage } }] : []), { data: '[DONE]' }], delayMs);
}

function anthropic(body: AnyRequest, res: ServerResponse, delayMs: number): void {
  const tool = wantsTool(body);
  const text = cannedAnswer(systemPromptOf(body));
  const content = tool ? [{ type: 'tool_use', id: 'toolu_replay0001', name: TOOL_CALL.name, input: TOOL_CALL.arguments }] : [{ type: 'text', text }];
  const stopReason = tool ? 'tool_use' : 'end_turn';
  const message = { id: 'msg_replay1', type: 'message', role: 'assistant', model: ANSWERING_MODEL.anthropic, stop_sequence: null };
  if (!body.stream) {
    json(res, 200, { ...message, content, stop_reason: stopReason, usage: { input_tokens: USAGE.input, output_tokens: USAGE.output } });
    return;
  }
  const event = (type: string, data: Record<string, unknown>) => ({ event: type, data: { type, ...data } });
  const block = tool
    ? [event('content_block_start', { index: 0, content_block: { type: 'tool_use', id: 'toolu_replay0001', name: TOOL_CALL.name, input: {} } }),
      event('content_block_delta', { index: 0, delta: { type: 'input_json_delta', partial_json: JSON.stringify(TOOL_CALL.arguments) } })]
    : [event('content_block_start', { index: 0, content_block: { type: 'text', text: '' } }),
      ...words(text).map((w) => event('content_block_delta', { index: 0, delta: { type: 'text_delta', text: w } }))];
  void sse(res, [
    event('message_start', { message: { ...message, content: [], stop_reason: null, usage: { input_tokens: USAGE.input, output_tokens: 1 } } }),
    ...block,
    event('content_block_stop', { index: 0 }),
    event('message_delta', { delta: { stop_reason: stopReason, stop_sequence: null }, usage: { output_tokens: USAGE.output } }),
    event('message_stop', {}),
  ], delayMs);
}

async function readJson(req: IncomingMessage): Promise<AnyRequest> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString('utf8')) as AnyRequest;
}

/** `chunkDelayMs`: the pause between streamed events (0: all at once). */
export async function startFakeReplayServer(options: { chunkDelayMs?: number } = {}): Promise<FakeReplayServer> {
  const requests: FakeReplayServer['requests'] = [];
  const server = createServer((req, res) => {
    const path = req.url ?? '';
    const isAnthropic = path === '/v1/messages';
    if (req.method !== 'POST' || (!isAnthropic && path !== '/v1/chat/completions')) {
      json(res, 404, { error: { message: `Unknown request URL: ${req.method} ${path}` } });
      return;
    }
    readJson(req).then((body) => {
      requests.push({ path, body, headers: req.headers });
      // Anthropic's client sends the key as x-api-key or (since 1.x) as a bearer token.
      const key = (req.headers['x-api-key'] as string | undefined) ?? req.headers.authorization?.replace(/^Bearer /, '');
      const failure = scriptedError(body, key, isAnthropic);
      if (failure) json(res, failure[0], failure[1], failure[2]);
      else (isAnthropic ? anthropic : openAi)(body, res, options.chunkDelayMs ?? 0);
    }, (error: Error) => json(res, 400, { error: { message: `bad JSON body: ${error.message}` } }));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    openAiBaseURL: `http://127.0.0.1:${port}/v1`,
    anthropicBaseURL: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}
