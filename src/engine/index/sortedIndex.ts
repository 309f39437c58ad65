// An ordered set of items by a numeric key, kept in blocks so an insert or a removal moves
// at most one block (not a million-entry array) and "top N" reads only the blocks it needs.

const BLOCK_SIZE = 512;

interface Entry<T> {
  key: number;
  id: string;
  item: T;
}

function compare(a: { key: number; id: string }, b: { key: number; id: string }): number {
  return a.key - b.key || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

export class SortedIndex<T> {
  private blocks: Entry<T>[][] = [];
  private count = 0;

  get size(): number {
    return this.count;
  }

  insert(key: number, id: string, item: T): void {
    const entry = { key, id, item };
    if (this.blocks.length === 0) {
      this.blocks.push([entry]);
    } else {
      const b = this.blockFor(entry);
      const block = this.blocks[b];
      block.splice(this.position(block, entry), 0, entry);
      if (block.length > BLOCK_SIZE * 2) this.blocks.splice(b, 1, block.slice(0, BLOCK_SIZE), block.slice(BLOCK_SIZE));
    }
    this.count++;
  }

  remove(key: number, id: string): void {
    if (this.blocks.length === 0) return;
    const target = { key, id };
    const b = this.blockFor(target);
    const block = this.blocks[b];
    const i = this.position(block, target);
    if (i < block.length && block[i].key === key && block[i].id === id) {
      block.splice(i, 1);
      this.count--;
      if (block.length === 0) this.blocks.splice(b, 1);
    }
  }

  /** Items from the largest key down to minKey. */
  *descending(minKey = -Infinity): Generator<T> {
    for (let b = this.blocks.length - 1; b >= 0; b--) {
      const block = this.blocks[b];
      for (let i = block.length - 1; i >= 0; i--) {
        if (block[i].key < minKey) return;
        yield block[i].item;
      }
    }
  }

  /** Items with maxKey >= key >= minKey, largest first (finds the first block by search, not by walking). */
  *descendingBetween(maxKey: number, minKey: number): Generator<T> {
    if (!this.blocks.length) return;
    for (let b = this.blockFor({ key: maxKey, id: '\uffff' }); b >= 0; b--) {
      const block = this.blocks[b];
      for (let i = block.length - 1; i >= 0; i--) {
        if (block[i].key > maxKey) continue;
        if (block[i].key < minKey) return;
        yield block[i].item;
      }
    }
  }

  /** Items from the smallest key up. */
  *ascending(): Generator<T> {
    for (const block of this.blocks) for (const entry of block) yield entry.item;
  }

  /** How many items have key >= minKey (reads whole blocks where it can). */
  countAtLeast(minKey: number): number {
    let n = 0;
    for (let b = this.blocks.length - 1; b >= 0; b--) {
      const block = this.blocks[b];
      if (block[0].key >= minKey) { n += block.length; continue; }
      for (let i = block.length - 1; i >= 0 && block[i].key >= minKey; i--) n++;
      break;
    }
    return n;
  }

  clear(): void {
    this.blocks = [];
    this.count = 0;
  }

  /** The block an entry belongs in: the last block whose first entry is <= it. */
  private blockFor(entry: { key: number; id: string }): number {
    let lo = 0;
    let hi = this.blocks.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (compare(this.blocks[mid][0], entry) <= 0) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  private position(block: Entry<T>[], entry: { key: number; id: string }): number {
    let lo = 0;
    let hi = block.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (compare(block[mid], entry) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
