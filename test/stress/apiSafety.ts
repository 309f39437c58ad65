// API safety: every route (OTLP receiver and /api/*) refuses foreign Host headers (DNS
// rebinding) and cross-origin browser requests, with no CORS headers; the engine run with its
// defaults listens on loopback only (its sockets read from /proc/net, and a connection from
// this machine's other addresses is refused).
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { connect } from 'node:net';
import { networkInterfaces } from 'node:os';
import { EngineProcess } from './engineProcess';
import type { Section } from './figures';
import { send, stats } from './http';
import { RequestTemplate } from './workload';

interface Route {
  method: string;
  path: string;
  body?: Buffer;
  contentType?: string;
}

export async function runApiSafety(section: Section): Promise<void> {
  const template = await RequestTemplate.build(['normal']);
  const engine = await EngineProcess.serve([]);
  try {
    const port = engine.httpPort;
    const traceId = template.traceId(1, 0);
    const body = template.render('protobuf', 1);
    const routes: Route[] = [
      { method: 'POST', path: '/v1/traces', body, contentType: 'application/x-protobuf' },
      { method: 'POST', path: '/v1/traces', body: template.render('json', 2), contentType: 'application/json' },
      { method: 'POST', path: '/v1/logs', body: Buffer.from('{}'), contentType: 'application/json' },
      { method: 'OPTIONS', path: '/v1/traces' },
      { method: 'GET', path: '/api/stats' },
      { method: 'GET', path: '/api/traces' },
      { method: 'GET', path: '/api/traces?q=refund&sort=cost' },
      { method: 'GET', path: `/api/traces/${traceId}` },
      { method: 'GET', path: `/api/traces/${traceId}/otlp` },
      { method: 'DELETE', path: '/api/traces' },
      { method: 'GET', path: '/no/such/route' },
    ];
    // A trace to read, sent the way a local exporter would.
    await send(port, '/v1/traces', { body, headers: { 'content-type': 'application/x-protobuf' } });
    const attacks: Record<string, Record<string, string>> = {
      'foreign Host': { host: 'evil.example' },
      'foreign Host with our port': { host: `evil.example:${port}` },
      'Host that only starts like loopback': { host: `127.0.0.1.evil.example:${port}` },
      'Host 0.0.0.0': { host: `0.0.0.0:${port}` },
      'cross-origin Origin': { origin: 'http://evil.example' },
      'Origin null (sandboxed page, file://)': { origin: 'null' },
      'Origin of another local port': { origin: `http://127.0.0.1:${port + 1}` },
      'Origin https on our port': { origin: `https://127.0.0.1:${port}` },
      'Sec-Fetch-Site: cross-site': { 'sec-fetch-site': 'cross-site' },
    };
    const before = await stats(port);
    let refused = 0;
    const leaks: string[] = [];
    for (const route of routes) {
      for (const [attack, headers] of Object.entries(attacks)) {
        const reply = await send(port, route.path, {
          method: route.method, body: route.body, timeoutMs: 10_000,
          headers: { ...(route.contentType ? { 'content-type': route.contentType } : {}), ...headers },
        });
        const cors = Object.keys(reply.headers).filter((h) => h.startsWith('access-control-'));
        if (reply.status === 403 && cors.length === 0) refused++;
        else leaks.push(`${attack} on ${route.method} ${route.path}: ${reply.status}${cors.length ? ` with ${cors.join(',')}` : ''}`);
      }
      const missingHost = await rawRequestWithoutHost(port, route);
      if (missingHost === 403) refused++;
      else leaks.push(`no Host header on ${route.method} ${route.path}: ${missingHost}`);
    }
    const after = await stats(port);
    const total = routes.length * (Object.keys(attacks).length + 1);
    section.figure('refusal checks (routes x foreign Host / Origin headers)', `${refused} of ${total} refused with 403, no CORS headers`);
    section.check('every route refuses foreign Host and cross-origin requests', leaks.length === 0, leaks.slice(0, 5).join('; '));
    section.check('refused POSTs stored nothing', after.receivedRequests === before.receivedRequests && after.spans === before.spans,
      `${after.receivedRequests - before.receivedRequests} request(s) got in`);
    const control = await send(port, `/api/traces/${traceId}`, { headers: { host: `localhost:${port}` } });
    section.check('the same routes serve a loopback client (control)', control.status === 200, `GET /api/traces/{id} answered ${control.status}`);

    // Browsers speak HTTP/1.1 (or gRPC-Web), never raw gRPC over HTTP/2: the gRPC port must not take that.
    const browserToGrpc = await send(engine.grpcPort!, '/opentelemetry.proto.collector.trace.v1.TraceService/Export', {
      body, timeoutMs: 10_000, headers: { origin: 'http://evil.example', 'content-type': 'application/grpc-web+proto' },
    }).then((reply) => `HTTP ${reply.status}`, (error: Error) => `refused (${(error as NodeJS.ErrnoException).code ?? error.message})`);
    section.figure('a browser-style gRPC-Web POST to the gRPC port', browserToGrpc);
    section.check('the gRPC port does not serve browser (HTTP/1.1, gRPC-Web) requests', !browserToGrpc.startsWith('HTTP 2'));
    const listening = listeningAddresses(engine.pid);
    section.figure('listening sockets of `serve` with defaults', listening.join(', '));
    section.check('nothing listens beyond loopback by default', listening.length >= 2 && listening.every(isLoopback), listening.join(', '));
    const external = Object.values(networkInterfaces()).flat().find((a) => a && !a.internal && a.family === 'IPv4')?.address;
    if (external) {
      const reachable = await Promise.all([engine.httpPort, engine.grpcPort!].map((p) => canConnect(external, p)));
      section.check(`the ports refuse connections on this machine's address ${external}`, reachable.every((r) => !r));
    }
  } finally {
    await engine.stop();
  }
}

