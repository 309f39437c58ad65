// Plain HTTP/1.1 over loopback for the stress sections: keep-alive posting with a deadline per
// request, and the query API.
import { Agent, IncomingHttpHeaders, OutgoingHttpHeaders, request } from 'node:http';

export interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
  /** From sending the request to the last byte of the answer. */
  ms: number;
}

export class RequestTimeout extends Error {}

export interface SendOptions {
  method?: string;
  headers?: OutgoingHttpHeaders;
  body?: Buffer;
  agent?: Agent | false;
  /** The request fails with RequestTimeout past this (a hang is a failure, never a wait). */
  timeoutMs?: number;
}

export function send(port: number, path: string, options: SendOptions = {}): Promise<Reply> {
  const begin = process.hrtime.bigint();
  const body = options.body;
  const headers: OutgoingHttpHeaders = { host: `127.0.0.1:${port}`, ...options.headers };
  if (body) headers['content-length'] = body.length;
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method: options.method ?? (body ? 'POST' : 'GET'), headers, agent: options.agent ?? false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({
          status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks),
          ms: Number(process.hrtime.bigint() - begin) / 1e6,
        }));
        res.on('error', reject);
      });
    req.setTimeout(options.timeoutMs ?? 30_000, () => req.destroy(new RequestTimeout(`${path} got no answer in ${options.timeoutMs ?? 30_000} ms`)));
    req.on('error', reject);
    req.end(body);
  });
}

export async function getJson<T>(port: number, path: string, agent?: Agent): Promise<T> {
  const reply = await send(port, path, { agent, timeoutMs: 60_000 });
  if (reply.status !== 200) throw new Error(`GET ${path} answered ${reply.status}: ${reply.body.toString().slice(0, 200)}`);
  return JSON.parse(reply.body.toString()) as T;
}

export interface Stats {
  traces: number;
  spans: number;
  errorTraces: number;
  rejectedSpans: number;
  evictedTraces: number;
  memoryBytes: number;
  memoryCapBytes?: number;
  receivedRequests: number;
}

export const stats = (port: number) => getJson<Stats>(port, '/api/stats');

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls /api/stats back to back; the longest answer while `work` runs is the longest stall it caused. */
export async function longestApiWait(port: number, work: () => Promise<unknown>): Promise<number> {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  let running = true;
  let longest = 0;
  const probe = (async () => {
    while (running) {
      const reply = await send(port, '/api/stats', { agent, timeoutMs: 60_000 }).catch(() => undefined);
      if (reply) longest = Math.max(longest, reply.ms);
      await sleep(5);
    }
  })();
  await sleep(50);
  const baseline = longest;
  try {
    await work();
    await sleep(200); // work the engine does after answering
  } finally {
    running = false;
    await probe;
    agent.destroy();
  }
  return Math.max(longest, baseline);
}
