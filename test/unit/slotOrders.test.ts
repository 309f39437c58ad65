// The calls table's sort orders (engine/index/slotOrders.ts) against a plain sort of the same rows,
// through every way they change: first built, rows added (merged in, or sorted again when many),
// rows gone, values missing, text and numbers, ties.
import assert from 'node:assert/strict';
import { SlotOrders, type SortValue } from '../../src/engine/index/slotOrders';

type Column = 'start' | 'cost' | 'model';

interface Row { start: number; cost?: number; model?: string; live: boolean }

function table() {
  const rows: Row[] = [];
  const orders = new SlotOrders<Column>(
    { get slotCount() { return rows.length; }, isLive: (slot) => rows[slot].live, start: (slot) => rows[slot].start },
    'start',
    (column, slot) => rows[slot][column] as SortValue,
  );
  return { rows, orders };
}

/** A small deterministic generator: the same rows on every run. */
function random(seed: number): () => number {
  return () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
}

function row(next: () => number): Row {
  const r = next();
  return {
    start: Math.floor(next() * 50), // few distinct starts: ties
    cost: r < 0.2 ? undefined : Math.floor(next() * 20) / 4,
    model: r > 0.7 ? undefined : ['gpt-4o', 'claude', 'Gemini', 'gpt-4o-mini'][Math.floor(next() * 4)],
    live: true,
  };
}

/** What the table must answer: live rows by value (missing last either way), ties by start, then slot, in the direction asked. */
function expected(rows: Row[], column: Column, descending: boolean): number[] {
  const direction = descending ? -1 : 1;
  return rows.map((_, slot) => slot).filter((slot) => rows[slot].live).sort((a, b) => {
    const x = rows[a][column];
    const y = rows[b][column];
    if (x !== y) {
      if (x === undefined) return 1;
      if (y === undefined) return -1;
      return direction * (x < y ? -1 : 1);
    }
    return direction * (rows[a].start - rows[b].start || a - b);
  });
}

describe('calls table sort orders', () => {
  it('agree with a plain sort as rows arrive and go, in both directions', () => {
    const next = random(7);
    const { rows, orders } = table();
    for (let round = 0; round < 40; round++) {
      // Mostly a few rows (merged in), now and then many (sorted again); some rows go.
      const adding = round % 10 === 0 ? 400 : Math.floor(next() * 12);
      for (let i = 0; i < adding; i++) rows.push(row(next));
      for (let i = 0; i < 3; i++) rows[Math.floor(next() * rows.length)].live = false;
      for (const column of ['start', 'cost', 'model'] as const) {
        for (const descending of [false, true]) {
          assert.deepEqual([...orders.ordered(column, descending)], expected(rows, column, descending), `${column} ${descending ? 'desc' : 'asc'}, round ${round}`);
        }
      }
    }
  });

  it('keeps only the rows a filter keeps, in the same order', () => {
    const next = random(11);
    const { rows, orders } = table();
    for (let i = 0; i < 300; i++) rows.push(row(next));
    const keep = (slot: number) => rows[slot].model === 'claude';
    assert.deepEqual([...orders.ordered('cost', true, keep)], expected(rows, 'cost', true).filter(keep));
  });

  it('starts over after clear (the owner renumbered its slots)', () => {
    const next = random(3);
    const { rows, orders } = table();
    for (let i = 0; i < 50; i++) rows.push(row(next));
    orders.ordered('cost', false);
    rows.splice(0, rows.length, ...rows.filter((_, slot) => slot % 2 === 0));
    orders.clear();
    assert.deepEqual([...orders.ordered('cost', false)], expected(rows, 'cost', false));
  });
});
