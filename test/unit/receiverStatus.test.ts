import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:net';
import { receiverProblem, startEngine } from '../../src/engine/engine';

/** A plain TCP listener standing in for another program that holds a port. */
async function holdPort(): Promise<{ server: Server; port: number }> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as { port: number }).port };
}

describe('receiver status when a receiver cannot start', () => {
  for (const protocol of ['http', 'grpc'] as const) {
    it(`names the ${protocol} receiver and its port when another process holds it`, async () => {
      const held = await holdPort();
      try {
        const ports = protocol === 'http' ? { httpPort: held.port, grpcPort: 0 } : { httpPort: 0, grpcPort: held.port };
        const error = await startEngine({ host: '127.0.0.1', ...ports }).then(
          async (engine) => { await engine.close(); return undefined; },
          (e: unknown) => e);
        assert.ok(error, 'the engine did not start');
        const problem = receiverProblem(error);
        assert.equal(problem.protocol, protocol);
        assert.equal(problem.port, held.port);
        assert.equal(problem.portInUse, true);
        assert.match(problem.message, new RegExp(`port ${held.port} \\(OTLP/${protocol === 'http' ? 'HTTP' : 'gRPC'}\\)`));
      } finally {
        held.server.close();
      }
    });
  }

  it('says only the message for a failure that is no receiver\'s', () => {
    assert.deepEqual(receiverProblem(new Error('disk full')), { message: 'disk full', portInUse: false });
  });
});
