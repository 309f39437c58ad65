// Save as Test…: a trace becomes a regression test. Writes `<name>.tracetest.json` where the user
// chooses (the tests folder of the workspace by default) with expectations drafted from the
// trace, and the trace itself as its baseline beside it (baselines/<name>.otlp.json), then opens
// the test so its command can be fixed up.
import * as vscode from 'vscode';
import { draftTraceTest, slug } from '../../shared/traceTests/draftTest';
import { TEST_FILE_SUFFIX } from '../../shared/traceTests/traceTestFormat';
import { pickTrace } from '../commands/traceActions';
import type { TraceSource } from '../engineConnection/traceSource';
import { traceIdOf, type TreeNode } from '../views/tracesTree';

/** `target` skips the save dialog (for scripts and tests). */
export async function saveAsTest(source: TraceSource, node?: TreeNode, target?: vscode.Uri): Promise<vscode.Uri | undefined> {
  const traceId = node ? traceIdOf(node) : await pickTrace(source, 'Save which trace as a test?');
  if (!traceId) return undefined;
  const [trace, otlp] = await Promise.all([source.trace(traceId), source.exportOtlp(traceId)]);
  if (!trace || !otlp) return void vscode.window.showWarningMessage(`Trace ${traceId} is no longer loaded.`);
  const name = slug(trace.summary.name);
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
  target ??= await vscode.window.showSaveDialog({
    title: 'Save Trace as Test',
    defaultUri: folder && vscode.Uri.joinPath(folder, 'tests', `${name}${TEST_FILE_SUFFIX}`),
    filters: { 'Trace test': ['tracetest.json'] },
  });
  if (!target) return undefined;
  const file = target.path.endsWith(TEST_FILE_SUFFIX) ? target : target.with({ path: `${target.path.replace(/\.json$/, '')}${TEST_FILE_SUFFIX}` });
  const baseline = `baselines/${name}.otlp.json`;
  const test = draftTraceTest(trace, baseline);
  await vscode.workspace.fs.writeFile(vscode.Uri.joinPath(file, '..', baseline), Buffer.from(JSON.stringify(otlp, null, 2)));
  await vscode.workspace.fs.writeFile(file, Buffer.from(`${JSON.stringify(test, null, 2)}\n`));
  await vscode.window.showTextDocument(file);
  void vscode.window.showInformationMessage(
    `Saved ${vscode.workspace.asRelativePath(file)} with its baseline. Edit "run.command" to start your app with this input; then run it from Test Explorer or with \`node dist/cli.js test\`.`);
  return file;
}
