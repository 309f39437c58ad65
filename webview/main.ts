// The trace view's webview: asks the host for its trace's skeleton, draws the header and the
// waterfall from it, fetches the selected span's detail (and its neighbours', and the rows' in
// view) from the engine through the host, and keeps what the user did (selection, folds, zoom,
// scroll, tab) in vscode.setState so hiding the panel or reloading the window loses nothing. A
// live trace grows by deltas: the same waterfall takes the new spans; another trace gets a new
// waterfall, and the old one is disposed first.
import {
  provideVSCodeDesignSystem, vsCodeButton, vsCodePanels, vsCodePanelTab, vsCodePanelView, vsCodeTextField,
} from '@vscode/webview-ui-toolkit';
import type { SpanDetails, TraceSkeleton } from '../src/shared/traceSkeleton';
import { fromJson, type HostMessage, type TraceViewSettings, type TraceViewState } from '../src/shared/webviewProtocol';
import { spanDetail, type DetailActions, type DetailTab } from './detail/spanDetail';
import { doctorSection } from './doctorSection';
import { h } from './dom';
import './styles.css';
import { traceHeader } from './traceHeader';
import { DEFAULT_DETAIL_SHARE, SplitLayout } from './splitter';
import { loadState, onHostMessage, post, saveState } from './vscodeApi';
import { FULL_RANGE } from './waterfall/timeAxis';
import { TraceColumns } from './waterfall/traceColumns';
import { buildWaterfall, indexOfSpan, layOut, rowAt, spanIdAt, type WaterfallModel } from './waterfall/waterfallModel';
import { runInSlices } from './slices';
import { SpanDetailCache } from './spanDetailCache';
import { TraceSearch } from './traceSearch';
import { WaterfallView } from './waterfall/waterfallView';

// Not vsCodeBadge or vsCodeProgressRing: their templates carry style attributes, which the
// CSP (rightly) blocks; styles.css draws badges the same way.
provideVSCodeDesignSystem().register(vsCodeButton(), vsCodePanels(), vsCodePanelTab(), vsCodePanelView(), vsCodeTextField());

const root = document.getElementById('app')!;
let state: TraceViewState | undefined = loadState();
let current: {
  columns: TraceColumns; model: WaterfallModel; waterfall: WaterfallView; split: SplitLayout; header: HTMLElement; detail: HTMLElement;
  settings: TraceViewSettings; details: SpanDetailCache; search: TraceSearch;
} | undefined;
/** Rows on each side of the selection whose detail is fetched ahead, and rows in view after a scroll. */
const PREFETCH_NEIGHBOURS = 5;
const PREFETCH_IN_VIEW = 40;
const PREFETCH_AFTER_MS = 250;
let prefetchTimer: ReturnType<typeof setTimeout> | undefined;
/** The divider's place: the host's remembered one, then wherever the user drags it in this view. */
let detailShare: number | undefined;
/** Said once per trace shown: the user worked in the view, so a preview panel keeps it. */
let pinned = false;
let saveTimer: ReturnType<typeof setTimeout> | undefined;
/** A span to select that a first part did not have: selected when the rest comes, unless the user chose another. */
let awaitedSpanId: string | undefined;
/** Counts renders, so only the latest one draws the detail it deferred. */
let renders = 0;
/** Counts whole skeletons taken, so the rest laid out in slices is dropped when another trace came meanwhile. */
let wholeSkeletons = 0;
/** The rest of a first part being laid out in slices: deltas wait for it. */
let restLaidOut: Promise<void> | undefined;

function showMessage(text: string): void {
  root.replaceChildren(h('div', { className: 'placeholder' }, h('p', {}, text)));
}

function save(): void {
  if (!state) return;
  if (current) {
    state.collapsed = [...current.waterfall.collapsed];
    state.zoom = current.waterfall.zoom;
    state.scrollTop = current.waterfall.viewport.scrollTop;
  }
  saveState(state);
}

/** Scrolling saves often; the state only needs the last position. */
function saveSoon(): void {
  clearTimeout(saveTimer);
  saveTimer = setTimeout(save, 200);
}

/** A skeleton (or a delta of the trace shown) arrived: lay it out and draw the first screen from it. */
function takeSkeleton(skeleton: TraceSkeleton, settings: TraceViewSettings, selectSpanId?: string): void {
  const traceId = skeleton.summary.traceId;
  const sameTrace = current?.columns.traceId === traceId && state?.traceId === traceId;
  if (skeleton.after !== undefined) {
    // A delta of another trace, or of one this view lost (reloaded): ask for the whole skeleton again.
    if (!sameTrace || !current) return post({ type: 'ready', traceId: state?.traceId });
    const touched = current.columns.merge(skeleton);
    const touchedIds = touched.map((row) => current!.columns.ids[row]);
    current.details.forget(touchedIds);
    render(current.columns, settings, selectSpanId, touchedIds.includes(state!.selectedSpanId ?? ''));
    return;
  }
  wholeSkeletons++;
  render(new TraceColumns(skeleton), settings, selectSpanId ?? (sameTrace ? awaitedSpanId : undefined), true);
}

