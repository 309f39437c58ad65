// The waterfall: a tree of spans on a shared time axis. Rows are virtualized; the keyboard
// moves a cursor (arrows), opens the detail (Enter) and folds subtrees (left/right).
import { formatDuration } from '../../src/shared/format';
import { button, h } from '../dom';
import { KIND_LABELS, legend } from './kinds';
import { barGeometry, clampZoom, FULL_RANGE, isZoomed, scaleZoom, ticks, type Zoom } from './timeAxis';
import { VirtualList } from './virtualList';
import { formatShare, visibleRows, type WaterfallModel, type WaterfallRow } from './waterfallModel';

export const ROW_HEIGHT = 24;
/** Room per tick label on the axis, in pixels. */
const TICK_SPACING_PX = 56;

export interface WaterfallCallbacks {
  /** The user opened a span's detail (click or Enter). */
  onSelect(spanId: string): void;
  /** Something worth saving changed (folding, zoom, scroll). */
  onViewChange(): void;
}

interface RowView {
  root: HTMLElement;
  indent: HTMLElement;
  twisty: HTMLElement;
  kind: HTMLElement;
  name: HTMLElement;
  service: HTMLElement;
  error: HTMLElement;
  finding: HTMLElement;
  slowest: HTMLElement;
  duration: HTMLElement;
  self: HTMLElement;
  share: HTMLElement;
  bar: HTMLElement;
  ttft: HTMLElement;
  position: number;
}

export class WaterfallView {
  readonly element: HTMLElement;
  private readonly list: VirtualList<RowView>;
  private readonly axis: HTMLElement;
  private readonly gridlines: HTMLElement;
  private readonly zoomResetButton: HTMLElement;
  private visible: number[] = [];
  private positionOf = new Map<number, number>();
  private cursor = 0;
  private selectedId?: string;
  private readonly multiService: boolean;

