// The diagnoses of one trace as they are found: one entry per problem and service, however many
// spans show it (a sample of their ids is kept, and the evidence says how many there were).
import type { Diagnosis, DiagnosisKind } from '../../../shared/doctor';

const SPAN_SAMPLE = 20;
/** Evidence quotes span names, which are untrusted and unbounded: it is cut at this length. */
const MAX_TEXT = 1000;

const cut = (text: string) => (text.length > MAX_TEXT ? `${text.slice(0, MAX_TEXT)}…` : text);

export type DiagnosisText = Omit<Diagnosis, 'kind' | 'service' | 'spanIds'>;

export class DiagnosisList {
  private readonly entries = new Map<string, { diagnosis: Diagnosis; spans: number }>();

  add(kind: DiagnosisKind, service: string, spanId: string | undefined, text: DiagnosisText): void {
    const key = `${kind}\u0000${service}`;
    let entry = this.entries.get(key);
    if (!entry) {
      const diagnosis = { kind, service: cut(service), ...text, title: cut(text.title), evidence: cut(text.evidence), spanIds: [] };
      this.entries.set(key, (entry = { diagnosis, spans: 0 }));
    }
    entry.spans++;
    if (spanId && entry.diagnosis.spanIds!.length < SPAN_SAMPLE) entry.diagnosis.spanIds!.push(spanId);
  }

  has(kind: DiagnosisKind): boolean {
    for (const entry of this.entries.values()) if (entry.diagnosis.kind === kind) return true;
    return false;
  }

  list(): Diagnosis[] {
    return [...this.entries.values()].map(({ diagnosis, spans }) => ({
      ...diagnosis,
      evidence: spans > 1 ? `${diagnosis.evidence} (${spans} spans like this)` : diagnosis.evidence,
      spanIds: diagnosis.spanIds!.length ? diagnosis.spanIds : undefined,
    }));
  }
}

/** The diagnoses one span gave, kept to be added again to another list (Doctor's per-span memo). */
export class RecordedDiagnoses extends DiagnosisList {
  private readonly calls: Parameters<DiagnosisList['add']>[] = [];

  override add(...call: Parameters<DiagnosisList['add']>): void {
    this.calls.push(call);
  }

  replay(out: DiagnosisList): void {
    for (const call of this.calls) out.add(...call);
  }
}
