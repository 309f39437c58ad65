// Export Dataset: the inputs (and outputs) of selected, failed or filtered traces as JSONL, one
// example per line with the app's own field names, ready for dspy.Example(**row).with_inputs(...)
// or any eval tool. Values come from each trace's root span (input.value / output.value).
import * as vscode from 'vscode';
import { datasetRow } from './datasetRows';
import type { TraceSource } from '../engineConnection/traceSource';
import { traceIdOf, type TreeNode } from '../views/tracesTree';

const MAX_TRACES = 10_000;

export async function exportDataset(source: TraceSource, filterText: string, node?: TreeNode, selected?: TreeNode[]): Promise<void> {
  let traceIds = (selected?.length ? selected : node ? [node] : []).map(traceIdOf);
  if (!traceIds.length) {
    const which = await vscode.window.showQuickPick([
      { label: 'Failed traces', query: { status: 'error' as const } },
      ...(filterText ? [{ label: `Traces matching the filter: ${filterText}`, query: { filter: filterText } }] : []),
      { label: 'All loaded traces', query: {} },
    ], { title: 'Export which traces as a dataset?' });
    if (!which) return;
    traceIds = (await source.query({ ...which.query, limit: MAX_TRACES })).map((t) => t.traceId);
  }
  if (!traceIds.length) return void vscode.window.showInformationMessage('No traces to export.');
  const withOutputs = await vscode.window.showQuickPick([{ label: 'Inputs and outputs', outputs: true }, { label: 'Inputs only', outputs: false }], { title: 'What goes in each example?' });
  if (!withOutputs) return;
  const target = await vscode.window.showSaveDialog({
    title: 'Export Dataset as JSONL',
    defaultUri: vscode.Uri.joinPath(vscode.workspace.workspaceFolders?.[0]?.uri ?? vscode.Uri.file(require('node:os').homedir()), 'traces-dataset.jsonl'),
    filters: { 'JSON Lines': ['jsonl'] },
  });
  if (!target) return;

  const inputNames = new Set<string>();
  const lines: string[] = [];
  let skipped = 0;
  await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: 'Exporting dataset', cancellable: true }, async (progress, token) => {
    for (const [i, traceId] of traceIds.entries()) {
      if (token.isCancellationRequested) break;
      if (i % 50 === 0) progress.report({ message: `${i} of ${traceIds.length}`, increment: (50 / traceIds.length) * 100 });
      const detail = await source.trace(traceId);
      const row = detail && datasetRow(detail);
      if (!row) {
        skipped++;
        continue;
      }
      Object.keys(row.inputs).forEach((k) => inputNames.add(k));
      const outputs = withOutputs.outputs ? Object.fromEntries(Object.entries(row.outputs).map(([k, v]) => [k in row.inputs ? `${k}_output` : k, v])) : {};
      lines.push(JSON.stringify({ ...row.inputs, ...outputs }));
    }
  });
  await vscode.workspace.fs.writeFile(target, Buffer.from(lines.map((l) => `${l}\n`).join('')));
  const names = [...inputNames].map((n) => `"${n}"`).join(', ');
  void vscode.window.showInformationMessage(
    `Exported ${lines.length} examples to ${vscode.workspace.asRelativePath(target)}${skipped ? ` (${skipped} traces had no recorded input)` : ''}. `
    + `In DSPy: dspy.Example(**row).with_inputs(${names}).`, 'Open').then((open) => open && vscode.window.showTextDocument(target));
}
