// The waterfall: a tree of spans on a shared time axis. Rows are virtualized; the keyboard
// moves a cursor (arrows), opens the detail (Enter) and folds subtrees (left/right). One view
// lives as long as its trace is shown and takes the trace's new spans as they arrive (setModel);
// dispose() removes everything it added outside its own elements.
import { Disposables } from '../disposables';
import { button, h } from '../dom';
import { bindDragZoom } from './dragZoom';
import { legend } from './kinds';
import { createRow, drawRow, type RowView } from './rowRenderer';
import { clampZoom, FULL_RANGE, isZoomed, scaleZoom, ticks, type Zoom } from './timeAxis';
import { VirtualList } from './virtualList';
import { indexOfSpan, rowAt, spanIdAt, visibleRows, type WaterfallModel, type WaterfallRow } from './waterfallModel';

export const ROW_HEIGHT = 24;
/** Room per tick label on the axis, in pixels. */
const TICK_SPACING_PX = 56;

export interface WaterfallCallbacks {
  /** The user opened a span's detail (click or Enter). */
  onSelect(spanId: string): void;
  /** Something worth saving changed (folding, zoom, scroll). */
  onViewChange(): void;
}

export class WaterfallView {
  readonly element: HTMLElement;
  private readonly list: VirtualList<RowView>;
  private readonly axis: HTMLElement;
  private readonly gridlines: HTMLElement;
  private readonly zoomResetButton: HTMLElement;
  /** Tree positions of the rows shown (folds hide subtrees)... */
  private visible: Int32Array = new Int32Array(0);
  /** ...and the reverse: tree position → place in the list, -1 when folded away. */
  private positionOf: Int32Array = new Int32Array(0);
  private cursor = 0;
  private selectedId?: string;
  private multiService: boolean;
  private matches: ReadonlySet<string> = new Set();
  private legend: HTMLElement;
  private readonly disposables = new Disposables();

  constructor(private model: WaterfallModel, readonly collapsed: Set<string>, public zoom: Zoom, private readonly callbacks: WaterfallCallbacks) {
    this.multiService = model.services.length > 1;
    this.axis = h('div', { className: 'axis', title: 'Drag across the axis to zoom into a time range' });
    this.gridlines = h('div', { className: 'gridlines', attrs: { 'aria-hidden': 'true' } });
    this.zoomResetButton = button('Reset zoom', () => this.setZoom(FULL_RANGE));
    this.legend = legend(model.kinds);
    const body = h('div', {
      className: 'waterfall-body',
      attrs: { role: 'tree', tabindex: '0', 'aria-label': 'Spans of the trace. Arrows move, Enter opens the detail, left and right fold.' },
    });
    this.list = new VirtualList(body, ROW_HEIGHT, {
      create: () => createRow({
        onClick: (view, onTwisty) => this.onRowClick(view, onTwisty),
        onDoubleClick: (view) => this.toggle(this.rowAt(view.position)!),
      }),
      update: (view, position) => this.updateRow(view, position),
    });
    this.disposables.listen(body, 'keydown', (event) => this.onKey(event));
    this.disposables.listen(body, 'scroll', () => this.callbacks.onViewChange());
    bindDragZoom(this.axis, this.disposables, (from, to) => {
      const width = this.zoom.end - this.zoom.start;
      this.setZoom({ start: this.zoom.start + from * width, end: this.zoom.start + to * width });
    });
    let axisWidth = 0;
    this.disposables.observeResize(this.axis, () => {
      if (this.axis.clientWidth === axisWidth) return;
      axisWidth = this.axis.clientWidth;
      this.drawAxis();
    });
    this.element = h('div', { className: 'waterfall' + (this.multiService ? ' multi-service' : '') },
      h('div', { className: 'waterfall-toolbar' },
        this.legend,
        h('div', { className: 'toolbar-buttons' },
        button('Expand all', () => this.setCollapsed([])),
        button('Collapse all', () => this.setCollapsed(this.foldableSpanIds())),
        button('Zoom out', () => this.setZoom(scaleZoom(this.zoom, 2)), { appearance: 'icon', glyph: '−' }),
        button('Zoom in', () => this.setZoom(scaleZoom(this.zoom, 0.5)), { appearance: 'icon', glyph: '+' }),
        this.zoomResetButton)),
      h('div', { className: 'waterfall-header row-grid', attrs: { role: 'presentation' } },
        h('div', { className: 'col-name' }, 'Span'),
        h('div', { className: 'col-num', title: 'Duration' }, 'Duration'),
        h('div', { className: 'col-num', title: 'Self time: not spent in child spans' }, 'Self'),
        h('div', { className: 'col-num', title: "Share of the trace's time" }, 'Share'),
        this.axis),
      h('div', { className: 'waterfall-frame' }, this.gridlines, body));
    this.refreshRows();
  }

