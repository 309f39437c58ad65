// A worker thread of the engine for work that cannot be sliced (one JSON.parse of 50 MB, one
// mask of a 60 MB prompt): both sides of it. The engine's side starts the worker at its first
// request and matches replies to requests; the worker's side answers them one at a time. What
// crosses is bytes moved whole (transferred, not copied) wherever it can be.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parentPort, Worker } from 'node:worker_threads';
import type { RedactionPattern } from '../../shared/redaction';
import { Redactor } from '../normalize/redaction';

interface Envelope<T> {
  id: number;
  message?: T;
  /** The worker failed on the request in a way its handler did not answer. */
  failed?: string;
}

/** Every worker thread of this process, for stopWorkerThreads(). */
const threads = new Set<WorkerThread<unknown, unknown>>();

/**
 * Stops every worker thread of this process (the engine is closing): requests still waiting are
 * refused at once, not waited for. A later request starts its thread again.
 */
export function stopWorkerThreads(): void {
  for (const thread of threads) thread.close();
}

/** The engine's side of one worker thread (started at the first request). */
export class WorkerThread<Request, Reply> {
  private worker?: Worker;
  private readonly waiting = new Map<number, { resolve: (reply: Reply) => void; reject: (error: Error) => void }>();
  private nextId = 0;

  /**
   * `name`: the built worker's name beside the bundle (dist/NAME.js); `source`: its .ts file,
   * run through tsx when the engine runs from source (tests).
   */
  constructor(private readonly name: string, private readonly source: string) {
    threads.add(this as WorkerThread<unknown, unknown>);
  }

  /** Sends a request; the buffers in `transfer` move to the worker (they are empty here afterwards). */
  request(request: Request, transfer: ArrayBuffer[] = []): Promise<Reply> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const worker = this.started();
      this.waiting.set(id, { resolve, reject });
      // A waiting request keeps the process alive (a CLI import has nothing else to); an idle worker does not.
      worker.ref();
      worker.postMessage({ id, message: request } satisfies Envelope<Request>, transfer);
    });
  }

  /** Stops the worker; requests still waiting are refused. */
  close(): void {
    const worker = this.worker;
    if (!worker) return;
    this.worker = undefined;
    this.failAll(new Error(`the ${this.name} thread was stopped: the engine is closing`));
    void worker.terminate();
  }

  private failAll(error: Error): void {
    const jobs = [...this.waiting.values()];
    this.waiting.clear();
    for (const job of jobs) job.reject(error);
  }

  private started(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(...this.script());
    worker.on('message', ({ id, message, failed }: Envelope<Reply>) => {
      const job = this.waiting.get(id);
      if (!job) return;
      this.waiting.delete(id);
      if (!this.waiting.size) worker.unref();
      if (failed !== undefined) job.reject(new Error(`work off the event loop failed: ${failed}`));
      else job.resolve(message!);
    });
    const failed = (error: Error) => {
      if (this.worker !== worker) return; // stopped by close(), which refused its requests
      this.worker = undefined; // the next request starts a new one
      this.failAll(error);
    };
    worker.on('error', (error) => failed(new Error(`the ${this.name} thread failed: ${error.message}`)));
    worker.on('exit', (code) => failed(new Error(`the ${this.name} thread stopped (exit code ${code})`)));
    // Idle, the worker must not keep the process alive (after the listeners: adding a 'message'
    // listener refs it again); request() refs it while a request waits.
    worker.unref();
    this.worker = worker;
    return worker;
  }

  private script(): [string, { eval?: boolean }] {
    const built = join(__dirname, `${this.name}.js`);
    if (existsSync(built)) return [built, {}];
    return [`require('tsx/cjs'); require(${JSON.stringify(this.source)});`, { eval: true }];
  }
}

/** The worker's side: answers each request with `handle`'s reply, moving the buffers it names. */
export function serveRequests<Request, Reply>(handle: (request: Request) => { reply: Reply; transfer?: ArrayBuffer[] }): void {
  parentPort!.on('message', ({ id, message }: Envelope<Request>) => {
    let answer: { reply: Reply; transfer?: ArrayBuffer[] };
    try {
      answer = handle(message!);
    } catch (error) {
      parentPort!.postMessage({ id, failed: (error as Error).message } satisfies Envelope<Reply>);
      return;
    }
    parentPort!.postMessage({ id, message: answer.reply } satisfies Envelope<Reply>, answer.transfer ?? []);
  });
}

let redactor: { key: string; redactor: Redactor } | undefined;

/** In a worker: the redactor for these patterns (kept while the patterns stay the same). */
export function redactorFor(patterns: RedactionPattern[] | undefined): Redactor | undefined {
  if (!patterns?.length) return undefined;
  const key = JSON.stringify(patterns);
  if (redactor?.key !== key) redactor = { key, redactor: new Redactor(patterns) };
  return redactor.redactor;
}

/** Bytes that own their memory whole, so they can be transferred (a small Buffer shares a pool; copied then). */
export function ownedBytes(bytes: Uint8Array): Uint8Array {
  return bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? new Uint8Array(bytes.buffer) : new Uint8Array(bytes);
}
