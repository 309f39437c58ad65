// Problems in trace files (a broken line, a span that is not OTLP) as diagnostics on the file, so
// they show in the Problems view and on the line itself. The engine sends a file's whole list
// each time, so a fixed file clears itself.
import * as vscode from 'vscode';
import type { FileProblem } from '../../shared/engineProtocol';

export class FileDiagnostics implements vscode.Disposable {
  private readonly collection = vscode.languages.createDiagnosticCollection('AI Trace Inspector');

  show(file: string, problems: FileProblem[]): void {
    const uri = vscode.Uri.file(file);
    this.collection.set(uri, problems.map((problem) => {
      const line = Math.max(0, (problem.line ?? 1) - 1);
      const diagnostic = new vscode.Diagnostic(new vscode.Range(line, 0, line, Number.MAX_SAFE_INTEGER), problem.reason, vscode.DiagnosticSeverity.Warning);
      diagnostic.source = 'AI Trace Inspector';
      return diagnostic;
    }));
  }

  dispose(): void {
    this.collection.dispose();
  }
}
