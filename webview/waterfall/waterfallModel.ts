// Spans → the waterfall's rows: tree order, depth, self time, share of the trace, the critical
// path and the slowest steps. Pure (no DOM), so it is unit tested and the view only draws.
import { buildSpanTree, type SpanNode } from '../../src/shared/spanTree';
import type { Span, SpanKind } from '../../src/shared/spanModel';

export interface WaterfallRow {
  span: Span;
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
}

export interface WaterfallModel {
  rows: WaterfallRow[];
  rowById: Map<string, WaterfallRow>;
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

export function buildWaterfall(spans: Span[]): WaterfallModel {
  const roots = buildSpanTree(spans);
  const rows = flatten(roots);
  let startMs = spans.length ? Infinity : 0;
  let endMs = spans.length ? -Infinity : 0;
  for (const s of spans) {
    startMs = Math.min(startMs, s.startMs);
    endMs = Math.max(endMs, s.startMs + s.durationMs);
  }
  const durationMs = endMs - startMs;
  for (const row of rows) row.share = durationMs > 0 ? row.span.durationMs / durationMs : 1;
  const rowById = new Map(rows.map((row) => [row.span.spanId, row]));
  markCriticalPath(roots, rowById, endMs);
  rankSlowest(rows, durationMs);
  return {
    rows,
    rowById,
    startMs,
    durationMs,
    services: [...new Set(spans.map((s) => s.service))].sort(),
    kinds: [...new Set(spans.map((s) => s.kind))].sort(),
  };
}

/** Depth-first, children by start; iterative because agent runs can nest deeper than the stack. */
function flatten(roots: SpanNode[]): WaterfallRow[] {
  const rows: WaterfallRow[] = [];
  const stack: { node: SpanNode; depth: number; parentIndex: number }[] =
    roots.map((node) => ({ node, depth: 0, parentIndex: -1 })).reverse();
  const open: WaterfallRow[] = [];
  while (stack.length) {
    const { node, depth, parentIndex } = stack.pop()!;
    while (open.length > depth) open.pop()!.subtreeEnd = rows.length;
    const row: WaterfallRow = {
      span: node.span, index: rows.length, depth, parentIndex, childCount: node.children.length,
      subtreeEnd: rows.length + 1, selfMs: selfTime(node), share: 0, critical: false,
    };
    rows.push(row);
    open.push(row);
    for (let i = node.children.length - 1; i >= 0; i--) stack.push({ node: node.children[i], depth: depth + 1, parentIndex: row.index });
  }
  while (open.length) open.pop()!.subtreeEnd = rows.length;
  return rows;
}

/** The span's duration minus the union of its children's intervals (clipped to the span). */
function selfTime(node: SpanNode): number {
  const start = node.span.startMs;
  const end = start + node.span.durationMs;
  let covered = 0;
  let cursor = start;
  for (const child of node.children) { // sorted by start
    const from = Math.max(child.span.startMs, cursor);
    const to = Math.min(child.span.startMs + child.span.durationMs, end);
    if (to > from) {
      covered += to - from;
      cursor = to;
    }
  }
  return Math.max(node.span.durationMs - covered, 0);
}

/**
 * Walks back from the end: the child that finished last (before the cursor) was being waited
 * for; before it started, the one that finished last before that; and so on, recursively.
 */
function markCriticalPath(roots: SpanNode[], rowOf: Map<string, WaterfallRow>, endMs: number): void {
  const work: { children: SpanNode[]; limit: number }[] = [{ children: roots, limit: endMs }];
  while (work.length) {
    const { children, limit } = work.pop()!;
    const byEnd = [...children].sort((a, b) => end(b) - end(a));
    let cursor = limit;
    for (const child of byEnd) {
      if (child.span.startMs >= cursor) continue;
      rowOf.get(child.span.spanId)!.critical = true;
      work.push({ children: child.children, limit: Math.min(end(child), cursor) });
      cursor = child.span.startMs;
    }
  }
}

const end = (node: SpanNode) => node.span.startMs + node.span.durationMs;

/**
 * The steps below the root with the most self time: where the time really went. A badge that
 * lands on nearly every row says nothing, so only traces with a few steps get them, and only
 * steps that took a notable share of the trace.
 */
function rankSlowest(rows: WaterfallRow[], durationMs: number): void {
  const steps = rows.filter((row) => row.parentIndex >= 0);
  if (steps.length < RANKED_STEPS_MIN) return;
  steps.filter((row) => row.selfMs > 0 && (durationMs <= 0 || row.selfMs / durationMs >= NOTABLE_SHARE))
    .sort((a, b) => b.selfMs - a.selfMs).slice(0, SLOWEST_SHOWN).forEach((row, i) => (row.slowestRank = i + 1));
}

/** Indices of the rows shown when the given spans are collapsed, in order. */
export function visibleRows(model: WaterfallModel, collapsed: ReadonlySet<string>): number[] {
  const visible: number[] = [];
  for (let i = 0; i < model.rows.length;) {
    const row = model.rows[i];
    visible.push(i);
    i = collapsed.has(row.span.spanId) ? row.subtreeEnd : i + 1;
  }
  return visible;
}

/** The headline for "why is this slow": the step below the root with the most self time, badge or not. */
export function bottleneck(model: WaterfallModel): WaterfallRow | undefined {
  let slowest: WaterfallRow | undefined;
  for (const row of model.rows) if (row.parentIndex >= 0 && row.selfMs > 0 && (!slowest || row.selfMs > slowest.selfMs)) slowest = row;
  return slowest;
}

/** "79%", and "<1%" rather than a misleading "0%" for a step that took some time. */
export function formatShare(share: number): string {
  return share > 0 && share < 0.005 ? '<1%' : `${Math.round(share * 100)}%`;
}
