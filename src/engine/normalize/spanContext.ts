// What normalization may read of a span beside its attributes and name: its events (message
// events make a span an LLM call) and its instrumentation scope (LiveKit's span names mean
// something only under its scope). A RawSpan fits this shape.
import type { Attributes } from '../../shared/spanModel';

export interface SpanContext {
  events?: readonly { name: string; attributes?: Attributes }[];
  scope?: { name: string };
}
