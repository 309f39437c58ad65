// The worker thread of offThreadDecode.ts: decodes one large request, refuses its oversized
// spans, masks it (with redaction on) and hands it back as OTLP protobuf.
import type { RawLog, RawSpan } from '../model/rawSpan';
import { StringTable } from '../model/stringTable';
import { OtlpDecoders, refuseOversized } from './decoders';
import { encodeLogsProto, encodeTracesProto } from './encodeProto';
import { DecodeError } from './protoReader';
import type { TranscodeReply, TranscodeRequest } from './offThreadDecode';
import { ownedBytes, redactorFor, serveRequests } from './workerThread';

function transcode({ signal, encoding, body, redaction }: TranscodeRequest): TranscodeReply {
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
  return { body: ownedBytes(out), rejected: batch.rejected, rejectReasons: [...batch.rejectReasons] };
}

serveRequests((request: TranscodeRequest) => {
  let reply: TranscodeReply;
  try {
    reply = transcode(request);
  } catch (error) {
    reply = { rejected: 0, rejectReasons: [], error: (error as Error).message, invalid: error instanceof DecodeError };
  }
  return { reply, transfer: reply.body ? [reply.body.buffer as ArrayBuffer] : [] };
});
