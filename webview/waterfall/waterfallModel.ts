// The trace's columns → the waterfall's layout: tree order, depth, self time, share of the trace,
// the critical path and the slowest steps, for every span, in typed arrays (a 100,000-span trace
// is a few megabytes, not 100,000 objects). A row object is made only for a row that is drawn
// (rowAt). Pure (no DOM), so it is unit tested and the view only draws.
import type { SpanKind } from '../../src/shared/spanModel';
import { drain, SLICE_ROWS, type Steps } from '../slices';
import type { SpanSkeleton, TraceColumns } from './traceColumns';

export interface WaterfallRow {
  span: SpanSkeleton;
  /** Position in tree order among all rows. */
  index: number;
  depth: number;
  parentIndex: number;
  childCount: number;
  /** The index just past this row's last descendant. */
  subtreeEnd: number;
  /** Time not covered by any child: where this span itself spent the time. */
  selfMs: number;
  /** Duration as a share of the whole trace (0..1). */
  share: number;
  /** On the chain of spans that decided when the trace ended. */
  critical: boolean;
  /** 1, 2, 3 for the steps with the most self time, where that is worth a badge (rankSlowest). */
  slowestRank?: number;
  /** The detectors' findings on the span, one per line. */
  findings?: string;
  /** Why Trace Doctor shows it under this parent, when it inferred the parent. */
  inferredParent?: string;
}

export interface WaterfallModel {
  columns: TraceColumns;
  /** Rows in tree order. */
  count: number;
  /** Tree position → column row. */
  order: Int32Array;
  /** Column row → tree position (-1: not shown, e.g. an adopted span shown as received). */
  positionOfRow: Int32Array;
  depth: Int32Array;
  parentIndex: Int32Array;
  childCount: Int32Array;
  subtreeEnd: Int32Array;
  selfMs: Float64Array;
  critical: Uint8Array;
  slowestRank: Map<number, number>;
  inferredParent: Map<number, string>;
  startMs: number;
  durationMs: number;
  services: string[];
  kinds: SpanKind[];
}

const SLOWEST_SHOWN = 3;
/** Rank badges only in traces with this many steps below the root: in a smaller one every row would get one. */
const RANKED_STEPS_MIN = 3;
/** ...and only on a step whose self time is at least this share of the trace. */
const NOTABLE_SHARE = 0.1;

/**
 * Lays out the trace. `repair`: orphans (and spans adopted from other traces) under the parents
 * Trace Doctor inferred, marked; without it, exactly as received.
 */
export function buildWaterfall(columns: TraceColumns, repair = true): WaterfallModel {
  return drain(layOut(columns, repair));
}

