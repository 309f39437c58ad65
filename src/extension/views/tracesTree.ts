// The Traces sidebar: one row per trace, expanding into its first spans' tree (a bounded page of the
// trace, ending in "More in the trace view…" where it was cut). Refreshes are coalesced so a
// thousand traces a second do not make the tree flicker or the editor stutter.
import * as vscode from 'vscode';
import { COMMANDS } from '../../shared/commands';
import { FINDING_LABELS, type Finding, type SpanKind, type TraceSummary } from '../../shared/spanModel';
import { formatDuration, formatTokens, oneLine, traceDescription } from '../../shared/format';
import { slowThresholdMs } from '../engineConnection/settings';
import { skeletonTree, type SkeletonTreeNode } from '../../shared/skeletonTree';
import type { SkeletonRowInput, TraceSkeleton } from '../../shared/traceSkeleton';
import type { TraceSource } from '../engineConnection/traceSource';

const REFRESH_MS = 750;
const MAX_ROWS = 500;
/** The spans an expanded trace shows, in the waterfall's order: what the host reads, whatever the trace's size. */
export const TREE_SPANS = 300;

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

export type TreeNode =
  | { type: 'trace'; trace: TraceSummary }
  | { type: 'span'; traceId: string; node: SkeletonTreeNode; page: TreePage }
  /** Where the tree's page of spans cut a list: opens the trace view at `spanId` (the list's parent). */
  | { type: 'more'; traceId: string; spanId?: string; page: TreePage };

/** How many of an expanded trace's spans the tree has. */
interface TreePage {
  shown: number;
  total: number;
}

/** The trace a row belongs to: its own, or its span's. */
export function traceIdOf(node: TreeNode): string {
  return node.type === 'trace' ? node.trace.traceId : node.traceId;
}

/** The span a row stands for; a trace row (and "More…") has none. */
export function spanIdOf(node: TreeNode | undefined): string | undefined {
  return node?.type === 'span' ? node.node.row.spanId : undefined;
}

export class TracesTreeProvider implements vscode.TreeDataProvider<TreeNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<TreeNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  readonly filters: TraceFilters = { errorsOnly: false, slowOnly: false, text: '' };
  private pending?: NodeJS.Timeout;
  private readonly subscription: vscode.Disposable;
  /** The rows shown come from more than one service, so each names its own. */
  private multiService = false;
  /** What the rows showed when last redrawn (rowsShown); undefined: not known. */
  private lastShown?: string;
  /** Rows read to decide on a redraw, for the redraw itself. */
  private fetched?: TraceSummary[];
  /** The clock the rows' ages are told by (a test moves it on). */
  now: () => number = Date.now;

  constructor(private readonly source: TraceSource) {
    this.subscription = source.onDidChange(() => this.scheduleRefresh());
  }

  /** Refreshes at most once per REFRESH_MS, however many changes arrive, and only when a row would show something else. */
  scheduleRefresh(): void {
    this.pending ??= setTimeout(() => {
      this.pending = undefined;
      void this.refreshIfChanged().catch(() => this.refreshNow());
    }, REFRESH_MS);
  }

  refreshNow(): void {
    clearTimeout(this.pending);
    this.pending = undefined;
    this.fetched = undefined;
    // Drawn from a fresh query: what it shows is not known here, so the next check redraws.
    this.lastShown = undefined;
    this.changed.fire(undefined);
  }

  /**
   * Redraws when the rows would show something other than they do (a new trace, a live trace grown,
   * an age gone from "<1m ago" to "1m ago"): an engine change the rows do not show (Trace Doctor
   * settling, another trace's late logs) redraws nothing, so a click in the view is never lost to a
   * redraw. An expanded trace that grew shows it in its row (its duration, its span count), so it
   * redraws too. Says whether it redrew.
   */
  async refreshIfChanged(): Promise<boolean> {
    const traces = await this.rootTraces();
    const shown = this.rowsShown(traces);
    if (shown === this.lastShown) return false;
    // The getChildren call the redraw makes takes these rows instead of asking again. Only a redraw
    // sets what is shown: a getChildren call from elsewhere (a command, a test) draws nothing.
    this.lastShown = shown;
    this.fetched = traces;
    this.changed.fire(undefined);
    return true;
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
      const traces = this.fetched ?? await this.rootTraces().catch((error: Error) => {
        // A saved filter edited by hand may not parse: say why instead of an empty view.
        if (this.filters.text) void vscode.window.showWarningMessage(`The traces filter "${this.filters.text}" does not work: ${error.message}`);
        return [];
      });
      this.fetched = undefined;
      this.multiService = new Set(traces.map((t) => t.service)).size > 1;
      return traces.map((trace) => ({ type: 'trace', trace }));
    }
    if (element.type === 'more') return [];
    if (element.type === 'span') return spanRows(element.traceId, element.node, element.page);
    const { traceId } = element.trace;
    // The first spans in the waterfall's order, parsed here: a bounded page, never the whole trace.
    const reply = await this.source.traceSkeleton(traceId, undefined, TREE_SPANS);
    if (!reply) return [];
    const tree = skeletonTree(JSON.parse(reply.json) as TraceSkeleton);
    const page = { shown: TREE_SPANS, total: TREE_SPANS + tree.rest };
    // The trace row already is its root: it opens onto the root's children (orphans beside it).
    const [root, ...others] = tree.roots;
    if (root && !others.length && (root.cut || !tree.rest)) return spanRows(traceId, root, page);
    return spanRows(traceId, { children: tree.roots, cut: tree.rest > 0 }, page);
  }

  private rootTraces(): Promise<TraceSummary[]> {
    return this.source.query({
      limit: MAX_ROWS,
      status: this.filters.errorsOnly ? 'error' : undefined,
      minDurationMs: this.filters.slowOnly ? slowThresholdMs() : undefined,
      filter: this.filters.text || undefined,
    });
  }

  /** What the rows of these traces show, as one string: labels, descriptions, icons, tooltips. */
  private rowsShown(traces: TraceSummary[]): string {
    const multiService = new Set(traces.map((t) => t.service)).size > 1;
    return JSON.stringify(traces.map((trace) => {
      const item = traceItem(trace, multiService, this.now());
      const icon = item.iconPath as vscode.ThemeIcon;
      const tooltip = item.tooltip instanceof vscode.MarkdownString ? item.tooltip.value : item.tooltip;
      return [item.id, item.label, item.description, icon.id, icon.color?.id, item.collapsibleState, tooltip];
    }));
  }

  getTreeItem(element: TreeNode): vscode.TreeItem {
    if (element.type === 'trace') return traceItem(element.trace, this.multiService, this.now());
    return element.type === 'span' ? spanItem(element.traceId, element.node) : moreItem(element);
  }

  dispose(): void {
    clearTimeout(this.pending);
    this.subscription.dispose();
    this.changed.dispose();
  }
}

