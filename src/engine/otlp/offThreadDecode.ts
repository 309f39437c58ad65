// Large request bodies are decoded, checked and masked on a worker thread, which hands them back
// as OTLP protobuf that the engine's thread then decodes and indexes in slices. Parsing 64 MB of
// JSON, or masking one 60 MB prompt, is one call that cannot be sliced: on the engine's thread it
// would hold every query (and the editor) for up to seconds. Protobuf comes back because bytes
// cross threads whole (transferred, not copied), where decoded spans would be cloned object by
// object on arrival: a stall of its own. With redaction on, the masked protobuf is also what the
// store keeps.
import { join } from 'node:path';
import type { RedactionPattern } from '../../shared/redaction';
import type { Encoding, Signal } from './decoders';
import { DecodeError } from './protoReader';
import { ownedBytes, WorkerThread } from './workerThread';

/** Bodies (and trace file records) from this size go to a worker; smaller ones decode on the engine's thread in a few milliseconds. */
export const OFF_THREAD_BYTES = 2 * 1024 * 1024;

export interface TranscodeRequest {
  signal: Signal;
  encoding: Encoding;
  body: Uint8Array;
  /** Masked in the worker when set: the engine's thread must not mask the result again. */
  redaction?: RedactionPattern[];
}

export interface TranscodeReply {
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
  signal: Signal;
  /** Masked with the redaction patterns it was asked for. */
  masked: boolean;
  rejected: number;
  rejectReasons: string[];
}

export class OffThreadDecoder {
  private readonly thread = new WorkerThread<TranscodeRequest, TranscodeReply>('decodeWorker', join(__dirname, 'decodeWorker.ts'));

  /**
   * The request as protobuf (masked with `redaction`); rejects with DecodeError when it is not a
   * valid request. Unless `keepBody`, the body's memory moves to the worker when the body owns it
   * whole (it is empty afterwards): copying 64 MB took up to 200 ms on a busy machine.
   */
  async transcode(signal: Signal, encoding: Encoding, body: Buffer, options: { redaction?: RedactionPattern[]; keepBody: boolean }): Promise<Transcoded> {
    const bytes = options.keepBody ? new Uint8Array(body) : ownedBytes(body);
    const reply = await this.thread.request({ signal, encoding, body: bytes, redaction: options.redaction }, [bytes.buffer as ArrayBuffer]);
    if (!reply.body) throw reply.invalid ? new DecodeError(reply.error) : new Error(`decoding off the event loop failed: ${reply.error}`);
    const out = Buffer.from(reply.body.buffer, reply.body.byteOffset, reply.body.byteLength);
    return { body: out, signal, masked: !!options.redaction?.length, rejected: reply.rejected, rejectReasons: reply.rejectReasons };
  }

  close(): void {
    this.thread.close();
  }
}

/** One worker thread for the engine process's large requests, started at the first. */
export const offThread = new OffThreadDecoder();
