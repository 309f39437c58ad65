// Trace Doctor's quick fixes as code actions on the app's tracer set-up file. Picking one shows the
// change as a diff and asks once, by name, before it applies. (A WorkspaceEdit marked as needing
// confirmation opens Refactor Preview with the change unticked, where Apply silently does nothing.)
import * as vscode from 'vscode';
import { COMMANDS } from '../../shared/commands';
import type { Diagnosis } from '../../shared/doctor';
import { applyFixEdits, doctorFixes, type SetupLanguage, type TextInsert } from '../../shared/doctorFixes';

const LANGUAGES: Record<string, SetupLanguage> = {
  python: 'python', javascript: 'javascript', typescript: 'javascript', javascriptreact: 'javascript', typescriptreact: 'javascript',
};
/** Larger files are not set-up files; reading them on every cursor move would cost for nothing. */
const MAX_LINES = 5000;

/** What a quick fix hands to its command: the edits, made against one version of the file. */
export interface DoctorFixRequest {
  uri: vscode.Uri;
  version: number;
  title: string;
  why: string;
  edits: TextInsert[];
}

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
        const request: DoctorFixRequest = { uri: document.uri, version: document.version, title: fix.title, why: diagnosis.fix, edits: fix.edits };
        action.command = { title: fix.title, command: COMMANDS.previewDoctorFix, arguments: [request] };
        actions.push(action);
      }
    }
    return actions;
  }
}

export const DOCTOR_FIX_SELECTOR: vscode.DocumentSelector = Object.keys(LANGUAGES).map((language) => ({ scheme: 'file', language }));

export const DOCTOR_FIX_SCHEME = 'ai-trace-doctor-fix';

/** The file as a quick fix would leave it: the read-only right side of the fix's diff. */
export class DoctorFixPreview implements vscode.TextDocumentContentProvider {
  private readonly proposals = new Map<string, string>();
  private shown = 0;

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.proposals.get(uri.toString()) ?? 'This fix is no longer shown; pick the quick fix again.';
  }

  /** Shows the fix as a diff, asks Apply or Cancel, and applies it (unsaved, one undo) only to the text the diff was made from. */
  async preview(request: DoctorFixRequest): Promise<void> {
    const document = await vscode.workspace.openTextDocument(request.uri);
    const name = request.uri.path.slice(request.uri.path.lastIndexOf('/') + 1);
    const changed = () => vscode.window.showWarningMessage(
      `${name} changed since the fix "${request.title}" was worked out; nothing was applied. Pick the quick fix again to see it against the current text.`);
    if (document.version !== request.version) return void changed();
    // The same path (so the tab names the file and its language colours it), its own query per fix.
    const proposed = request.uri.with({ scheme: DOCTOR_FIX_SCHEME, query: `fix${++this.shown}` });
    const original = document.getText();
    this.proposals.set(proposed.toString(), applyFixEdits(original, request.edits));
    let choice: string | undefined;
    try {
      await vscode.commands.executeCommand('vscode.diff', document.uri, proposed, `${name} ↔ ${request.title}`);
      choice = await vscode.window.showInformationMessage(`Apply "${request.title}" to ${name}?`, {
        modal: true,
        detail: `${request.why}\n\nThe diff shows the change. It is applied unsaved; Undo takes it back.`,
      }, 'Apply');
    } finally {
      await closeDiff(proposed);
      this.proposals.delete(proposed.toString());
    }
    if (choice !== 'Apply') return;
    // The edits' positions hold only for the text the diff was made from.
    const current = await vscode.workspace.openTextDocument(request.uri);
    if (current.getText() !== original) return void changed();
    const edit = new vscode.WorkspaceEdit();
    for (const e of request.edits) edit.replace(current.uri, new vscode.Range(e.line, e.character, e.line, e.character + e.replace), e.text);
    if (!(await vscode.workspace.applyEdit(edit))) {
      return void vscode.window.showErrorMessage(`VS Code did not apply "${request.title}" to ${name}; the file is unchanged.`);
    }
    const first = Math.min(...request.edits.map((e) => e.line));
    await vscode.window.showTextDocument(current, { selection: new vscode.Range(first, 0, first, 0) });
  }
}

async function closeDiff(proposed: vscode.Uri): Promise<void> {
  const tabs = vscode.window.tabGroups.all.flatMap((group) => group.tabs)
    .filter((tab) => tab.input instanceof vscode.TabInputTextDiff && tab.input.modified.toString() === proposed.toString());
  if (tabs.length) await vscode.window.tabGroups.close(tabs);
}
