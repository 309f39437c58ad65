// Trace Doctor, the orchestrator: diagnoses a trace when it is read (one pass per family over its
// spans, plus a bounded look at the traces around it), and folds settled traces into diagnoses
// per service. Ingest only notes which traces changed: nothing here runs per span as spans arrive.
import type { Diagnosis, InferredParent, ServiceDiagnosis } from '../../../shared/doctor';
import type { Span } from '../../../shared/spanModel';
import type { StoredSpan } from '../../model/storedSpan';
import type { Trace } from '../../model/traceSummary';
import { normalizeSpan } from '../../normalize/normalizeSpan';
import { diagnoseContent } from './contentDiagnoses';
import { diagnoseBurst, diagnoseDetached, findAdopted, findAdopter, realRoot, type TraceLookup } from './contextDiagnoses';
import { DiagnosisList, RecordedDiagnoses } from './diagnosisList';
import { knownBadVersion, type KnownBadVersion } from './instrumentations';
import { diagnoseClockSkew, diagnoseOrphans } from './structureDiagnoses';
import { diagnoseUsage, diagnoseUsageTwice } from './usageDiagnoses';

/** How long a trace stays quiet before missing parents and log records count as lost. */
export const DEFAULT_GRACE_MS = 3000;
/**
 * Time spent per call folding settled traces into the per-service diagnoses (the rest wait for the
 * next call): a count of 50,000 spans held the event loop for 150-250 ms once a large request settled.
 */
const FOLD_MS_PER_CALL = 10;
const MAX_SERVICE_DIAGNOSES = 1000;
/** Spans of other traces shown under this one, at most. */
const MAX_ADOPTED_SPANS = 5000;

export interface TraceDiagnosis {
  diagnoses: Diagnosis[];
  inferredParents: InferredParent[];
  adoptedSpans: Span[];
}

export class Doctor {
  /** Traces changed and not yet folded into the per-service diagnoses, oldest change first. */
  private readonly changedAt = new Map<Trace, number>();
  private readonly byService = new Map<string, ServiceDiagnosis>();
  /** The per-service entries each trace was already counted in. */
  private readonly counted = new WeakMap<Trace, Set<string>>();

  constructor(private readonly lookup: TraceLookup, public graceMs = DEFAULT_GRACE_MS, private readonly now: () => number = Date.now) {}

  changed(trace: Trace): void {
    this.changedAt.delete(trace);
    this.changedAt.set(trace, this.now());
  }

  forget(trace: Trace): void {
    this.changedAt.delete(trace);
  }

  clear(): void {
    this.changedAt.clear();
    this.byService.clear();
  }

  /**
   * diagnose() for a trace view, which asks again with every change: the answer is reused until the
   * trace changes or settles (a trace's neighbours are looked at again with its next change).
   */
  diagnoseOnce(trace: Trace): TraceDiagnosis {
    const key = `${trace.revision}/${this.settled(trace)}`;
    const cached = this.lastDiagnosis.get(trace);
    if (cached?.key === key) return cached.diagnosis;
    const diagnosis = this.diagnose(trace);
    this.lastDiagnosis.set(trace, { key, diagnosis });
    return diagnosis;
  }

  private readonly lastDiagnosis = new WeakMap<Trace, { key: string; diagnosis: TraceDiagnosis }>();

  /**
   * What an LLM span says about itself depends on nothing else: it is found once per change of the
   * span and replayed, so a long live trace is not normalized again with every new span.
   */
  private diagnoseLlmSpanOnce(stored: StoredSpan, settled: boolean, out: DiagnosisList): void {
    const key = `${stored.revision ?? 0}/${settled}`;
    let found = this.llmSpanDiagnoses.get(stored);
    if (found?.key !== key) {
      const recorded = new RecordedDiagnoses();
      diagnoseLlmSpan(normalizeSpan(stored), stored, settled, recorded);
      found = { key, recorded };
      this.llmSpanDiagnoses.set(stored, found);
    }
    found.recorded.replay(out);
  }

  private readonly llmSpanDiagnoses = new WeakMap<StoredSpan, { key: string; recorded: RecordedDiagnoses }>();

  /** Whether a trace has been quiet long enough for what is missing to count as lost. */
  private settled(trace: Trace): boolean {
    const at = this.changedAt.get(trace);
    return at === undefined || this.now() - at >= this.graceMs;
  }