/**
 * The rest of a first part (a 100,000-span trace's megabytes): its columns and its layout are made a
 * slice at a time, so the view drawn from the first part scrolls and answers clicks meanwhile.
 */
async function takeRest(skeleton: TraceSkeleton, settings: TraceViewSettings, selectSpanId?: string): Promise<void> {
  if (skeleton.after !== undefined || skeleton.summary.traceId !== current?.columns.traceId) return takeSkeleton(skeleton, settings, selectSpanId);
  const taken = ++wholeSkeletons;
  const stillWanted = () => taken === wholeSkeletons;
  const columns = await runInSlices(TraceColumns.taking(skeleton), stillWanted);
  const repair = !state?.asReceived;
  const model = columns && await runInSlices(layOut(columns, repair), stillWanted);
  if (!columns || !model || !stillWanted()) return;
  // Shown as received (or not) meanwhile: laid out again, as asked.
  render(columns, settings, selectSpanId ?? awaitedSpanId, true, repair === !state?.asReceived ? model : undefined);
}

function render(columns: TraceColumns, settings: TraceViewSettings, selectSpanId?: string, redrawDetail = false, laidOut?: WaterfallModel): void {
  const traceId = columns.traceId;
  const growing = current !== undefined && current.columns.traceId === traceId && state?.traceId === traceId;
  if (!growing) discardView();
  state = state?.traceId === traceId ? state : { traceId };
  // Orphans show under their inferred parents (marked) unless the user asked for the spans as received.
  const model = laidOut ?? buildWaterfall(columns, !state.asReceived);
  const wanted = [selectSpanId, state.selectedSpanId];
  const selected = wanted.find((id) => indexOfSpan(model, id) !== undefined) ?? (model.count ? spanIdAt(model, 0) : undefined);
  awaitedSpanId = columns.rest ? wanted.find((id) => id !== undefined && indexOfSpan(model, id) === undefined) : undefined;
  const selectionChanged = selected !== state.selectedSpanId;
  state.selectedSpanId = selected;
  const header = traceHeader(columns.summary, model, { select: (id) => selectSpan(id, true), copyTraceForAi: () => post({ type: 'copyTraceForAi', traceId }) });
  const doctor = doctorSection(columns, !!state.asReceived, {
    select: (id) => selectSpan(id, true),
    setAsReceived: showAsReceived,
  });
  if (doctor) header.append(doctor);
  if (growing && current) {
    current.waterfall.setModel(model);
    current.header.replaceWith(header);
    Object.assign(current, { columns, model, header, settings });
    current.waterfall.select(selected, !current.waterfall.viewport.scrollTop || !!selectSpanId);
  } else {
    pinned = false;
    const waterfall = new WaterfallView(model, new Set(state.collapsed ?? []), state.zoom ?? FULL_RANGE, {
      onSelect: (spanId) => {
        pin();
        selectSpan(spanId);
      },
      onViewChange: () => {
        saveSoon();
        prefetchSoon();
      },
    });
    const detail = h('div', { className: 'detail-pane', attrs: { role: 'region', 'aria-label': 'Span detail' } });
    detailShare ??= settings.detailShare ?? DEFAULT_DETAIL_SHARE;
    const split = new SplitLayout(waterfall.element, detail, detailShare, (share) => {
      detailShare = share;
      post({ type: 'layout', detailShare: share });
    });
    const search = new TraceSearch({
      search: (text) => post({ type: 'searchSpans', traceId, text }),
      show: (spanId) => selectSpan(spanId, true),
      mark: (spanIds) => waterfall.markMatches(spanIds),
    });
    waterfall.addToToolbar(search.element);
    current = { columns, model, waterfall, split, header, detail, settings, details: new SpanDetailCache(traceId), search };
    root.replaceChildren(header, split.element);
    if (state.scrollTop) waterfall.viewport.scrollTop = state.scrollTop;
    waterfall.select(selected, !state.scrollTop || !!selectSpanId);
    redrawDetail = true;
  }
  // Busy until the rest of a first part comes: End, the critical path and the header's figures wait for it.
  current!.waterfall.element.setAttribute('aria-busy', String(columns.rest > 0));
  save();
  performance.mark('trace-rendered');
  if (!redrawDetail && !selectionChanged) return;
  // The waterfall paints first; the detail follows in the next task.
  const render = ++renders;
  requestAnimationFrame(() => setTimeout(() => render === renders && drawDetail(), 0));
}

