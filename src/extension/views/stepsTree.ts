// The Steps view: every step (a span name within its kind and service, or LLM calls grouped by
// prompt source or model) across the loaded traces, with count, errors, p50/p95/max, share of
// time, tokens and cost, sortable. Clicking a step lists its slowest and failed traces. The
// numbers come from the engine's report.
import * as vscode from 'vscode';
import { COMMANDS } from '../../shared/commands';
import type { StepGrouping, StepStats, TraceReport } from '../../shared/spanModel';
import { formatCost, formatDuration, formatTokens } from '../../shared/format';
import type { TraceSource } from '../engineConnection/traceSource';

const REFRESH_MS = 5000;

export type StepSort = 'share' | 'p95' | 'errors' | 'count' | 'cost' | 'slowestInFailed';

export const STEP_SORTS: { sort: StepSort; label: string }[] = [
  { sort: 'share', label: 'Share of total time' },
  { sort: 'p95', label: 'p95 latency' },
  { sort: 'errors', label: 'Error rate' },
  { sort: 'count', label: 'Count' },
  { sort: 'cost', label: 'Cost' },
  { sort: 'slowestInFailed', label: 'Slowest step in failed traces, most often' },
];

export const STEP_GROUP_LABELS: Record<StepGrouping, { label: string; description: string }> = {
  name: { label: 'Span name', description: 'each span name within its kind and service' },
  promptSource: { label: 'Prompt source', description: 'LLM calls by prompt template file, else call site' },
  model: { label: 'Model', description: 'LLM and embedding calls by model' },
};

const SORT_KEYS: Record<StepSort, (s: StepStats) => number> = {
  share: (s) => s.shareOfTime,
  p95: (s) => s.p95Ms,
  errors: (s) => s.errors / s.count,
  count: (s) => s.count,
  cost: (s) => s.costUsd,
  slowestInFailed: (s) => s.slowestInFailed,
};

export class StepsTreeProvider implements vscode.TreeDataProvider<StepStats>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.changed.event;
  sort: StepSort = 'share';
  grouping: StepGrouping = 'name';
  private pending?: NodeJS.Timeout;
  private readonly subscription: vscode.Disposable;
  private report?: TraceReport;

  constructor(private readonly source: TraceSource) {
    this.subscription = source.onDidChange(() => {
      this.pending ??= setTimeout(() => {
        this.pending = undefined;
        this.changed.fire();
      }, REFRESH_MS);
    });
  }

  refresh(): void {
    this.changed.fire();
  }

  get sortLabel(): string {
    return STEP_SORTS.find((s) => s.sort === this.sort)!.label;
  }

  async getChildren(element?: StepStats): Promise<StepStats[]> {
    if (element) return [];
    this.report = await this.source.report(0, this.grouping);
    const key = SORT_KEYS[this.sort];
    const steps = this.sort === 'slowestInFailed' ? this.report.steps.filter((s) => s.slowestInFailed > 0) : this.report.steps;
    return [...steps].sort((a, b) => key(b) - key(a) || b.count - a.count);
  }

  getTreeItem(step: StepStats): vscode.TreeItem {
    const label = step.groupedBy === 'promptSource' ? vscode.workspace.asRelativePath(step.name) : step.name;
    const item = new vscode.TreeItem(label, vscode.TreeItemCollapsibleState.None);
    item.id = `${step.kind}/${step.service}/${step.groupedBy ?? 'name'}/${step.name}`;
    const parts = [`${step.count}×`, `p50 ${formatDuration(step.p50Ms)}`, `p95 ${formatDuration(step.p95Ms)}`, `${Math.round(step.shareOfTime * 100)}% of time`];
    if (step.errors) parts.push(`${step.errors} failed`);
    if (step.slowestInFailed) parts.push(`slowest in ${step.slowestInFailed} failed`);
    if (step.costUsd) parts.push(formatCost(step.costUsd));
    item.description = parts.join(' · ');
    item.iconPath = new vscode.ThemeIcon(step.errors ? 'error' : 'pulse', step.errors ? new vscode.ThemeColor('errorForeground') : undefined);
    item.tooltip = [
      `${step.kind} · ${step.groupedBy ? `${STEP_GROUP_LABELS[step.groupedBy].label.toLowerCase()} ` : ''}${step.name} · ${step.service}`,
      `${step.count} spans, ${step.errors} failed (${Math.round((step.errors / step.count) * 100)}%)`,
      `p50 ${formatDuration(step.p50Ms)} · p95 ${formatDuration(step.p95Ms)} · max ${formatDuration(step.maxMs)}`,
      `${Math.round(step.shareOfTime * 100)}% of all traces' time`,
      step.tokens ? `${formatTokens(step.tokens)} · ${formatCost(step.costUsd)}` : '',
      step.slowestInFailed ? `The slowest step in ${step.slowestInFailed} failed traces` : '',
    ].filter(Boolean).join('\n');
    item.command = { command: COMMANDS.showStepTraces, title: 'Show Step Traces', arguments: [step] };
    return item;
  }

  dispose(): void {
    clearTimeout(this.pending);
    this.subscription.dispose();
    this.changed.dispose();
  }
}

/** The filter-language expression that selects one step's spans. */
export function stepFilter(step: Pick<StepStats, 'name' | 'kind' | 'service' | 'groupedBy'>): string {
  const quote = (text: string) => `"${text.replace(/["\\]/g, '\\$&')}"`;
  const field = step.groupedBy === 'promptSource' ? 'prompt_source' : step.groupedBy ?? 'name';
  return `${field} = ${quote(step.name)} AND kind = ${step.kind} AND service = ${quote(step.service)}`;
}
