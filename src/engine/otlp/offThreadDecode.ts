// Large request bodies are decoded, checked and masked on a worker thread, which hands them back
// as OTLP protobuf that the engine's thread then decodes and indexes in slices. Parsing 64 MB of
// JSON, or masking one 60 MB prompt, is one call that cannot be sliced: on the engine's thread it
// would hold every query (and the editor) for up to seconds. Protobuf comes back because bytes
// cross threads whole (transferred, not copied), where decoded spans would be cloned object by
// object on arrival: a stall of its own. With redaction on, the masked protobuf is also what the
// store keeps.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { RedactionPattern } from '../../shared/redaction';
import type { Encoding, Signal } from './decoders';
import { DecodeError } from './protoReader';

/** Bodies from this size go to the worker; smaller ones decode on the engine's thread in a few milliseconds. */
export const OFF_THREAD_BYTES = 2 * 1024 * 1024;

export interface TranscodeRequest {
  id: number;
  signal: Signal;
  encoding: Encoding;
  body: Uint8Array;
  /** Masked in the worker when set: the engine's thread must not mask the result again. */
  redaction?: RedactionPattern[];
}

export interface TranscodeReply {
  id: number;
  /** The request as OTLP protobuf, masked if asked, without the spans it refused. */
  body?: Uint8Array;
  rejected: number;
  rejectReasons: string[];
  error?: string;
  /** The body is not a valid request (→ 400). */
  invalid?: boolean;
}

export interface Transcoded {
  body: Buffer;
  /** Masked with the redaction patterns it was asked for. */
  masked: boolean;
  rejected: number;
  rejectReasons: string[];
}

export class OffThreadDecoder {
  private worker?: Worker;
  private readonly waiting = new Map<number, { resolve: (result: Omit<Transcoded, 'masked'>) => void; reject: (error: Error) => void }>();
  private nextId = 0;

  /**
   * The request as protobuf (masked with `redaction`); rejects with DecodeError when it is not a
   * valid request. Unless `keepBody`, the body's memory moves to the worker when the body owns it
   * whole (it is empty afterwards): copying 64 MB took up to 200 ms on a busy machine.
   */
  transcode(signal: Signal, encoding: Encoding, body: Buffer, options: { redaction?: RedactionPattern[]; keepBody: boolean }): Promise<Transcoded> {
    const id = this.nextId++;
    const movable = !options.keepBody && body.byteOffset === 0 && body.byteLength === body.buffer.byteLength;
    const bytes = movable ? new Uint8Array(body.buffer) : new Uint8Array(body);
    const request: TranscodeRequest = { id, signal, encoding, body: bytes, redaction: options.redaction };
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve: (result) => resolve({ ...result, masked: !!options.redaction?.length }), reject });
      this.started().postMessage(request, [bytes.buffer as ArrayBuffer]);
    });
  }

  close(): void {
    void this.worker?.terminate();
    this.worker = undefined;
  }

  private started(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(...workerScript());
    worker.on('message', (reply: TranscodeReply) => {
      const job = this.waiting.get(reply.id);
      if (!job) return;
      this.waiting.delete(reply.id);
      if (reply.body) {
        job.resolve({ body: Buffer.from(reply.body.buffer, reply.body.byteOffset, reply.body.byteLength), rejected: reply.rejected, rejectReasons: reply.rejectReasons });
      } else {
        job.reject(reply.invalid ? new DecodeError(reply.error) : new Error(`decoding off the event loop failed: ${reply.error}`));
      }
    });
    const failAll = (error: Error) => {
      if (this.worker === worker) this.worker = undefined; // the next request starts a new one
      for (const job of this.waiting.values()) job.reject(error);
      this.waiting.clear();
    };
    worker.on('error', (error) => failAll(new Error(`the decoding worker failed: ${error.message}`)));
    worker.on('exit', (code) => failAll(new Error(`the decoding worker stopped (exit code ${code})`)));
    // Pending requests keep the process alive through their receivers, not through the worker
    // (after the listeners: adding a 'message' listener refs it again).
    worker.unref();
    this.worker = worker;
    return worker;
  }
}

/** The built worker beside the bundle (dist/decodeWorker.js), or its source when the engine runs from source (tests, through tsx). */
function workerScript(): [string, { eval?: boolean }] {
  const built = join(__dirname, 'decodeWorker.js');
  if (existsSync(built)) return [built, {}];
  const source = join(__dirname, 'decodeWorker.ts');
  return [`require('tsx/cjs'); require(${JSON.stringify(source)});`, { eval: true }];
}
