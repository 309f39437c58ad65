// One waterfall row: built once per pooled DOM row, then filled from a WaterfallRow and what the
// view shows around it (selection, folds, zoom). Knows nothing about scrolling or the keyboard.
import { formatDuration } from '../../src/shared/format';
import { h } from '../dom';
import { KIND_LABELS } from './kinds';
import { barGeometry, type Zoom } from './timeAxis';
import { formatShare, type WaterfallModel, type WaterfallRow } from './waterfallModel';

export interface RowView {
  root: HTMLElement;
  indent: HTMLElement;
  twisty: HTMLElement;
  kind: HTMLElement;
  name: HTMLElement;
  service: HTMLElement;
  error: HTMLElement;
  finding: HTMLElement;
  inferred: HTMLElement;
  slowest: HTMLElement;
  duration: HTMLElement;
  self: HTMLElement;
  share: HTMLElement;
  bar: HTMLElement;
  ttft: HTMLElement;
  /** The visible position the row shows now (pooled rows move). */
  position: number;
}

export interface RowEvents {
  /** A click; `onTwisty` when it hit the fold arrow. */
  onClick(view: RowView, onTwisty: boolean): void;
  /** A double click outside the fold arrow. */
  onDoubleClick(view: RowView): void;
}

/** What a row's look depends on besides its span. */
export interface RowContext {
  model: WaterfallModel;
  zoom: Zoom;
  collapsed: ReadonlySet<string>;
  selectedId: string | undefined;
  cursor: number;
  multiService: boolean;
  /** Spans an in-trace search found. */
  matches: ReadonlySet<string>;
}

/** Indentation per tree level, in pixels. */
const INDENT_PX = 14;

export function createRow(events: RowEvents): RowView {
  const parts = {
    indent: h('span', { className: 'indent' }),
    twisty: h('span', { className: 'twisty', attrs: { 'aria-hidden': 'true' } }),
    kind: h('span', { className: 'kind-swatch', attrs: { 'aria-hidden': 'true' } }),
    name: h('span', { className: 'span-name' }),
    service: h('span', { className: 'service-tag' }),
    error: h('span', { className: 'error-tag' }, 'error'),
    finding: h('span', { className: 'finding-tag' }, '⚠'),
    inferred: h('span', { className: 'inferred-tag' }, 'inferred'),
    slowest: h('span', { className: 'slowest-tag' }),
    duration: h('div', { className: 'col-num' }),
    self: h('div', { className: 'col-num' }),
    share: h('div', { className: 'col-num' }),
    bar: h('span', { className: 'bar' }),
    ttft: h('span', { className: 'ttft-mark', title: 'first token' }),
    position: -1,
  };
  const root = h('div', { className: 'row row-grid', attrs: { role: 'treeitem' } },
    h('div', { className: 'col-name' }, parts.indent, parts.twisty, parts.kind, parts.name, parts.service, parts.error, parts.finding, parts.inferred, parts.slowest),
    parts.duration, parts.self, parts.share,
    h('div', { className: 'timeline' }, parts.bar, parts.ttft));
  const view: RowView = { ...parts, root };
  root.addEventListener('click', (event) => events.onClick(view, event.target === view.twisty));
  root.addEventListener('dblclick', (event) => event.target !== view.twisty && events.onDoubleClick(view));
  return view;
}

export function drawRow(view: RowView, row: WaterfallRow, position: number, context: RowContext): void {
  view.position = position;
  const { span } = row;
  const { model, zoom, collapsed, selectedId, multiService } = context;
  const root = view.root;
  root.id = `span-row-${row.index}`;
  root.dataset.spanId = span.spanId;
  root.setAttribute('aria-level', String(row.depth + 1));
  root.setAttribute('aria-selected', String(span.spanId === selectedId));
  if (row.childCount) root.setAttribute('aria-expanded', String(!collapsed.has(span.spanId)));
  else root.removeAttribute('aria-expanded');
  root.classList.toggle('selected', span.spanId === selectedId);
  root.classList.toggle('cursor', position === context.cursor);
  root.classList.toggle('critical', row.critical);
  root.classList.toggle('search-match', context.matches.has(span.spanId));
  root.classList.toggle('failed', span.status === 'error');
  view.indent.style.width = `${row.depth * INDENT_PX}px`;
  view.twisty.textContent = row.childCount ? (collapsed.has(span.spanId) ? '▸' : '▾') : '';
  view.kind.dataset.kind = span.kind;
  view.kind.title = KIND_LABELS[span.kind];
  view.name.textContent = span.name;
  view.name.title = `${KIND_LABELS[span.kind]}: ${span.name}`;
  view.service.textContent = multiService ? span.service : '';
  view.service.hidden = !multiService;
  view.error.hidden = span.status !== 'error';
  view.error.title = span.statusMessage ?? 'This span failed';
  view.finding.hidden = !row.findings;
  view.finding.title = row.findings ?? '';
  // Trace Doctor placed it under this parent; the tag says so and why.
  view.inferred.hidden = !row.inferredParent;
  view.inferred.title = row.inferredParent ?? '';
  view.slowest.hidden = row.slowestRank === undefined;
  view.slowest.textContent = row.slowestRank === 1 ? 'slowest' : `#${row.slowestRank} slowest`;
  view.duration.textContent = formatDuration(span.durationMs);
  view.self.textContent = formatDuration(row.selfMs);
  view.share.textContent = formatShare(row.share);
  const offset = span.startMs - model.startMs;
  const geometry = barGeometry(offset, span.durationMs, model.durationMs, zoom);
  view.bar.hidden = !geometry;
  view.bar.dataset.kind = span.kind;
  if (geometry) {
    view.bar.style.left = `${geometry.left}%`;
    view.bar.style.width = `max(${geometry.width}%, 2px)`;
  }
  const ttft = span.timeToFirstTokenMs !== undefined ? barGeometry(offset + span.timeToFirstTokenMs, 0, model.durationMs, zoom) : undefined;
  view.ttft.hidden = !ttft;
  if (ttft) {
    view.ttft.style.left = `${ttft.left}%`;
    view.ttft.title = `first token after ${formatDuration(span.timeToFirstTokenMs!)}`;
  }
}
