// "Another process" on a port, as far as the engine can tell: a plain TCP server that hangs up
// on whoever connects. Used inside the extension host and by the runner.
import { createServer, Server, Socket } from 'node:net';

export class PortHolder {
  private readonly sockets = new Set<Socket>();
  readonly port: number;

  private constructor(private readonly server: Server) {
    this.port = (server.address() as { port: number }).port;
    server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
      socket.end();
    });
  }

  /** Holds a free port the OS picks. */
  static start(): Promise<PortHolder> {
    return new Promise((resolve, reject) => {
      const server = createServer();
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve(new PortHolder(server)));
    });
  }

  /** Lets the port go, dropping connections a client keeps open. */
  release(): Promise<void> {
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      for (const socket of this.sockets) socket.destroy();
    });
  }
}

/** A port that was free a moment ago: held and released again. */
export async function recentlyFreePort(): Promise<number> {
  const holder = await PortHolder.start();
  await holder.release();
  return holder.port;
}
