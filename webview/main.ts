// The trace view's webview: asks the host for its trace, draws the header, the waterfall and the
// detail of the selected span, and keeps what the user did (selection, folds, zoom, scroll,
// tab) in vscode.setState so hiding the panel or reloading the window loses nothing. The host
// sends the trace again each time it grows: the same waterfall takes the new spans; another
// trace gets a new waterfall, and the old one is disposed first.
import {
  provideVSCodeDesignSystem, vsCodeButton, vsCodePanels, vsCodePanelTab, vsCodePanelView, vsCodeTextField,
} from '@vscode/webview-ui-toolkit';
import { applyInferredParents } from '../src/shared/doctor';
import type { TraceDetail } from '../src/shared/spanModel';
import { fromJson, type HostMessage, type TraceViewSettings, type TraceViewState } from '../src/shared/webviewProtocol';
import { spanDetail, type DetailActions, type DetailTab } from './detail/spanDetail';
import { doctorSection } from './doctorSection';
import { h } from './dom';
import './styles.css';
import { traceHeader } from './traceHeader';
import { DEFAULT_DETAIL_SHARE, SplitLayout } from './splitter';
import { loadState, onHostMessage, post, saveState } from './vscodeApi';
import { FULL_RANGE } from './waterfall/timeAxis';
import { buildWaterfall, type WaterfallModel } from './waterfall/waterfallModel';
import { WaterfallView } from './waterfall/waterfallView';

// Not vsCodeBadge or vsCodeProgressRing: their templates carry style attributes, which the
// CSP (rightly) blocks; styles.css draws badges the same way.
provideVSCodeDesignSystem().register(vsCodeButton(), vsCodePanels(), vsCodePanelTab(), vsCodePanelView(), vsCodeTextField());

const root = document.getElementById('app')!;
let state: TraceViewState | undefined = loadState();
let current: { trace: TraceDetail; model: WaterfallModel; waterfall: WaterfallView; split: SplitLayout; header: HTMLElement; detail: HTMLElement; settings: TraceViewSettings } | undefined;
/** The divider's place: the host's remembered one, then wherever the user drags it in this view. */
let detailShare: number | undefined;
/** Said once per trace shown: the user worked in the view, so a preview panel keeps it. */
let pinned = false;
let saveTimer: ReturnType<typeof setTimeout> | undefined;
/** Counts renders, so only the latest one draws the detail it deferred. */
let renders = 0;

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

function render(trace: TraceDetail, settings: TraceViewSettings, selectSpanId?: string): void {
  const traceId = trace.summary.traceId;
  const growing = current !== undefined && current.trace.summary.traceId === traceId && state?.traceId === traceId;
  if (!growing) discardView();
  state = state?.traceId === traceId ? state : { traceId };
  // Orphans show under their inferred parents (marked) unless the user asked for the spans as received.
  const model = buildWaterfall(applyInferredParents(trace.spans, trace.inferredParents, trace.adoptedSpans, !state.asReceived));
  const selected = [selectSpanId, state.selectedSpanId].find((id) => id && model.rowById.has(id)) ?? model.rows[0]?.span.spanId;
  state.selectedSpanId = selected;
  const header = traceHeader(trace.summary, model, { select: (id) => selectSpan(id, true), copyTraceForAi: () => post({ type: 'copyTraceForAi', traceId }) });
  const doctor = doctorSection(trace, !!state.asReceived, {
    select: (id) => selectSpan(id, true),
    setAsReceived: showAsReceived,
  });
  if (doctor) header.append(doctor);
  if (growing && current) {
    current.waterfall.setModel(model);
    current.header.replaceWith(header);
    Object.assign(current, { trace, model, header, settings });
    current.waterfall.select(selected, !current.waterfall.viewport.scrollTop || !!selectSpanId);
  } else {
    pinned = false;
    const waterfall = new WaterfallView(model, new Set(state.collapsed ?? []), state.zoom ?? FULL_RANGE, {
      onSelect: (spanId) => {
        pin();
        selectSpan(spanId);
      },
      onViewChange: saveSoon,
    });
    const detail = h('div', { className: 'detail-pane', attrs: { role: 'region', 'aria-label': 'Span detail' } });
    detailShare ??= settings.detailShare ?? DEFAULT_DETAIL_SHARE;
    const split = new SplitLayout(waterfall.element, detail, detailShare, (share) => {
      detailShare = share;
      post({ type: 'layout', detailShare: share });
    });
    current = { trace, model, waterfall, split, header, detail, settings };
    root.replaceChildren(header, split.element);
    if (state.scrollTop) waterfall.viewport.scrollTop = state.scrollTop;
    waterfall.select(selected, !state.scrollTop || !!selectSpanId);
  }
  save();
  performance.mark('trace-rendered');
  // The waterfall paints first; the detail follows in the next task.
  const render = ++renders;
  requestAnimationFrame(() => setTimeout(() => render === renders && drawDetail(), 0));
}

/** Draws the trace again, with or without the parents Trace Doctor inferred. */
function showAsReceived(asReceived: boolean): void {
  if (!state || !current) return;
  state.asReceived = asReceived;
  render(current.trace, current.settings);
}

/** The waterfall shown now goes away: nothing of it may stay alive. */
function discardView(): void {
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
  state.selectedSpanId = spanId;
  if (reveal) current.waterfall.select(spanId);
  drawDetail();
  save();
}

function drawDetail(): void {
  if (!current || !state) return;
  const row = state.selectedSpanId ? current.model.rowById.get(state.selectedSpanId) : undefined;
  if (!row) {
    current.detail.replaceChildren(h('p', { className: 'muted' }, 'Select a span to see its detail.'));
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
  current.detail.replaceChildren(spanDetail(row, actions, (state.detailTab as DetailTab | undefined) ?? 'content'));
  current.detail.scrollTop = 0;
}

onHostMessage((message: HostMessage) => {
  if (!message || typeof message !== 'object') return;
  switch (message.type) {
    case 'trace':
      render(fromJson(message.trace), message.settings, message.selectSpanId);
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
