// How each span kind is labeled; its color comes from styles.css ([data-kind]) so themes apply.
import type { SpanKind } from '../../src/shared/spanModel';
import { h } from '../dom';

export const KIND_LABELS: Record<SpanKind, string> = {
  LLM: 'LLM', CHAIN: 'Chain', RETRIEVER: 'Retriever', TOOL: 'Tool', AGENT: 'Agent', EMBEDDING: 'Embedding',
  RERANKER: 'Reranker', GUARDRAIL: 'Guardrail', EVALUATOR: 'Evaluator', UNKNOWN: 'Other',
};

export function kindSwatch(kind: SpanKind): HTMLElement {
  return h('span', { className: 'kind-swatch', attrs: { 'data-kind': kind, 'aria-hidden': 'true' } });
}

/** The legend: only the kinds this trace has, plus the markers the rows use. */
export function legend(kinds: SpanKind[]): HTMLElement {
  return h('div', { className: 'legend', attrs: { role: 'list', 'aria-label': 'Legend' } },
    ...kinds.map((kind) => h('span', { className: 'legend-item', attrs: { role: 'listitem' } }, kindSwatch(kind), KIND_LABELS[kind])),
    h('span', { className: 'legend-item', attrs: { role: 'listitem' } }, h('span', { className: 'critical-sample', attrs: { 'aria-hidden': 'true' } }), 'critical path'),
    h('span', { className: 'legend-item', attrs: { role: 'listitem' } }, h('span', { className: 'slowest-tag' }, 'slowest'), 'most self time'));
}
