// The skeleton of the trace shown (shared/traceSkeleton.ts), held as columns: one array per field,
// one entry per span, however many spans. A live trace's deltas are merged in by span id (a new
// span is appended, a changed one overwritten). Nothing here is per-span objects: the waterfall
// materializes a row only when it draws it.
import type { Diagnosis, InferredParent } from '../../src/shared/doctor';
import { SPAN_KINDS, type SpanKind, type SpanStatus, type TraceSummary } from '../../src/shared/spanModel';
import { SKELETON_STATUSES, type SpanSkeleton, type TraceSkeleton } from '../../src/shared/traceSkeleton';
import { drain, SLICE_ROWS, type Steps } from '../slices';

export type { SpanSkeleton };

export class TraceColumns {
  readonly traceId: string;
  revision = 0;
  count = 0;
  /** Spans still to come after a first part (the rows so far are the first in the waterfall's order). */
  rest = 0;
  ids: string[] = [];
  parents: string[] = [];
  names: string[] = [];
  services: string[] = [];
  kinds: number[] = [];
  statuses: number[] = [];
  /** Epoch milliseconds. */
  starts: number[] = [];
  durations: number[] = [];
  models: (string | undefined)[] = [];
  tokens: number[] = [];
  costs: number[] = [];
  readonly ttft = new Map<number, number>();
  readonly statusMessages = new Map<number, string>();
  readonly findings = new Map<number, string>();
  /** Rows of spans adopted from another trace: their trace id (shown only with the inferred parents). */
  readonly otherTrace = new Map<number, string>();
  private readonly rowOf = new Map<string, number>();
  summary: TraceSummary;
  /** Trace Doctor's, as of the last skeleton or delta. */
  diagnoses: Diagnosis[] = [];
  inferredParents: InferredParent[] = [];

  /** `taken`: false leaves the rows to `takeSteps` (see taking). */
  constructor(skeleton: TraceSkeleton, taken = true) {
    this.traceId = skeleton.summary.traceId;
    this.summary = skeleton.summary;
    if (taken) this.merge(skeleton);
  }

  /** The columns of a skeleton, taken in steps (slices.ts): a 100,000-span trace's rows, a slice at a time. */
  static *taking(skeleton: TraceSkeleton): Steps<TraceColumns> {
    const columns = new TraceColumns(skeleton, false);
    yield* columns.takeSteps(skeleton);
    return columns;
  }

  /** Takes a skeleton or a delta of the same trace; returns the rows it added or changed. */
  merge(skeleton: TraceSkeleton): number[] {
    return drain(this.takeSteps(skeleton));
  }

  private *takeSteps(skeleton: TraceSkeleton): Steps<number[]> {
    const { rows, strings, baseMs } = skeleton;
    this.summary = skeleton.summary;
    this.diagnoses = skeleton.diagnoses ?? [];
    this.inferredParents = skeleton.inferredParents ?? [];
    this.revision = Math.max(this.revision, skeleton.revision);
    if (skeleton.after === undefined) this.rest = skeleton.rest ?? 0;
    const ids = rows.ids ? rows.ids.split(' ') : [];
    const parents = rows.parents.split(' ');
    if (this.count === 0) return yield* this.takeWhole(skeleton, ids, parents);
    const touched: number[] = [];
    for (let i = 0; i < ids.length; i++) {
      let row = this.rowOf.get(ids[i]);
      if (row === undefined) {
        row = this.count++;
        this.rowOf.set(ids[i], row);
        this.ids.push(ids[i]);
      }
      touched.push(row);
      this.parents[row] = parents[i] ?? '';
      this.names[row] = strings[rows.name[i]] ?? '';
      this.services[row] = strings[rows.service[i]] ?? '';
      this.kinds[row] = rows.kind[i];
      this.statuses[row] = rows.status[i];
      this.starts[row] = baseMs + rows.start[i];
      this.durations[row] = rows.duration[i];
      this.models[row] = rows.model[i] >= 0 ? strings[rows.model[i]] : undefined;
      this.tokens[row] = rows.tokens[i];
      this.costs[row] = rows.cost[i];
      setSparse(this.ttft, row, rows.ttft?.[i]);
      setSparse(this.statusMessages, row, strings[rows.statusMessage?.[i] ?? -1]);
      setSparse(this.findings, row, strings[rows.findings?.[i] ?? -1]);
      setSparse(this.otherTrace, row, rows.traceIds?.[i]);
    }
    return touched;
  }

  /** The first skeleton: its columns are taken as they came (a 100,000-span trace is drawn from them at once). */
  private *takeWhole({ rows, strings, baseMs }: TraceSkeleton, ids: string[], parents: string[]): Steps<number[]> {
    this.count = ids.length;
    this.ids = ids;
    this.parents = parents;
    for (let row = 0; row < ids.length; row++) {
      this.names.push(strings[rows.name[row]] ?? '');
      this.services.push(strings[rows.service[row]] ?? '');
      const model = rows.model[row];
      this.models.push(model >= 0 ? strings[model] : undefined);
      this.starts.push(baseMs + rows.start[row]);
      this.rowOf.set(ids[row], row);
      if (row % SLICE_ROWS === SLICE_ROWS - 1) yield;
    }
    Object.assign(this, { kinds: rows.kind, statuses: rows.status, durations: rows.duration, tokens: rows.tokens, costs: rows.cost });
    for (const [row, ttft] of Object.entries(rows.ttft ?? {})) this.ttft.set(Number(row), ttft);
    for (const [row, index] of Object.entries(rows.statusMessage ?? {})) this.statusMessages.set(Number(row), strings[index]);
    for (const [row, index] of Object.entries(rows.findings ?? {})) this.findings.set(Number(row), strings[index]);
    for (const [row, traceId] of Object.entries(rows.traceIds ?? {})) this.otherTrace.set(Number(row), traceId);
    return ids.map((_, row) => row);
  }

  row(spanId: string): number | undefined {
    return this.rowOf.get(spanId);
  }

  kind(row: number): SpanKind {
    return SPAN_KINDS[this.kinds[row]] ?? 'UNKNOWN';
  }

  status(row: number): SpanStatus {
    return SKELETON_STATUSES[this.statuses[row]] ?? 'unset';
  }

  /** The span of a row, as a small object made when it is drawn. */
  span(row: number): SpanSkeleton {
    const span: SpanSkeleton = {
      traceId: this.otherTrace.get(row) ?? this.traceId, spanId: this.ids[row], name: this.names[row], kind: this.kind(row), service: this.services[row],
      startMs: this.starts[row], durationMs: this.durations[row], status: this.status(row),
    };
    if (this.parents[row]) span.parentSpanId = this.parents[row];
    const optional = { statusMessage: this.statusMessages.get(row), model: this.models[row], timeToFirstTokenMs: this.ttft.get(row) };
    for (const [key, value] of Object.entries(optional)) if (value !== undefined) Object.assign(span, { [key]: value });
    return span;
  }
}

function setSparse<T>(map: Map<number, T>, row: number, value: T | undefined): void {
  if (value === undefined) map.delete(row);
  else map.set(row, value);
}
