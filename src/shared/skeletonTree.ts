// A trace's first spans (a skeleton's first part, in the waterfall's order: depth first, children by
// start, orphans under the parent Trace Doctor inferred) as a tree: each span's children as far as
// the part has them, and which lists it cut short. The Traces view opens a trace onto this, so
// expanding a 100,000-span trace reads a few hundred rows, not the trace. Pure, so it is unit tested.
import { SPAN_KINDS } from './spanModel';
import { SKELETON_STATUSES, type SkeletonRowInput, type TraceSkeleton } from './traceSkeleton';

export interface SkeletonTreeNode {
  row: SkeletonRowInput;
  children: SkeletonTreeNode[];
  /** The part ended inside this span's subtree: it has more descendants than these. */
  cut: boolean;
}

export interface SkeletonTree {
  roots: SkeletonTreeNode[];
  /** Spans of the trace the part left out (its `rest`). */
  rest: number;
}

/** The skeleton's rows as objects, in its order. */
export function skeletonRows(skeleton: TraceSkeleton): SkeletonRowInput[] {
  const { rows, strings, baseMs, summary } = skeleton;
  const ids = rows.ids ? rows.ids.split(' ') : [];
  const parents = rows.parents.split(' ');
  return ids.map((spanId, i) => {
    const statusMessage = rows.statusMessage?.[i];
    const findings = rows.findings?.[i];
    const model = rows.model[i];
    return {
      traceId: rows.traceIds?.[i] ?? summary.traceId, spanId, parentSpanId: parents[i] || undefined, name: strings[rows.name[i]] ?? '',
      kind: SPAN_KINDS[rows.kind[i]] ?? 'UNKNOWN', service: strings[rows.service[i]] ?? '', startMs: baseMs + rows.start[i], durationMs: rows.duration[i],
      status: SKELETON_STATUSES[rows.status[i]] ?? 'unset', statusMessage: statusMessage === undefined ? undefined : strings[statusMessage],
      model: model >= 0 ? strings[model] : undefined, tokens: rows.tokens[i] || undefined, costUsd: rows.cost[i] || undefined,
      timeToFirstTokenMs: rows.ttft?.[i], findings: findings === undefined ? undefined : strings[findings]?.split('\n'),
    };
  });
}

/**
 * The tree of a first part. Its rows come depth first, so a span's subtree is whole once a row
 * outside it follows; the spans still open at the part's end (the path to its last row) were cut.
 */
export function skeletonTree(skeleton: TraceSkeleton): SkeletonTree {
  const inferred = new Map((skeleton.inferredParents ?? []).map((i) => [`${i.traceId}/${i.spanId}`, i.parentSpanId]));
  const rest = skeleton.rest ?? 0;
  const roots: SkeletonTreeNode[] = [];
  const open: SkeletonTreeNode[] = [];
  for (const row of skeletonRows(skeleton)) {
    const parent = inferred.get(`${row.traceId}/${row.spanId}`) ?? row.parentSpanId;
    while (open.length && open[open.length - 1].row.spanId !== parent) open.pop();
    const node: SkeletonTreeNode = { row, children: [], cut: false };
    (open.length ? open[open.length - 1].children : roots).push(node);
    open.push(node);
  }
  if (rest > 0) for (const node of open) node.cut = true;
  return { roots, rest };
}
