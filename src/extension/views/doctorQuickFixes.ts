// Trace Doctor's quick fixes as code actions on the app's tracer set-up file: each edit is marked
// as needing confirmation, so VS Code shows it as a diff (Refactor Preview) before it applies.
import * as vscode from 'vscode';
import type { Diagnosis } from '../../shared/doctor';
import { doctorFixes, type SetupLanguage } from '../../shared/doctorFixes';

const LANGUAGES: Record<string, SetupLanguage> = {
  python: 'python', javascript: 'javascript', typescript: 'javascript', javascriptreact: 'javascript', typescriptreact: 'javascript',
};
/** Larger files are not set-up files; reading them on every cursor move would cost for nothing. */
const MAX_LINES = 5000;

export class DoctorQuickFixes implements vscode.CodeActionProvider {
  static readonly kind = vscode.CodeActionKind.QuickFix.append('traceDoctor');

  constructor(private readonly diagnoses: () => Diagnosis[]) {}

  provideCodeActions(document: vscode.TextDocument): vscode.CodeAction[] {
    const language = LANGUAGES[document.languageId];
    const diagnoses = this.diagnoses();
    if (!language || !diagnoses.length || document.lineCount > MAX_LINES) return [];
    const text = document.getText();
    const actions: vscode.CodeAction[] = [];
    const offered = new Set<string>();
    for (const diagnosis of diagnoses) {
      for (const fix of doctorFixes(text, language, diagnosis)) {
        if (offered.has(fix.title) || !fix.edits.length) continue;
        offered.add(fix.title);
        const action = new vscode.CodeAction(`${fix.title} (${diagnosis.service}: ${diagnosis.title})`, DoctorQuickFixes.kind);
        const edit = new vscode.WorkspaceEdit();
        const metadata: vscode.WorkspaceEditEntryMetadata = { needsConfirmation: true, label: fix.title, description: diagnosis.fix };
        for (const e of fix.edits) {
          edit.replace(document.uri, new vscode.Range(e.line, e.character, e.line, e.character + e.replace), e.text, metadata);
        }
        action.edit = edit;
        actions.push(action);
      }
    }
    return actions;
  }
}

export const DOCTOR_FIX_SELECTOR: vscode.DocumentSelector = Object.keys(LANGUAGES).map((language) => ({ scheme: 'file', language }));
