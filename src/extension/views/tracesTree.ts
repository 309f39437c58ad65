// The Traces sidebar: one row per trace, expanding into its span tree. Refreshes are coalesced
// so a thousand traces a second do not make the tree flicker or the editor stutter.
import * as vscode from 'vscode';
import { COMMANDS } from '../../shared/commands';
import { FINDING_LABELS, type Finding, type Span, type SpanKind, type TraceSummary } from '../../shared/spanModel';
import { formatDuration, formatTokens, oneLine, traceDescription } from '../../shared/format';
import { slowThresholdMs } from '../engineConnection/settings';
import { buildSpanTree, SpanNode } from '../../shared/spanTree';
import type { TraceSource } from '../engineConnection/traceSource';

const REFRESH_MS = 750;
const MAX_ROWS = 500;

const KIND_ICONS: Record<SpanKind, string> = {
  LLM: 'sparkle', CHAIN: 'link', RETRIEVER: 'search', TOOL: 'tools', AGENT: 'robot', EMBEDDING: 'symbol-array',
  RERANKER: 'list-ordered', GUARDRAIL: 'shield', EVALUATOR: 'checklist', UNKNOWN: 'circle-outline',
};

export interface TraceFilters {
  errorsOnly: boolean;
  slowOnly: boolean;
  /** Free text or the filter language (shared/traceFilter.ts). */
  text: string;
}

/** "⚠ loop, weak retrieval": detector findings at the front of a row, where they are seen. */
export function findingsBadge(findings: Finding[] | undefined): string {
  return findings?.length ? `⚠ ${[...new Set(findings.map((f) => FINDING_LABELS[f.detector]))].join(', ')}` : '';
}

export type TreeNode = { type: 'trace'; trace: TraceSummary } | { type: 'span'; traceId: string; node: SpanNode };

/** The trace a row belongs to: its own, or its span's. */
export function traceIdOf(node: TreeNode): string {
  return node.type === 'trace' ? node.trace.traceId : node.traceId;
}

export class TracesTreeProvider implements vscode.TreeDataProvider<TreeNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<TreeNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  readonly filters: TraceFilters = { errorsOnly: false, slowOnly: false, text: '' };
  private pending?: NodeJS.Timeout;
  private readonly subscription: vscode.Disposable;
  /** The rows shown come from more than one service, so each names its own. */
  private multiService = false;

  constructor(private readonly source: TraceSource) {
    this.subscription = source.onDidChange(() => this.scheduleRefresh());
  }

  /** Refreshes at most once per REFRESH_MS, however many changes arrive. */
  scheduleRefresh(): void {
    this.pending ??= setTimeout(() => {
      this.pending = undefined;
      this.changed.fire(undefined);
    }, REFRESH_MS);
  }

  refreshNow(): void {
    clearTimeout(this.pending);
    this.pending = undefined;
    this.changed.fire(undefined);
  }

  /** "errors · slow ≥ 2.00 s · "refund"": shown as the view's description while filters apply. */
  filterDescription(): string | undefined {
    const parts: string[] = [];
    if (this.filters.errorsOnly) parts.push('errors');
    if (this.filters.slowOnly) parts.push(`slow ≥ ${formatDuration(slowThresholdMs())}`);
    if (this.filters.text) parts.push(`"${this.filters.text}"`);
    return parts.length ? parts.join(' · ') : undefined;
  }

  async getChildren(element?: TreeNode): Promise<TreeNode[]> {
    if (!element) {
      const traces = await this.source.query({
        limit: MAX_ROWS,
        status: this.filters.errorsOnly ? 'error' : undefined,
        minDurationMs: this.filters.slowOnly ? slowThresholdMs() : undefined,
        filter: this.filters.text || undefined,
      }).catch((error: Error) => {
        // A saved filter edited by hand may not parse: say why instead of an empty view.
        if (this.filters.text) void vscode.window.showWarningMessage(`The traces filter "${this.filters.text}" does not work: ${error.message}`);
        return [];
      });
      this.multiService = new Set(traces.map((t) => t.service)).size > 1;
      return traces.map((trace) => ({ type: 'trace', trace }));
    }
    if (element.type === 'span') return element.node.children.map((node) => ({ type: 'span', traceId: element.traceId, node }));
    const detail = await this.source.trace(element.trace.traceId);
    if (!detail) return [];
    // The trace row already is its root: it opens onto the root's children (orphans stay beside).
    const roots = buildSpanTree(detail.spans);
    const shown = roots.length === 1 ? roots[0].children : roots;
    return shown.map((node) => ({ type: 'span', traceId: element.trace.traceId, node }));
  }

  getTreeItem(element: TreeNode): vscode.TreeItem {
    return element.type === 'trace' ? traceItem(element.trace, this.multiService) : spanItem(element.traceId, element.node);
  }

  dispose(): void {
    clearTimeout(this.pending);
    this.subscription.dispose();
    this.changed.dispose();
  }
}

