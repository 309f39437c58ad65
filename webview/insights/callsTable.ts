// Every LLM call in one table, however many: the engine sorts and filters, the table asks for
// pages of 200 rows as they scroll into view and keeps only the rows in view in the DOM.
import type { CallSort, CallsPage, CallsQuery, LlmCallRow } from '../../src/shared/sessionModel';
import { formatCost, formatDuration } from '../../src/shared/format';
import { button, h } from '../dom';
import { VirtualList } from '../waterfall/virtualList';
import { post } from './insightsApi';

export const CALLS_PAGE_SIZE = 200;
const ROW_HEIGHT = 24;

interface Column {
  label: string;
  sort?: CallSort;
  className: string;
  cell(row: LlmCallRow): string;
}

const count = (n: number | undefined) => (n === undefined ? '–' : String(n));

const COLUMNS: Column[] = [
  { label: 'time', sort: 'start', className: 'col-time', cell: (r) => new Date(r.startMs).toLocaleTimeString() },
  { label: 'model', sort: 'model', className: 'col-model', cell: (r) => r.model ?? '–' },
  { label: 'prompt source', sort: 'prompt_source', className: 'col-source', cell: (r) => r.promptSource ?? '–' },
  { label: 'prompt', className: 'col-prompt', cell: (r) => r.promptStart ?? '' },
  { label: 'in', sort: 'input_tokens', className: 'col-number', cell: (r) => count(r.inputTokens) },
  { label: 'out', sort: 'output_tokens', className: 'col-number', cell: (r) => count(r.outputTokens) },
  { label: 'cached', sort: 'cached_tokens', className: 'col-number', cell: (r) => count(r.cachedTokens) },
  { label: 'latency', sort: 'duration', className: 'col-number', cell: (r) => formatDuration(r.durationMs) },
  { label: 'TTFT', sort: 'ttft', className: 'col-number', cell: (r) => (r.timeToFirstTokenMs === undefined ? '–' : formatDuration(r.timeToFirstTokenMs)) },
  { label: 'cost', sort: 'cost', className: 'col-number col-cost', cell: (r) => (r.costUsd === undefined ? '–' : formatCost(r.costUsd)) },
  // A span that did not fail leaves its status unset: to a reader that is ok.
  { label: 'status', sort: 'status', className: 'col-status', cell: (r) => (r.status === 'error' ? 'error' : 'ok') },
];

interface RowView {
  root: HTMLElement;
  cells: HTMLElement[];
  row?: LlmCallRow;
}

export class CallsTable {
  readonly root: HTMLElement;
  private readonly list: VirtualList<RowView>;
  private readonly pages = new Map<number, LlmCallRow[]>();
  private readonly asked = new Map<number, number>();
  private readonly status: HTMLElement;
  private readonly headers: HTMLElement[] = [];
  private requests = 0;
  private total = 0;

  constructor(public query: CallsQuery, private readonly onQuery: (query: CallsQuery) => void) {
    const filter = h('input', { className: 'calls-filter', attrs: { type: 'text', placeholder: 'filter: model = gpt-4o AND duration > 2s, session = …, user = …', 'aria-label': 'Filter LLM calls' } });
    filter.value = query.filter ?? '';
    filter.addEventListener('keydown', (event) => {
      if (event.key === 'Enter') this.setQuery({ ...this.query, filter: filter.value.trim() || undefined });
    });
    this.status = h('span', { className: 'muted calls-status' });
    const header = h('div', { className: 'calls-row calls-header', attrs: { role: 'row' } }, ...COLUMNS.map((column) => {
      const cell = h('div', { className: `calls-cell ${column.className}${column.sort ? ' sortable' : ''}`, attrs: { role: 'columnheader' } }, column.label);
      if (column.sort) cell.addEventListener('click', () => this.sortBy(column.sort!));
      this.headers.push(cell);
      return cell;
    }));
    const viewport = h('div', { className: 'calls-viewport', attrs: { role: 'rowgroup' } });
    this.list = new VirtualList<RowView>(viewport, ROW_HEIGHT, {
      create: () => this.createRow(),
      update: (view, position) => this.updateRow(view, position),
    });
    this.root = h('div', { className: 'calls', attrs: { role: 'table', 'aria-label': 'LLM calls' } },
      h('div', { className: 'calls-toolbar' }, filter, button('Apply', () => this.setQuery({ ...this.query, filter: filter.value.trim() || undefined })), this.status),
      header, viewport);
    this.markSort();
  }

