// The bodies OTLP/HTTP answers with: ExportTrace/LogsServiceResponse on success (with
// partial_success where something was refused) and google.rpc.Status on failure, each in
// the encoding of the request.
import type { Encoding, Signal } from './decoders';
import type { IngestResult } from './ingest';
import { ProtoWriter } from './protoReader';

export const CONTENT_TYPES: Record<Encoding, string> = {
  protobuf: 'application/x-protobuf',
  json: 'application/json',
};

export function exportResponse(signal: Signal, encoding: Encoding, result: IngestResult): Buffer {
  if (!result.message) return encoding === 'json' ? Buffer.from('{}') : Buffer.alloc(0);
  if (encoding === 'json') {
    const rejectedKey = signal === 'traces' ? 'rejectedSpans' : 'rejectedLogRecords';
    return Buffer.from(JSON.stringify({ partialSuccess: { [rejectedKey]: String(result.rejected), errorMessage: result.message } }));
  }
  const partial = new ProtoWriter().varint(1, result.rejected).string(2, result.message).finish();
  return new ProtoWriter().bytesField(1, partial).finish();
}

/** google.rpc.Code UNAVAILABLE: retry later (OTLP's throttling answer). */
export const UNAVAILABLE = 14;

/** google.rpc.Status; code 3 is INVALID_ARGUMENT, the closest gRPC code to a bad request. */
export function statusBody(encoding: Encoding, message: string, code = 3): Buffer {
  if (encoding === 'json') return Buffer.from(JSON.stringify({ code, message }));
  return new ProtoWriter().varint(1, code).string(2, message).finish();
}

/**
 * google.rpc.Status UNAVAILABLE carrying a google.rpc.RetryInfo detail (as the gRPC
 * `grpc-status-details-bin` trailer), which tells OTLP/gRPC exporters how long to wait.
 */
export function retryStatusDetails(message: string, retryAfterSeconds: number): Buffer {
  const duration = new ProtoWriter().varint(1, retryAfterSeconds).finish();
  const retryInfo = new ProtoWriter().bytesField(1, duration).finish();
  const any = new ProtoWriter().string(1, 'type.googleapis.com/google.rpc.RetryInfo').bytesField(2, retryInfo).finish();
  return new ProtoWriter().varint(1, UNAVAILABLE).string(2, message).bytesField(3, any).finish();
}
