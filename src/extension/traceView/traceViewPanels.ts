// The trace view's host side: one webview panel per trace, restored after a window reload by a
// serializer, fed by the TraceSource, and doing what the webview cannot: clipboard, opening
// source files. Panels are not retained when hidden; the webview saves its own state and asks
// for its trace again when shown.
import * as vscode from 'vscode';
import type { TraceDetail, TraceSummary } from '../../shared/spanModel';
import { TRACE_VIEW_TYPE, type HostMessage, type JsonOf, type TraceViewState, type WebviewMessage } from '../../shared/webviewProtocol';
import type { TraceSource } from '../engineConnection/traceSource';
import { openSourceLocation } from './openSource';
import { traceForAi } from './traceForAi';
import { traceViewSettings } from './traceViewSettings';
import { loadBundle } from './panelHtml';

class TracePanel {
  /** What the last trace message carried, to resend only when the trace grew. */
  private shown?: { spanCount: number; durationMs: number };

  constructor(readonly panel: vscode.WebviewPanel, public traceId: string, private readonly source: TraceSource, private pendingSpanId?: string) {}

  post(message: HostMessage): void {
    void this.panel.webview.postMessage(message);
  }

  /** Sends the trace (or why there is none). `onlyIfChanged` skips a trace that has not grown. */
  async sendTrace(onlyIfChanged = false): Promise<void> {
    const detail = await this.source.traceJson(this.traceId).catch(() => undefined);
    if (!detail) {
      if (onlyIfChanged) return;
      this.shown = undefined;
      this.post({ type: 'traceMissing', traceId: this.traceId, message: `Trace ${this.traceId} is not loaded: it may have been cleared or evicted, or it was received by an engine that is no longer running. Open it again from the Traces view.` });
      return;
    }
    const facts = { spanCount: detail.summary.spanCount, durationMs: detail.summary.durationMs };
    if (onlyIfChanged && this.shown?.spanCount === facts.spanCount && this.shown.durationMs === facts.durationMs) return;
    this.shown = facts;
    this.panel.title = panelTitle(detail.summary);
    this.post({ type: 'trace', trace: detail.json as JsonOf<TraceDetail>, settings: traceViewSettings(), selectSpanId: this.pendingSpanId });
    this.pendingSpanId = undefined;
  }

  /** A live webview selects now; a hidden one (not retained) gets it with its next trace. */
  select(spanId: string | undefined): void {
    if (!spanId) return;
    if (this.panel.visible) this.post({ type: 'selectSpan', spanId });
    else this.pendingSpanId = spanId;
  }

  async handle(message: WebviewMessage): Promise<void> {
    switch (message?.type) {
      case 'ready':
        this.shown = undefined;
        return this.sendTrace();
      case 'copyText':
        if (typeof message.text === 'string') await copy(message.text, String(message.what || 'text'));
        return;
      case 'copyTraceForAi': {
        const detail = await this.source.trace(this.traceId);
        if (detail) await copy(traceForAi(detail), 'the trace as Markdown');
        return;
      }
      case 'copySpanJson': {
        const span = (await this.source.trace(this.traceId))?.spans.find((s) => s.spanId === message.spanId);
        if (span) await copy(JSON.stringify(span, null, 2), 'the span as JSON');
        return;
      }
      case 'openSource':
        if (typeof message.location?.file === 'string') await openSourceLocation(message.location);
        return;
    }
  }
}

async function copy(text: string, what: string): Promise<void> {
  await vscode.env.clipboard.writeText(text);
  vscode.window.setStatusBarMessage(`$(check) Copied ${what}`, 3000);
}

function panelTitle(summary: TraceSummary): string {
  const name = summary.name || summary.traceId.slice(0, 8);
  return `Trace: ${name.length > 40 ? `${name.slice(0, 39)}…` : name}`;
}

export class TraceViewPanels implements vscode.WebviewPanelSerializer<TraceViewState>, vscode.Disposable {
  private readonly panels = new Set<TracePanel>();
  private readonly subscriptions: vscode.Disposable[] = [];

  constructor(private readonly context: vscode.ExtensionContext, private readonly source: TraceSource) {
    // New spans of an open trace (it is still running, or its logs arrive late) redraw it.
    this.subscriptions.push(source.onDidChange(() => {
      for (const panel of this.panels) if (panel.panel.visible) void panel.sendTrace(true);
    }));
  }

  /** Restores panels after a window reload; call once in activate(). */
  register(): vscode.Disposable {
    return vscode.window.registerWebviewPanelSerializer(TRACE_VIEW_TYPE, this);
  }

  async open(traceId: string, spanId?: string): Promise<void> {
    const existing = [...this.panels].find((p) => p.traceId === traceId);
    if (existing) {
      existing.panel.reveal();
      existing.select(spanId);
      return;
    }
    const panel = vscode.window.createWebviewPanel(TRACE_VIEW_TYPE, `Trace ${traceId.slice(0, 8)}`, vscode.ViewColumn.Active, {
      enableFindWidget: true,
      retainContextWhenHidden: false,
    });
    this.adopt(panel, traceId, spanId);
  }

  async deserializeWebviewPanel(panel: vscode.WebviewPanel, state: TraceViewState | undefined): Promise<void> {
    if (!state?.traceId) {
      panel.dispose();
      return;
    }
    this.adopt(panel, state.traceId);
  }

  private adopt(panel: vscode.WebviewPanel, traceId: string, spanId?: string): void {
    loadBundle(panel, this.context.extensionUri, 'webview');
    const tracePanel = new TracePanel(panel, traceId, this.source, spanId);
    this.panels.add(tracePanel);
    const listener = panel.webview.onDidReceiveMessage((message: WebviewMessage) =>
      tracePanel.handle(message).catch((error: Error) => vscode.window.showErrorMessage(`Trace view: ${error.message}`)));
    panel.onDidDispose(() => {
      listener.dispose();
      this.panels.delete(tracePanel);
    });
  }

  dispose(): void {
    for (const panel of this.panels) panel.panel.dispose();
    for (const subscription of this.subscriptions) subscription.dispose();
  }
}