  /**
   * The same trace with more spans (a live run grows): rows, axis and legend follow; folds,
   * zoom, scroll, the cursor and the selection stay.
   */
  setModel(model: WaterfallModel): void {
    const cursorSpanId = this.spanIdAt(this.cursor);
    this.model = model;
    this.multiService = model.services.length > 1;
    this.element.classList.toggle('multi-service', this.multiService);
    const legendNow = legend(model.kinds);
    this.legend.replaceWith(legendNow);
    this.legend = legendNow;
    this.refreshRows(cursorSpanId);
  }

  /** Marks the spans an in-trace search found. */
  markMatches(spanIds: ReadonlySet<string>): void {
    this.matches = spanIds;
    this.list.render();
  }

  /** Puts a control (the in-trace search) at the start of the toolbar. */
  addToToolbar(element: HTMLElement): void {
    this.element.querySelector('.waterfall-toolbar')!.prepend(element);
  }

  dispose(): void {
    this.disposables.dispose();
    this.list.dispose();
  }

  /** Visible rows in the DOM; bounded by the viewport height. */
  domRowCount(): number {
    return this.list.domRowCount();
  }

  get viewport(): HTMLElement {
    return this.list.viewport;
  }

  select(spanId: string | undefined, reveal = true): void {
    this.selectedId = spanId;
    const index = indexOfSpan(this.model, spanId);
    if (index !== undefined) {
      this.expandAncestors(index);
      this.cursor = this.positionOf[index] >= 0 ? this.positionOf[index] : this.cursor;
      if (reveal) this.list.reveal(this.cursor);
    }
    this.list.render();
  }

  focus(): void {
    this.viewport.focus({ preventScroll: true });
  }

  private setZoom(zoom: Zoom): void {
    this.zoom = clampZoom(zoom);
    this.drawAxis();
    this.list.render();
    this.callbacks.onViewChange();
  }

  private setCollapsed(spanIds: string[]): void {
    this.collapsed.clear();
    for (const id of spanIds) this.collapsed.add(id);
    this.refreshRows();
    this.callbacks.onViewChange();
  }

  private toggle(row: WaterfallRow): void {
    if (!row.childCount) return;
    if (this.collapsed.has(row.span.spanId)) this.collapsed.delete(row.span.spanId);
    else this.collapsed.add(row.span.spanId);
    this.refreshRows();
    this.callbacks.onViewChange();
  }

  private expandAncestors(index: number): void {
    let changed = false;
    for (let i = this.model.parentIndex[index]; i >= 0; i = this.model.parentIndex[i]) {
      changed = this.collapsed.delete(spanIdAt(this.model, i)) || changed;
    }
    if (changed) this.refreshRows();
  }

  /** Spans with children below the root: what Collapse all folds. */
  private foldableSpanIds(): string[] {
    const ids: string[] = [];
    for (let i = 0; i < this.model.count; i++) if (this.model.childCount[i] > 0 && this.model.depth[i] > 0) ids.push(spanIdAt(this.model, i));
    return ids;
  }

  private refreshRows(cursorSpanId = this.spanIdAt(this.cursor)): void {
    this.visible = visibleRows(this.model, this.collapsed);
    this.positionOf = new Int32Array(this.model.count).fill(-1);
    this.visible.forEach((index, position) => (this.positionOf[index] = position));
    const cursorRow = indexOfSpan(this.model, cursorSpanId);
    this.cursor = cursorRow === undefined ? 0 : this.positionOf[cursorRow] >= 0 ? this.positionOf[cursorRow] : this.nearestVisible(cursorRow);
    this.list.setCount(this.visible.length);
    this.drawAxis();
  }

  /** The row at a place in the list, made for drawing it. */
  private rowAt(position: number): WaterfallRow | undefined {
    const index = this.visible[position];
    return index === undefined ? undefined : rowAt(this.model, index);
  }

  private spanIdAt(position: number): string | undefined {
    const index = this.visible[position];
    return index === undefined ? undefined : spanIdAt(this.model, index);
  }

