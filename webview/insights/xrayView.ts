// One LLM call's context window: what fills it, part by part, and where the prompt cache broke.
import type { CacheBreak, ContextXray } from '../../src/shared/sessionModel';
import { button, h, section } from '../dom';
import { contextBar, contextSummary, contextTable, countingLabel } from './contextBars';
import { post } from './insightsApi';

export function xrayView(xray: ContextXray, callName: string, cacheBreak: CacheBreak | undefined): HTMLElement {
  return h('div', { className: 'xray' },
    h('header', { className: 'insights-header' },
      h('h2', {}, `Context window: ${callName}`),
      h('p', {}, contextSummary(xray)),
      h('p', { className: 'muted' }, countingLabel(xray)),
      button('Open span', () => post({ type: 'openTrace', traceId: xray.traceId, spanId: xray.spanId }))),
    h('p', { className: 'bar-label muted' }, 'the context window'),
    contextBar(xray),
    h('p', { className: 'bar-label muted' }, 'the prompt, by part'),
    contextBar(xray, xray.inputTokens),
    contextTable(xray),
    section('Prompt cache', h('p', {}, cacheBreak
      ? `The prompt stopped sharing a prefix with the call before it: ${cacheBreak.reason}. Everything from there on could not be served from the cache.`
      : 'This prompt extends the one before it in its session or trace (or it is the first): nothing broke the cached prefix.')));
}