/** After scrolling settles: the detail of the rows in view, so choosing one shows it at once. */
function prefetchSoon(): void {
  clearTimeout(prefetchTimer);
  prefetchTimer = setTimeout(() => current?.details.want(current.waterfall.spanIdsAround(undefined, 0, PREFETCH_IN_VIEW)), PREFETCH_AFTER_MS);
}

/** Draws the trace again, with or without the parents Trace Doctor inferred. */
function showAsReceived(asReceived: boolean): void {
  if (!state || !current) return;
  state.asReceived = asReceived;
  render(current.columns, current.settings, undefined, true);
}

/** The waterfall shown now goes away: nothing of it may stay alive. */
function discardView(): void {
  clearTimeout(prefetchTimer);
  current?.waterfall.dispose();
  current?.split.dispose();
  current = undefined;
}

function pin(): void {
  if (pinned) return;
  pinned = true;
  post({ type: 'pin' });
}

function selectSpan(spanId: string, reveal = false): void {
  if (!current || !state) return;
  awaitedSpanId = undefined;
  state.selectedSpanId = spanId;
  if (reveal) current.waterfall.select(spanId);
  drawDetail();
  save();
}

function drawDetail(): void {
  if (!current || !state) return;
  const index = indexOfSpan(current.model, state.selectedSpanId);
  if (index === undefined) {
    current.detail.replaceChildren(h('p', { className: 'muted' }, 'Select a span to see its detail.'));
    return;
  }
  const spanId = state.selectedSpanId!;
  // The span and its neighbours in the list: the keyboard goes there next.
  current.details.want(current.waterfall.spanIdsAround(spanId, PREFETCH_NEIGHBOURS, PREFETCH_NEIGHBOURS));
  const span = current.details.get(spanId);
  if (!span) {
    // Drawn when the span arrives ('spans'); the old detail stays until then, unless it was another span's.
    if (current.detail.querySelector('.span-detail')?.getAttribute('data-span-id') !== spanId) {
      current.detail.replaceChildren(h('p', { className: 'muted detail-loading' }, 'Loading the span…'));
    }
    return;
  }
  const traceId = state.traceId;
  const actions: DetailActions = {
    traceId,
    traceStartMs: current.model.startMs,
    lowScoreThreshold: current.settings.lowScoreThreshold,
    copy: (text, what) => post({ type: 'copyText', text, what }),
    openSource: (location) => post({ type: 'openSource', location }),
    copySpanJson: (spanId) => post({ type: 'copySpanJson', traceId, spanId }),
    replaySpan: (spanId) => post({ type: 'replaySpan', traceId, spanId }),
    onTabChange: (tab) => {
      if (state) state.detailTab = tab;
      save();
    },
  };
  current.detail.replaceChildren(spanDetail({ ...rowAt(current.model, index), span }, actions, (state.detailTab as DetailTab | undefined) ?? 'content'));
  current.detail.scrollTop = 0;
}

/** Spans the host brought: the selected one is drawn if it is among them. */
function takeSpans(spanIds: string[], details: SpanDetails | undefined): void {
  if (!current) return;
  const brought = current.details.take(details ?? { traceId: current.columns.traceId, spans: [] }, spanIds);
  if (state?.selectedSpanId && brought.has(state.selectedSpanId)) drawDetail();
}

onHostMessage((message: HostMessage) => {
  if (!message || typeof message !== 'object') return;
  switch (message.type) {
    case 'skeleton': {
      performance.mark('skeleton-received');
      const take = () => takeSkeleton(fromJson(message.skeleton), message.settings, message.selectSpanId);
      if (restLaidOut) {
        // A delta while the rest is laid out applies to the rest; a whole skeleton (another trace) goes first.
        const skeleton = fromJson(message.skeleton);
        if (skeleton.after === undefined) takeSkeleton(skeleton, message.settings, message.selectSpanId);
        else void restLaidOut.then(() => takeSkeleton(skeleton, message.settings, message.selectSpanId));
      } else if (current?.columns.rest) {
        // After a first part, the rest (megabytes to parse and lay out) waits until the first screen is painted.
        const laidOut: Promise<void> = new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)))
          .then(() => takeRest(fromJson(message.skeleton), message.settings, message.selectSpanId))
          .finally(() => {
            if (restLaidOut === laidOut) restLaidOut = undefined;
          });
        restLaidOut = laidOut;
      } else take();
      break;
    }
    case 'searchResult':
      current?.search.take(message.text, message.result, (id) => indexOfSpan(current!.model, id) !== undefined);
      break;
    case 'spans':
      takeSpans(message.spanIds, message.details && fromJson(message.details));
      break;
    case 'traceMissing':
      discardView();
      state = { traceId: message.traceId };
      save();
      showMessage(message.message);
      break;
    case 'selectSpan':
      selectSpan(message.spanId, true);
      break;
  }
});

showMessage('Loading the trace…');
post({ type: 'ready', traceId: state?.traceId });
