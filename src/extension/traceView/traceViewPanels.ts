// The trace view's host side: webview panels restored after a window reload by a serializer, fed
// by the TraceSource, and doing what the webview cannot: clipboard, opening source files. Like
// VS Code's preview editors, one preview panel shows whatever trace was clicked last (replacing
// the one before, so an afternoon of clicking leaves one tab); clicking the same trace twice in a
// row (a double click), working in the view or Open to the Side keeps a panel. Panels are not
// retained when hidden; the webview saves its own state and asks for its trace again when shown.
import * as vscode from 'vscode';
import { REPLAY_COMMANDS } from '../../shared/commands';
import { FIRST_PART_ROWS, MAX_DETAIL_SPANS, type SpanDetails, type TraceSkeleton } from '../../shared/traceSkeleton';
import { TRACE_VIEW_TYPE, type HostMessage, type JsonOf, type TraceViewSettings, type TraceViewState, type WebviewMessage } from '../../shared/webviewProtocol';
import type { SkeletonReply, TraceSource } from '../engineConnection/traceSource';
import { QueryApiStatusError } from '../../shared/queryApi';
import type { TraceForAi } from '../../shared/traceForAi';
import { openSourceLocation } from './openSource';
import { traceViewSettings } from './traceViewSettings';
import { loadBundle } from './panelHtml';

/** A second open of the same trace within this time is a double click: it keeps the preview. */
export const DOUBLE_CLICK_MS = 500;
const DETAIL_SHARE_KEY = 'traceView.detailShare';

class TracePanel {
  /** The revision of the trace the webview has, to send only what changed since. */
  private shown?: { revision: number };
  /** When this panel was last asked to show its trace (for the double click). */
  openedAt = 0;
  private name = '';
  /** Closed: an answer the engine gives afterwards has nowhere to go. */
  private closed = false;

  constructor(readonly panel: vscode.WebviewPanel, public traceId: string, private readonly source: TraceSource,
    private readonly settings: () => TraceViewSettings, public preview: boolean, private pendingSpanId?: string) {
    this.retitle();
    panel.onDidDispose(() => (this.closed = true));
  }

  /** Shows another trace in this panel (the preview's job). */
  show(traceId: string, spanId: string | undefined): Promise<void> {
    this.traceId = traceId;
    this.pendingSpanId = spanId;
    this.shown = undefined;
    this.name = '';
    this.retitle();
    return this.sendTrace();
  }

  pin(): void {
    if (!this.preview) return;
    this.preview = false;
    this.retitle();
  }

  private retitle(): void {
    if (this.closed) return;
    this.panel.title = panelTitle(this.name || this.traceId.slice(0, 8), this.preview);
  }

  post(message: HostMessage): void {
    if (!this.closed) void this.panel.webview.postMessage(message);
  }

  /**
   * Sends the trace's skeleton (or why there is none); `onlyIfChanged`: only the spans that changed
   * since the one sent last (a delta), and nothing when none did. The host relays the engine's JSON
   * text without parsing it: nothing here grows with the trace.
   */
  async sendTrace(onlyIfChanged = false): Promise<void> {
    // One request at a time per trace: a live trace's changes come faster than a large trace's
    // answer. Another trace shown meanwhile does not wait: the old one's answers are dropped.
    if (this.sending?.traceId === this.traceId) {
      this.sendAgain ||= onlyIfChanged ? 'delta' : 'whole';
      return this.sending.done;
    }
    this.sendAgain = undefined;
    const sending = { traceId: this.traceId, done: Promise.resolve() };
    this.sending = sending;
    sending.done = this.sendSkeleton(onlyIfChanged, () => this.sending === sending).finally(() => {
      if (this.sending !== sending) return;
      this.sending = undefined;
      const again = this.sendAgain;
      this.sendAgain = undefined;
      if (again) void this.sendTrace(again === 'delta');
    });
    return sending.done;
  }

  private sending?: { traceId: string; done: Promise<void> };
  private sendAgain?: 'delta' | 'whole';