/** How much of the request a row's description shows; the tooltip has the rest of the gist. */
const ROW_INPUT_CHARACTERS = 80;

function traceItem(trace: TraceSummary, multiService: boolean, now: number): vscode.TreeItem {
  // A one-span trace has no children to show under its root.
  const item = new vscode.TreeItem(trace.name || trace.traceId, trace.spanCount > 1 ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None);
  item.id = trace.traceId;
  const input = trace.input && oneLine(trace.input, ROW_INPUT_CHARACTERS);
  item.description = [findingsBadge(trace.findings), traceDescription(trace, now, multiService), input && `“${input}”`].filter(Boolean).join(' · ');
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

/** A span's (or, without `row`, the trace's top) child rows, and "More…" after them when the page cut the list. */
function spanRows(traceId: string, parent: Pick<SkeletonTreeNode, 'children' | 'cut'> & { row?: SkeletonRowInput }, page: TreePage): TreeNode[] {
  const rows: TreeNode[] = parent.children.map((node) => ({ type: 'span', traceId, node, page }));
  if (parent.cut) rows.push({ type: 'more', traceId, spanId: parent.row?.spanId, page });
  return rows;
}

function moreItem(more: Extract<TreeNode, { type: 'more' }>): vscode.TreeItem {
  const item = new vscode.TreeItem('More in the trace view…', vscode.TreeItemCollapsibleState.None);
  item.id = `${more.traceId}/${more.spanId ?? ''}/more`;
  item.description = `${more.page.shown} of ${more.page.total.toLocaleString('en-US')} spans here`;
  item.iconPath = new vscode.ThemeIcon('ellipsis');
  item.tooltip = `This trace is large: the tree shows its first ${more.page.shown} spans (in the waterfall's order); the trace view shows all ${more.page.total.toLocaleString('en-US')}.`;
  item.contextValue = 'more';
  item.command = { command: COMMANDS.openTrace, title: 'Open Trace', arguments: more.spanId ? [more.traceId, more.spanId] : [more.traceId] };
  return item;
}

function spanItem(traceId: string, node: SkeletonTreeNode): vscode.TreeItem {
  const { row: span } = node;
  const item = new vscode.TreeItem(span.name, node.children.length || node.cut ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None);
  item.id = `${traceId}/${span.spanId}`;
  item.description = spanDescription(span);
  item.iconPath = span.status === 'error'
    ? new vscode.ThemeIcon('error', new vscode.ThemeColor('errorForeground'))
    : new vscode.ThemeIcon(KIND_ICONS[span.kind]);
  item.tooltip = [`${span.kind} · ${span.name}`, span.statusMessage && `Error: ${span.statusMessage}`, ...(span.findings ?? []).map((message) => `⚠ ${message}`)]
    .filter(Boolean).join('\n');
  item.contextValue = 'span';
  item.command = { command: COMMANDS.openTrace, title: 'Open Span', arguments: [traceId, span.spanId] };
  return item;
}

function spanDescription(span: SkeletonRowInput): string {
  const parts = [formatDuration(span.durationMs)];
  // A page's row has its findings' messages (in the tooltip), not their kinds.
  if (span.findings?.length) parts.unshift(`⚠ ${span.findings.length === 1 ? '1 finding' : `${span.findings.length} findings`}`);
  if (span.model) parts.push(span.model);
  if (span.tokens) parts.push(formatTokens(span.tokens));
  return parts.join(' · ');
}
