// A local stand-in for the OpenAI Chat Completions API (POST /v1/chat/completions) on an
// ephemeral loopback port, so the real `openai` client and the instrumentations wrapped
// around it run end to end without the network. It answers with a tool call when the
// request offers tools and the last message is the user's, and with text otherwise; streamed
// when the request asks for it.
import { createServer, IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** The model the fake API says answered (the dated snapshot of what the client asked for). */
export const RESPONSE_MODEL = 'gpt-4o-mini-2024-07-18';

/** The canned answers, shared with the AI SDK's mock model so every path reports the same numbers. */
export const CANNED = {
  text: {
    content: 'The Hornbjargsviti lighthouse stands about 10 metres tall.',
    usage: { prompt_tokens: 31, completion_tokens: 14, total_tokens: 45 },
  },
  toolCall: {
    id: 'call_Vk3uEJ2oQ5mIvGxLw8sRtY1b',
    name: 'get_weather',
    arguments: { city: 'Reykjavik', unit: 'celsius' },
    usage: { prompt_tokens: 78, completion_tokens: 19, total_tokens: 97 },
  },
} as const;

export interface ChatCompletionRequest {
  model: string;
  messages: { role: string; content?: unknown }[];
  tools?: unknown[];
  [key: string]: unknown;
}

export interface FakeOpenAiServer {
  /** What to give the `openai` client as baseURL, e.g. http://127.0.0.1:40123/v1 */
  readonly baseURL: string;
  /** Every chat completion request body received, in order. */
  readonly requests: ChatCompletionRequest[];
  close(): Promise<void>;
}

let completionCounter = 0;

function chatCompletion(request: ChatCompletionRequest) {
  const last = request.messages[request.messages.length - 1];
  const wantsTool = (request.tools?.length ?? 0) > 0 && last?.role === 'user';
  const { usage, message, finishReason } = wantsTool
    ? {
        usage: CANNED.toolCall.usage,
        finishReason: 'tool_calls',
        message: {
          role: 'assistant',
          content: null,
          tool_calls: [{
            id: CANNED.toolCall.id,
            type: 'function',
            function: { name: CANNED.toolCall.name, arguments: JSON.stringify(CANNED.toolCall.arguments) },
          }],
          refusal: null,
          annotations: [],
        },
      }
    : {
        usage: CANNED.text.usage,
        finishReason: 'stop',
        message: { role: 'assistant', content: CANNED.text.content, refusal: null, annotations: [] },
      };
  completionCounter += 1;
  return {
    id: `chatcmpl-BfakeLocal${String(completionCounter).padStart(6, '0')}`,
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model: RESPONSE_MODEL,
    choices: [{ index: 0, message, logprobs: null, finish_reason: finishReason }],
    usage: {
      ...usage,
      prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
      completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
    },
    service_tier: 'default',
    system_fingerprint: 'fp_b8bc95a0ac',
  };
}

function reply(res: ServerResponse, status: number, body: unknown): void {
  const payload = Buffer.from(JSON.stringify(body));
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': payload.length,
    'x-request-id': `req_local_${completionCounter}`,
  });
  res.end(payload);
}

/**
 * An answer as server-sent events, the way the API streams one: a role chunk, a content chunk
 * (or, when the request offers tools and the user spoke last, the tool call's chunks), a finish
 * chunk, and the usage chunk only when the request asked for it (stream_options.include_usage).
 */
function stream(res: ServerResponse, request: ChatCompletionRequest): void {
  completionCounter += 1;
  const base = { id: `chatcmpl-BfakeLocal${String(completionCounter).padStart(6, '0')}`, object: 'chat.completion.chunk', created: Math.floor(Date.now() / 1000), model: RESPONSE_MODEL };
  const askedForUsage = (request.stream_options as { include_usage?: boolean } | undefined)?.include_usage === true;
  const choice = (delta: object, finish: string | null) => ({ ...base, choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }], ...(askedForUsage ? { usage: null } : {}) });
  const last = request.messages[request.messages.length - 1];
  const wantsTool = (request.tools?.length ?? 0) > 0 && last?.role === 'user';
  const { id, name, arguments: args } = CANNED.toolCall;
  const chunks: object[] = wantsTool
    ? [
        choice({ role: 'assistant', content: null, tool_calls: [{ index: 0, id, type: 'function', function: { name, arguments: '' } }] }, null),
        choice({ tool_calls: [{ index: 0, function: { arguments: JSON.stringify(args) } }] }, null),
        choice({}, 'tool_calls'),
      ]
    : [
        choice({ role: 'assistant', content: '' }, null),
        choice({ content: CANNED.text.content }, null),
        choice({}, 'stop'),
      ];
  if (askedForUsage) chunks.push({ ...base, choices: [], usage: wantsTool ? CANNED.toolCall.usage : CANNED.text.usage });
  res.writeHead(200, { 'content-type': 'text/event-stream', 'x-request-id': `req_local_${completionCounter}` });
  res.end(`${chunks.map((c) => `data: ${JSON.stringify(c)}\n\n`).join('')}data: [DONE]\n\n`);
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString('utf8'));
}

export async function startFakeOpenAiServer(): Promise<FakeOpenAiServer> {
  const requests: ChatCompletionRequest[] = [];
  const server = createServer((req, res) => {
    if (req.method !== 'POST' || req.url !== '/v1/chat/completions') {
      reply(res, 404, { error: { message: `Unknown request URL: ${req.method} ${req.url}`, type: 'invalid_request_error', code: 'unknown_url' } });
      return;
    }
    readJson(req).then(
      (body) => {
        const request = body as ChatCompletionRequest;
        requests.push(request);
        if (request.stream) {
          stream(res, request);
          return;
        }
        reply(res, 200, chatCompletion(request));
      },
      (error: Error) => reply(res, 400, { error: { message: `bad JSON body: ${error.message}`, type: 'invalid_request_error' } }),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    baseURL: `http://127.0.0.1:${port}/v1`,
    requests,
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}
