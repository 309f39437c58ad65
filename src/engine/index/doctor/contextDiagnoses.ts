// Context that did not propagate: work that started a trace of its own where it should have
// continued one (a sub-agent in another thread or task, a call to another process), and bursts of
// single-span traces from one service (no parent context at all). The lost trace is adopted by
// its likely parent: by a span link, a shared session or conversation id, or, failing both,
// by being the one agent, tool or chain span of the same service running when it started.
// Traces assembled from a coding agent's log records take no part: they sit beside the agent's
// own traces of the same calls (one call would show twice) and have no context to propagate.
import type { InferredParent } from '../../../shared/doctor';
import type { SpanKind } from '../../../shared/spanModel';
import type { StoredSpan } from '../../model/storedSpan';
import type { Trace } from '../../model/traceSummary';
import type { DiagnosisList } from './diagnosisList';
import { isAssembled } from '../../normalize/conventions/agentLogs';

/** How the doctor finds other traces by time (the index's start-time order). */
export interface TraceLookup {
  /** Live traces that started between these times (latest first). */
  startedBetween(maxStartMs: number, minStartMs: number): Iterable<Trace>;
}

/** How far back a lost trace's parent may have started, and how many traces are looked at. */
const LOOKBACK_MS = 10 * 60_000;
const MAX_CANDIDATES = 200;
const MAX_SPANS_SEARCHED = 200_000;
/** Single-span traces of one service within a second from this many on: nothing propagates context. */
export const BURST_TRACES = 5;
const BURST_WINDOW_MS = 1000;
/** Spans that hand work on (and so may have lost it to another context). */
const DELEGATING: SpanKind[] = ['AGENT', 'TOOL', 'CHAIN'];
/**
 * Separate traces are timed by separate anchors (an SDK anchors each root span to the wall clock,
 * which ticks in milliseconds), so "started while it ran" allows this much either way.
 */
const ANCHOR_SLACK_MS = 5;
/** OTLP kinds of spans that rightly start a trace: a request received, a message consumed. */
const SERVER = 2;
const CLIENT = 3;
const CONSUMER = 5;

const PROPAGATION_FIX = 'Carry the context into the other thread, task or process: Python threads: ThreadingInstrumentor().instrument() '
  + '(opentelemetry-instrumentation-threading) or contextvars.copy_context().run(fn) in the pool; asyncio tasks inherit it; '
  + 'Node: context.bind(context.active(), fn) and an AsyncLocalStorageContextManager registered at start-up; '
  + 'across HTTP or queues: propagation.inject() the traceparent header on the way out and extract() it on the way in.';

/** The root of a trace that started on its own, if it has one. */
export function realRoot(trace: Trace): StoredSpan | undefined {
  let root: StoredSpan | undefined;
  for (const span of trace.spans.values()) if (!span.parentSpanId && (!root || span.startMs < root.startMs)) root = span;
  return root;
}

/** The parent a trace's root most likely had in another trace, or undefined. */
export function findAdopter(trace: Trace, root: StoredSpan, lookup: TraceLookup): InferredParent | undefined {
  // A consumed message rightly starts a trace (linked to its producer, if anything).
  if (root.otelKind === CONSUMER || isAssembled(root)) return undefined;
  let byTime: InferredParent | undefined;
  let timeMatches = 0;
  let searched = 0;
  let looked = 0;
  for (const other of lookup.startedBetween(root.startMs + ANCHOR_SLACK_MS, root.startMs - LOOKBACK_MS)) {
    if (++looked > MAX_CANDIDATES || searched > MAX_SPANS_SEARCHED) break;
    if (other === trace || other.summary.startMs + other.summary.durationMs < root.startMs - ANCHOR_SLACK_MS) continue;
    searched += other.spans.size;
    const found = adoptionBy(other, root, trace);
    if (!found) continue;
    if (!found.timeOnly) return found.inferred;
    timeMatches++;
    byTime = found.inferred;
  }
  // Time alone is evidence only when it points at one trace.
  return timeMatches === 1 ? byTime : undefined;
}

/** Whether `parentTrace` holds the likely parent of `root` (of `trace`), and how sure that is. */
export function adoptionBy(parentTrace: Trace, root: StoredSpan, trace: Trace): { inferred: InferredParent; timeOnly: boolean } | undefined {
  const inferred = (parent: StoredSpan, reason: string) => ({ spanId: root.spanId, traceId: root.traceId, parentSpanId: parent.spanId, reason });
  if (root.otelKind === SERVER) {
    // A request received: its trace should have continued the caller's, whose client call is waiting for it.
    const call = callerOf(parentTrace, root);
    return call && {
      inferred: inferred(call, `inferred: ${root.resource.service} started trace ${root.traceId} while ${call.name} of ${call.resource.service}, the one call out running then, waited for it`),
      timeOnly: true,
    };
  }
  for (const link of root.links ?? []) {
    const linked = link.traceId === parentTrace.traceId ? parentTrace.spans.get(link.spanId) : undefined;
    if (linked && !isAssembled(linked)) return { inferred: inferred(linked, `inferred: it started trace ${root.traceId} with a link to ${linked.name}`), timeOnly: false };
  }
  const container = narrowestContaining(parentTrace, root);
  if (!container) return undefined;
  const session = trace.summary.sessionId ?? conversationOf(root);
  if (session && (parentTrace.summary.sessionId === session || conversationOf(container) === session)) {
    return { inferred: inferred(container, `inferred: it started trace ${root.traceId} in the same session (${session}) while ${container.name} ran`), timeOnly: false };
  }
  if (!DELEGATING.includes(container.facts.kind)) return undefined;
  return {
    inferred: inferred(container, `inferred: it started trace ${root.traceId} while ${container.name} ran, the one ${container.facts.kind.toLowerCase()} span of ${container.resource.service} running then`),
    timeOnly: true,
  };
}

