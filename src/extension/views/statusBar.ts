// Receiver state, port, trace and error counts at a glance; a click focuses the Traces view.
import * as vscode from 'vscode';
import { focusViewCommand, VIEWS } from '../../shared/commands';
import type { ReceiverStatus } from '../../shared/engineProtocol';
import type { EngineStats } from '../../shared/spanModel';

/** Per forwarding target: what was sent, is queued and was dropped, and the last failure. */
export function forwardLines(stats: EngineStats | undefined): string {
  return (stats?.forward ?? []).map((t) => `\nForwarding to ${t.url}: ${t.sent} sent, ${t.queued} queued, ${t.dropped} dropped`
    + (t.lastError && t.queued ? ` (retrying: ${t.lastError})` : '')).join('');
}

export class TracesStatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('aiTraceInspector.status', vscode.StatusBarAlignment.Left, 10);

  constructor() {
    this.item.name = 'AI Trace Inspector';
    this.item.command = focusViewCommand(VIEWS.traces);
    this.item.text = '$(loading~spin) Traces';
    this.item.show();
  }

  update(status: ReceiverStatus, stats: EngineStats | undefined, attachedTo?: string): void {
    const counts = stats ? ` · ${stats.traces}${stats.errorTraces ? ` · $(error) ${stats.errorTraces}` : ''}` : '';
    if (attachedTo) {
      this.item.text = `$(plug) Traces${counts}`;
      this.item.tooltip = `AI Trace Inspector: ${attachedTo}`;
      this.item.backgroundColor = undefined;
    } else if (status.receiving) {
      this.item.text = `$(radio-tower) Traces :${status.httpPort}${counts}`;
      this.item.tooltip = `AI Trace Inspector: receiving OTLP on ${status.host}:${status.httpPort} (HTTP)`
        + `${status.grpcPort ? ` and ${status.host}:${status.grpcPort} (gRPC)` : ''}`
        + (stats ? `\n${stats.traces} traces, ${stats.spans} spans, ${stats.errorTraces} failed` : '')
        + (stats?.evictedTraces ? `\n${stats.evictedTraces} older traces evicted from memory (memory cap)` : '')
        + forwardLines(stats)
        + (stats?.storeProblem ? `\nNot saving traces: the store ${stats.storeProblem}` : '');
      if (stats?.storeProblem) this.item.text = `$(warning) Traces :${status.httpPort}${counts} · not saving`;
      this.item.backgroundColor = stats?.storeProblem ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
    } else {
      this.item.text = `$(${status.problem ? 'warning' : 'circle-slash'}) Traces${status.problem ? `: port ${status.problem.port ?? ''} in use` : ': off'}${counts}`;
      this.item.tooltip = status.problem ? `AI Trace Inspector: ${status.problem.message}` : 'AI Trace Inspector: the receiver is stopped';
      this.item.backgroundColor = status.problem ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
    }
  }

  dispose(): void {
    this.item.dispose();
  }
}
