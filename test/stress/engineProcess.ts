// The engine as users run it: `node dist/cli.js serve` in its own process, on free loopback ports.
import { ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const CLI = join(__dirname, '..', '..', 'dist', 'cli.js');
/** node --require this to measure the engine's event-loop stalls from inside (longestStall). */
export const STALL_PROBE = join(__dirname, 'stallProbe.cjs');

export interface EngineExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export class EngineProcess {
  httpPort = 0;
  grpcPort: number | null = null;
  /** Everything the engine wrote to stdout and stderr so far. */
  stdout = '';
  stderr = '';
  readonly exited: Promise<EngineExit>;

  private constructor(readonly child: ChildProcess) {
    child.stdout!.on('data', (chunk: Buffer) => { this.stdout += chunk.toString(); });
    child.stderr!.on('data', (chunk: Buffer) => { this.stderr += chunk.toString(); });
    this.exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  }

  get pid(): number {
    return this.child.pid!;
  }

  /** Runs the CLI with these arguments; `uid`/`gid` run it as another user (permission faults). */
  static spawn(args: string[], options: { uid?: number; gid?: number; nodeArgs?: string[] } = {}): EngineProcess {
    // STRESS_ENGINE_NODE_ARGS tries V8 flags on the engine (e.g. "--max-semi-space-size=64").
    const nodeArgs = [...(process.env.STRESS_ENGINE_NODE_ARGS?.split(' ').filter(Boolean) ?? []), ...(options.nodeArgs ?? [])];
    const child = spawn(process.execPath, [...nodeArgs, CLI, ...args],
      { stdio: ['ignore', 'pipe', 'pipe'], uid: options.uid, gid: options.gid });
    return new EngineProcess(child);
  }

  /** `serve` on free ports; resolves once it listens, rejects with its output if it exits first. */
  static async serve(args: string[], options: { uid?: number; gid?: number; nodeArgs?: string[] } = {}): Promise<EngineProcess> {
    const engine = EngineProcess.spawn(['serve', '--port', '0', '--grpc-port', '0', ...args], options);
    await engine.listening();
    return engine;
  }

  private listening(): Promise<void> {
    return new Promise((resolve, reject) => {
      const onData = () => {
        const http = /OTLP\/HTTP\s+http:\/\/[^:]+:(\d+)\//.exec(this.stdout);
        const grpc = /OTLP\/gRPC\s+(off|\S+:(\d+))/.exec(this.stdout);
        if (!http || !grpc) return;
        this.httpPort = Number(http[1]);
        this.grpcPort = grpc[2] ? Number(grpc[2]) : null;
        this.child.stdout!.off('data', onData);
        resolve();
      };
      this.child.stdout!.on('data', onData);
      void this.exited.then((exit) => reject(new Error(`engine exited (${exit.code ?? exit.signal}) before listening:\n${this.stdout}${this.stderr}`)));
    });
  }

  /**
   * The event loop's longest stall while `work` runs and 200 ms after, in ms: as a clock saw it
   * (`wall`), and the most the engine's thread itself ran without a turn of its loop (`ran`; the
   * rest of a wall stall it waited for a CPU), and its longest garbage collection by the clock (`gc`).
   * The engine must run with STALL_PROBE.
   */
  async longestStall(work: () => Promise<unknown>): Promise<{ wall: number; ran: number; gc: number }> {
    await this.stallSinceLastAsked();
    await work();
    await new Promise((resolve) => setTimeout(resolve, 200)); // work the engine does after answering
    return this.stallSinceLastAsked();
  }

  private stallSinceLastAsked(): Promise<{ wall: number; ran: number; gc: number }> {
    const from = this.stderr.length;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('the engine did not answer the stall probe (is it running with STALL_PROBE?)')), 60_000);
      const check = () => {
        const found = /stall-probe ([\d.]+) ([\d.]+) ([\d.]+)\n/.exec(this.stderr.slice(from));
        if (!found) return;
        clearTimeout(timer);
        this.child.stderr!.off('data', check);
        resolve({ wall: Number(found[1]), ran: Number(found[2]), gc: Number(found[3]) });
      };
      this.child.stderr!.on('data', check);
      this.child.kill('SIGUSR2');
    });
  }

  /** Resident memory now and at its peak, in bytes (Linux /proc). */
  memory(): { rss: number; peakRss: number } {
    const status = readFileSync(`/proc/${this.pid}/status`, 'utf8');
    const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN) * 1024;
    return { rss: kb('VmRSS'), peakRss: kb('VmHWM') };
  }

  /** SIGTERM (a clean stop) and wait; SIGKILL if it does not stop within the grace time. */
  async stop(graceMs = 10_000): Promise<EngineExit> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return this.exited;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    const exit = await this.exited;
    clearTimeout(timer);
    return exit;
  }

  /** kill -9: no chance to flush or close anything. */
  async crash(): Promise<EngineExit> {
    this.child.kill('SIGKILL');
    return this.exited;
  }
}
