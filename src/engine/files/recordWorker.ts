// The worker thread of offThreadRecords.ts: one large JSON record of a trace file → the same
// conversion the engine's thread gives small ones, masked (with redaction on), as OTLP protobuf.
import { StringTable } from '../model/stringTable';
import { OtlpDecoders } from '../otlp/decoders';
import { encodeLogsProto, encodeTracesProto } from '../otlp/encodeProto';
import { ownedBytes, redactorFor, serveRequests } from '../otlp/workerThread';
import type { RecordReply, RecordRequest } from './offThreadRecords';
import { convertJsonText } from './recordConversion';

serveRequests(({ text, file, line, fileTimeMs, redaction }: RecordRequest) => {
  // A table per record: strings are shared within it, and nothing outlives it.
  const strings = new StringTable();
  const decoded = Buffer.from(text.buffer, text.byteOffset, text.byteLength).toString('utf8');
  const { spans, logs, ...rest } = convertJsonText(decoded, { file, line, fileTimeMs, strings }, new OtlpDecoders(strings).json);
  const masking = redactorFor(redaction);
  masking?.spans(spans);
  masking?.logs(logs);
  const reply: RecordReply = { ...rest, spans: ownedBytes(encodeTracesProto(spans)), logs: ownedBytes(encodeLogsProto(logs)) };
  return { reply, transfer: [reply.spans.buffer as ArrayBuffer, reply.logs.buffer as ArrayBuffer] };
});