  /**
   * A whole trace comes in two parts: its first spans in the waterfall's order, drawn at once, then
   * every span. A delta asked for meanwhile waits for the second and starts from its revision.
   */
  private async sendSkeleton(onlyIfChanged: boolean, current: () => boolean): Promise<void> {
    const traceId = this.traceId;
    const after = onlyIfChanged ? this.shown?.revision : undefined;
    if (onlyIfChanged && after === undefined) return;
    const reply = await this.source.traceSkeleton(traceId, after, after === undefined ? FIRST_PART_ROWS : undefined).catch(() => undefined);
    if (!current()) return; // the preview moved on to another trace meanwhile
    if (!reply) {
      if (!onlyIfChanged) this.missing(traceId);
      return;
    }
    if (after !== undefined && reply.revision === after) return;
    this.relay(traceId, reply);
    if (!reply.rest) return;
    const whole = await this.source.traceSkeleton(traceId).catch(() => undefined);
    if (!current()) return;
    if (whole) this.relay(traceId, whole);
    else this.missing(traceId);
  }

  private relay(traceId: string, reply: SkeletonReply): void {
    this.shown = { revision: reply.revision };
    this.name = reply.name || traceId.slice(0, 8);
    this.retitle();
    this.post({ type: 'skeleton', skeleton: reply.json as JsonOf<TraceSkeleton>, settings: this.settings(), selectSpanId: this.pendingSpanId });
    this.pendingSpanId = undefined;
  }

  private missing(traceId: string): void {
    this.shown = undefined;
    this.post({ type: 'traceMissing', traceId, message: `Trace ${traceId} is not loaded: it may have been cleared or evicted, or it was received by an engine that is no longer running. Open it again from the Traces view.` });
  }

  /** A few spans in full for the detail, relayed as the engine's JSON text. */
  private async sendSpans(spanIds: string[]): Promise<void> {
    const details = await this.source.spanDetails(this.traceId, spanIds.slice(0, MAX_DETAIL_SPANS)).catch(() => undefined);
    this.post({ type: 'spans', spanIds, details: details as JsonOf<SpanDetails> | undefined });
  }

  /** A live webview selects now; a hidden one (not retained) gets it with its next trace. */
  select(spanId: string | undefined): void {
    if (!spanId) return;
    if (this.panel.visible) this.post({ type: 'selectSpan', spanId });
    else this.pendingSpanId = spanId;
  }

