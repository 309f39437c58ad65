// Trace Doctor: why a trace looks wrong (diagnoses with evidence and a fix), and the repairs the
// engine infers for spans whose parent never arrived. The engine finds them (engine/index/doctor/);
// the query API, the CLI and the extension show them. Pure data, plus the one function every
// reader uses to apply (or not) the inferred parents.
import type { Span } from './spanModel';

export type DiagnosisKind =
  | 'orphanSpans' | 'detachedTrace' | 'contextLostBetweenServices' | 'noContextPropagation' | 'clockSkew'
  | 'contentCaptureOff' | 'contentLogsMissing' | 'contentRedacted'
  | 'usageMissing' | 'usageNonStandardKey' | 'usageCountedTwice' | 'streamWithoutUsage'
  | 'knownBadVersion';

/** A setting a quick fix can add to the app's tracer set-up. */
export interface SettingFix {
  /** An environment variable and the value that fixes it... */
  env?: { name: string; value: string };
  /** ...or an option of the instrumentation (`name: value` in its constructor). */
  option?: { name: string; value: string };
}

export interface Diagnosis {
  kind: DiagnosisKind;
  /** The service whose set-up causes it (the Problems panel groups by it). */
  service: string;
  /** What is wrong, in one line. */
  title: string;
  /** What in the trace shows it. */
  evidence: string;
  /** What to change, naming the exact setting, option or call. */
  fix: string;
  /** Some of the spans concerned (a bounded sample). */
  spanIds?: string[];
  setting?: SettingFix;
  /** Where the fact came from (known bad versions). */
  source?: string;
}

/** A diagnosis as it stands for a whole service: how many traces showed it, and one to look at. */
export interface ServiceDiagnosis extends Diagnosis {
  traces: number;
  exampleTraceId: string;
  lastSeenMs: number;
}

/** A span shown under a parent the engine inferred, because its own never arrived (or it started a trace of its own). */
export interface InferredParent {
  spanId: string;
  /** The span's own trace (another trace's spans can be adopted: a sub-agent that lost its context). */
  traceId: string;
  parentSpanId: string;
  /** Why this parent: the evidence, in words. */
  reason: string;
}

export const DIAGNOSIS_LABELS: Record<DiagnosisKind, string> = {
  orphanSpans: 'orphan spans',
  detachedTrace: 'detached sub-trace',
  contextLostBetweenServices: 'context lost between services',
  noContextPropagation: 'no context propagation',
  clockSkew: 'clock skew',
  contentCaptureOff: 'content capture off',
  contentLogsMissing: 'content logs not exported',
  contentRedacted: 'content redacted',
  usageMissing: 'usage missing',
  usageNonStandardKey: 'usage under a non-standard key',
  usageCountedTwice: 'usage on parent and child',
  streamWithoutUsage: 'stream without usage',
  knownBadVersion: 'instrumentation version drops data',
};

/** A span as shown with its inferred parent: the reason says it is inferred, not received. */
export type RepairedSpan = Span & { inferredParent?: string };

/**
 * The spans to show: with `repair`, each orphan (and each adopted span) under its inferred parent,
 * marked; without, exactly as received. Never changes the spans it is given.
 */
export function applyInferredParents(spans: Span[], inferred: InferredParent[] | undefined, adopted: Span[] | undefined, repair: boolean): RepairedSpan[] {
  if (!repair || !inferred?.length) return spans;
  const bySpan = new Map(inferred.map((i) => [i.spanId, i]));
  return [...spans, ...(adopted ?? [])].map((span) => {
    const found = bySpan.get(span.spanId);
    return found && found.traceId === span.traceId ? { ...span, parentSpanId: found.parentSpanId, inferredParent: found.reason } : span;
  });
}

/**
 * One service's diagnoses as plain text, as the CLI prints them and the Problems panel's document
 * shows them; `starts` gives the line each diagnosis begins on.
 */
export function describeServiceDiagnoses(service: string, diagnoses: ServiceDiagnosis[]): { lines: string[]; starts: number[] } {
  const lines = [service];
  const starts: number[] = [];
  for (const d of diagnoses) {
    starts.push(lines.length);
    lines.push(`  ${DIAGNOSIS_LABELS[d.kind] ?? d.kind}: ${d.title}`,
      `    ${d.traces} trace(s), e.g. ${d.exampleTraceId}`,
      `    evidence: ${d.evidence}`,
      `    fix: ${d.fix}`);
    if (d.source) lines.push(`    source: ${d.source}`);
  }
  return { lines, starts };
}

/** The diagnoses grouped by service, services in name order. */
export function byService(diagnoses: ServiceDiagnosis[]): Map<string, ServiceDiagnosis[]> {
  const grouped = new Map<string, ServiceDiagnosis[]>();
  for (const d of [...diagnoses].sort((a, b) => (a.service < b.service ? -1 : a.service > b.service ? 1 : 0))) {
    const list = grouped.get(d.service);
    if (list) list.push(d);
    else grouped.set(d.service, [d]);
  }
  return grouped;
}