  /**
   * Everything the doctor says about one trace; `normalized`: its spans, when the caller has them
   * already. Content no check foresaw costs the diagnosis, never the trace or the stats.
   */
  diagnose(trace: Trace, normalized?: Span[], withAdopted = true): TraceDiagnosis {
    try {
      return this.diagnoseUnguarded(trace, normalized, withAdopted);
    } catch {
      return { diagnoses: [], inferredParents: [], adoptedSpans: [] };
    }
  }

  private diagnoseUnguarded(trace: Trace, normalized: Span[] | undefined, withAdopted: boolean): TraceDiagnosis {
    const settled = this.settled(trace);
    const out = new DiagnosisList();
    if (normalized) {
      for (const span of normalized) if (span.kind === 'LLM') diagnoseLlmSpan(span, trace.spans.get(span.spanId), settled, out);
    } else {
      for (const stored of trace.spans.values()) if (stored.facts.kind === 'LLM') this.diagnoseLlmSpanOnce(stored, settled, out);
    }
    diagnoseUsageTwice(trace.spans, out);
    diagnoseClockSkew(trace.spans, out);
    const inferredParents = diagnoseOrphans(trace.spans, settled, out);
    const root = realRoot(trace);
    if (root) {
      const adopter = findAdopter(trace, root, this.lookup);
      if (adopter) diagnoseDetached(root, adopter, out);
      else diagnoseBurst(trace, root, this.lookup, out);
    }
    const adoptedSpans: Span[] = [];
    if (withAdopted) {
      for (const { trace: other, inferred } of findAdopted(trace, this.lookup)) {
        if (adoptedSpans.length + other.spans.size > MAX_ADOPTED_SPANS) break;
        inferredParents.push(inferred);
        adoptedSpans.push(...[...other.spans.values()].map(normalizeSpan));
        diagnoseDetached(other.spans.get(inferred.spanId) as StoredSpan, inferred, out);
      }
    }
    return { diagnoses: out.list(), inferredParents, adoptedSpans };
  }

  /**
   * Each problem once per service; folds in the traces that settled since the last call, for at
   * most FOLD_MS_PER_CALL unless `all` (the CLI, which reads everything once).
   */
  serviceDiagnoses(all = false): ServiceDiagnosis[] {
    const until = performance.now() + FOLD_MS_PER_CALL;
    for (const [trace, at] of this.changedAt) {
      if ((!all && performance.now() >= until) || this.now() - at < this.graceMs) break;
      this.changedAt.delete(trace);
      if (trace.live) this.fold(trace);
    }
    return [...this.byService.values()].sort((a, b) => b.lastSeenMs - a.lastSeenMs);
  }

  private fold(trace: Trace): void {
    const counted = this.counted.get(trace) ?? new Set<string>();
    this.counted.set(trace, counted);
    for (const diagnosis of this.diagnose(trace, undefined, false).diagnoses) {
      const key = `${diagnosis.kind}\u0000${diagnosis.service}`;
      const known = this.byService.get(key);
      if (!known && this.byService.size >= MAX_SERVICE_DIAGNOSES) continue;
      const traces = (known?.traces ?? 0) + (counted.has(key) ? 0 : 1);
      counted.add(key);
      this.byService.set(key, { ...diagnosis, traces, exampleTraceId: trace.traceId, lastSeenMs: this.now() });
    }
  }
}

function diagnoseLlmSpan(span: Span, stored: StoredSpan | undefined, settled: boolean, out: DiagnosisList): void {
  diagnoseContent(span, !!stored?.events.some((e) => e.fromLog), settled, out);
  // A known bad version that drops usage says why better than "usage missing" does.
  const badVersion = span.scope && diagnoseVersion(span, out);
  if (!badVersion?.withoutUsageOnly) diagnoseUsage(span, out);
}

function diagnoseVersion(span: Span, out: DiagnosisList): KnownBadVersion | undefined {
  const entry = knownBadVersion(span.scope!.name, span.scope!.version, !!span.tokens);
  if (!entry) return undefined;
  out.add('knownBadVersion', span.service, span.spanId, {
    title: entry.what,
    evidence: `${span.name} was recorded by ${span.scope!.name}${span.scope!.version ? ` ${span.scope!.version}` : ''}.`,
    fix: entry.fix,
    source: entry.source,
  });
  return entry;
}
