// OTLP/gRPC: TraceService/Export and LogsService/Export. The service is declared by hand with
// identity (de)serializers, so the request bytes go straight to our protobuf decoder.
import * as grpc from '@grpc/grpc-js';
import type { Ingest, Signal } from './ingest';
import { DecodeError } from './protoReader';
import { exportResponse } from './responses';

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

export async function startGrpcReceiver(ingest: Ingest, host: string, port: number, maxBodyBytes: number,
  log: (message: string) => void): Promise<GrpcReceiver> {
  const server = new grpc.Server({ 'grpc.max_receive_message_length': maxBodyBytes });
  for (const [signal, service] of SERVICES) {
    server.addService({ Export: exportMethod(service) }, {
      Export: (call: grpc.ServerUnaryCall<Buffer, Buffer>, callback: grpc.sendUnaryData<Buffer>) => {
        try {
          const result = ingest.receive(signal, 'protobuf', call.request);
          if (result.message) log(`partial success on gRPC ${signal}: ${result.message}`);
          callback(null, exportResponse(signal, 'protobuf', result));
        } catch (error) {
          const invalid = error instanceof DecodeError;
          if (!invalid) log(`gRPC ${signal} export failed: ${(error as Error).stack}`);
          callback({ code: invalid ? grpc.status.INVALID_ARGUMENT : grpc.status.INTERNAL, details: (error as Error).message });
        }
      },
    });
  }
  const boundPort = await new Promise<number>((resolve, reject) => {
    server.bindAsync(`${host.includes(':') ? `[${host}]` : host}:${port}`, grpc.ServerCredentials.createInsecure(),
      (error, bound) => (error ? reject(error) : resolve(bound)));
  });
  return {
    port: boundPort,
    close: () => new Promise((resolve) => server.tryShutdown(() => resolve())),
  };
}
