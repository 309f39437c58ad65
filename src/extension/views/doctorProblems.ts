// Trace Doctor in the editor: one Problems-panel entry per service and problem (not per span), on a
// read-only document that describes the service's problems, and a status-bar hint the first time
// a kind of problem appears. Follows the engine's stats, which carry the diagnoses per service;
// their quick fixes are offered on the app's set-up files (doctorQuickFixes.ts).
import * as vscode from 'vscode';
import { byService, describeServiceDiagnoses, DIAGNOSIS_LABELS, type ServiceDiagnosis } from '../../shared/doctor';
import type { EngineStats } from '../../shared/spanModel';
import type { ActiveSource } from '../engineConnection/activeSource';
import { DOCTOR_FIX_SELECTOR, DoctorQuickFixes } from './doctorQuickFixes';

export const DOCTOR_SCHEME = 'ai-trace-doctor';
const HINT_MS = 15_000;

/** Problems lists it by the service's name, under "Trace Doctor" (a file name would suggest a file on disk). */
export function serviceUri(service: string): vscode.Uri {
  return vscode.Uri.from({ scheme: DOCTOR_SCHEME, path: `/Trace Doctor/${encodeURIComponent(service)}` });
}

export class DoctorProblems implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly collection = vscode.languages.createDiagnosticCollection('Trace Doctor');
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;
  private readonly seenKinds = new Set<string>();
  private texts = new Map<string, string>();
  private latest: ServiceDiagnosis[] = [];
  private lastKey = '';
  private readonly subscriptions: vscode.Disposable[];
  private readonly hint = vscode.window.createStatusBarItem('aiTraceInspector.doctorHint', vscode.StatusBarAlignment.Left, 9);
  private hintTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(source: ActiveSource) {
    this.hint.name = 'Trace Doctor';
    this.hint.command = { title: 'Show Problems', command: 'workbench.panel.markers.view.focus' };
    this.subscriptions = [
      vscode.workspace.registerTextDocumentContentProvider(DOCTOR_SCHEME, this),
      vscode.languages.registerCodeActionsProvider(DOCTOR_FIX_SELECTOR, new DoctorQuickFixes(() => this.latest), {
        providedCodeActionKinds: [DoctorQuickFixes.kind],
      }),
      source.onDidChange((stats) => (stats ? this.show(stats) : source.stats().then((s) => this.show(s), () => undefined))),
    ];
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.texts.get(uri.toString()) ?? 'Trace Doctor has nothing to say about this service now.';
  }

  private show(stats: EngineStats): void {
    const diagnoses = stats.diagnoses ?? [];
    this.latest = diagnoses;
    const key = JSON.stringify(diagnoses.map((d) => [d.kind, d.service, d.traces, d.evidence]));
    if (key === this.lastKey) return;
    this.lastKey = key;
    const texts = new Map<string, string>();
    const entries: [vscode.Uri, vscode.Diagnostic[]][] = [];
    for (const [service, list] of byService(diagnoses)) {
      const uri = serviceUri(service);
      const { lines, starts } = describeServiceDiagnoses(service, list);
      texts.set(uri.toString(), `${lines.join('\n')}\n`);
      entries.push([uri, list.map((d, i) => problem(d, starts[i], lines[starts[i]].length))]);
    }
    const gone = [...this.texts.keys()].filter((uri) => !texts.has(uri));
    this.texts = texts;
    this.collection.clear();
    this.collection.set(entries);
    for (const uri of [...texts.keys(), ...gone]) this.changed.fire(vscode.Uri.parse(uri));
    this.hintNewKinds(diagnoses);
  }

  /** Says so in the status bar the first time a kind of problem shows up in this window; a click opens Problems. */
  private hintNewKinds(diagnoses: ServiceDiagnosis[]): void {
    const fresh = diagnoses.filter((d) => !this.seenKinds.has(d.kind));
    for (const d of fresh) this.seenKinds.add(d.kind);
    if (!fresh.length) return;
    const first = fresh[0];
    const more = fresh.length > 1 ? ` and ${fresh.length - 1} more` : '';
    this.hint.text = `$(lightbulb) Trace Doctor: ${DIAGNOSIS_LABELS[first.kind]} in ${first.service}${more}, see Problems`;
    this.hint.tooltip = `${first.title}\nClick to open the Problems panel.`;
    this.hint.show();
    clearTimeout(this.hintTimer);
    this.hintTimer = setTimeout(() => this.hint.hide(), HINT_MS);
  }

  dispose(): void {
    clearTimeout(this.hintTimer);
    this.hint.dispose();
    for (const subscription of this.subscriptions) subscription.dispose();
    this.collection.dispose();
    this.changed.dispose();
  }
}

function problem(d: ServiceDiagnosis, line: number, length: number): vscode.Diagnostic {
  const diagnostic = new vscode.Diagnostic(new vscode.Range(line, 0, line, length),
    `${d.title} ${d.traces} trace(s). Fix: ${d.fix}`, vscode.DiagnosticSeverity.Warning);
  diagnostic.source = 'Trace Doctor';
  diagnostic.code = d.kind;
  return diagnostic;
}