/** buildWaterfall in steps (slices.ts): it yields every SLICE_ROWS rows of each pass over the spans. */
export function* layOut(columns: TraceColumns, repair = true): Steps<WaterfallModel> {
  let work = 0;
  const sliceDone = () => ++work % SLICE_ROWS === 0;
  const inferred = repair ? new Map(columns.inferredParents.map((i) => [i.spanId, i])) : new Map();
  const shownRows: number[] = [];
  for (let row = 0; row < columns.count; row++) {
    if (repair || !columns.otherTrace.has(row)) shownRows.push(row);
    if (sliceDone()) yield;
  }
  const n = shownRows.length;
  const starts = columns.starts;
  const ends = (row: number) => starts[row] + columns.durations[row];
  // Parents, by id among the rows shown; the inferred one where Trace Doctor gave one.
  const parentRow = new Int32Array(columns.count).fill(-1);
  const inferredParent = new Map<number, string>();
  const shown = new Uint8Array(columns.count);
  for (const row of shownRows) shown[row] = 1;
  for (const row of shownRows) {
    const repaired = inferred.get(columns.ids[row]);
    const traceOk = repaired && repaired.traceId === (columns.otherTrace.get(row) ?? columns.traceId);
    const parentId = traceOk ? repaired.parentSpanId : columns.parents[row];
    const parent = parentId ? columns.row(parentId) : undefined;
    if (parent !== undefined && shown[parent] && parent !== row) {
      parentRow[row] = parent;
      if (traceOk) inferredParent.set(row, repaired.reason);
    }
    if (sliceDone()) yield;
  }
  breakCycles(parentRow, shownRows);
  // Children of each row (and the roots), by start: CSR arrays rather than a list per row.
  const childCounts = new Int32Array(columns.count + 1);
  for (const row of shownRows) childCounts[parentRow[row] + 1]++;
  const firstChild = new Int32Array(columns.count + 2);
  for (let i = 0; i <= columns.count; i++) firstChild[i + 1] = firstChild[i] + childCounts[i];
  const fill = firstChild.slice(0, columns.count + 1);
  const children = new Int32Array(n);
  for (const row of shownRows) children[fill[parentRow[row] + 1]++] = row;
  const byStart = (a: number, b: number) => starts[a] - starts[b] || a - b;
  for (let i = 0; i <= columns.count; i++) {
    if (childCounts[i] > 1) children.subarray(firstChild[i], firstChild[i + 1]).sort(byStart);
    if (sliceDone()) yield;
  }
  // A row's children are children[firstChild[row + 1]] up to children[firstChild[row + 2]]; the roots come first.
  const roots = children.subarray(firstChild[0], firstChild[1]);

  // Depth-first, iterative: agent runs can nest deeper than the stack.
  const order = new Int32Array(n);
  const positionOfRow = new Int32Array(columns.count).fill(-1);
  const depth = new Int32Array(n);
  const parentIndex = new Int32Array(n);
  const subtreeEnd = new Int32Array(n);
  const childCount = new Int32Array(n);
  const stack: number[] = [];
  for (let i = roots.length - 1; i >= 0; i--) stack.push(roots[i]);
  const open: number[] = [];
  let position = 0;
  while (stack.length) {
    const row = stack.pop()!;
    const parent = parentRow[row];
    const parentPosition = parent >= 0 ? positionOfRow[parent] : -1;
    while (open.length && open[open.length - 1] !== parentPosition) subtreeEnd[open.pop()!] = position;
    order[position] = row;
    positionOfRow[row] = position;
    depth[position] = parentPosition >= 0 ? depth[parentPosition] + 1 : 0;
    parentIndex[position] = parentPosition;
    const from = firstChild[row + 1];
    const to = firstChild[row + 2];
    childCount[position] = to - from;
    open.push(position);
    position++;
    for (let i = to - 1; i >= from; i--) stack.push(children[i]);
    if (sliceDone()) yield;
  }
  while (open.length) subtreeEnd[open.pop()!] = position;

  let startMs = n ? Infinity : 0;
  let endMs = n ? -Infinity : 0;
  for (const row of shownRows) {
    startMs = Math.min(startMs, starts[row]);
    endMs = Math.max(endMs, ends(row));
  }
  const selfMs = new Float64Array(n);
  for (let p = 0; p < n; p++) {
    const row = order[p];
    selfMs[p] = selfTime(row, children, firstChild[row + 1], firstChild[row + 2], starts, columns.durations, ends);
    if (sliceDone()) yield;
  }
  const critical = new Uint8Array(n);
  // Of a first part, the critical path and the slowest steps would be wrong: they wait for every span.
  const complete = columns.rest === 0;
  if (complete) yield* markCriticalPath(roots, (row) => children.subarray(firstChild[row + 1], firstChild[row + 2]), ends, starts, positionOfRow, critical, endMs);
  const durationMs = endMs - startMs;
  const services = new Set<string>();
  const kinds = new Set<SpanKind>();
  for (const row of shownRows) {
    services.add(columns.services[row]);
    kinds.add(columns.kind(row));
    if (sliceDone()) yield;
  }
  const model: WaterfallModel = {
    columns, count: n, order, positionOfRow, depth, parentIndex, childCount, subtreeEnd, selfMs, critical,
    slowestRank: new Map(), inferredParent, startMs, durationMs, services: [...services].sort(), kinds: [...kinds].sort(),
  };
  if (complete) rankSlowest(model);
  return model;
}

/** Hostile traces can make parents a cycle (a span its own grandparent): the span that closes one becomes a root. */
function breakCycles(parentRow: Int32Array, rows: number[]): void {
  const walk = new Int32Array(parentRow.length); // 0: not seen; k: seen on walk k; -1: known to reach a root
  let walkNumber = 0;
  for (const start of rows) {
    walkNumber++;
    let row = start;
    while (row >= 0 && walk[row] === 0) {
      walk[row] = walkNumber;
      const parent = parentRow[row];
      if (parent >= 0 && walk[parent] === walkNumber) parentRow[row] = -1;
      row = parentRow[row];
    }
    for (let r = start; r >= 0 && walk[r] === walkNumber; r = parentRow[r]) walk[r] = -1;
  }
}

/** The span's duration minus the union of its children's intervals (clipped to the span). */
function selfTime(row: number, children: Int32Array, from: number, to: number, starts: number[], durations: number[], ends: (row: number) => number): number {
  const start = starts[row];
  const end = ends(row);
  let covered = 0;
  let cursor = start;
  for (let i = from; i < to; i++) { // sorted by start
    const child = children[i];
    const from = Math.max(starts[child], cursor);
    const to = Math.min(ends(child), end);
    if (to > from) {
      covered += to - from;
      cursor = to;
    }
  }
  return Math.max(durations[row] - covered, 0);
}

