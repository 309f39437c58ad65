// The full spans the detail shows, fetched from the engine (through the host) a few at a time:
// the selected one, and ahead of time its neighbours and the rows in view. Bounded: the least
// recently used go first, so scrolling through 100,000 spans keeps a few hundred.
import type { Span } from '../src/shared/spanModel';
import { MAX_DETAIL_SPANS, type SpanDetails } from '../src/shared/traceSkeleton';
import { post } from './vscodeApi';

const MAX_CACHED = 400;

export class SpanDetailCache {
  private readonly spans = new Map<string, Span>();
  private readonly asked = new Set<string>();

  constructor(readonly traceId: string) {}

  get(spanId: string): Span | undefined {
    const span = this.spans.get(spanId);
    if (span) {
      // Most recently used last.
      this.spans.delete(spanId);
      this.spans.set(spanId, span);
    }
    return span;
  }

  /** Asks the host for the spans not held or asked for yet. */
  want(spanIds: string[]): void {
    const missing = [...new Set(spanIds)].filter((id) => !this.spans.has(id) && !this.asked.has(id));
    for (let i = 0; i < missing.length; i += MAX_DETAIL_SPANS) {
      const batch = missing.slice(i, i + MAX_DETAIL_SPANS);
      for (const id of batch) this.asked.add(id);
      post({ type: 'spanDetails', traceId: this.traceId, spanIds: batch });
    }
  }

  /** Takes an answer; returns the ids it brought. */
  take(details: SpanDetails, askedFor: string[]): Set<string> {
    for (const id of askedFor) this.asked.delete(id);
    const brought = new Set<string>();
    if (details.traceId !== this.traceId) return brought;
    for (const span of details.spans) {
      this.spans.set(span.spanId, span);
      brought.add(span.spanId);
    }
    while (this.spans.size > MAX_CACHED) this.spans.delete(this.spans.keys().next().value!);
    return brought;
  }

  /** These spans changed (a late log record, a re-sent span): their next showing fetches them again. */
  forget(spanIds: Iterable<string>): void {
    for (const id of spanIds) {
      this.spans.delete(id);
      this.asked.delete(id);
    }
  }
}
