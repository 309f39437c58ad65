// A prompt's parts as one stacked bar against the model's context window, and as a table with
// each part's tokens and share; the largest parts are named.
import { CONTEXT_PART_LABELS, CONTEXT_PARTS, type ContextXray } from '../../src/shared/sessionModel';
import { formatTokens } from '../../src/shared/format';
import { h } from '../dom';

export function countingLabel(xray: ContextXray): string {
  if (xray.counting === 'usage') return `recorded input tokens, split by ${xray.tokenizer}`;
  if (xray.counting === 'tokenizer') return `counted by ${xray.tokenizer} (no usage recorded)`;
  return `estimated (${xray.tokenizer}): no tokenizer for this model is bundled`;
}

/**
 * One bar: each part's share of `scaleTokens`, by default the context window (or the prompt, when
 * the limit is unknown). A prompt far below its window scales to itself or to its session's
 * largest, so its parts can be seen at all.
 */
export function contextBar(xray: ContextXray, scaleTokens = xray.contextLimit ?? 0): HTMLElement {
  const scale = Math.max(scaleTokens, xray.inputTokens, 1);
  const bar = h('div', { className: 'context-bar', attrs: { role: 'img', 'aria-label': `${formatTokens(xray.inputTokens)} of ${formatTokens(scale)}` } });
  for (const part of CONTEXT_PARTS) {
    if (!xray.parts[part]) continue;
    const segment = h('div', { className: `context-segment part-${part}`, title: `${CONTEXT_PART_LABELS[part]}: ${xray.parts[part]} tokens` });
    segment.style.width = `${(xray.parts[part] / scale) * 100}%`;
    bar.appendChild(segment);
  }
  return bar;
}

export function contextTable(xray: ContextXray): HTMLElement {
  const total = Math.max(1, xray.inputTokens);
  return h('table', { className: 'context-table' },
    h('thead', {}, h('tr', {}, h('th', {}, 'part'), h('th', {}, xray.counting === 'estimate' ? 'tokens (estimate)' : 'tokens'), h('th', {}, 'share'))),
    h('tbody', {}, ...CONTEXT_PARTS.map((part) => h('tr', { className: xray.largest.includes(part) ? 'largest' : '' },
      h('td', {}, h('span', { className: `swatch part-${part}` }), CONTEXT_PART_LABELS[part]),
      h('td', { className: 'number' }, xray.counting === 'estimate' ? `~${xray.parts[part]}` : String(xray.parts[part])),
      h('td', { className: 'number' }, `${Math.round((xray.parts[part] / total) * 100)}%`)))));
}

/** The prompt's share of the model's context window, as a short figure; empty when the window is unknown. */
export function windowShare(xray: ContextXray): string {
  if (!xray.contextLimit) return '';
  const percent = (xray.inputTokens / xray.contextLimit) * 100;
  return percent > 0 && percent < 0.1 ? '<0.1%' : `${percent.toFixed(1)}%`;
}

export function contextSummary(xray: ContextXray): string {
  const limit = xray.contextLimit
    ? ` of ${formatTokens(xray.contextLimit)} (${windowShare(xray)} of ${xray.model ?? 'the model'}'s context window, from ${xray.limitSource === 'setting' ? 'your setting' : 'the models.dev catalog'})`
    : ` (context window of ${xray.model ?? 'this model'} unknown: set aiTraceInspector.contextLimits)`;
  const largest = xray.largest.length ? `; largest: ${xray.largest.map((p) => CONTEXT_PART_LABELS[p]).join(', ')}` : '';
  const cache = xray.cachedTokens !== undefined ? `; ${formatTokens(xray.cachedTokens)} cached, ${formatTokens(xray.uncachedTokens ?? 0)} not` : '';
  return `${formatTokens(xray.inputTokens)} input${limit}${largest}${cache}`;
}
