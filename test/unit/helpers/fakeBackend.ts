// A loopback HTTP server standing in for a team backend (Tempo, Jaeger, Phoenix, Langfuse): it
// answers each path with a canned response (taken from the project's own repository, see
// test/fixtures/README.md) and records every request, so tests can check what was asked and that
// nothing was asked at all.
import { createServer, IncomingHttpHeaders, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FIXTURES } from './rawSpans';

export interface CannedAnswer {
  status?: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** Never answer (a backend that hangs). */
  hang?: boolean;
}

export interface FakeBackend {
  url: string;
  requests: { url: URL; headers: IncomingHttpHeaders }[];
  /** Answers for a path (without query), or a function of the request's URL; anything else answers 404. */
  answers: Map<string, CannedAnswer | ((url: URL) => CannedAnswer)>;
  close(): Promise<void>;
}

export function backendFixture(name: string): unknown {
  return JSON.parse(readFileSync(join(FIXTURES, 'backends', name), 'utf8'));
}

export async function startFakeBackend(answers: Record<string, CannedAnswer | ((url: URL) => CannedAnswer)> = {}): Promise<FakeBackend> {
  const fake = { requests: [], answers: new Map(Object.entries(answers)) } as unknown as FakeBackend;
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://backend');
    fake.requests.push({ url, headers: req.headers });
    req.resume();
    const canned = fake.answers.get(url.pathname) ?? { status: 404, body: { error: 'not found' } };
    const answer = typeof canned === 'function' ? canned(url) : canned;
    if (answer.hang) return;
    const body = typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body ?? {});
    res.writeHead(answer.status ?? 200, { 'Content-Type': 'application/json', ...answer.headers });
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  fake.close = () => new Promise((resolve) => { server.close(() => resolve()); server.closeAllConnections(); });
  return fake;
}
