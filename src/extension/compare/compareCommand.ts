// Compare Traces: pick two (or select two rows in the tree) and see them in VS Code's diff editor.
import * as vscode from 'vscode';
import { pickTrace } from '../commands/traceActions';
import type { TraceSource } from '../engineConnection/traceSource';
import { traceIdOf, type TreeNode } from '../views/tracesTree';
import { compareTraces } from './traceComparison';

export const COMPARE_SCHEME = 'ai-trace-compare';

/** Serves both sides of a comparison as read-only virtual documents. */
export class ComparisonDocuments implements vscode.TextDocumentContentProvider {
  constructor(private readonly source: TraceSource) {}

  async provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
    const [side, a, b] = uri.path.replace(/^\//, '').replace(/\.md$/, '').split('-');
    const [left, right] = await Promise.all([this.source.trace(a), this.source.trace(b)]);
    if (!left || !right) return `Trace ${!left ? a : b} is no longer loaded (cleared or evicted).`;
    const sides = compareTraces(left, right);
    return side === 'A' ? sides.left : sides.right;
  }
}

export async function compareTracesCommand(source: TraceSource, node?: TreeNode, selected?: TreeNode[]): Promise<void> {
  const ids = [...new Set((selected?.length ? selected : node ? [node] : []).map(traceIdOf))];
  while (ids.length < 2) {
    const picked = await pickTrace(source, ids.length ? 'Compare with which trace?' : 'Compare which trace (A)?', ids);
    if (!picked) return;
    ids.push(picked);
  }
  const [a, b] = ids;
  const uri = (side: 'A' | 'B') => vscode.Uri.from({ scheme: COMPARE_SCHEME, path: `/${side}-${a}-${b}.md` });
  await vscode.commands.executeCommand('vscode.diff', uri('A'), uri('B'), `Trace ${a.slice(0, 8)} ↔ ${b.slice(0, 8)}`, { preview: true });
}
