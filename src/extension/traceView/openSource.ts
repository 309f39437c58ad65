// "Go to source" and stack frame links: a path recorded in a trace (maybe in a container or on
// another machine) resolved to a workspace file, opened at the line. The resolution rules are
// shared with the engine (exact, workspace-relative, the code.pathMappings setting, unique suffix).
import { existsSync } from 'node:fs';
import * as vscode from 'vscode';
import type { SourceLocation } from '../../shared/spanModel';
import { recordedBaseName, resolveRecordedPath } from '../../shared/workspacePaths';
import { pathMappings } from '../engineConnection/settings';

export async function resolveSourceFile(recorded: string): Promise<string | undefined> {
  const roots = (vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === 'file').map((f) => f.uri.fsPath);
  const rules = { roots, mappings: pathMappings() };
  const file = recorded.replace(/^file:\/\//, '');
  const direct = resolveRecordedPath(file, rules, { exists: existsSync, named: () => [] });
  if (direct) return direct;
  // A unique file-name suffix match needs the workspace's files with that name.
  const base = recordedBaseName(file);
  if (!base || !roots.length) return undefined;
  const found = (await vscode.workspace.findFiles(`**/${escapeGlob(base)}`, '**/node_modules/**', 50)).map((uri) => uri.fsPath);
  return resolveRecordedPath(file, rules, { exists: existsSync, named: (name) => (name === base ? found : []) });
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
