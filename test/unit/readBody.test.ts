// The idle-body timer judges the client, not the engine: after the engine's own thread was busy
// for longer than the timeout, bytes already waiting in the socket still count.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { connect } from 'node:net';
import type { AddressInfo } from 'node:net';
import { readBody } from '../../src/engine/otlp/readBody';

describe('reading a request body', () => {
  let server: Server;
  afterEach(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('is not timed out (408) for the engine\'s own stall when the rest of the body is already waiting', async () => {
    const idleMs = 50;
    let gotFirstPart!: () => void;
    const firstPart = new Promise<void>((resolve) => { gotFirstPart = resolve; });
    const outcome = new Promise<string>((resolve) => {
      server = createServer((req, res) => {
        req.once('data', () => gotFirstPart());
        readBody(req, 1 << 20, undefined, idleMs).then((body) => resolve(`read ${body.length}`), (error: Error) => resolve(error.constructor.name));
        res.end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const socket = connect((server.address() as AddressInfo).port, '127.0.0.1');
    await new Promise((resolve) => socket.once('connect', resolve));
    socket.write('POST /v1/traces HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 10\r\n\r\n12345');
    await firstPart;
    // The rest goes into the kernel's socket buffer at once; then this thread is busy for four
    // idle periods, as an engine starved of CPU would be, before the loop reads it.
    await new Promise<void>((resolve) => socket.write('67890', () => resolve()));
    const busyUntil = Date.now() + 4 * idleMs;
    while (Date.now() < busyUntil) { /* the engine's thread, busy */ }
    assert.equal(await outcome, 'read 10');
    socket.destroy();
  });
});
