// The one decode entry: a body of one signal in one encoding → the raw spans or log records it
// holds. The receivers (through Ingest), the store and the trace file reader all decode here.
import type { DecodedBatch, RawLog, RawSpan } from '../model/rawSpan';
import type { StringTable } from '../model/stringTable';
import { JsonDecoder } from './decodeJson';
import { ProtoDecoder } from './decodeProto';

export type Encoding = 'protobuf' | 'json';
export type Signal = 'traces' | 'logs';

/** What a body of each signal decodes to. */
export interface SignalItems {
  traces: RawSpan;
  logs: RawLog;
}

export class OtlpDecoders {
  /** Also used on its own for JSON already parsed (trace file shapes embed OTLP/JSON). */
  readonly json: JsonDecoder;
  private readonly proto: ProtoDecoder;

  /** The decoders intern every string into `strings`, and cache strings by their bytes: share one per table. */
  constructor(strings: StringTable) {
    this.json = new JsonDecoder(strings);
    this.proto = new ProtoDecoder(strings);
  }

  /** Throws DecodeError when the body is not a valid request of that signal and encoding. */
  decode<S extends Signal>(signal: S, encoding: Encoding, body: Buffer): DecodedBatch<SignalItems[S]> {
    const batch = signal === 'traces'
      ? (encoding === 'protobuf' ? this.proto.traces(body) : this.json.tracesText(body.toString('utf8')))
      : (encoding === 'protobuf' ? this.proto.logs(body) : this.json.logsText(body.toString('utf8')));
    return batch as DecodedBatch<SignalItems[S]>;
  }
}
