// The Steps view: its tree, sorted and grouped as the user picked (shown as the view's
// description). The grouping is remembered across windows and restarts.
import * as vscode from 'vscode';
import { VIEWS } from '../../shared/commands';
import { STEP_GROUPINGS, type StepGrouping, type StepStats } from '../../shared/spanModel';
import type { ActiveSource } from '../engineConnection/activeSource';
import { STEP_GROUP_LABELS, STEP_SORTS, StepsTreeProvider } from './stepsTree';

const GROUPING_KEY = 'steps.groupBy';

export class StepsView implements vscode.Disposable {
  readonly tree: StepsTreeProvider;
  private readonly view: vscode.TreeView<StepStats>;

  constructor(source: ActiveSource, private readonly memory: vscode.Memento) {
    this.tree = new StepsTreeProvider(source);
    const remembered = memory.get<StepGrouping>(GROUPING_KEY);
    if (remembered && STEP_GROUPINGS.includes(remembered)) this.tree.grouping = remembered;
    this.view = vscode.window.createTreeView(VIEWS.steps, { treeDataProvider: this.tree });
    this.describe();
  }

  async pickSort(): Promise<void> {
    const picked = await vscode.window.showQuickPick(STEP_SORTS.map((s) => ({ ...s, picked: s.sort === this.tree.sort })), { title: 'Sort Steps By' });
    if (!picked) return;
    this.tree.sort = picked.sort;
    this.describe();
    this.tree.refresh();
  }

  /** Groups steps by span name, prompt source or model: asked for, or picked from a list. */
  async pickGrouping(grouping?: StepGrouping): Promise<void> {
    if (!grouping || !STEP_GROUPINGS.includes(grouping)) {
      const items = STEP_GROUPINGS.map((g) => ({ grouping: g, ...STEP_GROUP_LABELS[g], picked: g === this.tree.grouping }));
      grouping = (await vscode.window.showQuickPick(items, { title: 'Group Steps By' }))?.grouping;
      if (!grouping) return;
    }
    this.tree.grouping = grouping;
    await this.memory.update(GROUPING_KEY, grouping);
    this.describe();
    this.tree.refresh();
  }

  private describe(): void {
    const grouped = this.tree.grouping === 'name' ? '' : ` · ${STEP_GROUP_LABELS[this.tree.grouping].label.toLowerCase()}`;
    this.view.description = `by ${this.tree.sortLabel.toLowerCase()}${grouped}`;
  }

  dispose(): void {
    this.view.dispose();
    this.tree.dispose();
  }
}
