// The facts of a span beside its content, each under a heading that fits the span's kind: a
// model call's tokens and cost, its request parameters (the long `tools` list folded), and the
// session and user any span may carry, never under a "Model" heading on a chain.
import { formatCost, formatDuration, formatTokens } from '../../src/shared/format';
import type { Span, SpanKind } from '../../src/shared/spanModel';
import { h, section } from '../dom';
import { factsTable, type Fact } from './factsTable';
import { longText, prettyValue } from './longValue';

/** Parameters that are long lists of definitions: folded, with their count, so the rest stays readable. */
const FOLDED_PARAMETERS = new Set(['tools', 'functions', 'response_format', 'tool_choice']);

/** What the facts of a model-like span are called, by kind. */
const USAGE_HEADINGS: Partial<Record<SpanKind, string>> = {
  LLM: 'Tokens and cost', EMBEDDING: 'Embedding model', RERANKER: 'Reranking model',
};

export function usageSection(span: Span): HTMLElement | undefined {
  const t = span.tokens;
  const table = factsTable([
    ['Model', span.model],
    ['Provider', span.provider],
    ['Input tokens', t?.input !== undefined ? formatTokens(t.input) : undefined],
    ['Output tokens', t?.output !== undefined ? formatTokens(t.output) : undefined],
    ['Cached input', t?.cacheRead ? formatTokens(t.cacheRead) : undefined],
    ['Cache write', t?.cacheWrite ? formatTokens(t.cacheWrite) : undefined],
    ['Reasoning', t?.reasoning ? formatTokens(t.reasoning) : undefined],
    ['Total tokens', t?.total !== undefined ? formatTokens(t.total) : undefined],
    ['Cost', span.costUsd !== undefined ? `${formatCost(span.costUsd)} (${span.costSource === 'attribute' ? 'recorded' : 'from the price table'})` : undefined],
    ['Finish reason', span.finishReasons?.join(', ')],
    ['Time to first token', span.timeToFirstTokenMs !== undefined ? `${formatDuration(span.timeToFirstTokenMs)} of ${formatDuration(span.durationMs)}` : undefined],
  ]);
  return table && section(USAGE_HEADINGS[span.kind] ?? (span.model ? 'Model' : 'Usage'), table);
}

export function parametersSection(span: Span): HTMLElement | undefined {
  const entries = Object.entries(span.invocationParameters ?? {});
  if (!entries.length) return undefined;
  const facts: Fact[] = entries.map(([name, value]) => [name, FOLDED_PARAMETERS.has(name) && typeof value === 'object' && value !== null
    ? h('details', { className: 'folded-parameter' },
      h('summary', {}, Array.isArray(value) ? `${value.length} ${value.length === 1 ? 'entry' : 'entries'}` : 'show'),
      longText(prettyValue(value), 'value json'))
    : value]);
  return section('Parameters', factsTable(facts, 'facts params'));
}

export function contextSection(span: Span): HTMLElement | undefined {
  const table = factsTable([['Session', span.sessionId], ['User', span.userId]]);
  return table && section('Session', table);
}
