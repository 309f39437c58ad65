// The insights panel's host side: a webview panel per session conversation, per call's X-ray, and
// one for the LLM calls table. It asks the engine (through the TraceSource) and passes answers
// on; the calls table asks page by page, so nothing here grows with the number of calls.
import * as vscode from 'vscode';
import { COMMANDS } from '../../shared/commands';
import { INSIGHTS_VIEW_TYPE, type InsightsHostMessage, type InsightsState, type InsightsWebviewMessage } from '../../shared/insightsProtocol';
import type { TraceSource } from '../engineConnection/traceSource';
import { loadBundle } from '../traceView/panelHtml';

class InsightsPanel {
  constructor(readonly panel: vscode.WebviewPanel, public state: InsightsState, private readonly source: TraceSource) {}

  post(message: InsightsHostMessage): void {
    void this.panel.webview.postMessage(message);
  }

  /** Sends what the panel shows; the calls table instead hears that its pages are stale. */
  async send(): Promise<void> {
    try {
      const { state } = this;
      if (state.mode === 'session') {
        this.panel.title = `Session ${state.sessionId.length > 24 ? `${state.sessionId.slice(0, 23)}…` : state.sessionId}`;
        this.post({ type: 'session', session: await this.source.ask('session', state.sessionId) });
      } else if (state.mode === 'xray') {
        const [context, detail] = await Promise.all([this.source.ask('spanContext', state.traceId, state.spanId), this.source.trace(state.traceId)]);
        const callName = detail?.spans.find((s) => s.spanId === state.spanId)?.name ?? state.spanId;
        this.panel.title = `Context: ${callName}`;
        this.post({ type: 'xray', ...context, callName });
      } else {
        this.panel.title = 'LLM Calls';
        this.post({ type: 'callsChanged' });
      }
    } catch (error) {
      this.post({ type: 'problem', message: (error as Error).message });
    }
  }

  async handle(message: InsightsWebviewMessage): Promise<void> {
    switch (message?.type) {
      case 'ready':
        // A reloaded calls table keeps the filter and sort it had.
        if (message.state?.mode === 'calls' && this.state.mode === 'calls') this.state = message.state;
        this.post({ type: 'show', state: this.state });
        return this.send();
      case 'callsPage': {
        this.state = { mode: 'calls', query: { filter: message.query.filter, sort: message.query.sort, order: message.query.order } };
        try {
          this.post({ type: 'callsPage', page: await this.source.ask('calls', message.query), requestId: message.requestId });
        } catch (error) {
          this.post({ type: 'problem', message: (error as Error).message });
        }
        return;
      }
      case 'openTrace':
        await vscode.commands.executeCommand(COMMANDS.openTrace, message.traceId, message.spanId);
        return;
      case 'openXray':
        await vscode.commands.executeCommand(COMMANDS.showContextXray, message.traceId, message.spanId);
        return;
    }
  }
}

const sameState = (a: InsightsState, b: InsightsState) => a.mode === b.mode && (a.mode === 'calls'
  || (a.mode === 'session' && b.mode === 'session' && a.sessionId === b.sessionId)
  || (a.mode === 'xray' && b.mode === 'xray' && a.traceId === b.traceId && a.spanId === b.spanId));

export class InsightsPanels implements vscode.WebviewPanelSerializer<InsightsState>, vscode.Disposable {
  private readonly panels = new Set<InsightsPanel>();
  private readonly subscription: vscode.Disposable;

  constructor(private readonly context: vscode.ExtensionContext, private readonly source: TraceSource) {
    // A session's later traces join it live; the calls table asks for its pages again.
    this.subscription = source.onDidChange(() => {
      for (const panel of this.panels) if (panel.panel.visible && panel.state.mode !== 'xray') void panel.send();
    });
  }

  register(): vscode.Disposable {
    return vscode.window.registerWebviewPanelSerializer(INSIGHTS_VIEW_TYPE, this);
  }

  open(state: InsightsState): void {
    const existing = [...this.panels].find((p) => sameState(p.state, state));
    if (existing) {
      existing.panel.reveal();
      return;
    }
    const panel = vscode.window.createWebviewPanel(INSIGHTS_VIEW_TYPE, 'AI Trace Inspector', vscode.ViewColumn.Active, { enableFindWidget: true });
    this.adopt(panel, state);
  }

  async deserializeWebviewPanel(panel: vscode.WebviewPanel, state: InsightsState | undefined): Promise<void> {
    if (!state?.mode) return panel.dispose();
    this.adopt(panel, state);
  }

  private adopt(panel: vscode.WebviewPanel, state: InsightsState): void {
    loadBundle(panel, this.context.extensionUri, 'insights');
    const insights = new InsightsPanel(panel, state, this.source);
    this.panels.add(insights);
    const listener = panel.webview.onDidReceiveMessage((message: InsightsWebviewMessage) =>
      insights.handle(message).catch((error: Error) => vscode.window.showErrorMessage(`AI Trace Inspector: ${error.message}`)));
    panel.onDidDispose(() => {
      listener.dispose();
      this.panels.delete(insights);
    });
  }

  dispose(): void {
    for (const panel of this.panels) panel.panel.dispose();
    this.subscription.dispose();
  }
}
