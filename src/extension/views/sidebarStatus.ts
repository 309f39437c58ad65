// What the sidebar and the status bar say about the engine: the receiver and its counts in the
// status bar, the store and memory-cap notes above the traces, and the context keys the welcome views
// depend on (package.json viewsWelcome).
import * as vscode from 'vscode';
import { CONTEXT_KEYS } from '../../shared/commands';
import type { EngineStats } from '../../shared/spanModel';
import type { ActiveSource } from '../engineConnection/activeSource';
import type { EngineClient } from '../engineConnection/engineClient';
import type { OtherWindowEngine } from '../engineConnection/otherWindowEngine';
import { TracesStatusBar } from './statusBar';

const DEFAULT_HTTP_PORT = 4318;
const DEFAULT_GRPC_PORT = 4317;

/**
 * Above the traces while the store cannot be written (they would not survive a restart), and once
 * the memory cap has evicted some: the user must not think they were never received.
 */
function viewMessage(stats: EngineStats | undefined): string | undefined {
  const messages: string[] = [];
  if (stats?.storeProblem) messages.push(`Traces are not being saved: the store ${stats.storeProblem}.`);
  if (stats?.evictedTraces) {
    messages.push(`Memory cap reached: ${stats.evictedTraces.toLocaleString('en-US')} older traces were evicted from memory (normal ones first, `
      + 'slow and failed ones last). Raise the settings memory.maxSpans or memory.maxMegabytes to keep more.');
  }
  return messages.length ? messages.join(' ') : undefined;
}

export class SidebarStatus implements vscode.Disposable {
  private readonly statusBar = new TracesStatusBar();
  private lastStats: EngineStats | undefined;
  private readonly subscriptions: vscode.Disposable[];

  constructor(
    private readonly engine: EngineClient,
    source: ActiveSource,
    private readonly otherWindow: OtherWindowEngine,
    private readonly tracesView: vscode.TreeView<unknown>,
  ) {
    void vscode.commands.executeCommand('setContext', CONTEXT_KEYS.empty, true);
    this.subscriptions = [
      source.onDidChange((stats) => (stats ? this.onStats(stats) : source.stats().then((s) => this.onStats(s), () => undefined))),
      engine.onDidChangeStatus(() => this.refresh()),
      otherWindow.onDidChange(() => this.refresh()),
    ];
  }

  /** Redraws from the receiver's status and the last counts. */
  refresh(): void {
    this.statusBar.update(this.engine.status, this.lastStats, this.otherWindow.description);
    // The welcome text names the ports only when they are the defaults.
    const { httpPort, grpcPort } = this.engine.status;
    const defaultPorts = (httpPort ?? DEFAULT_HTTP_PORT) === DEFAULT_HTTP_PORT && (grpcPort ?? DEFAULT_GRPC_PORT) === DEFAULT_GRPC_PORT;
    void vscode.commands.executeCommand('setContext', CONTEXT_KEYS.defaultPorts, defaultPorts && !this.otherWindow.isAttached);
  }

  private onStats(stats: EngineStats | undefined): void {
    this.lastStats = stats;
    this.tracesView.message = viewMessage(stats);
    void vscode.commands.executeCommand('setContext', CONTEXT_KEYS.empty, (stats?.traces ?? 0) === 0);
    this.refresh();
  }

  dispose(): void {
    for (const subscription of this.subscriptions) subscription.dispose();
    this.statusBar.dispose();
  }
}
