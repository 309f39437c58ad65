// The shape of one trace: spans whose parent never arrived (and the parent they most likely had),
// and children that start before their parent or end after it across services (clock skew).
import type { InferredParent } from '../../../shared/doctor';
import type { StoredSpan } from '../../model/storedSpan';
import type { DiagnosisList } from './diagnosisList';

/** Orphans given an inferred parent, and spans searched per orphan: bounds the work on hostile traces. */
const MAX_REPAIRED = 200;
const MAX_CANDIDATES = 20_000;
/** Clocks of one host agree to the millisecond; more than this across services is skew. */
const SKEW_TOLERANCE_MS = 1;

export function diagnoseOrphans(spans: Map<string, StoredSpan>, settled: boolean, out: DiagnosisList): InferredParent[] {
  const orphans: StoredSpan[] = [];
  for (const span of spans.values()) if (span.parentSpanId && !spans.has(span.parentSpanId)) orphans.push(span);
  if (!orphans.length) return [];
  // Narrowest first, so the first span running when an orphan started is its closest possible parent
  // (asynchronous work may end after the span that started it).
  const candidates = [...spans.values()].slice(0, MAX_CANDIDATES).sort((a, b) => (a.endMs - a.startMs) - (b.endMs - b.startMs));
  const inferred: InferredParent[] = [];
  for (const orphan of orphans.slice(0, MAX_REPAIRED)) {
    const parent = candidates.find((c) => c !== orphan && c.resource.service === orphan.resource.service
      && c.startMs <= orphan.startMs && c.endMs >= orphan.startMs && !descendsFrom(c, orphan, spans));
    if (parent) {
      inferred.push({ spanId: orphan.spanId, traceId: orphan.traceId, parentSpanId: parent.spanId,
        reason: `inferred: its parent ${orphan.parentSpanId} never arrived; ${parent.name} is the closest span of ${parent.resource.service} running when it started` });
    }
  }
  // Parents still on their way are not yet a problem; the repair shows at once.
  if (settled) {
    for (const orphan of orphans) {
      out.add('orphanSpans', orphan.resource.service, orphan.spanId, {
        title: 'Spans arrived whose parent never did.',
        evidence: `${orphan.name} names parent ${orphan.parentSpanId}, which is not in the trace.`,
        fix: 'Make every process on the request\'s path export to this receiver, and flush before exit (tracerProvider.shutdown() / forceFlush()): '
          + 'a parent span is exported when it ends, after its children, and is lost when the process exits first.',
      });
    }
  }
  return inferred;
}

/** Whether `span` sits below `ancestor` (so it cannot be the ancestor's parent). */
function descendsFrom(span: StoredSpan, ancestor: StoredSpan, spans: Map<string, StoredSpan>): boolean {
  let current: StoredSpan | undefined = span;
  for (let steps = 0; current && steps < 1000; steps++) {
    if (current === ancestor) return true;
    current = current.parentSpanId ? spans.get(current.parentSpanId) : undefined;
  }
  return false;
}

export function diagnoseClockSkew(spans: Map<string, StoredSpan>, out: DiagnosisList): void {
  for (const span of spans.values()) {
    const parent = span.parentSpanId ? spans.get(span.parentSpanId) : undefined;
    if (!parent) continue;
    const crossService = parent.resource.service !== span.resource.service;
    const early = parent.startMs - span.startMs;
    const late = span.endMs - parent.endMs;
    // Within one service a child may outlive its parent (work left running); it cannot start before it.
    const shift = early > SKEW_TOLERANCE_MS ? -early : crossService && late > SKEW_TOLERANCE_MS ? late : 0;
    if (!shift) continue;
    out.add('clockSkew', span.resource.service, span.spanId, {
      title: `${span.resource.service}'s clock looks ${shift < 0 ? 'behind' : 'ahead of'} ${parent.resource.service}'s.`,
      evidence: `${span.name} (${span.resource.service}) ${shift < 0 ? `starts ${round(-shift)} ms before` : `ends ${round(shift)} ms after`} its parent ${parent.name} (${parent.resource.service}). Times are shown as received, not corrected.`,
      fix: 'Synchronize the hosts\' clocks (NTP, chrony, or the container host\'s clock); spans are timed by the clock of the process that records them.',
    });
  }
}

function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}
