// Large JSON records of trace files (OFF_THREAD_BYTES or more: a 50 MB console span, a DSPy log
// line with a huge prompt, an OTLP document written on one line) are parsed, converted, checked
// and masked on a worker thread (recordWorker.ts), by the same conversion small records get on
// the engine's thread (recordConversion.ts). Spans and log records come back as OTLP protobuf,
// which the engine's thread decodes and indexes in slices (see otlp/offThreadDecode.ts for why).
import { join } from 'node:path';
import type { RedactionPattern } from '../../shared/redaction';
import { ownedBytes, WorkerThread } from '../otlp/workerThread';
import type { ConvertedText } from './recordConversion';

export interface RecordRequest {
  text: Uint8Array;
  file: string;
  line: number;
  fileTimeMs: number;
  /** Masked in the worker when set: the engine's thread must not mask the result again. */
  redaction?: RedactionPattern[];
}

/** ConvertedText with its spans and log records as OTLP protobuf (TracesData, LogsData). */
export type RecordReply = Omit<ConvertedText, 'spans' | 'logs'> & { spans: Uint8Array; logs: Uint8Array };

const thread = new WorkerThread<RecordRequest, RecordReply>('recordWorker', join(__dirname, 'recordWorker.ts'));

/**
 * Converts one large record off the engine's thread. The bytes move to the worker when they own
 * their memory whole (they are empty here afterwards); otherwise they are copied.
 */
export async function convertOffThread(bytes: Buffer, request: Omit<RecordRequest, 'text'>): Promise<Omit<ConvertedText, 'spans' | 'logs'> & { spans: Buffer; logs: Buffer }> {
  const text = ownedBytes(bytes);
  const reply = await thread.request({ ...request, text }, [text.buffer as ArrayBuffer]);
  const buffer = (b: Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.byteLength);
  return { ...reply, spans: buffer(reply.spans), logs: buffer(reply.logs) };
}
