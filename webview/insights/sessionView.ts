// A session as a conversation: each turn's user input and final answer in order, with latency,
// tokens, cost, findings and a link to its trace; then how the prompt's parts grew call by call
// and where the prompt cache broke.
import { FINDING_LABELS } from '../../src/shared/spanModel';
import { CONTEXT_PART_LABELS, CONTEXT_PARTS, type SessionDetail } from '../../src/shared/sessionModel';
import { formatCost, formatDuration, formatTokens } from '../../src/shared/format';
import { button, h, section } from '../dom';
import { contextBar, windowShare } from './contextBars';
import { post } from './insightsApi';

export function sessionView(session: SessionDetail): HTMLElement {
  const { summary } = session;
  const header = h('header', { className: 'insights-header' },
    h('h2', {}, `Session ${summary.sessionId}`),
    h('p', { className: 'muted' }, [`${summary.turns} turns`, formatDuration(summary.durationMs), formatTokens(summary.tokens.total),
      summary.costUsd ? formatCost(summary.costUsd) : '', summary.errors ? `${summary.errors} failed` : '', summary.userId ? `user ${summary.userId}` : '',
      summary.models.join(', ')].filter(Boolean).join(' · ')));
  const turns = h('ol', { className: 'turns' }, ...session.turns.map((turn, i) => h('li', { className: `turn ${turn.status === 'error' ? 'failed' : ''}` },
    h('div', { className: 'turn-facts' },
      h('span', { className: 'turn-number' }, `Turn ${i + 1}`),
      h('span', { className: 'muted' }, [new Date(turn.startMs).toLocaleTimeString(), formatDuration(turn.durationMs), formatTokens(turn.tokens.total),
        turn.costUsd ? formatCost(turn.costUsd) : '', `${turn.llmCalls} LLM call${turn.llmCalls === 1 ? '' : 's'}`].filter(Boolean).join(' · ')),
      ...(turn.findings ?? []).map((f) => h('span', { className: 'badge warning', title: f.message }, `⚠ ${FINDING_LABELS[f.detector]}`)),
      button('Open trace', () => post({ type: 'openTrace', traceId: turn.traceId }), { description: `Open the trace of turn ${i + 1}` })),
    h('div', { className: 'message user' }, h('span', { className: 'role' }, 'user'), h('div', { className: 'text' }, turn.userInput ?? '(no user input recorded)')),
    turn.errorMessage ? h('div', { className: 'message error' }, h('span', { className: 'role' }, 'error'), h('div', { className: 'text' }, turn.errorMessage)) : null,
    h('div', { className: 'message assistant' }, h('span', { className: 'role' }, 'answer'), h('div', { className: 'text' }, turn.answer ?? '(no answer recorded)')))));
  return h('div', { className: 'session' }, header, turns, contextGrowthSection(session));
}

function contextGrowthSection(session: SessionDetail): HTMLElement {
  const { calls, breaks } = session.context;
  const breakAt = new Map(breaks.map((b) => [b.spanId, b]));
  // The bars share one scale, the session's largest prompt, so the growth shows; the share of the window is a figure beside them.
  const largestPrompt = Math.max(1, ...calls.map((call) => call.inputTokens));
  const rows = calls.map((call, i) => {
    const broke = breakAt.get(call.spanId);
    return h('tr', { className: broke ? 'cache-break' : '' },
      h('td', { className: 'call-cell' }, h('a', { className: 'link', attrs: { href: '#' }, onClick: (e) => (e.preventDefault(), post({ type: 'openXray', traceId: call.traceId, spanId: call.spanId })) }, `call ${i + 1}`)),
      ...CONTEXT_PARTS.map((part) => h('td', { className: 'number' }, String(call.parts[part]))),
      h('td', { className: 'number' }, String(call.inputTokens)),
      h('td', { className: 'number' }, call.cachedTokens === undefined ? '–' : String(call.cachedTokens)),
      h('td', { className: 'bar-cell' }, contextBar(call, largestPrompt)),
      h('td', { className: 'number' }, windowShare(call)),
      h('td', { className: 'cache-cell' }, broke ? `cache broke: ${broke.reason}` : ''));
  });
  return section('Context window, call by call',
    h('p', { className: 'muted' }, calls[0] ? `Tokens per part of each prompt${calls.some((c) => c.counting === 'estimate') ? ' (some estimated)' : ''}; ${breaks.length} prompt-cache break${breaks.length === 1 ? '' : 's'}.` : 'No LLM calls in this session.'),
    h('table', { className: 'growth-table' },
      h('thead', {}, h('tr', {}, h('th', {}, 'call'), ...CONTEXT_PARTS.map((p) => h('th', {}, CONTEXT_PART_LABELS[p])), h('th', {}, 'input'), h('th', {}, 'cached'), h('th', {}, 'prompt by part'), h('th', {}, 'of window'), h('th', {}, 'prompt cache'))),
      h('tbody', {}, ...rows)));
}
