// Reads a request body, inflating gzip on the fly and stopping the moment the decompressed
// size passes the limit, so a gzip bomb costs a few kilobytes of work, not gigabytes.
import type { IncomingMessage } from 'node:http';
import { createGunzip, createInflate } from 'node:zlib';
import type { AdmissionTicket } from './admission';

export class BodyTooLargeError extends Error {}
export class BadEncodingError extends Error {}
/** The body outgrew what admission control left for it (→ retry later). */
export class BodyOverBudgetError extends Error {}
/** The body stopped arriving (→ 408): a stalled upload must not hold memory or a socket forever. */
export class BodyTimeoutError extends Error {}

/**
 * The body, decompressed; its bytes are accounted on the ticket as they arrive. It fails when no
 * byte arrives for `idleMs`.
 */
export function readBody(req: IncomingMessage, maxBytes: number, ticket?: AdmissionTicket, idleMs = 10_000): Promise<Buffer> {
  const encoding = (req.headers['content-encoding'] ?? 'identity').toLowerCase().trim();
  const declared = Number(req.headers['content-length']);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    let idle: NodeJS.Timeout | undefined;
    const fail = (error: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(idle);
      req.unpipe();
      req.resume(); // drain what is left so the connection can answer
      reject(error);
    };
    if (encoding === 'identity' && declared > maxBytes) {
      fail(new BodyTooLargeError(`request body of ${declared} bytes is over the ${maxBytes}-byte limit`));
      return;
    }
    let source: NodeJS.ReadableStream = req;
    if (encoding === 'gzip' || encoding === 'x-gzip' || encoding === 'deflate') {
      const inflater = encoding === 'deflate' ? createInflate() : createGunzip();
      inflater.on('error', (error) => fail(new BadEncodingError(`body is not valid ${encoding}: ${error.message}`)));
      source = req.pipe(inflater);
      req.on('error', fail);
    } else if (encoding !== 'identity') {
      fail(new BadEncodingError(`unsupported Content-Encoding "${encoding}" (use gzip or none)`));
      return;
    }
    const stop = (error: Error) => {
      if (source !== req) (source as NodeJS.ReadableStream & { destroy(): void }).destroy();
      fail(error);
    };
    let arrivals = 0;
    const stalled = () => {
      // Timers run before the loop reads sockets: after the engine's thread was busy for longer
      // than idleMs, bytes may be waiting unread. Look after this turn's reads, then judge.
      const seen = arrivals;
      setImmediate(() => {
        if (settled || arrivals !== seen) return; // it arrived: alive() set the timer again
        // What is left is not drained: the client stopped sending (the receiver closes the connection).
        settled = true;
        req.unpipe();
        reject(new BodyTimeoutError(`no part of the body arrived for ${idleMs} ms`));
      });
    };
    const alive = () => {
      clearTimeout(idle);
      idle = setTimeout(stalled, idleMs);
      idle.unref();
    };
    alive();
    req.on('data', () => {
      arrivals++;
      if (!settled) alive();
    });
    source.on('data', (chunk: Buffer) => {
      if (settled) return;
      size += chunk.length;
      if (size > maxBytes) return stop(new BodyTooLargeError(`decompressed request body is over the ${maxBytes}-byte limit`));
      if (ticket && !ticket.grow(size)) {
        return stop(new BodyOverBudgetError(`the receiver is busy: a ${size}-byte body does not fit beside the requests in flight`));
      }
      chunks.push(chunk);
    });
    source.on('end', () => {
      if (settled) return;
      settled = true;
      clearTimeout(idle);
      resolve(Buffer.concat(chunks, size));
    });
    source.on('error', fail);
  });
}
