// The detail of one span: a header with the facts and actions, then tabs for the content
// (conversation, documents, tool, raw input/output), the events and the raw attributes.
import { formatDuration } from '../../src/shared/format';
import { whyNotReplayable } from '../../src/shared/promptContent';
import type { Span } from '../../src/shared/spanModel';
import { button, h, section } from '../dom';
import { KIND_LABELS, kindSwatch } from '../waterfall/kinds';
import { formatShare, type WaterfallRow } from '../waterfall/waterfallModel';
import { attributesView } from './attributesTable';
import { contextSection, parametersSection, usageSection } from './callFacts';
import { conversationSections } from './conversation';
import type { DetailContext } from './detailContext';
import { documentsSection } from './documents';
import { eventsView, exceptionsSection } from './eventsSection';
import { valueBlock } from './longValue';
import { missingContentNotes } from './missingContent';
import { sourceLinks } from './sourceLinks';
import { toolSection } from './toolSection';

export type DetailTab = 'content' | 'events' | 'attributes';

export interface DetailActions extends DetailContext {
  copySpanJson(spanId: string): void;
  /** Replay…: open the LLM call as an editable request (src/extension/replay). */
  replaySpan(spanId: string): void;
  onTabChange(tab: DetailTab): void;
}

/** A waterfall row with its span in full (fetched from the engine when selected). */
export type DetailRow = Omit<WaterfallRow, 'span'> & { span: Span };

export function spanDetail(row: DetailRow, actions: DetailActions, tab: DetailTab): HTMLElement {
  const { span } = row;
  const tabs: [DetailTab, string, number | undefined, () => HTMLElement][] = [
    ['content', 'Content', undefined, () => contentView(span, actions)],
    ['events', 'Events', eventCount(span), () => eventsView(span, actions)],
    ['attributes', 'Attributes', Object.keys(span.attributes).length, () => attributesView([['Span', span.attributes], ['Resource', span.resource]])],
  ];
  const panels = h('vscode-panels', { attrs: { activeid: `tab-${tab}`, 'aria-label': 'Span detail' } },
    ...tabs.map(([id, label, count]) => h('vscode-panel-tab', { attrs: { id: `tab-${id}` } }, label, count ? h('span', { className: 'count-badge' }, String(count)) : undefined)),
    ...tabs.map(([id, , , render]) => h('vscode-panel-view', { attrs: { id: `view-${id}` } }, render())));
  panels.addEventListener('change', (event) => {
    const active = (event.target as HTMLElement & { activeid?: string }).activeid;
    if (event.target === panels && active) actions.onTabChange(active.replace(/^tab-/, '') as DetailTab);
  });
  return h('div', { className: 'span-detail', attrs: { 'data-span-id': span.spanId } }, detailHeader(row, actions), panels);
}

function detailHeader(row: DetailRow, actions: DetailActions): HTMLElement {
  const { span } = row;
  const facts = [
    formatDuration(span.durationMs),
    span.timeToFirstTokenMs !== undefined && `first token ${formatDuration(span.timeToFirstTokenMs)}`,
    `self ${formatDuration(row.selfMs)}`,
    `${formatShare(row.share)} of the trace`,
    `starts +${formatDuration(span.startMs - actions.traceStartMs)}`,
    span.service,
  ].filter((x): x is string => typeof x === 'string');
  return h('header', { className: 'detail-header' },
    h('div', { className: 'detail-title' },
      kindSwatch(span.kind),
      h('span', { className: 'kind-label' }, KIND_LABELS[span.kind]),
      h('h2', { className: 'span-title clamp-3', title: span.name }, span.name),
      span.status === 'error' && h('span', { className: 'error-tag' }, 'error'),
      row.critical && h('span', { className: 'critical-tag', title: 'On the critical path: the trace waited for it' }, 'critical path'),
      row.slowestRank !== undefined && h('span', { className: 'slowest-tag' }, row.slowestRank === 1 ? 'slowest step' : `#${row.slowestRank} slowest`)),
    h('div', { className: 'detail-facts' }, facts.join(' · ')),
    h('div', { className: 'detail-actions' },
      ...sourceLinks(span, (location) => actions.openSource(location)),
      h('span', { className: 'toolbar-spacer' }),
      span.kind === 'LLM' ? replayButton(span, actions) : undefined,
      button('Copy span JSON', () => actions.copySpanJson(span.spanId))));
}

/** Replay… on an LLM call; with no prompt content to send (capture was off), shown disabled, saying why. */
function replayButton(span: Span, actions: DetailActions): HTMLElement {
  const why = whyNotReplayable(span);
  return button('Replay…', () => actions.replaySpan(span.spanId), {
    className: 'replay-button', disabled: why !== undefined,
    description: why ?? 'Open this LLM call as an editable request, run it again and compare the answers',
  });
}

function contentView(span: Span, context: DetailContext): HTMLElement {
  const notes = missingContentNotes(span);
  const sections: HTMLElement[] = [
    span.status === 'error' && exceptionsSection(span, context),
    // Weak retrieval is told by the documents section itself.
    ...(span.findings ?? []).filter((f) => f.detector !== 'weakRetrieval').map((f) =>
      h('div', { className: 'finding-banner', attrs: { role: 'note' } }, '⚠ ', f.message)),
    notes.length > 0 && h('div', { className: 'notice-banner', attrs: { role: 'note' } },
      ...notes.map((note) => h('div', { className: 'notice' }, h('strong', {}, note.title), ' ', note.fix))),
    // What was asked and answered first.
    ...conversationSections(span, context),
    (span.documents || span.kind === 'RETRIEVER') && documentsSection(span.documents ?? [], context.lowScoreThreshold),
    span.tool && toolSection(span.tool),
  ].filter((x): x is HTMLElement => x instanceof HTMLElement);
  // Raw values are a fold-out beside a conversation, and the main content of any other span.
  const rawOpen = !span.inputMessages?.length && !span.outputMessages?.length && !span.tool;
  for (const [label, value] of [['Input', span.input], ['Output', span.output]] as const) {
    if (value === undefined) continue;
    const details = h('details', { className: 'raw-value' }, h('summary', {}, rawOpen ? label : `Raw ${label.toLowerCase()}`), valueBlock(value, 'value json'));
    details.open = rawOpen;
    sections.push(details);
  }
  // Then what it cost, how it was asked, who asked.
  for (const facts of [usageSection(span), parametersSection(span), contextSection(span)]) if (facts) sections.push(facts);
  if (!sections.length) sections.push(h('p', { className: 'muted' }, 'This span carries no prompt, documents, tool call or input/output. Its attributes are in the Attributes tab.'));
  return h('div', { className: 'content-view' }, ...sections);
}

/** Events by event: an exception is an event, counted once (span.exceptions are read from those events). */
export function eventCount(span: Span): number {
  const exceptionEvents = span.events.filter((e) => e.name === 'exception').length;
  return span.events.length + Math.max(0, (span.exceptions?.length ?? 0) - exceptionEvents);
}
