// OTLP/gRPC: TraceService/Export and LogsService/Export. The service is declared by hand with
// identity (de)serializers, so the request bytes go straight to our protobuf decoder. Past
// capacity an export is answered UNAVAILABLE with a RetryInfo detail (OTLP/gRPC throttling),
// decided from its metadata before its message is received.
import * as grpc from '@grpc/grpc-js';
import { Admission, AdmissionTicket, DEFAULT_ADMISSION, RETRY_AFTER_SECONDS } from './admission';
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

/**
 * `admission` is best shared with the HTTP receiver, so both count against one budget. A call is
 * admitted when its metadata arrives, before its message: gRPC announces no size, so the number of
 * messages arriving at once is bounded (maxUnsized), and a refused call never has its message
 * buffered. A message that does not arrive in time (grpcMessageMs) is given up.
 */
export async function startGrpcReceiver(ingest: Ingest, host: string, port: number, maxBodyBytes: number,
  log: (message: string) => void, admission?: Admission): Promise<GrpcReceiver> {
  const gate = admission ?? new Admission(DEFAULT_ADMISSION);
  const server = new grpc.Server({ 'grpc.max_receive_message_length': maxBodyBytes, interceptors: [admissionInterceptor(gate)] });
  for (const [signal, service] of SERVICES) {
    server.addService({ Export: exportMethod(service) }, {
      Export: (call: grpc.ServerUnaryCall<Buffer, Buffer>, callback: grpc.sendUnaryData<Buffer>) => {
        ingest.receiveInTurn(signal, 'protobuf', call.request).then((result) => {
          if (result.message) log(`partial success on gRPC ${signal}: ${result.message}`);
          callback(null, exportResponse(signal, 'protobuf', result));
        }, (error: Error) => {
          const invalid = error instanceof DecodeError;
          if (!invalid) log(`gRPC ${signal} export failed: ${error.stack}`);
          callback({ code: invalid ? grpc.status.INVALID_ARGUMENT : grpc.status.INTERNAL, details: error.message });
        });
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
function busy(message: string): Pick<grpc.StatusObject, 'code' | 'details' | 'metadata'> {
  const metadata = new grpc.Metadata();
  metadata.set('grpc-status-details-bin', retryStatusDetails(message, RETRY_AFTER_SECONDS));
  return { code: grpc.status.UNAVAILABLE, details: message, metadata };
}

/** Admission for every call: a ticket from its metadata until its status goes out. */
function admissionInterceptor(gate: Admission): grpc.ServerInterceptor {
  return (_method, call) => {
    let ticket: AdmissionTicket | undefined;
    let waiting: NodeJS.Timeout | undefined;
    let done = false;
    const finish = () => {
      done = true;
      clearTimeout(waiting);
      ticket?.release();
    };
    const intercepting: grpc.ServerInterceptingCall = new grpc.ServerInterceptingCall(call, {
      start: (next) => next({
        onReceiveMetadata: (metadata, nextMetadata) => {
          const admitted = gate.admit(undefined);
          if (typeof admitted === 'string') {
            intercepting.sendStatus(busy(admitted));
            return;
          }
          ticket = admitted;
          waiting = setTimeout(() => {
            if (!done) intercepting.sendStatus({ code: grpc.status.DEADLINE_EXCEEDED, details: `the message did not arrive within ${gate.grpcMessageMs} ms` });
          }, gate.grpcMessageMs);
          waiting.unref();
          nextMetadata(metadata);
        },
        onReceiveMessage: (message: Buffer, nextMessage) => {
          clearTimeout(waiting);
          if (!ticket || done) return;
          if (!ticket.grow(message.length)) {
            intercepting.sendStatus(busy(`the receiver is busy: a ${message.length}-byte message does not fit beside the requests in flight; retry in ${RETRY_AFTER_SECONDS} s`));
            return;
          }
          if (!ticket.bodyReceived()) {
            intercepting.sendStatus(busy(`${gate.limits.maxRequests} requests are already waiting to be decoded; retry in ${RETRY_AFTER_SECONDS} s`));
            return;
          }
          nextMessage(message);
        },
        onCancel: finish,
      }),
      sendStatus: (status, next) => {
        finish();
        next(status);
      },
    });
    return intercepting;
  };
}
