// Stored spans (raw spans with their ingest facts) and traces built from them, for the model and
// index pieces tested on their own.
import type { StoredSpan } from '../../../src/engine/model/storedSpan';
import { newTrace, type Trace } from '../../../src/engine/model/traceSummary';
import { rawSpan } from './rawSpans';

export const T0 = 1_700_000_000_000;

export function storedSpan(options: Partial<StoredSpan> & { traceId: string; spanId: string }): StoredSpan {
  return { ...rawSpan({}, options), facts: { kind: 'CHAIN' }, ...options };
}

/** A trace holding these spans (its summary not made yet). */
export function traceOf(spans: StoredSpan[]): Trace {
  const trace = newTrace(spans[0].traceId);
  for (const span of spans) trace.spans.set(span.spanId, span);
  return trace;
}
