// Most strings in a stream of spans are repeats: attribute keys, model names, system prompts.
// This cache recognizes a repeat from its bytes before decoding it, so a repeat costs a byte
// compare (and at most a hash) instead of a UTF-8 decode, a string hash and a garbage string.
import type { StringTable } from '../model/stringTable';

/** A decoded string, and the string that followed it last time (the decoder's guess for next time). */
export interface KnownString {
  /** Absent for a string too long to cache: it is never a guess. */
  readonly bytes?: Buffer;
  readonly value: string;
  readonly hash: number;
  /** The cache's generation when it was made: a guess from before the cache started over (or
   *  from after it dropped this entry, -1) is not used. */
  generation: number;
  next?: KnownString;
}

const SLOTS = 1 << 16;
/** Templated prompts differ in a few bytes and may share a sampled hash; a slot holds several. */
const BUCKET_SIZE = 8;
/** Strings longer than this are decoded every time (rare, and their bytes would crowd the cache). */
const MAX_CACHED_LENGTH = 16 * 1024;
/** Bytes the cache may hold before it starts over. */
const BYTE_BUDGET = 16 * 1024 * 1024;
/** Up to this length a string is hashed and compared in full by a JS loop. */
const SHORT = 64;
/** Longer strings are hashed on this many sampled bytes, then compared in full (native memcmp). */
const SAMPLES = 64;

export class DecodedStringCache {
  private buckets: (KnownString[] | undefined)[] = new Array(SLOTS);
  private bytesHeld = 0;
  private generation = 0;

  constructor(private readonly strings: StringTable) {}

  /**
   * The interned string for buf[start, end). `guess` is the string the caller expects (what
   * followed the previous one last time): keys come in the same order span after span, and a
   * key's value is often the one it had before, so a right guess skips the hash.
   */
  get(buf: Buffer, start: number, end: number, guess?: KnownString): KnownString {
    const length = end - start;
    const guessed = guess?.generation === this.generation ? guess.bytes : undefined;
    if (length <= SHORT && guessed !== undefined && guessed.length === length && sameShortBytes(guessed, buf, start, length)) {
      return guess!;
    }
    if (length > MAX_CACHED_LENGTH) {
      return { value: this.strings.intern(buf.toString('utf8', start, end)), hash: 0, generation: this.generation };
    }
    const hash = hashBytes(buf, start, length);
    if (guessed !== undefined && guess!.hash === hash && sameBytes(guessed, buf, start, length)) return guess!;
    const slot = hash & (SLOTS - 1);
    let bucket = this.buckets[slot];
    if (bucket) {
      for (const known of bucket) {
        if (known.hash === hash && sameBytes(known.bytes!, buf, start, length)) return known;
      }
    }
    if (this.bytesHeld + length > BYTE_BUDGET) {
      // Starting over also retires the old entries' guesses, so nothing keeps them alive.
      this.buckets = new Array(SLOTS);
      this.bytesHeld = 0;
      this.generation++;
      bucket = undefined;
    }
    const value = this.strings.intern(buf.toString('utf8', start, end));
    const known: KnownString = { bytes: Buffer.from(buf.subarray(start, end)), value, hash, generation: this.generation };
    if (!bucket) this.buckets[slot] = bucket = [];
    if (bucket.length >= BUCKET_SIZE) {
      // A dropped entry is no guess any more, and keeps no chain of guesses alive.
      const dropped = bucket.shift()!;
      dropped.generation = -1;
      dropped.next = undefined;
      this.bytesHeld -= dropped.bytes!.length;
    }
    bucket.push(known);
    this.bytesHeld += length;
    return known;
  }
}

function hashBytes(buf: Buffer, start: number, length: number): number {
  let h = 0x811c9dc5 ^ length;
  if (length <= SHORT) {
    for (let i = start, end = start + length; i < end; i++) h = Math.imul(h ^ buf[i], 0x01000193);
  } else {
    const step = Math.floor(length / SAMPLES);
    for (let i = 0, at = start; i < SAMPLES; i++, at += step) h = Math.imul(h ^ buf[at], 0x01000193);
    h = Math.imul(h ^ buf[start + length - 1], 0x01000193);
  }
  return h >>> 0;
}

/** Whether `cached` starts with buf[start, start + length): a JS loop, quicker than a native call for a few bytes. */
export function sameShortBytes(cached: Buffer, buf: Buffer, start: number, length: number): boolean {
  for (let i = 0; i < length; i++) if (cached[i] !== buf[start + i]) return false;
  return true;
}

function sameBytes(cached: Buffer, buf: Buffer, start: number, length: number): boolean {
  if (cached.length !== length) return false;
  if (length <= SHORT) return sameShortBytes(cached, buf, start, length);
  return buf.compare(cached, 0, length, start, start + length) === 0;
}
