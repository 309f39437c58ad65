// Save as Test…: a trace becomes a regression test. Writes `<name>.tracetest.json` where the user
// chooses (the tests folder of the workspace by default) with expectations drafted from the
// trace, and the trace itself as its baseline beside it (baselines/<name>.otlp.json), then opens
// the test so its command can be fixed up. The engine drafts both from the whole trace (the query
// API's traceTestDraft route): the host only writes them, whatever the trace's size.
import * as vscode from 'vscode';
import { TEST_FILE_SUFFIX } from '../../shared/traceTests/traceTestFormat';
import { pickTrace } from '../commands/traceActions';
import { QueryApiStatusError } from '../../shared/queryApi';
import type { TraceTestDraft } from '../../shared/traceTestDraft';
import type { TraceSource } from '../engineConnection/traceSource';
import { traceIdOf, type TreeNode } from '../views/tracesTree';

/** `target` skips the save dialog (for scripts and tests). */
export async function saveAsTest(source: TraceSource, node?: TreeNode, target?: vscode.Uri): Promise<vscode.Uri | undefined> {
  const traceId = node ? traceIdOf(node) : await pickTrace(source, 'Save which trace as a test?');
  if (!traceId) return undefined;
  const draft = await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: 'Drafting a test from the trace…' },
    () => source.ask('traceTestDraft', traceId).catch((error: unknown): TraceTestDraft | undefined => {
      if (error instanceof QueryApiStatusError && error.status === 404) return undefined;
      throw error;
    }));
  if (!draft) return void vscode.window.showWarningMessage(`Trace ${traceId} is no longer loaded.`);
  const { name, test, baselinePath: baseline, baselineJson } = draft;
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
  target ??= await vscode.window.showSaveDialog({
    title: 'Save Trace as Test',
    defaultUri: folder && vscode.Uri.joinPath(folder, 'tests', `${name}${TEST_FILE_SUFFIX}`),
    filters: { 'Trace test': ['tracetest.json'] },
  });
  if (!target) return undefined;
  const file = target.path.endsWith(TEST_FILE_SUFFIX) ? target : target.with({ path: `${target.path.replace(/\.json$/, '')}${TEST_FILE_SUFFIX}` });
  await vscode.workspace.fs.writeFile(vscode.Uri.joinPath(file, '..', baseline), Buffer.from(baselineJson));
  await vscode.workspace.fs.writeFile(file, Buffer.from(`${JSON.stringify(test, null, 2)}\n`));
  await vscode.window.showTextDocument(file);
  void vscode.window.showInformationMessage(
    `Saved ${vscode.workspace.asRelativePath(file)} with its baseline. Edit "run.command" to start your app with this input; then run it from Test Explorer or with \`node dist/cli.js test\`.`);
  return file;
}
