// Every string the engine keeps goes through here once: equal strings become one instance
// (a system prompt sent with 100,000 calls is held once), and each string knows the traces
// that contain it, so text search scans distinct strings, never spans.

interface Slot<T> {
  /** The one instance everyone shares (a Map does not hand back its stored key). */
  readonly value: string;
  /** The owners holding this string: one directly (the common case), or a list. */
  owners: T | T[] | undefined;
}

// Hashing a long string for a Map lookup reads every character; a freshly decoded copy of a
// 2 KB prompt has no cached hash. Long strings are first looked up by a fingerprint of their
// length and a few sampled characters, and confirmed with ===, which compares without hashing.
// Templated prompts of one length that differ only in an id share a sampled fingerprint, so it
// also reads every character of the string's two ends, where templates often put the id ("You
// are the agent of customer 1042..."). Past a few strings per fingerprint the lookup falls back to
// the full hash (the slots Map), so such text costs one hash per string instead of a compare with
// every earlier one (quadratic).
const LONG_STRING = 64;
const SAMPLES = 16;
/** Characters read in full at each end (LONG_STRING covers both). */
const ENDS = 32;
const MAX_SHARING_FINGERPRINT = 4;

function fingerprint(value: string): number {
  const length = value.length;
  let h = length | 0;
  const step = Math.floor(length / SAMPLES);
  for (let i = 0, at = 0; i < SAMPLES; i++, at += step) h = Math.imul(h ^ value.charCodeAt(at), 0x9e3779b1);
  for (let i = 0; i < ENDS; i++) h = Math.imul(h ^ value.charCodeAt(i), 0x9e3779b1);
  for (let i = length - ENDS; i < length; i++) h = Math.imul(h ^ value.charCodeAt(i), 0x9e3779b1);
  return h >>> 0;
}

/** V8 holds a string in one byte per character when every character fits (Latin-1), else two. */
function bytesInMemory(value: string): number {
  return TWO_BYTE.test(value) ? 2 * value.length : value.length;
}

const TWO_BYTE = /[^\u0000-\u00ff]/;

export class StringTable<T extends object = object> {
  private readonly slots = new Map<string, Slot<T>>();
  /** Long strings by fingerprint: one canonical string, or several that share a fingerprint. */
  private readonly longStrings = new Map<number, string | string[]>();
  /** Fingerprints shared by more strings than longStrings lists: the rest are only in the slots Map. */
  private readonly crowded = new Set<number>();
  private textBytes = 0;
  /** Where a compaction under way (compactSome) goes on from. */
  private compacting?: Iterator<[string, Slot<T>]>;

  get size(): number {
    return this.slots.size;
  }

  /** What the distinct strings held take in memory: the text of the traces. */
  get heldTextBytes(): number {
    return this.textBytes;
  }

  intern(value: string): string {
    if (value.length >= LONG_STRING) return this.internLong(value);
    const slot = this.slots.get(value);
    if (slot) return slot.value;
    this.add(value);
    return value;
  }

  /** A new slot; a long string is also filed by its fingerprint, however it arrived (intern or post). */
  private add(value: string): Slot<T> {
    const slot: Slot<T> = { value, owners: undefined };
    this.slots.set(value, slot);
    this.textBytes += bytesInMemory(value);
    if (value.length >= LONG_STRING) {
      const fp = fingerprint(value);
      const known = this.longStrings.get(fp);
      if (known === undefined) this.longStrings.set(fp, value);
      else if (typeof known === 'string') this.longStrings.set(fp, [known, value]);
      else if (known.length < MAX_SHARING_FINGERPRINT) known.push(value);
      else this.crowded.add(fp); // beyond that the string is found through the slots Map (internLong)
    }
    return slot;
  }

  private internLong(value: string): string {
    const fp = fingerprint(value);
    const known = this.longStrings.get(fp);
    if (typeof known === 'string') {
      if (known === value) return known;
    } else if (known) {
      for (const candidate of known) if (candidate === value) return candidate;
    }
    if (this.crowded.has(fp)) {
      const slot = this.slots.get(value);
      if (slot) return slot.value;
    }
    this.add(value);
    return value;
  }

  /** Records that `owner` contains `value`. */
  post(value: string, owner: T): void {
    const slot = this.slots.get(value) ?? this.add(value);
    const owners = slot.owners;
    if (owners === undefined) slot.owners = owner;
    else if (Array.isArray(owners)) {
      // Callers post a trace's strings together, so checking the last owner avoids repeats.
      if (owners[owners.length - 1] !== owner) owners.push(owner);
    } else if (owners !== owner) slot.owners = [owners, owner];
  }

  /** Every live owner of a string that passes `test`, each once. */
  search(test: (value: string) => boolean, isLive: (owner: T) => boolean): Set<T> {
    const found = new Set<T>();
    for (const [value, { owners }] of this.slots) {
      if (owners === undefined || !test(value)) continue;
      if (Array.isArray(owners)) {
        for (const owner of owners) if (isLive(owner)) found.add(owner);
      } else if (isLive(owners)) {
        found.add(owners);
      }
    }
    return found;
  }

  /** Forgets owners that are gone (evicted or cleared) and strings nobody holds any more. */
  compact(isLive: (owner: T) => boolean): void {
    this.compacting = undefined;
    while (!this.compactSome(isLive, Infinity));
  }

  /** Whether a compaction is under way: started by compactSome and not finished yet. */
  get compactionUnderWay(): boolean {
    return this.compacting !== undefined;
  }

  /**
   * compact() in steps of at most `slots` strings, so a table of millions never holds the
   * engine's thread in one go: starts a pass, or goes on with the one under way; true when it
   * has finished. Strings added meanwhile are looked at too (Map iteration sees them), harmlessly.
   */
  compactSome(isLive: (owner: T) => boolean, slots: number): boolean {
    const entries = this.compacting ??= this.slots.entries();
    for (let n = 0; n < slots; n++) {
      const next = entries.next();
      if (next.done) {
        this.compacting = undefined;
        return true;
      }
      const [value, slot] = next.value;
      const owners = slot.owners;
      const kept = owners === undefined ? [] : Array.isArray(owners) ? owners.filter(isLive) : isLive(owners) ? [owners] : [];
      if (kept.length === 0) this.forget(value);
      else slot.owners = kept.length === 1 ? kept[0] : kept;
    }
    return false;
  }

  clear(): void {
    this.compacting = undefined;
    this.slots.clear();
    this.longStrings.clear();
    this.crowded.clear();
    this.textBytes = 0;
  }

  private forget(value: string): void {
    this.slots.delete(value);
    this.textBytes -= bytesInMemory(value);
    if (value.length < LONG_STRING) return;
    const fp = fingerprint(value);
    const known = this.longStrings.get(fp);
    if (known === value) this.longStrings.delete(fp);
    else if (Array.isArray(known)) {
      const rest = known.filter((s) => s !== value);
      if (rest.length) this.longStrings.set(fp, rest.length === 1 ? rest[0] : rest);
      else this.longStrings.delete(fp);
    }
  }
}
