// Export, Clear, Copy Instrumentation Snippet: commands that act on traces or help send them.
import * as vscode from 'vscode';
import { formatDuration, formatRelativeTime, noIcons } from '../../shared/format';
import { SNIPPETS, type InstrumentationSnippet, type SnippetLanguage } from './snippets';
import type { TraceSource } from '../engineConnection/traceSource';
import { traceIdOf, type TreeNode } from '../views/tracesTree';

/** One of the recent traces, picked by the user (`exclude`: ones already chosen). */
export async function pickTrace(source: TraceSource, title: string, exclude: string[] = []): Promise<string | undefined> {
  const traces = (await source.query({ limit: 200 })).filter((t) => !exclude.includes(t.traceId));
  const picked = await vscode.window.showQuickPick(traces.map((t) => ({
    label: `${t.status === 'error' ? '$(error)' : '$(pass)'} ${noIcons(t.name)}`,
    description: `${formatDuration(t.durationMs)} · ${formatRelativeTime(t.startMs)} · ${noIcons(t.service)}`,
    detail: t.traceId, traceId: t.traceId,
  })), { title, matchOnDetail: true, matchOnDescription: true });
  return picked?.traceId;
}

/** The trace a command applies to: the tree row it was run on, or one the user picks. */
function chooseTrace(source: TraceSource, node: TreeNode | undefined, title: string): Promise<string | undefined> {
  return node ? Promise.resolve(traceIdOf(node)) : pickTrace(source, title);
}

export async function exportTrace(source: TraceSource, node?: TreeNode): Promise<void> {
  const traceId = await chooseTrace(source, node, 'Export which trace?');
  if (!traceId) return;
  const target = await vscode.window.showSaveDialog({
    title: 'Export Trace as OTLP/JSON',
    defaultUri: vscode.Uri.joinPath(vscode.workspace.workspaceFolders?.[0]?.uri ?? vscode.Uri.file(require('node:os').homedir()), `trace-${traceId}.otlp.json`),
    filters: { 'OTLP/JSON': ['json'] },
  });
  if (!target) return;
  await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: 'Exporting trace…' }, async () => {
    const data = await source.exportOtlp(traceId);
    if (!data) throw new Error(`Trace ${traceId} is no longer loaded.`);
    await vscode.workspace.fs.writeFile(target, Buffer.from(JSON.stringify(data, null, 2)));
  });
  const open = await vscode.window.showInformationMessage(`Exported trace to ${vscode.workspace.asRelativePath(target)}. Jaeger, Phoenix and this extension can import it.`, 'Open');
  if (open) await vscode.window.showTextDocument(target);
}

/** The two ways to clear; the command takes one as its argument to skip the question. */
export type ClearChoice = 'view' | 'everything';

const CLEAR_VIEW = 'Clear the View';
const DELETE_STORED = 'Also Delete Everything Stored';

export async function clearTraces(source: TraceSource, choice?: ClearChoice): Promise<void> {
  if (!choice) {
    const stats = await source.stats();
    const answer = await vscode.window.showWarningMessage(`Clear ${stats.traces} trace${stats.traces === 1 ? '' : 's'}?`, {
      modal: true,
      detail: `${CLEAR_VIEW}: they leave memory, and the store (and imported files) bring them back after a restart.\n`
        + `${DELETE_STORED}: the store's files are deleted and imported files are no longer read or tailed (the files themselves stay). This cannot be undone.`,
    }, CLEAR_VIEW, DELETE_STORED);
    choice = answer === CLEAR_VIEW ? 'view' : answer === DELETE_STORED ? 'everything' : undefined;
  }
  if (choice === 'view') {
    await source.clear();
    vscode.window.setStatusBarMessage('$(check) Traces cleared from the view; the store keeps them', 5000);
  } else if (choice === 'everything') {
    const deletion = await source.deleteStored();
    vscode.window.setStatusBarMessage(`$(check) Traces deleted: ${deletion.deletedFiles} stored file(s), ${deletion.forgottenImports} imported path(s) no longer read`, 5000);
    if (deletion.problems.length) void vscode.window.showWarningMessage(`Some stored files could not be deleted: ${deletion.problems.join('; ')}`);
  }
}

const LANGUAGE_NAMES: Record<SnippetLanguage, string> = { python: 'Python', node: 'Node.js' };

/**
 * Puts a snippet on the clipboard: `which` names one (`node-openai`) or a language, whose stacks
 * are then offered; without it every stack is.
 */
export async function copyInstrumentationSnippet(httpPort: number, which?: string): Promise<void> {
  const exact = which ? SNIPPETS.find((snippet) => snippet.id === which) : undefined;
  const snippet = exact ?? await pickSnippet(SNIPPETS.filter((s) => !which || s.language === which));
  if (!snippet) return;
  await vscode.env.clipboard.writeText(snippet.code(httpPort));
  const install = snippet.language === 'python' ? 'pip install' : 'npm i';
  void vscode.window.showInformationMessage(
    `Copied the ${snippet.label} snippet (${LANGUAGE_NAMES[snippet.language]}): run it at start-up, after \`${install} ${snippet.packages.join(' ')}\`. It sends traces to http://127.0.0.1:${httpPort}/v1/traces.`);
}

async function pickSnippet(choices: readonly InstrumentationSnippet[]): Promise<InstrumentationSnippet | undefined> {
  // An argument that names neither a stack nor a language: the first snippet (Python, OpenAI).
  if (choices.length === 0) return SNIPPETS[0];
  const items: (vscode.QuickPickItem & { snippet?: InstrumentationSnippet })[] = [];
  for (const language of ['python', 'node'] as const) {
    const ofLanguage = choices.filter((s) => s.language === language);
    if (ofLanguage.length === 0) continue;
    items.push({ label: LANGUAGE_NAMES[language], kind: vscode.QuickPickItemKind.Separator });
    for (const snippet of ofLanguage) items.push({ label: snippet.label, description: snippet.packages.slice(0, 2).join(' + '), snippet });
  }
  return (await vscode.window.showQuickPick(items, { title: 'Copy Instrumentation Snippet: which library does your app call?' }))?.snippet;
}