/**
 * Walks back from the end: the child that finished last (before the cursor) was being waited
 * for; before it started, the one that finished last before that; and so on, recursively.
 */
function* markCriticalPath(roots: Int32Array, childrenOf: (row: number) => Int32Array, ends: (row: number) => number, starts: number[],
  positionOfRow: Int32Array, critical: Uint8Array, endMs: number): Steps<void> {
  const work: { children: Int32Array; limit: number }[] = [{ children: roots, limit: endMs }];
  for (let step = 1; work.length; step++) {
    if (step % SLICE_ROWS === 0) yield;
    const { children, limit } = work.pop()!;
    if (!children.length) continue;
    const byEnd = children.length === 1 ? children : Int32Array.from(children).sort((a, b) => ends(b) - ends(a));
    let cursor = limit;
    for (const child of byEnd) {
      if (starts[child] >= cursor) continue;
      critical[positionOfRow[child]] = 1;
      work.push({ children: childrenOf(child), limit: Math.min(ends(child), cursor) });
      cursor = starts[child];
    }
  }
}

/**
 * The steps below the root with the most self time: where the time really went. A badge that
 * lands on nearly every row says nothing, so only traces with a few steps get them, and only
 * steps that took a notable share of the trace.
 */
function rankSlowest(model: WaterfallModel): void {
  let steps = 0;
  const top: number[] = [];
  for (let p = 0; p < model.count; p++) {
    if (model.parentIndex[p] < 0) continue;
    steps++;
    if (!(model.selfMs[p] > 0) || (model.durationMs > 0 && model.selfMs[p] / model.durationMs < NOTABLE_SHARE)) continue;
    top.push(p);
    top.sort((a, b) => model.selfMs[b] - model.selfMs[a] || a - b);
    if (top.length > SLOWEST_SHOWN) top.pop();
  }
  if (steps < RANKED_STEPS_MIN) return;
  top.forEach((p, i) => model.slowestRank.set(p, i + 1));
}

/** The row at a tree position, made now (rows are drawn a screenful at a time). */
export function rowAt(model: WaterfallModel, index: number): WaterfallRow {
  const row = model.order[index];
  const span = model.columns.span(row);
  const result: WaterfallRow = {
    span, index, depth: model.depth[index], parentIndex: model.parentIndex[index], childCount: model.childCount[index],
    subtreeEnd: model.subtreeEnd[index], selfMs: model.selfMs[index], share: model.durationMs > 0 ? span.durationMs / model.durationMs : 1,
    critical: model.critical[index] === 1,
  };
  const rank = model.slowestRank.get(index);
  if (rank !== undefined) result.slowestRank = rank;
  const findings = model.columns.findings.get(row);
  if (findings) result.findings = findings;
  const inferred = model.inferredParent.get(row);
  if (inferred) result.inferredParent = inferred;
  return result;
}

/** The tree position of a span, if the model shows it. */
export function indexOfSpan(model: WaterfallModel, spanId: string | undefined): number | undefined {
  const row = spanId === undefined ? undefined : model.columns.row(spanId);
  const position = row === undefined ? -1 : model.positionOfRow[row];
  return position >= 0 ? position : undefined;
}

export const spanIdAt = (model: WaterfallModel, index: number): string => model.columns.ids[model.order[index]];

/** Tree positions of the rows shown when the given spans are collapsed, in order. */
export function visibleRows(model: WaterfallModel, collapsed: ReadonlySet<string>): Int32Array {
  const visible = new Int32Array(model.count);
  let shown = 0;
  for (let i = 0; i < model.count;) {
    visible[shown++] = i;
    i = collapsed.size && collapsed.has(spanIdAt(model, i)) ? model.subtreeEnd[i] : i + 1;
  }
  return visible.subarray(0, shown);
}

/** The headline for "why is this slow": the step below the root with the most self time, badge or not. */
export function bottleneck(model: WaterfallModel): WaterfallRow | undefined {
  let slowest = -1;
  for (let p = 0; p < model.count; p++) {
    if (model.parentIndex[p] >= 0 && model.selfMs[p] > 0 && (slowest < 0 || model.selfMs[p] > model.selfMs[slowest])) slowest = p;
  }
  return slowest < 0 ? undefined : rowAt(model, slowest);
}

/** Tree positions of the failed spans, in tree order. */
export function failedRows(model: WaterfallModel): number[] {
  const failed: number[] = [];
  for (let p = 0; p < model.count; p++) if (model.columns.statuses[model.order[p]] === 2) failed.push(p);
  return failed;
}

/** "79%", and "<1%" rather than a misleading "0%" for a step that took some time. */
export function formatShare(share: number): string {
  return share > 0 && share < 0.005 ? '<1%' : `${Math.round(share * 100)}%`;
}
