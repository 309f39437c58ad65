// The Steps view: its tree, sorted as the user picked (shown as the view's description).
import * as vscode from 'vscode';
import { VIEWS } from '../../shared/commands';
import type { StepStats } from '../../shared/spanModel';
import type { ActiveSource } from '../engineConnection/activeSource';
import { STEP_SORTS, StepsTreeProvider } from './stepsTree';

export class StepsView implements vscode.Disposable {
  readonly tree: StepsTreeProvider;
  private readonly view: vscode.TreeView<StepStats>;

  constructor(source: ActiveSource) {
    this.tree = new StepsTreeProvider(source);
    this.view = vscode.window.createTreeView(VIEWS.steps, { treeDataProvider: this.tree });
    this.view.description = `by ${this.tree.sortLabel.toLowerCase()}`;
  }

  async pickSort(): Promise<void> {
    const picked = await vscode.window.showQuickPick(STEP_SORTS.map((s) => ({ ...s, picked: s.sort === this.tree.sort })), { title: 'Sort Steps By' });
    if (!picked) return;
    this.tree.sort = picked.sort;
    this.view.description = `by ${picked.label.toLowerCase()}`;
    this.tree.refresh();
  }

  dispose(): void {
    this.view.dispose();
    this.tree.dispose();
  }
}
