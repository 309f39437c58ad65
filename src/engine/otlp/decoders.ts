// The one decode entry: a body of one signal in one encoding → the raw spans or log records it
// holds. The receivers (through Ingest), the store and the trace file reader all decode here.
import { type DecodedBatch, MAX_SPAN_ATTRIBUTES, type RawLog, type RawSpan } from '../model/rawSpan';
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

  /** decode() of a protobuf body, one span (or log record) per step, for decoding a large body in slices. */
  protobufInSteps<S extends Signal>(signal: S, body: Buffer): Generator<void, DecodedBatch<SignalItems[S]>> {
    return (signal === 'traces' ? this.proto.tracesInSteps(body) : this.proto.logsInSteps(body)) as Generator<void, DecodedBatch<SignalItems[S]>>;
  }
}

/** Whether a span carries more than MAX_SPAN_ATTRIBUTES attributes (its own, its events' and links'), counted without walking past the limit. */
export function oversized(span: RawSpan): boolean {
  let count = 0;
  for (const _ in span.attributes) if (++count > MAX_SPAN_ATTRIBUTES) return true;
  for (const event of span.events) {
    for (const _ in event.attributes) if (++count > MAX_SPAN_ATTRIBUTES) return true;
  }
  for (const link of span.links ?? []) {
    for (const _ in link.attributes) if (++count > MAX_SPAN_ATTRIBUTES) return true;
  }
  return false;
}

export const OVERSIZED_REASON = `a span carries more than ${MAX_SPAN_ATTRIBUTES} attributes`;

/** Takes oversized spans out of the batch, as refused. */
export function refuseOversized(batch: DecodedBatch<RawSpan>): void {
  const kept = batch.items.filter((span) => !oversized(span));
  if (kept.length === batch.items.length) return;
  batch.rejected += batch.items.length - kept.length;
  batch.rejectReasons.add(OVERSIZED_REASON);
  batch.items = kept;
}