  /** The spans in the list from one place to another (for the detail to fetch ahead). */
  spanIdsAround(spanId: string | undefined, before: number, after: number): string[] {
    const index = indexOfSpan(this.model, spanId);
    const at = index === undefined ? this.list.firstInView() : Math.max(0, this.positionOf[index]);
    const ids: string[] = [];
    for (let p = Math.max(0, at - before); p < Math.min(this.visible.length, at + after + 1); p++) ids.push(this.spanIdAt(p)!);
    return ids;
  }

  /** After a fold hides the cursor's row, the cursor goes to its visible ancestor. */
  private nearestVisible(index: number): number {
    for (let i = index; i >= 0; i = this.model.parentIndex[i]) {
      if (this.positionOf[i] >= 0) return this.positionOf[i];
    }
    return 0;
  }

  private drawAxis(): void {
    const width = this.axis.clientWidth || 480;
    const marks = ticks(this.model.durationMs, this.zoom, Math.max(2, Math.floor(width / TICK_SPACING_PX)));
    this.axis.replaceChildren(...marks.map((tick) => {
      // Labels are centered on their line; those at the edges lean inwards to stay in view.
      const place = tick.percent < 4 ? ' tick-start' : tick.percent > 96 ? ' tick-end' : '';
      const label = h('span', { className: `tick${place}` }, tick.label);
      label.style.left = `${tick.percent}%`;
      return label;
    }));
    this.gridlines.replaceChildren(h('div', { className: 'gridlines-track' }, ...marks.map((tick) => {
      const line = h('span', { className: 'gridline' });
      line.style.left = `${tick.percent}%`;
      return line;
    })));
    this.zoomResetButton.toggleAttribute('disabled', !isZoomed(this.zoom));
  }

  private onRowClick(view: RowView, onTwisty: boolean): void {
    const row = this.rowAt(view.position)!;
    this.cursor = view.position;
    if (onTwisty) this.toggle(row);
    else this.open(row);
    this.focus();
  }

  private updateRow(view: RowView, position: number): void {
    drawRow(view, this.rowAt(position)!, position, {
      model: this.model, zoom: this.zoom, collapsed: this.collapsed, selectedId: this.selectedId, cursor: this.cursor, multiService: this.multiService,
      matches: this.matches,
    });
    if (position === this.cursor) this.viewport.setAttribute('aria-activedescendant', view.root.id);
  }

  private open(row: WaterfallRow): void {
    this.select(row.span.spanId, false);
    this.callbacks.onSelect(row.span.spanId);
  }

  private moveCursor(position: number): void {
    this.cursor = Math.max(0, Math.min(this.visible.length - 1, position));
    this.list.reveal(this.cursor);
  }

  private onKey(event: KeyboardEvent): void {
    const row = this.rowAt(this.cursor);
    if (!row) return;
    const expanded = row.childCount > 0 && !this.collapsed.has(row.span.spanId);
    const actions: Record<string, () => void> = {
      ArrowDown: () => this.moveCursor(this.cursor + 1),
      ArrowUp: () => this.moveCursor(this.cursor - 1),
      PageDown: () => this.moveCursor(this.cursor + this.list.pageSize()),
      PageUp: () => this.moveCursor(this.cursor - this.list.pageSize()),
      Home: () => this.moveCursor(0),
      End: () => this.moveCursor(this.visible.length - 1),
      ArrowRight: () => (expanded ? this.moveCursor(this.cursor + 1) : this.toggle(row)),
      ArrowLeft: () => (expanded ? this.toggle(row) : row.parentIndex >= 0 && this.moveCursor(this.positionOf[row.parentIndex])),
      Enter: () => this.open(row),
      ' ': () => this.open(row),
      '+': () => this.setZoom(scaleZoom(this.zoom, 0.5)),
      '-': () => this.setZoom(scaleZoom(this.zoom, 2)),
      '0': () => this.setZoom(FULL_RANGE),
      z: () => this.zoomTo(row),
    };
    const action = actions[event.key];
    if (!action) return;
    event.preventDefault();
    action();
  }

  /** Zooms the axis onto one span (with a margin), keeping the rest of the tree in place. */
  private zoomTo(row: WaterfallRow): void {
    const total = this.model.durationMs || 1;
    const from = (row.span.startMs - this.model.startMs) / total;
    const to = from + row.span.durationMs / total;
    const margin = (to - from) * 0.05;
    this.setZoom({ start: from - margin, end: to + margin });
  }
}