  async handle(message: WebviewMessage, remember: (detailShare: number) => void): Promise<void> {
    switch (message?.type) {
      case 'pin':
        this.pin();
        return;
      case 'layout':
        if (typeof message.detailShare === 'number') remember(message.detailShare);
        return;
      case 'ready':
        this.shown = undefined;
        return this.sendTrace();
      case 'copyText':
        if (typeof message.text === 'string') await copy(message.text, String(message.what || 'text'));
        return;
      case 'copyTraceForAi':
        await copyTraceForAi(this.source, this.traceId);
        return;
      case 'spanDetails':
        if (Array.isArray(message.spanIds) && message.traceId === this.traceId) await this.sendSpans(message.spanIds.filter((id) => typeof id === 'string'));
        return;
      case 'searchSpans':
        if (typeof message.text === 'string' && message.traceId === this.traceId) {
          const result = await this.source.searchSpans(this.traceId, message.text).catch(() => undefined);
          this.post({ type: 'searchResult', text: message.text, result });
        }
        return;
      case 'copySpanJson': {
        const json = typeof message.spanId === 'string' ? await this.source.spanDetails(this.traceId, [message.spanId]) : undefined;
        const span = json && (JSON.parse(json) as SpanDetails).spans[0];
        if (span) await copy(JSON.stringify(span, null, 2), 'the span as JSON');
        return;
      }
      case 'replaySpan':
        if (typeof message.spanId === 'string') await vscode.commands.executeCommand(REPLAY_COMMANDS.replaySpan, this.traceId, message.spanId);
        return;
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

/**
 * Copy trace for AI: the engine builds the text (the query API's traceForAi route), so the host only
 * relays a string, bounded by the budget, to the clipboard. A trace too big for the budget says how
 * much of it the text holds.
 */
export async function copyTraceForAi(source: TraceSource, traceId: string): Promise<TraceForAi | undefined> {
  let reply: TraceForAi;
  try {
    reply = await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: 'Copying the trace for AI…' }, () => source.ask('traceForAi', traceId));
  } catch (error) {
    void vscode.window.showErrorMessage(error instanceof QueryApiStatusError && error.status === 404
      ? `Trace ${traceId} is not loaded: it may have been cleared or evicted.` : `Could not copy the trace for AI: ${(error as Error).message}`);
    return undefined;
  }
  await copy(reply.text, 'the trace as Markdown');
  if (reply.leftOut) {
    const fit = reply.spanCount - reply.leftOut;
    void vscode.window.showInformationMessage(`Copied the trace as Markdown: ${reply.text.length.toLocaleString('en-US')} characters (about ${Math.round(reply.text.length / 4000)}k tokens) `
      + `hold ${fit.toLocaleString('en-US')} of its ${reply.spanCount.toLocaleString('en-US')} spans; the rest are counted at its end. Ask the chat about a part of the trace, or search it in the trace view.`);
  }
  return reply;
}

/** A webview tab cannot be set in italics, so the preview says so in words. */
export function panelTitle(name: string, preview: boolean): string {
  return `${preview ? 'Preview' : 'Trace'}: ${name.length > 40 ? `${name.slice(0, 39)}…` : name}`;
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

  /**
   * Shows a trace: in a panel that already shows it, else in the preview panel (replacing what it
   * showed). `toSide` opens a kept panel beside the active one, for a second trace.
   */
  async open(traceId: string, spanId?: string, options: { toSide?: boolean } = {}): Promise<void> {
    const now = Date.now();
    const showing = [...this.panels].filter((p) => p.traceId === traceId);
    // Asked for by name: a second panel, even of a trace shown already (to compare two spans of it).
    if (options.toSide) {
      this.create(traceId, spanId, false, vscode.ViewColumn.Beside);
      return;
    }
    const existing = showing.find((p) => !p.preview) ?? showing[0];
    if (existing) {
      // The same trace again right away: a double click, which keeps the preview.
      if (existing.preview && now - existing.openedAt <= DOUBLE_CLICK_MS) existing.pin();
      return this.reveal(existing, spanId, now);
    }
    const preview = [...this.panels].find((p) => p.preview);
    if (preview) {
      preview.openedAt = now;
      preview.panel.reveal(undefined, true);
      await preview.show(traceId, spanId);
      return;
    }
    this.create(traceId, spanId, true, vscode.ViewColumn.Active).openedAt = now;
  }

  /** The panels open now, for tests and the flow: which trace each shows and whether it is the preview. */
  get shown(): { traceId: string; preview: boolean; title: string }[] {
    return [...this.panels].map((p) => ({ traceId: p.traceId, preview: p.preview, title: p.panel.title }));
  }

  private reveal(panel: TracePanel, spanId: string | undefined, now: number): void {
    panel.openedAt = now;
    panel.panel.reveal(undefined, true);
    panel.select(spanId);
  }

  private create(traceId: string, spanId: string | undefined, preview: boolean, column: vscode.ViewColumn): TracePanel {
    const panel = vscode.window.createWebviewPanel(TRACE_VIEW_TYPE, `Trace ${traceId.slice(0, 8)}`, { viewColumn: column, preserveFocus: true }, {
      enableFindWidget: true,
      retainContextWhenHidden: false,
    });
    return this.adopt(panel, traceId, preview, spanId);
  }

  private settings(): TraceViewSettings {
    return { ...traceViewSettings(), detailShare: this.context.globalState.get<number>(DETAIL_SHARE_KEY) };
  }

  async deserializeWebviewPanel(panel: vscode.WebviewPanel, state: TraceViewState | undefined): Promise<void> {
    if (!state?.traceId) {
      panel.dispose();
      return;
    }
    // A restored panel is kept: the user left it open.
    this.adopt(panel, state.traceId, false);
  }

  private adopt(panel: vscode.WebviewPanel, traceId: string, preview: boolean, spanId?: string): TracePanel {
    loadBundle(panel, this.context.extensionUri, 'webview');
    const tracePanel = new TracePanel(panel, traceId, this.source, () => this.settings(), preview, spanId);
    this.panels.add(tracePanel);
    const remember = (share: number) => void this.context.globalState.update(DETAIL_SHARE_KEY, share);
    const listener = panel.webview.onDidReceiveMessage((message: WebviewMessage) =>
      tracePanel.handle(message, remember).catch((error: Error) => vscode.window.showErrorMessage(`Trace view: ${error.message}`)));
    panel.onDidDispose(() => {
      listener.dispose();
      this.panels.delete(tracePanel);
    });
    return tracePanel;
  }

  dispose(): void {
    for (const panel of this.panels) panel.panel.dispose();
    for (const subscription of this.subscriptions) subscription.dispose();
  }
}
