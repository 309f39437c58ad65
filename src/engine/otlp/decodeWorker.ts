// The worker thread of offThreadDecode.ts: decodes one large request, refuses its oversized
// spans, masks it (with redaction on) and hands it back as OTLP protobuf.
import { parentPort } from 'node:worker_threads';
import type { RedactionPattern } from '../../shared/redaction';
import type { RawLog, RawSpan } from '../model/rawSpan';
import { StringTable } from '../model/stringTable';
import { Redactor } from '../normalize/redaction';
import { OtlpDecoders, refuseOversized } from './decoders';
import { encodeLogsProto, encodeTracesProto } from './encodeProto';
import { DecodeError } from './protoReader';
import type { TranscodeReply, TranscodeRequest } from './offThreadDecode';

let redactor: { key: string; redactor: Redactor } | undefined;

function redactorFor(patterns: RedactionPattern[] | undefined): Redactor | undefined {
  if (!patterns?.length) return undefined;
  const key = JSON.stringify(patterns);
  if (redactor?.key !== key) redactor = { key, redactor: new Redactor(patterns) };
  return redactor.redactor;
}

function transcode({ id, signal, encoding, body, redaction }: TranscodeRequest): TranscodeReply {
  // A table per request: strings are shared within it, and nothing outlives it.
  const decoders = new OtlpDecoders(new StringTable());
  const batch = decoders.decode(signal, encoding, Buffer.from(body.buffer, body.byteOffset, body.byteLength));
  const masking = redactorFor(redaction);
  let out: Buffer;
  if (signal === 'traces') {
    const traces = batch as typeof batch & { items: RawSpan[] };
    refuseOversized(traces);
    masking?.spans(traces.items);
    out = encodeTracesProto(traces.items);
  } else {
    masking?.logs(batch.items as RawLog[]);
    out = encodeLogsProto(batch.items as RawLog[]);
  }
  // Transferred, not copied: the bytes must own their memory whole (a small Buffer shares a pool).
  const owned = out.byteOffset === 0 && out.byteLength === out.buffer.byteLength ? new Uint8Array(out.buffer) : new Uint8Array(out);
  return { id, body: owned, rejected: batch.rejected, rejectReasons: [...batch.rejectReasons] };
}

parentPort!.on('message', (request: TranscodeRequest) => {
  let reply: TranscodeReply;
  try {
    reply = transcode(request);
  } catch (error) {
    reply = { id: request.id, rejected: 0, rejectReasons: [], error: (error as Error).message, invalid: error instanceof DecodeError };
  }
  parentPort!.postMessage(reply, reply.body ? [reply.body.buffer as ArrayBuffer] : []);
});
