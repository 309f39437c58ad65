import type { ServerResponse } from 'node:http';

/** Writes a complete response; never with CORS headers, never cacheable (traces are private). */
export function send(res: ServerResponse, code: number, contentType: string, body: Buffer): void {
  res.writeHead(code, {
    'Content-Type': contentType,
    'Content-Length': body.length,
    'X-Content-Type-Options': 'nosniff',
    'Cache-Control': 'no-store',
  });
  res.end(body);
}
