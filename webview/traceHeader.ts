// The top of the view: what the trace is, its totals, and the bottleneck in one sentence.
import { formatCost, formatDuration, formatTokens } from '../src/shared/format';
import type { TraceSummary } from '../src/shared/spanModel';
import { button, h } from './dom';
import { bottleneck, failedRows, formatShare, rowAt, type WaterfallModel } from './waterfall/waterfallModel';

export function traceHeader(summary: TraceSummary, model: WaterfallModel, actions: { select(spanId: string): void; copyTraceForAi(): void }): HTMLElement {
  const facts = [
    formatDuration(model.durationMs),
    `${model.count + model.columns.rest} span${model.count + model.columns.rest === 1 ? '' : 's'}`,
    model.columns.rest > 0 && `loading ${model.columns.rest}…`,
    summary.tokens.total > 0 && formatTokens(summary.tokens.total),
    summary.costUsd > 0 && formatCost(summary.costUsd),
    summary.models.length > 0 && summary.models.join(', '),
    model.services.length > 1 ? `services: ${model.services.join(', ')}` : model.services[0],
  ].filter((x): x is string => typeof x === 'string');
  // Of a first part, the bottleneck and the errors would be wrong: they wait for every span.
  const complete = model.columns.rest === 0;
  const slow = complete ? bottleneck(model) : undefined;
  const failed = complete ? failedRows(model) : [];
  const errors = failed.length ? [rowAt(model, failed[0])] : [];
  return h('header', { className: 'trace-header' },
    h('div', { className: 'trace-title-line' },
      h('h1', { className: 'trace-title', title: summary.name }, summary.name || '(unnamed trace)'),
      failed.length > 0 && h('span', { className: 'error-tag' }, `${failed.length} error${failed.length > 1 ? 's' : ''}`),
      h('span', { className: 'toolbar-spacer' }),
      button('Copy trace for AI', actions.copyTraceForAi, { appearance: 'primary' })),
    h('div', { className: 'trace-facts' }, facts.join(' · '), h('span', { className: 'muted trace-id' }, ` · ${summary.traceId}`)),
    slow && model.count > 1 && h('div', { className: 'bottleneck clamp-2', attrs: { role: 'note' } },
      h('span', { className: 'slowest-tag' }, 'slowest step'), ' ',
      h('a', { className: 'bottleneck-link', attrs: { href: '#' }, onClick: (event) => {
        event.preventDefault();
        actions.select(slow.span.spanId);
      } }, slow.span.name),
      ` took ${formatDuration(slow.span.durationMs)} of ${formatDuration(model.durationMs)} (${formatShare(slow.share)})`,
      slow.selfMs < slow.span.durationMs ? `, ${formatDuration(slow.selfMs)} of it in itself` : ''),
    ...(summary.findings ?? []).map((finding) => h('div', { className: 'finding-banner clamp-2', attrs: { role: 'note' } }, '⚠ ',
      finding.spanIds?.length ? h('a', { attrs: { href: '#' }, title: 'Show the span', onClick: (event) => {
        event.preventDefault();
        actions.select(finding.spanIds![0]);
      } }, finding.message) : finding.message)),
    errors.length > 0 && h('div', { className: 'error-banner clamp-3', title: errors[0].span.statusMessage }, 'First error: ',
      h('a', { attrs: { href: '#' }, onClick: (event) => {
        event.preventDefault();
        actions.select(errors[0].span.spanId);
      } }, errors[0].span.name),
      errors[0].span.statusMessage ? `: ${errors[0].span.statusMessage}` : ''));
}
