// Every raw attribute (span, then resource) in one table, with a filter on keys and values.
import type { Attributes } from '../../src/shared/spanModel';
import { h } from '../dom';
import { longText, prettyValue } from './longValue';

export function attributesView(groups: [title: string, attributes: Attributes][], initialFilter = ''): HTMLElement {
  const rows: { row: HTMLElement; haystack: string }[] = [];
  const titles: { title: HTMLElement; rows: HTMLElement[] }[] = [];
  const body = h('tbody');
  for (const [title, attributes] of groups) {
    const entries = Object.entries(attributes).sort(([a], [b]) => a.localeCompare(b));
    if (!entries.length) continue;
    const group = { title: h('tr', { className: 'group-row' }, h('th', { attrs: { colspan: '2', scope: 'colgroup' } }, title)), rows: [] as HTMLElement[] };
    titles.push(group);
    body.append(group.title);
    for (const [key, value] of entries) {
      const text = prettyValue(value);
      const row = h('tr', {}, h('th', { attrs: { scope: 'row' } }, key), h('td', {}, longText(text, 'value')));
      rows.push({ row, haystack: `${key}\n${text}`.toLowerCase() });
      group.rows.push(row);
      body.append(row);
    }
  }
  const count = h('span', { className: 'muted filter-count' });
  const filter = h('vscode-text-field', { attrs: { placeholder: 'Filter attributes', 'aria-label': 'Filter attributes' }, className: 'attribute-filter' });
  const apply = (text: string) => {
    const needle = text.trim().toLowerCase();
    let shown = 0;
    for (const { row, haystack } of rows) {
      row.hidden = needle !== '' && !haystack.includes(needle);
      if (!row.hidden) shown++;
    }
    for (const group of titles) group.title.hidden = group.rows.every((row) => row.hidden);
    count.textContent = needle ? `${shown} of ${rows.length}` : `${rows.length} attributes`;
  };
  filter.addEventListener('input', () => apply((filter as HTMLInputElement).value ?? ''));
  (filter as HTMLInputElement).value = initialFilter;
  apply(initialFilter);
  return h('div', { className: 'attributes-view' },
    h('div', { className: 'filter-bar' }, filter, count),
    // Column widths from a colgroup: with a fixed layout the first row (a group title) would set them.
    h('table', { className: 'attributes' }, h('colgroup', {}, h('col', { className: 'key-column' }), h('col')), body));
}