  /** The calls changed or the query did: every page is asked for again, the first at once. */
  reload(): void {
    this.pages.clear();
    this.asked.clear();
    this.ask(0);
  }

  /** A page the engine answered; stale answers (an older query) are dropped. */
  receive(page: CallsPage, requestId: number): void {
    const index = Math.floor(page.offset / CALLS_PAGE_SIZE);
    if (this.asked.get(index) !== requestId) return;
    this.pages.set(index, page.calls);
    this.status.className = 'muted calls-status';
    if (page.total !== this.total || this.pages.size === 1) {
      this.total = page.total;
      this.status.textContent = `${page.total.toLocaleString()} call${page.total === 1 ? '' : 's'}`;
      this.list.setCount(page.total);
    } else this.list.render();
  }

  showProblem(message: string): void {
    this.status.textContent = message;
    this.status.className = 'calls-status problem';
  }

  dispose(): void {
    this.list.dispose();
  }

  /** DOM rows kept (bounded by the viewport, not the number of calls): for tests and the bench. */
  domRowCount(): number {
    return this.list.domRowCount();
  }

  private setQuery(query: CallsQuery): void {
    this.query = query;
    this.onQuery(query);
    this.markSort();
    this.list.viewport.scrollTop = 0;
    this.reload();
  }

  private sortBy(sort: CallSort): void {
    const current = this.query.sort ?? 'start';
    const order = sort === current ? (this.query.order === 'asc' ? 'desc' : 'asc') : 'desc';
    this.setQuery({ ...this.query, sort, order });
  }

  private markSort(): void {
    const sort = this.query.sort ?? 'start';
    COLUMNS.forEach((column, i) => {
      const sorted = column.sort === sort;
      this.headers[i].setAttribute('aria-sort', sorted ? (this.query.order === 'asc' ? 'ascending' : 'descending') : 'none');
      this.headers[i].textContent = sorted ? `${column.label} ${this.query.order === 'asc' ? '▲' : '▼'}` : column.label;
    });
  }

  private ask(index: number): void {
    if (this.asked.has(index)) return;
    const requestId = ++this.requests;
    this.asked.set(index, requestId);
    post({ type: 'callsPage', query: { ...this.query, offset: index * CALLS_PAGE_SIZE, limit: CALLS_PAGE_SIZE }, requestId });
  }

  private createRow(): RowView {
    const cells = COLUMNS.map((column) => h('div', { className: `calls-cell ${column.className}`, attrs: { role: 'cell' } }));
    const root = h('div', { className: 'calls-row', attrs: { role: 'row', tabindex: '0' } }, ...cells);
    const view: RowView = { root, cells };
    const open = () => view.row && post({ type: 'openTrace', traceId: view.row.traceId, spanId: view.row.spanId });
    root.addEventListener('click', open);
    root.addEventListener('keydown', (event) => {
      if (event.key === 'Enter') open();
      if (event.key === 'x' && view.row) post({ type: 'openXray', traceId: view.row.traceId, spanId: view.row.spanId });
    });
    root.addEventListener('contextmenu', (event) => {
      event.preventDefault();
      if (view.row) post({ type: 'openXray', traceId: view.row.traceId, spanId: view.row.spanId });
    });
    return view;
  }

  private updateRow(view: RowView, position: number): void {
    const index = Math.floor(position / CALLS_PAGE_SIZE);
    const row = this.pages.get(index)?.[position % CALLS_PAGE_SIZE];
    view.row = row;
    if (!row) {
      this.ask(index);
      view.cells.forEach((cell, i) => (cell.textContent = i === 0 ? '…' : ''));
      view.root.className = 'calls-row loading';
      return;
    }
    view.root.className = `calls-row${row.status === 'error' ? ' failed' : ''}`;
    view.root.title = `${row.name} · ${row.traceId}/${row.spanId}\nClick: open the span · right-click or x: context window X-ray`;
    COLUMNS.forEach((column, i) => (view.cells[i].textContent = column.cell(row)));
  }
}
