// OTLP/gRPC: TraceService/Export and LogsService/Export. The service is declared by hand with
// identity (de)serializers, so the request bytes go straight to our protobuf decoder. Past
// capacity an export is answered UNAVAILABLE with a RetryInfo detail (OTLP/gRPC throttling).
import * as grpc from '@grpc/grpc-js';
import { Admission, DEFAULT_ADMISSION, RETRY_AFTER_SECONDS } from './admission';
import type { Signal } from './decoders';
import type { Ingest } from './ingest';
import { DecodeError } from './protoReader';
import { exportResponse, retryStatusDetails } from './responses';

function exportMethod(service: string): grpc.MethodDefinition<Buffer, Buffer> {
  return {
    path: `/opentelemetry.proto.collector.${service}/Export`,
    requestStream: false,
    responseStream: false,
    requestSerialize: (b: Buffer) => b,
    requestDeserialize: (b: Buffer) => b,
    responseSerialize: (b: Buffer) => b,
    responseDeserialize: (b: Buffer) => b,
  };
}

const SERVICES: [Signal, string][] = [['traces', 'trace.v1.TraceService'], ['logs', 'logs.v1.LogsService']];

export interface GrpcReceiver {
  port: number;
  close(): Promise<void>;
}

/** `admission` is best shared with the HTTP receiver, so both count against one budget. */
export async function startGrpcReceiver(ingest: Ingest, host: string, port: number, maxBodyBytes: number,
  log: (message: string) => void, admission?: Admission): Promise<GrpcReceiver> {
  const gate = admission ?? new Admission(DEFAULT_ADMISSION);
  const server = new grpc.Server({ 'grpc.max_receive_message_length': maxBodyBytes });
  for (const [signal, service] of SERVICES) {
    server.addService({ Export: exportMethod(service) }, {
      Export: (call: grpc.ServerUnaryCall<Buffer, Buffer>, callback: grpc.sendUnaryData<Buffer>) => {
        const ticket = gate.admit(call.request.length);
        if (typeof ticket === 'string') {
          callback(busy(ticket));
          return;
        }
        ingest.receiveInTurn(signal, 'protobuf', call.request).then((result) => {
          if (result.message) log(`partial success on gRPC ${signal}: ${result.message}`);
          callback(null, exportResponse(signal, 'protobuf', result));
        }, (error: Error) => {
          const invalid = error instanceof DecodeError;
          if (!invalid) log(`gRPC ${signal} export failed: ${error.stack}`);
          callback({ code: invalid ? grpc.status.INVALID_ARGUMENT : grpc.status.INTERNAL, details: error.message });
        }).finally(() => ticket.release());
      },
    });
  }
  const boundPort = await new Promise<number>((resolve, reject) => {
    server.bindAsync(`${host.includes(':') ? `[${host}]` : host}:${port}`, grpc.ServerCredentials.createInsecure(),
      (error, bound) => (error ? reject(error) : resolve(bound)));
  });
  return {
    port: boundPort,
    close: () => new Promise((resolve) => server.tryShutdown(() => {
      if (!admission) gate.close();
      resolve();
    })),
  };
}

/** UNAVAILABLE with RetryInfo: retryable for every OTLP/gRPC exporter, with the delay to wait. */
function busy(message: string): Partial<grpc.StatusObject> {
  const metadata = new grpc.Metadata();
  metadata.set('grpc-status-details-bin', retryStatusDetails(message, RETRY_AFTER_SECONDS));
  return { code: grpc.status.UNAVAILABLE, details: message, metadata };
}
