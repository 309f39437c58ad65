// Sort orders over rows kept in numbered slots (the calls table, llmCalls.ts): each column's order
// is built once, with the engine's native numeric sort, and then kept up to date by merging the
// rows added since, so clicking a header or scrolling never sorts the whole table again.
// Slots only grow; a row that goes is marked dead and skipped, until the owner renumbers them.

export type SortValue = number | string | undefined;

/** What the orders read of the slots. */
export interface SlotSource {
  /** How many slots were ever given out (dead ones included). */
  readonly slotCount: number;
  isLive(slot: number): boolean;
  /** The tie-break of every column: earlier first (the calls table: the call's start). */
  start(slot: number): number;
}

/** One column's slots, ascending by value (missing values last), ties by start, then slot. */
interface ColumnOrder {
  slots: Uint32Array;
  /** slots[0, defined) have a value, slots[defined, length) do not. */
  defined: number;
  /** Slots below this were placed (or dead when it was last brought up to date). */
  covered: number;
}

/** Below this many new rows per row already sorted, new rows are merged in; above it the column is sorted again. */
const MERGE_SHARE = 1 / 8;

export class SlotOrders<Column extends string> {
  private readonly columns = new Map<Column, ColumnOrder>();
  /** Each slot's position in the start order: the tie-break packed beside a value's rank. */
  private startPositions?: { covered: number; positions: Uint32Array };

  constructor(
    private readonly source: SlotSource,
    private readonly startColumn: Column,
    private readonly value: (column: Column, slot: number) => SortValue,
  ) {}

  /** Forgets every order (the owner renumbered its slots). */
  clear(): void {
    this.columns.clear();
    this.startPositions = undefined;
  }

  /** The live slots in a column's order, ascending or descending by value; missing values last either way. */
  ordered(column: Column, descending: boolean, keep: (slot: number) => boolean = () => true): Uint32Array {
    const { slots, defined } = this.upToDate(column);
    const result = new Uint32Array(slots.length);
    let n = 0;
    const take = (slot: number) => {
      if (this.source.isLive(slot) && keep(slot)) result[n++] = slot;
    };
    if (descending) {
      for (let i = defined - 1; i >= 0; i--) take(slots[i]);
      for (let i = slots.length - 1; i >= defined; i--) take(slots[i]);
    } else {
      for (let i = 0; i < slots.length; i++) take(slots[i]);
    }
    return result.subarray(0, n);
  }

  private upToDate(column: Column): ColumnOrder {
    const total = this.source.slotCount;
    const order = this.columns.get(column);
    if (order && order.covered === total) return order;
    const added = order ? total - order.covered : total;
    const next = order && added <= order.slots.length * MERGE_SHARE ? this.merged(column, order) : this.sorted(column);
    this.columns.set(column, next);
    return next;
  }

  /** All live slots sorted by packing (rank of value, tie-break) into doubles for the native sort. */
  private sorted(column: Column): ColumnOrder {
    const total = this.source.slotCount;
    const live: number[] = [];
    for (let slot = 0; slot < total; slot++) if (this.source.isLive(slot)) live.push(slot);
    const isStart = column === this.startColumn;
    // The start order breaks ties by slot; every other order by position in the start order.
    const starts = isStart ? undefined : this.startOrder();
    const tie = (slot: number) => (starts ? starts.positions[slot] : slot);
    const bySlot = starts ? this.columns.get(this.startColumn)!.slots : undefined;
    const untie = (packedTie: number) => (bySlot ? bySlot[packedTie] : packedTie);
    const values = live.map((slot) => sortValue(this.value(column, slot)));
    const rank = ranker(values);
    const tieRange = 2 ** Math.ceil(Math.log2(total + 1));
    const withValue: number[] = [];
    const without: number[] = [];
    live.forEach((slot, i) => {
      const value = values[i];
      if (value === undefined) without.push(tie(slot));
      else withValue.push(rank(value) * tieRange + tie(slot));
    });
    const packed = Float64Array.from(withValue).sort();
    const missing = Float64Array.from(without).sort();
    const slots = new Uint32Array(live.length);
    packed.forEach((p, i) => (slots[i] = untie(p % tieRange)));
    missing.forEach((p, i) => (slots[packed.length + i] = untie(p)));
    return { slots, defined: packed.length, covered: total };
  }

  /** The order so far, with the slots added since sorted among themselves and merged in; dead slots dropped. */
  private merged(column: Column, order: ColumnOrder): ColumnOrder {
    const total = this.source.slotCount;
    const compare = (a: number, b: number) => this.compare(column, a, b);
    const added: number[] = [];
    for (let slot = order.covered; slot < total; slot++) if (this.source.isLive(slot)) added.push(slot);
    added.sort(compare);
    const slots = new Uint32Array(order.slots.length + added.length);
    let n = 0;
    let defined = 0;
    let j = 0;
    const put = (slot: number) => {
      slots[n++] = slot;
      if (this.value(column, slot) !== undefined) defined++;
    };
    for (const slot of order.slots) {
      if (!this.source.isLive(slot)) continue;
      while (j < added.length && compare(added[j], slot) < 0) put(added[j++]);
      put(slot);
    }
    while (j < added.length) put(added[j++]);
    return { slots: slots.subarray(0, n), defined, covered: total };
  }

  /** The same order as sorted(): value (missing last), then start, then slot. */
  private compare(column: Column, a: number, b: number): number {
    const byValue = compareValues(sortValue(this.value(column, a)), sortValue(this.value(column, b)));
    return byValue || this.source.start(a) - this.source.start(b) || a - b;
  }

  private startOrder(): { positions: Uint32Array } {
    const { slots, covered } = this.upToDate(this.startColumn);
    if (this.startPositions?.covered === covered && this.startPositions.positions.length >= covered) return this.startPositions;
    const positions = new Uint32Array(covered);
    slots.forEach((slot, position) => (positions[slot] = position));
    this.startPositions = { covered, positions };
    return this.startPositions;
  }
}

/** NaN sorts as a missing value. */
function sortValue(value: SortValue): SortValue {
  return typeof value === 'number' && Number.isNaN(value) ? undefined : value;
}

/** Numbers before text; numbers by value, text by code unit (as `<` compares them). */
function compareValues(a: SortValue, b: SortValue): number {
  if (a === b) return 0;
  if (a === undefined) return 1;
  if (b === undefined) return -1;
  if (typeof a !== typeof b) return typeof a === 'number' ? -1 : 1;
  return a < b ? -1 : 1;
}

/** Each distinct value's rank among the values (numbers first, then text). */
function ranker(values: SortValue[]): (value: number | string) => number {
  const numbers = Float64Array.from(new Set(values.filter((v): v is number => typeof v === 'number'))).sort();
  const texts = [...new Set(values.filter((v): v is string => typeof v === 'string'))].sort();
  const textRank = new Map(texts.map((text, i) => [text, numbers.length + i]));
  return (value) => (typeof value === 'string' ? textRank.get(value)! : lowerBound(numbers, value));
}

function lowerBound(sorted: Float64Array, value: number): number {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (sorted[mid] < value) low = mid + 1;
    else high = mid;
  }
  return low;
}
