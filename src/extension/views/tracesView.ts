// The Traces view: its tree, and the filters of its title bar (shown as the view's description,
// and as a context key for the "no match" welcome and the Clear Filters button).
import * as vscode from 'vscode';
import { CONTEXT_KEYS, VIEWS } from '../../shared/commands';
import { TracesTreeProvider, type TraceFilters, type TreeNode } from './tracesTree';
import type { ActiveSource } from '../engineConnection/activeSource';

/** Rows say "3m ago": redrawn this often while the view is visible, so no age goes stale. */
const AGE_REFRESH_MS = 15_000;

export class TracesView implements vscode.Disposable {
  readonly tree: TracesTreeProvider;
  readonly view: vscode.TreeView<TreeNode>;
  private readonly ageTimer: NodeJS.Timeout;

  constructor(source: ActiveSource) {
    this.tree = new TracesTreeProvider(source);
    this.view = vscode.window.createTreeView(VIEWS.traces, { treeDataProvider: this.tree, showCollapseAll: true, canSelectMany: true });
    this.ageTimer = setInterval(() => this.view.visible && this.tree.scheduleRefresh(), AGE_REFRESH_MS);
  }

  get filters(): Readonly<TraceFilters> {
    return this.tree.filters;
  }

  setFilter(change: Partial<TraceFilters>): void {
    Object.assign(this.tree.filters, change);
    this.view.description = this.tree.filterDescription();
    void vscode.commands.executeCommand('setContext', CONTEXT_KEYS.filtered, this.view.description !== undefined);
    this.tree.refreshNow();
  }

  dispose(): void {
    clearInterval(this.ageTimer);
    this.view.dispose();
    this.tree.dispose();
  }
}
