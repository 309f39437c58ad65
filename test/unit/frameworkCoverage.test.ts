// Prints, per framework fixture, which of the span model's fields its spans fill: the coverage
// table of README "What it reads". A field is counted when any span of the fixture has it.
import assert from 'node:assert/strict';
import type { Span } from '../../src/shared/spanModel';
import { frameworkFixtureNames, loadFramework } from './helpers/frameworkFixtures';

const FIELDS: [string, (s: Span) => boolean][] = [
  ['kinds', () => true],
  ['model', (s) => s.model !== undefined],
  ['input msgs', (s) => !!s.inputMessages?.length],
  ['output msgs', (s) => !!s.outputMessages?.length],
  ['tool calls', (s) => !!s.inputMessages?.some((m) => m.toolCalls) || !!s.outputMessages?.some((m) => m.toolCalls)],
  ['tool', (s) => s.tool?.arguments !== undefined || s.tool?.result !== undefined],
  ['tokens', (s) => s.tokens?.input !== undefined || s.tokens?.output !== undefined],
  ['cache', (s) => s.tokens?.cacheRead !== undefined || s.tokens?.cacheWrite !== undefined],
  ['reasoning', (s) => s.tokens?.reasoning !== undefined],
  ['cost', (s) => s.costUsd !== undefined],
  ['session', (s) => s.sessionId !== undefined],
];

function coverageRows(): string[][] {
  return frameworkFixtureNames().map((file) => {
    const spans = [...loadFramework(file).values()];
    return [file.replace(/\.json$/, ''), ...FIELDS.map(([name, has]) => name === 'kinds'
      ? [...new Set(spans.map((s) => s.kind))].sort().join(' ')
      : spans.some(has) ? 'yes' : '-')];
  });
}

describe('framework coverage table', () => {
  it('prints which fields each framework\'s spans fill', () => {
    const rows = coverageRows();
    const header = ['framework', ...FIELDS.map(([name]) => name)];
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
    const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
    console.log(['', line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n'));
    for (const row of rows) assert.ok(row.slice(2).includes('yes'), `${row[0]} reads something`);
  });
});