/** How much of the request a row's description shows; the tooltip has the rest of the gist. */
const ROW_INPUT_CHARACTERS = 80;

function traceItem(trace: TraceSummary, multiService: boolean): vscode.TreeItem {
  // A one-span trace has no children to show under its root.
  const item = new vscode.TreeItem(trace.name || trace.traceId, trace.spanCount > 1 ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None);
  item.id = trace.traceId;
  const input = trace.input && oneLine(trace.input, ROW_INPUT_CHARACTERS);
  item.description = [findingsBadge(trace.findings), traceDescription(trace, Date.now(), multiService), input && `“${input}”`].filter(Boolean).join(' · ');
  const failed = trace.status === 'error';
  item.iconPath = failed
    ? new vscode.ThemeIcon('error', new vscode.ThemeColor('errorForeground'))
    : new vscode.ThemeIcon(trace.durationMs >= slowThresholdMs() ? 'watch' : 'pass', trace.durationMs >= slowThresholdMs()
      ? new vscode.ThemeColor('editorWarning.foreground') : new vscode.ThemeColor('testing.iconPassed'));
  if (trace.origin) {
    // A trace opened from a team backend: a cloud and the backend's name, kept until cleared.
    item.iconPath = new vscode.ThemeIcon('cloud', failed ? new vscode.ThemeColor('errorForeground') : undefined);
    item.description = [`☁ ${trace.origin}`, item.description].filter(Boolean).join(' · ');
  }
  item.contextValue = 'trace';
  const tooltip = new vscode.MarkdownString(undefined, true);
  tooltip.appendText(`${trace.name}\n`);
  if (trace.origin) tooltip.appendText(`From team backend ${trace.origin}\n`);
  tooltip.appendMarkdown(`\n${failed ? '$(error) failed' : '$(pass) ok'} · ${formatDuration(trace.durationMs)} · ${trace.spanCount} spans\n\n`);
  if (trace.input) tooltip.appendText(`Input: ${trace.input}\n`);
  if (trace.output) tooltip.appendText(`Output: ${trace.output}\n`);
  tooltip.appendText(`Started ${new Date(trace.startMs).toLocaleString()} · ${trace.services.join(', ')}\n`);
  if (trace.errorMessage) tooltip.appendText(`Error: ${trace.errorMessage}\n`);
  if (trace.slowestStep) tooltip.appendText(`Slowest step: ${trace.slowestStep.name} (${formatDuration(trace.slowestStep.durationMs)})\n`);
  if (trace.models.length) tooltip.appendText(`Models: ${trace.models.join(', ')}\n`);
  for (const finding of trace.findings ?? []) tooltip.appendText(`⚠ ${finding.message}\n`);
  tooltip.appendText(`Trace ${trace.traceId}`);
  item.tooltip = tooltip;
  item.command = { command: COMMANDS.openTrace, title: 'Open Trace', arguments: [trace.traceId] };
  return item;
}

function spanItem(traceId: string, node: SpanNode): vscode.TreeItem {
  const { span } = node;
  const item = new vscode.TreeItem(span.name, node.children.length ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None);
  item.id = `${traceId}/${span.spanId}`;
  item.description = spanDescription(span);
  item.iconPath = span.status === 'error'
    ? new vscode.ThemeIcon('error', new vscode.ThemeColor('errorForeground'))
    : new vscode.ThemeIcon(KIND_ICONS[span.kind]);
  item.tooltip = [`${span.kind} · ${span.name}`, span.statusMessage && `Error: ${span.statusMessage}`, ...(span.findings ?? []).map((f) => `⚠ ${f.message}`)]
    .filter(Boolean).join('\n');
  item.contextValue = 'span';
  item.command = { command: COMMANDS.openTrace, title: 'Open Span', arguments: [traceId, span.spanId] };
  return item;
}

function spanDescription(span: Span): string {
  const parts = [formatDuration(span.durationMs)];
  const badge = findingsBadge(span.findings);
  if (badge) parts.unshift(badge);
  if (span.model) parts.push(span.model);
  if (span.tokens?.total) parts.push(formatTokens(span.tokens.total));
  return parts.join(' · ');
}
