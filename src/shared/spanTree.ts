// Spans → their parent/child tree, as the sidebar, the waterfall, the chat digest and the trace
// comparison use it. Pure, so it is unit tested.
import type { Span } from './spanModel';

export interface SpanNode {
  span: Span;
  children: SpanNode[];
}

/** Roots are spans without a parent and orphans whose parent never arrived; children by start time. */
export function buildSpanTree(spans: Span[]): SpanNode[] {
  const nodes = new Map<string, SpanNode>();
  for (const span of spans) nodes.set(span.spanId, { span, children: [] });
  const roots: SpanNode[] = [];
  for (const node of nodes.values()) {
    const parent = node.span.parentSpanId ? nodes.get(node.span.parentSpanId) : undefined;
    if (parent && !isAncestor(node, parent, nodes)) parent.children.push(node);
    else roots.push(node);
  }
  const byStart = (a: SpanNode, b: SpanNode) => a.span.startMs - b.span.startMs;
  for (const node of nodes.values()) node.children.sort(byStart);
  return roots.sort(byStart);
}

/** Guards against parent cycles in hostile traces (a span that is its own grandparent). */
function isAncestor(node: SpanNode, candidateParent: SpanNode, nodes: Map<string, SpanNode>): boolean {
  let current: SpanNode | undefined = candidateParent;
  for (let steps = 0; current && steps <= nodes.size; steps++) {
    if (current === node) return true;
    current = current.span.parentSpanId ? nodes.get(current.span.parentSpanId) : undefined;
  }
  return false;
}