  constructor(private readonly model: WaterfallModel, readonly collapsed: Set<string>, public zoom: Zoom, private readonly callbacks: WaterfallCallbacks) {
    this.multiService = model.services.length > 1;
    this.axis = h('div', { className: 'axis', title: 'Drag across the axis to zoom into a time range' });
    this.gridlines = h('div', { className: 'gridlines', attrs: { 'aria-hidden': 'true' } });
    this.zoomResetButton = button('Reset zoom', () => this.setZoom(FULL_RANGE));
    const body = h('div', {
      className: 'waterfall-body',
      attrs: { role: 'tree', tabindex: '0', 'aria-label': 'Spans of the trace. Arrows move, Enter opens the detail, left and right fold.' },
    });
    this.list = new VirtualList(body, ROW_HEIGHT, { create: () => this.createRow(), update: (view, position) => this.updateRow(view, position) });
    body.addEventListener('keydown', (event) => this.onKey(event));
    body.addEventListener('scroll', () => this.callbacks.onViewChange());
    this.bindAxisDrag();
    let axisWidth = 0;
    new ResizeObserver(() => {
      if (this.axis.clientWidth === axisWidth) return;
      axisWidth = this.axis.clientWidth;
      this.drawAxis();
    }).observe(this.axis);
    this.element = h('div', { className: 'waterfall' + (this.multiService ? ' multi-service' : '') },
      h('div', { className: 'waterfall-toolbar' },
        legend(model.kinds),
        h('div', { className: 'toolbar-buttons' },
        button('Expand all', () => this.setCollapsed([])),
        button('Collapse all', () => this.setCollapsed(model.rows.filter((r) => r.childCount > 0 && r.depth > 0).map((r) => r.span.spanId))),
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

  /** Visible rows in the DOM; bounded by the viewport height. */
  domRowCount(): number {
    return this.list.domRowCount();
  }

  get viewport(): HTMLElement {
    return this.list.viewport;
  }

  select(spanId: string | undefined, reveal = true): void {
    this.selectedId = spanId;
    const row = spanId ? this.model.rowById.get(spanId) : undefined;
    if (row) {
      this.expandAncestors(row);
      this.cursor = this.positionOf.get(row.index) ?? this.cursor;
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

  private expandAncestors(row: WaterfallRow): void {
    let changed = false;
    for (let i = row.parentIndex; i >= 0; i = this.model.rows[i].parentIndex) {
      changed = this.collapsed.delete(this.model.rows[i].span.spanId) || changed;
    }
    if (changed) this.refreshRows();
  }

  private refreshRows(): void {
    const cursorRow = this.visible[this.cursor];
    this.visible = visibleRows(this.model, this.collapsed);
    this.positionOf = new Map(this.visible.map((index, position) => [index, position]));
    this.cursor = cursorRow === undefined ? 0 : this.positionOf.get(cursorRow) ?? this.nearestVisible(cursorRow);
    this.list.setCount(this.visible.length);
    this.drawAxis();
  }

  /** After a fold hides the cursor's row, the cursor goes to its visible ancestor. */
  private nearestVisible(index: number): number {
    for (let i = index; i >= 0; i = this.model.rows[i].parentIndex) {
      const position = this.positionOf.get(i);
      if (position !== undefined) return position;
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

  private createRow(): RowView {
    const view = {
      indent: h('span', { className: 'indent' }),
      twisty: h('span', { className: 'twisty', attrs: { 'aria-hidden': 'true' } }),
      kind: h('span', { className: 'kind-swatch', attrs: { 'aria-hidden': 'true' } }),
      name: h('span', { className: 'span-name' }),
      service: h('span', { className: 'service-tag' }),
      error: h('span', { className: 'error-tag' }, 'error'),
      finding: h('span', { className: 'finding-tag' }, '⚠'),
      slowest: h('span', { className: 'slowest-tag' }),
      duration: h('div', { className: 'col-num' }),
      self: h('div', { className: 'col-num' }),
      share: h('div', { className: 'col-num' }),
      bar: h('span', { className: 'bar' }),
      ttft: h('span', { className: 'ttft-mark', title: 'first token' }),
      position: -1,
    } as Omit<RowView, 'root'>;
    const root = h('div', { className: 'row row-grid', attrs: { role: 'treeitem' } },
      h('div', { className: 'col-name' }, view.indent, view.twisty, view.kind, view.name, view.service, view.error, view.finding, view.slowest),
      view.duration, view.self, view.share,
      h('div', { className: 'timeline' }, view.bar, view.ttft));
    const rowView: RowView = { ...view, root };
    root.addEventListener('click', (event) => {
      const row = this.model.rows[this.visible[rowView.position]];
      this.cursor = rowView.position;
      if (event.target === rowView.twisty) this.toggle(row);
      else this.open(row);
      this.focus();
    });
    root.addEventListener('dblclick', (event) => {
      if (event.target !== rowView.twisty) this.toggle(this.model.rows[this.visible[rowView.position]]);
    });
    return rowView;
  }

  private updateRow(view: RowView, position: number): void {
    view.position = position;
    const row = this.model.rows[this.visible[position]];
    const { span } = row;
    const root = view.root;
    root.id = `span-row-${row.index}`;
    root.dataset.spanId = span.spanId;
    root.setAttribute('aria-level', String(row.depth + 1));
    root.setAttribute('aria-selected', String(span.spanId === this.selectedId));
    if (row.childCount) root.setAttribute('aria-expanded', String(!this.collapsed.has(span.spanId)));
    else root.removeAttribute('aria-expanded');
    root.classList.toggle('selected', span.spanId === this.selectedId);
    root.classList.toggle('cursor', position === this.cursor);
    root.classList.toggle('critical', row.critical);
    root.classList.toggle('failed', span.status === 'error');
    view.indent.style.width = `${row.depth * 14}px`;
    view.twisty.textContent = row.childCount ? (this.collapsed.has(span.spanId) ? '▸' : '▾') : '';
    view.kind.dataset.kind = span.kind;
    view.kind.title = KIND_LABELS[span.kind];
    view.name.textContent = span.name;
    view.name.title = `${KIND_LABELS[span.kind]}: ${span.name}`;
    view.service.textContent = this.multiService ? span.service : '';
    view.service.hidden = !this.multiService;
    view.error.hidden = span.status !== 'error';
    view.error.title = span.statusMessage ?? 'This span failed';
    view.finding.hidden = !span.findings?.length;
    view.finding.title = span.findings?.map((f) => f.message).join('\n') ?? '';
    view.slowest.hidden = row.slowestRank === undefined;
    view.slowest.textContent = row.slowestRank === 1 ? 'slowest' : `#${row.slowestRank} slowest`;
    view.duration.textContent = formatDuration(span.durationMs);
    view.self.textContent = formatDuration(row.selfMs);
    view.share.textContent = formatShare(row.share);
    const offset = span.startMs - this.model.startMs;
    const geometry = barGeometry(offset, span.durationMs, this.model.durationMs, this.zoom);
    view.bar.hidden = !geometry;
    view.bar.dataset.kind = span.kind;
    if (geometry) {
      view.bar.style.left = `${geometry.left}%`;
      view.bar.style.width = `max(${geometry.width}%, 2px)`;
    }
    const ttft = span.timeToFirstTokenMs !== undefined ? barGeometry(offset + span.timeToFirstTokenMs, 0, this.model.durationMs, this.zoom) : undefined;
    view.ttft.hidden = !ttft;
    if (ttft) {
      view.ttft.style.left = `${ttft.left}%`;
      view.ttft.title = `first token after ${formatDuration(span.timeToFirstTokenMs!)}`;
    }
    if (position === this.cursor) this.viewport.setAttribute('aria-activedescendant', root.id);
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
    const row = this.model.rows[this.visible[this.cursor]];
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
      ArrowLeft: () => (expanded ? this.toggle(row) : row.parentIndex >= 0 && this.moveCursor(this.positionOf.get(row.parentIndex)!)),
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

  /** Dragging across the axis selects the range to zoom into. */
  private bindAxisDrag(): void {
    const band = h('div', { className: 'zoom-band', attrs: { 'aria-hidden': 'true' } });
    let anchor: number | undefined;
    const fraction = (event: MouseEvent) => {
      const box = this.axis.getBoundingClientRect();
      return Math.max(0, Math.min(1, (event.clientX - box.left) / (box.width || 1)));
    };
    const drawBand = (a: number, b: number) => {
      band.style.left = `${Math.min(a, b) * 100}%`;
      band.style.width = `${Math.abs(b - a) * 100}%`;
    };
    this.axis.addEventListener('mousedown', (event) => {
      anchor = fraction(event);
      drawBand(anchor, anchor);
      this.axis.appendChild(band);
      event.preventDefault();
    });
    window.addEventListener('mousemove', (event) => anchor !== undefined && drawBand(anchor, fraction(event)));
    window.addEventListener('mouseup', (event) => {
      if (anchor === undefined) return;
      const [a, b] = [anchor, fraction(event)].sort((x, y) => x - y);
      anchor = undefined;
      band.remove();
      if (b - a < 0.01) return;
      const width = this.zoom.end - this.zoom.start;
      this.setZoom({ start: this.zoom.start + a * width, end: this.zoom.start + b * width });
    });
  }
}
