// Spans → their parent/child tree, as the sidebar, the waterfall, the chat digest and the trace
// comparison use it. Pure, so it is unit tested.
import type { Span } from './spanModel';

export interface SpanNode {
  span: Span;
  children: SpanNode[];
}

/**
 * Roots are spans without a parent, orphans whose parent never arrived, and the spans of a parent
 * cycle (a hostile trace's span that is its own grandparent); children by start time.
 */
export function buildSpanTree(spans: Span[]): SpanNode[] {
  const nodes = new Map<string, SpanNode>();
  for (const span of spans) nodes.set(span.spanId, { span, children: [] });
  const parentOf = (node: SpanNode) => (node.span.parentSpanId ? nodes.get(node.span.parentSpanId) : undefined);
  const inCycle = cycleMembers(nodes.values(), parentOf);
  const roots: SpanNode[] = [];
  for (const node of nodes.values()) {
    const parent = parentOf(node);
    if (parent && !inCycle.has(node)) parent.children.push(node);
    else roots.push(node);
  }
  const byStart = (a: SpanNode, b: SpanNode) => a.span.startMs - b.span.startMs;
  for (const node of nodes.values()) node.children.sort(byStart);
  return roots.sort(byStart);
}

/** The nodes on a parent cycle, each parent link followed once: linear however deep the chains. */
function cycleMembers<N>(nodes: Iterable<N>, parentOf: (node: N) => N | undefined): Set<N> {
  const done = new Set<N>();
  const members = new Set<N>();
  for (const start of nodes) {
    const path: N[] = [];
    const onPath = new Set<N>();
    let node: N | undefined = start;
    while (node && !done.has(node) && !onPath.has(node)) {
      path.push(node);
      onPath.add(node);
      node = parentOf(node);
    }
    // The walk came back to a node of its own path: from there on, the path is a cycle.
    if (node && onPath.has(node)) for (let i = path.indexOf(node); i < path.length; i++) members.add(path[i]);
    for (const walked of path) done.add(walked);
  }
  return members;
}
