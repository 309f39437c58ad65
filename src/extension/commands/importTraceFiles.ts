// Import Trace File: the user picks files or folders; the engine reads them (in its own process)
// and keeps tailing them, while a progress notification shows how far it has read.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { focusViewCommand, VIEWS } from '../../shared/commands';
import type { ImportResult } from '../../shared/engineProtocol';
import type { EngineClient } from '../engineConnection/engineClient';

export async function importTraceFiles(engine: EngineClient, uris?: vscode.Uri[]): Promise<ImportResult[] | undefined> {
  const picked = uris?.length ? uris : await vscode.window.showOpenDialog({
    title: 'Import Trace Files',
    openLabel: 'Import',
    canSelectFiles: true,
    canSelectFolders: true,
    canSelectMany: true,
    defaultUri: vscode.workspace.workspaceFolders?.[0]?.uri,
  });
  if (!picked?.length) return undefined;
  const paths = picked.map((uri) => uri.fsPath);

  const results = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `Importing ${paths.length === 1 ? path.basename(paths[0]) : `${paths.length} items`}` },
    async (progress) => {
      let lastPercent = 0;
      const listener = engine.onImportProgress(({ file, bytesRead, totalBytes }) => {
        const percent = totalBytes ? Math.floor((bytesRead / totalBytes) * 100) : 0;
        progress.report({ message: `${path.basename(file)} ${percent}%`, increment: paths.length === 1 ? Math.max(0, percent - lastPercent) : undefined });
        lastPercent = percent;
      });
      try {
        return await engine.importFiles(paths, true);
      } finally {
        listener.dispose();
      }
    });
  void reportImport(results, engine);
  return results;
}

async function reportImport(results: ImportResult[], engine: EngineClient): Promise<void> {
  const traces = results.filter((r) => r.shape);
  const spans = traces.reduce((n, r) => n + r.spans, 0);
  const traceCount = traces.reduce((n, r) => n + r.traces, 0);
  const problems = results.reduce((n, r) => n + r.problems.length, 0);
  const notTraces = results.filter((r) => !r.shape).map((r) => path.basename(r.file));
  const parts = [`Imported ${traceCount} trace${traceCount === 1 ? '' : 's'} (${spans} spans) from ${traces.length} file${traces.length === 1 ? '' : 's'}; new lines are picked up as they are written.`];
  if (notTraces.length) parts.push(`Not trace files: ${notTraces.slice(0, 3).join(', ')}${notTraces.length > 3 ? ', …' : ''}.`);
  if (problems) parts.push(`${problems} line${problems === 1 ? '' : 's'} could not be read; they are listed in Problems.`);
  const show = problems || !traces.length
    ? vscode.window.showWarningMessage(parts.join(' '), ...(problems ? ['Show Problems'] : []), 'Show Log')
    : vscode.window.showInformationMessage(parts.join(' '), 'Show Traces');
  const choice = await show;
  if (choice === 'Show Problems') await vscode.commands.executeCommand('workbench.actions.view.problems');
  if (choice === 'Show Log') engine.output.show();
  if (choice === 'Show Traces') await vscode.commands.executeCommand(focusViewCommand(VIEWS.traces));
}