/** An HTTP/1.0 request with no Host header at all, over a raw socket; returns the status. */
function rawRequestWithoutHost(port: number, route: Route): Promise<number> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let answer = '';
    socket.on('connect', () => {
      const head = `${route.method} ${route.path} HTTP/1.0\r\n${route.contentType ? `Content-Type: ${route.contentType}\r\n` : ''}Content-Length: ${route.body?.length ?? 0}\r\n\r\n`;
      socket.end(Buffer.concat([Buffer.from(head), route.body ?? Buffer.alloc(0)]));
    });
    socket.on('data', (chunk: Buffer) => { answer += chunk.toString('latin1'); });
    socket.on('close', () => resolve(Number(/^HTTP\/1\.\d (\d{3})/.exec(answer)?.[1] ?? 0)));
    socket.on('error', () => resolve(0));
  });
}

/** host:port of every TCP socket the process listens on, from /proc/net/tcp{,6}. */
function listeningAddresses(pid: number): string[] {
  const inodes = new Set<string>();
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      const target = readlinkSync(`/proc/${pid}/fd/${fd}`);
      const inode = /^socket:\[(\d+)\]$/.exec(target)?.[1];
      if (inode) inodes.add(inode);
    } catch {
      // fds come and go
    }
  }
  const found: string[] = [];
  for (const table of ['tcp', 'tcp6', 'udp', 'udp6']) {
    const lines = readFileSync(`/proc/net/${table}`, 'utf8').trim().split('\n').slice(1);
    for (const line of lines) {
      const cols = line.trim().split(/\s+/);
      const [address, portHex] = cols[1].split(':');
      const listening = table.startsWith('udp') || cols[3] === '0A';
      if (listening && inodes.has(cols[9])) found.push(`${table} ${decodeAddress(address)}:${parseInt(portHex, 16)}`);
    }
  }
  return found;
}

/** /proc/net addresses are hex in host (little-endian) byte order, 32-bit word by word. */
function decodeAddress(hex: string): string {
  const words = hex.match(/.{8}/g)!.map((w) => Buffer.from(w, 'hex').reverse());
  const bytes = Buffer.concat(words);
  if (bytes.length === 4) return [...bytes].join('.');
  const groups = Array.from({ length: 8 }, (_, i) => bytes.readUInt16BE(i * 2).toString(16));
  return `[${groups.join(':').replace(/(^|:)0(:0)+(:|$)/, '::')}]`;
}

function isLoopback(listening: string): boolean {
  const address = listening.split(' ')[1];
  return address.startsWith('127.') || address.startsWith('[::1]') || address.startsWith('[::ffff:7f');
}

function canConnect(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, host);
    socket.setTimeout(2000, () => { socket.destroy(); resolve(false); });
    socket.on('connect', () => { socket.destroy(); resolve(true); });
    socket.on('error', () => resolve(false));
  });
}
