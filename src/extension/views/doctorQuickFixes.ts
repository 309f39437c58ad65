// Trace Doctor's quick fixes as code actions on the app's tracer set-up file. Picking one shows the
// change as a diff with Apply and Cancel, and applies it only on Apply. (A WorkspaceEdit marked as needing
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
        const request: DoctorFixRequest = { uri: document.uri, version: document.version, title: fix.title, edits: fix.edits };
        action.command = { title: fix.title, command: COMMANDS.previewDoctorFix, arguments: [request] };
        actions.push(action);
      }
    }
    return actions;
  }
}

export const DOCTOR_FIX_SELECTOR: vscode.DocumentSelector = Object.keys(LANGUAGES).map((language) => ({ scheme: 'file', language }));

export const DOCTOR_FIX_SCHEME = 'ai-trace-doctor-fix';

type Answer = 'apply' | 'cancel';

/**
 * Shows a quick fix as a diff (the file, and what the fix makes of it: a read-only document of ours)
 * and applies it once the person says Apply: in the notification naming the fix and the file, or
 * with the diff's own Apply button, which stays when the notification hides. Closing the diff or
 * Cancel changes nothing. (Not a modal: it would hide the diff it asks about.)
 */
export class DoctorFixPreview implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly proposals = new Map<string, string>();
  private readonly answers = new Map<string, (answer: Answer) => void>();
  private shown = 0;
  private readonly closing = vscode.window.tabGroups.onDidChangeTabs(({ closed }) => {
    for (const tab of closed) if (tab.input instanceof vscode.TabInputTextDiff) this.answers.get(tab.input.modified.toString())?.('cancel');
  });

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.proposals.get(uri.toString()) ?? 'This fix is no longer shown; pick the quick fix again.';
  }

  /** The diff's title-bar buttons: the fix shown in `proposed` (the diff's right side), else in the diff in front. */
  answer(answer: Answer, proposed?: vscode.Uri): void {
    const shown = [proposed, activeProposal()].find((uri) => uri && this.answers.has(uri.toString()));
    if (shown) this.answers.get(shown.toString())!(answer);
  }

  /** Shows the fix as a diff, waits for Apply or Cancel, and applies it (unsaved, one undo) only to the text the diff was made from. */
  async preview(request: DoctorFixRequest): Promise<void> {
    const document = await vscode.workspace.openTextDocument(request.uri);
    const name = request.uri.path.slice(request.uri.path.lastIndexOf('/') + 1);
    const changed = () => vscode.window.showWarningMessage(
      `${name} changed since the fix "${request.title}" was worked out; nothing was applied. Pick the quick fix again to see it against the current text.`);
    if (document.version !== request.version) return void changed();
    // The same path (so the tab names the file and its language colours it), its own query per fix.
    const proposed = request.uri.with({ scheme: DOCTOR_FIX_SCHEME, query: `fix${++this.shown}` });
    const key = proposed.toString();
    const original = document.getText();
    this.proposals.set(key, applyFixEdits(original, request.edits));
    let answer: Answer;
    try {
      answer = await new Promise<Answer>((settle) => {
        this.answers.set(key, settle); // the first answer counts
        // Not a preview tab: opening another file must not close the diff (and cancel the fix) by the way.
        const options: vscode.TextDocumentShowOptions = { preview: false, selection: firstChange(request.edits) };
        void vscode.commands.executeCommand('vscode.diff', document.uri, proposed, `${name} ↔ ${request.title}`, options).then(() =>
          vscode.window.showInformationMessage(`Apply "${request.title}" to ${name}? The diff shows the change.`, 'Apply', 'Cancel'))
          .then((choice) => {
            if (this.answers.has(key)) settle(choice === 'Apply' ? 'apply' : 'cancel');
            // The notification outlives its diff; an Apply on it then must not look like it worked.
            else if (choice === 'Apply') void vscode.window.showWarningMessage(`"${request.title}" was already answered in its diff or the diff was closed; nothing more was applied.`);
          }, () => settle('cancel'));
      });
    } finally {
      this.answers.delete(key);
      await closeDiff(proposed);
      this.proposals.delete(key);
    }
    if (answer !== 'apply') return;
    // The edits' positions hold only for the text the diff was made from.
    const current = await vscode.workspace.openTextDocument(request.uri);
    if (current.getText() !== original) return void changed();
    const edit = new vscode.WorkspaceEdit();
    for (const e of request.edits) edit.replace(current.uri, new vscode.Range(e.line, e.character, e.line, e.character + e.replace), e.text);
    if (!(await vscode.workspace.applyEdit(edit))) {
      return void vscode.window.showErrorMessage(`VS Code did not apply "${request.title}" to ${name}; the file is unchanged.`);
    }
    const { end } = firstChange(request.edits);
    await vscode.window.showTextDocument(current, { selection: new vscode.Range(end, end) });
    vscode.window.setStatusBarMessage(`Trace Doctor: applied "${request.title}" to ${name} (unsaved; Undo takes it back)`, 10_000);
  }

  dispose(): void {
    this.closing.dispose();
    for (const settle of this.answers.values()) settle('cancel');
  }
}

/** The first change as the fix leaves it, selected so that the diff scrolls to it, also along a long line. */
function firstChange(edits: TextInsert[]): vscode.Range {
  const [first] = [...edits].sort((a, b) => a.line - b.line || a.character - b.character);
  const firstLine = first.text.split('\n')[0];
  return new vscode.Range(first.line, first.character, first.line, first.character + firstLine.length);
}

function activeProposal(): vscode.Uri | undefined {
  const input = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
  return input instanceof vscode.TabInputTextDiff && input.modified.scheme === DOCTOR_FIX_SCHEME ? input.modified : undefined;
}

async function closeDiff(proposed: vscode.Uri): Promise<void> {
  const tabs = vscode.window.tabGroups.all.flatMap((group) => group.tabs)
    .filter((tab) => tab.input instanceof vscode.TabInputTextDiff && tab.input.modified.toString() === proposed.toString());
  if (tabs.length) await vscode.window.tabGroups.close(tabs);
}
