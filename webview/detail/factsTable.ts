// Labeled facts (model, tokens, parameters, event attributes) as a two-column grid; facts
// without a value are left out. Labels take the room they need, up to a share of the width.
import { h } from '../dom';
import { prettyValue } from './longValue';

export type Fact = [label: string, value: unknown];

export function factsTable(facts: Fact[], className = 'facts'): HTMLElement | undefined {
  const shown = facts.filter(([, value]) => value !== undefined && value !== null && value !== '');
  if (!shown.length) return undefined;
  return h('dl', { className }, ...shown.flatMap(([label, value]) => [
    h('dt', {}, label),
    h('dd', {}, value instanceof Node ? value : typeof value === 'string' ? value : prettyValue(value)),
  ]));
}