/** The narrowest client call of another service, with no child of its own, that spans the whole request. */
function callerOf(trace: Trace, request: StoredSpan): StoredSpan | undefined {
  const parents = new Set<string>();
  for (const span of trace.spans.values()) if (span.parentSpanId) parents.add(span.parentSpanId);
  let best: StoredSpan | undefined;
  for (const span of trace.spans.values()) {
    if (span.otelKind !== CLIENT || span.resource.service === request.resource.service || parents.has(span.spanId) || isAssembled(span)) continue;
    if (span.startMs > request.startMs + ANCHOR_SLACK_MS || span.endMs < request.endMs - ANCHOR_SLACK_MS) continue;
    if (!best || span.endMs - span.startMs < best.endMs - best.startMs) best = span;
  }
  return best;
}

function conversationOf(span: StoredSpan): string | undefined {
  const id = span.attributes['gen_ai.conversation.id'] ?? span.attributes['session.id'];
  return typeof id === 'string' ? id : span.facts.sessionId;
}

/**
 * The shortest span of the root's service in a trace that was running when the root started (lost
 * work may end after the span that started it: it was never awaited, or its end was recorded later).
 */
function narrowestContaining(trace: Trace, root: StoredSpan): StoredSpan | undefined {
  let best: StoredSpan | undefined;
  for (const span of trace.spans.values()) {
    if (span.resource.service !== root.resource.service || span.startMs > root.startMs + ANCHOR_SLACK_MS || span.endMs < root.startMs - ANCHOR_SLACK_MS
      || isAssembled(span)) continue;
    if (!best || span.endMs - span.startMs < best.endMs - best.startMs) best = span;
  }
  return best;
}

/** The traces (of others) whose roots this trace most likely should have held. */
export function findAdopted(trace: Trace, lookup: TraceLookup): { trace: Trace; inferred: InferredParent }[] {
  const adopted: { trace: Trace; inferred: InferredParent }[] = [];
  const ownRoot = realRoot(trace);
  if (ownRoot && isAssembled(ownRoot)) return adopted;
  const end = trace.summary.startMs + trace.summary.durationMs;
  let looked = 0;
  let searched = 0;
  for (const other of lookup.startedBetween(end + ANCHOR_SLACK_MS, trace.summary.startMs - ANCHOR_SLACK_MS)) {
    if (++looked > MAX_CANDIDATES || searched > MAX_SPANS_SEARCHED) break;
    if (other === trace) continue;
    searched += other.spans.size + trace.spans.size;
    const root = realRoot(other);
    if (!root || root.otelKind === CONSUMER || isAssembled(root)) continue;
    const found = adoptionBy(trace, root, other);
    // Time alone must point here and nowhere else.
    if (found && (!found.timeOnly || findAdopter(other, root, lookup)?.parentSpanId === found.inferred.parentSpanId)) {
      adopted.push({ trace: other, inferred: found.inferred });
    }
  }
  return adopted;
}

const HTTP_PROPAGATION_FIX = 'Pass the trace context with the call: instrument the HTTP client and server on both sides '
  + '(Node: @opentelemetry/instrumentation-http and -undici; Python: opentelemetry-instrumentation-requests / -httpx and the server framework\'s), '
  + 'or propagation.inject(context.active(), headers) in the caller and propagation.extract(ROOT_CONTEXT, headers) in this service, with the W3C trace context propagator on both.';

export function diagnoseDetached(root: StoredSpan, adopter: InferredParent, out: DiagnosisList): void {
  if (root.otelKind === SERVER) {
    out.add('contextLostBetweenServices', root.resource.service, root.spanId, {
      title: `${root.resource.service}'s spans do not join the trace of the service that calls it: the trace context is not passed or not read.`,
      evidence: `${root.name}: ${adopter.reason.replace(/^inferred: /, '')}; it is shown there, marked as inferred.`,
      fix: HTTP_PROPAGATION_FIX,
    });
    return;
  }
  out.add('detachedTrace', root.resource.service, root.spanId, {
    title: 'Work that belongs to another trace started a trace of its own: context was not propagated.',
    evidence: `${root.name} ${adopter.reason.replace(/^inferred: it /, '')}; it is shown there, marked as inferred.`,
    fix: PROPAGATION_FIX,
  });
}

/** Single-span traces of one service within a second of this one (a bounded look). */
export function diagnoseBurst(trace: Trace, root: StoredSpan, lookup: TraceLookup, out: DiagnosisList): void {
  if (trace.spans.size !== 1 || root.otelKind === SERVER || root.otelKind === CONSUMER || isAssembled(root)) return;
  let alike = 0;
  let looked = 0;
  for (const other of lookup.startedBetween(root.startMs + BURST_WINDOW_MS, root.startMs - BURST_WINDOW_MS)) {
    if (++looked > MAX_CANDIDATES) break;
    if (other.spans.size === 1 && other.summary.service === root.resource.service && !isAssembled(other.spans.values().next().value!)) alike++;
  }
  if (alike < BURST_TRACES) return;
  out.add('noContextPropagation', root.resource.service, root.spanId, {
    title: `${root.resource.service} sends many one-span traces: its spans do not find their parent context.`,
    evidence: `${alike} traces of a single span each from ${root.resource.service} started within a second of ${root.name}.`,
    fix: `Register a context manager at start-up (Node: AsyncLocalStorageContextManager, which NodeSDK / NodeTracerProvider.register() install) and start child spans inside the parent's context. ${PROPAGATION_FIX}`,
  });
}
