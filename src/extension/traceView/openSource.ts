// "Go to source" and stack frame links: a path recorded in a trace (maybe in a container or on
// another machine) resolved to a workspace file, opened at the line. The resolution rules are
// the engine's (exact, workspace-relative, the code.pathMappings setting, unique suffix).
import * as path from 'node:path';
import * as vscode from 'vscode';
import { WorkspacePaths } from '../../engine/code/workspacePaths';
import type { SourceLocation } from '../../shared/spanModel';
import { pathMappings } from '../engineConnection/settings';

export async function resolveSourceFile(recorded: string): Promise<string | undefined> {
  const roots = (vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === 'file').map((f) => f.uri.fsPath);
  const paths = new WorkspacePaths(roots, pathMappings());
  const file = recorded.replace(/^file:\/\//, '');
  const direct = paths.resolve(file);
  if (direct) return direct;
  // A unique file-name suffix match needs the workspace's files with that name.
  const base = path.posix.basename(file.replace(/\\/g, '/'));
  if (!base || !roots.length) return undefined;
  const found = await vscode.workspace.findFiles(`**/${escapeGlob(base)}`, '**/node_modules/**', 50);
  for (const uri of found) paths.addFile(uri.fsPath);
  return paths.resolve(file);
}

const escapeGlob = (name: string) => name.replace(/[*?[\]{}]/g, (c) => `[${c}]`);

export async function openSourceLocation(location: SourceLocation): Promise<void> {
  const file = await resolveSourceFile(location.file);
  if (!file) {
    const choice = await vscode.window.showWarningMessage(
      `${location.file} is not in this workspace. If the trace was recorded in a container or on another machine, map its folder to yours with the setting "aiTraceInspector.code.pathMappings" (e.g. {"/app": "\${workspaceFolder}"}).`,
      'Open Setting');
    if (choice) await vscode.commands.executeCommand('workbench.action.openSettings', 'aiTraceInspector.code.pathMappings');
    return;
  }
  const line = Math.max(0, (location.line ?? 1) - 1);
  const column = Math.max(0, (location.column ?? 1) - 1);
  const position = new vscode.Position(line, column);
  await vscode.window.showTextDocument(vscode.Uri.file(file), {
    viewColumn: vscode.ViewColumn.One,
    selection: new vscode.Range(position, position),
    preview: true,
  });
}
