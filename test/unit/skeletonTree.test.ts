// The Traces view's tree of a trace's first spans (shared/skeletonTree.ts), from the engine's real
// first part of an agent run: the same nesting as the whole trace as far as the part goes, and
// "cut" exactly where it stopped.
import assert from 'node:assert/strict';
import { skeletonTree, type SkeletonTreeNode } from '../../src/shared/skeletonTree';
import { buildSpanTree, type SpanNode } from '../../src/shared/spanTree';
import { agentRunTraceId } from '../integration/agentRunTraffic';
import { useEngineWithAgentRun } from './helpers/liveEngine';

const SPANS = 1200;
const TRACE_NUMBER = 0x7ee;
const TRACE = agentRunTraceId(TRACE_NUMBER);

/** Depth first, children by start: the waterfall's order. */
function preOrder<N>(roots: N[], children: (node: N) => N[]): N[] {
  const out: N[] = [];
  const stack = [...roots].reverse();
  while (stack.length) {
    const node = stack.pop()!;
    out.push(node);
    stack.push(...[...children(node)].reverse());
  }
  return out;
}

describe('the Traces view\'s tree of a trace\'s first spans', function () {
  this.timeout(60_000);
  const live = useEngineWithAgentRun(TRACE_NUMBER, SPANS);
  let whole: SpanNode[];
  before(async () => {
    whole = buildSpanTree((await live.api.get('trace', TRACE)).spans);
  });

  it('nests the first part as the whole trace is nested, and marks cut exactly the spans the part ended inside', async () => {
    const first = 150;
    const tree = skeletonTree(await live.api.get('traceSkeleton', TRACE, undefined, first));
    assert.equal(tree.rest, SPANS - first);
    const wholeOrder = preOrder(whole, (n) => n.children);
    const partOrder = preOrder(tree.roots, (n) => n.children);
    assert.deepEqual(partOrder.map((n) => n.row.spanId), wholeOrder.slice(0, first).map((n) => n.span.spanId));
    const wholeById = new Map(wholeOrder.map((n) => [n.span.spanId, n]));
    const last = partOrder[partOrder.length - 1];
    const pathToLast = new Set<SkeletonTreeNode>();
    const findPath = (nodes: SkeletonTreeNode[]): boolean => nodes.some((n) => (n === last || findPath(n.children)) && pathToLast.add(n));
    findPath(tree.roots);
    for (const node of partOrder) {
      const full = wholeById.get(node.row.spanId)!.children.map((c) => c.span.spanId);
      const shown = node.children.map((c) => c.row.spanId);
      assert.deepEqual(shown, full.slice(0, shown.length), `${node.row.name}: its first children`);
      assert.equal(node.cut, pathToLast.has(node), `${node.row.name}: cut only on the way to the last row`);
      if (!node.cut) assert.equal(shown.length, full.length, `${node.row.name}: all its children`);
    }
    const llm = partOrder.find((n) => n.row.kind === 'LLM')!;
    const span = wholeById.get(llm.row.spanId)!.span;
    assert.deepEqual([llm.row.name, llm.row.model, llm.row.tokens, llm.row.status], [span.name, span.model, span.tokens?.total, span.status]);
  });

  it('is the whole tree, nothing cut, when the trace fits', async () => {
    const tree = skeletonTree(await live.api.get('traceSkeleton', TRACE, undefined, SPANS));
    assert.equal(tree.rest, 0);
    const part = preOrder(tree.roots, (n) => n.children);
    assert.equal(part.length, SPANS);
    assert.ok(part.every((n) => !n.cut));
  });
});
