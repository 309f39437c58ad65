// What the traces in memory are estimated to hold, against the caps (spans and bytes), and
// which traces go when a cap is passed: oldest normal ones first, then slow, then failed ones.
import type { RawEvent } from '../model/rawSpan';
import type { StoredSpan } from '../model/storedSpan';
import type { StringTable } from '../model/stringTable';
import type { Trace } from '../model/traceSummary';

/**
 * The memory estimate behind maxBytes, calibrated on `npm run bench`'s LLM-shaped spans: a span's
 * objects and ids, each attribute and event, each trace's summary and index entries, plus the text
 * of every distinct string, charged to the batch that brought it.
 */
export const MEMORY = { span: 300, attribute: 60, event: 150, trace: 650 };

export type RetentionClass = 'error' | 'slow' | 'normal';
/** The order traces are evicted in. */
export const EVICTION_ORDER: readonly RetentionClass[] = ['normal', 'slow', 'error'];

export interface MemoryCaps {
  maxSpans: number;
  maxBytes: number;
}

/** Strings of the table looked at per compaction step: a few milliseconds. */
const COMPACT_SLOTS = 8192;

export class MemoryAccount {
  /** Spans held by live traces. */
  spans = 0;
  /** Estimated bytes held by live traces (objects and their text). */
  private heldBytes = 0;
  /** The string table's text that live traces account for. */
  private traceText = 0;
  /** The string table's text as of the last charge: what came after is the next batch's. */
  private textSeen = 0;
  /** Table text nobody accounted for right after the last compaction (shared strings whose first trace went). */
  private unchargedAfterCompaction = 0;
  /** Traces evicted since the string table last dropped their strings. */
  private evictedSinceCompaction = 0;

  /** `waiting`: what the log records waiting for their span hold (they count against the cap too). */
  constructor(private readonly strings: StringTable<Trace>, private readonly waiting: { bytes: number; text: number }) {}

  /** What the memory cap counts: the traces held and the log records waiting for their span. */
  get bytes(): number {
    return this.heldBytes + this.waiting.bytes;
  }

  within(caps: MemoryCaps): boolean {
    return this.spans <= caps.maxSpans && this.bytes <= caps.maxBytes;
  }

  charge(trace: Trace, objects: number, text: number): void {
    trace.bytes += objects + text;
    trace.text += text;
    this.heldBytes += objects + text;
    this.traceText += text;
  }

  /** Text the string table took in since the last charge (a batch's new strings). */
  newText(): number {
    const fresh = this.strings.heldTextBytes - this.textSeen;
    this.textSeen = this.strings.heldTextBytes;
    return Math.max(0, fresh);
  }

  /** A trace left memory (evicted): what it held is released. */
  release(trace: Trace): void {
    this.spans -= trace.spans.size;
    this.heldBytes -= trace.bytes;
    this.traceText -= trace.text;
    this.evictedSinceCompaction++;
  }

  /**
   * Evicted traces leave their strings in the table (search skips them), and so do log records
   * that never found their span: drop them once a quarter of the traces, or an eighth of the
   * memory cap in text nobody accounts for, is gone. The table is walked COMPACT_SLOTS strings a
   * call, each batch going on with it (a table of a million prompts took over 100 ms in one go).
   */
  compactIfStale(liveTraces: number, maxBytes: number): void {
    const charged = this.traceText + this.waiting.text;
    if (!this.strings.compactionUnderWay) {
      const uncharged = this.strings.heldTextBytes - charged;
      if (this.evictedSinceCompaction <= liveTraces / 4 && uncharged - this.unchargedAfterCompaction <= maxBytes / 8) return;
    }
    const finished = this.strings.compactSome((t) => t.live, COMPACT_SLOTS);
    // Text forgotten is no batch's new text: what is held now is what was charged.
    this.textSeen = this.strings.heldTextBytes;
    if (!finished) return;
    this.unchargedAfterCompaction = Math.max(0, this.strings.heldTextBytes - charged);
    this.evictedSinceCompaction = 0;
  }

  /** Everything cleared (with the string table). */
  reset(): void {
    this.spans = 0;
    this.heldBytes = 0;
    this.traceText = 0;
    this.textSeen = 0;
    this.unchargedAfterCompaction = 0;
    this.evictedSinceCompaction = 0;
  }

  /**
   * The traces of one retention class to evict, oldest first, until the spans and bytes over the
   * caps are covered; never what this very batch added (`spared`) while older traces remain.
   */
  victims(oldestFirst: Iterable<Trace>, wanted: RetentionClass, classOf: (t: Trace) => RetentionClass, spared: Map<Trace, unknown>, caps: MemoryCaps): Trace[] {
    const victims: Trace[] = [];
    let excessSpans = this.spans - caps.maxSpans;
    let excessBytes = this.bytes - caps.maxBytes;
    for (const trace of oldestFirst) {
      if (excessSpans <= 0 && excessBytes <= 0) break;
      if (spared.has(trace) || classOf(trace) !== wanted) continue;
      victims.push(trace);
      excessSpans -= trace.spans.size;
      excessBytes -= trace.bytes;
    }
    return victims;
  }
}

/** A span's objects, attributes and events, by the MEMORY estimate (its text is charged apart). */
export function spanBytes(span: StoredSpan): number {
  let bytes = MEMORY.span;
  for (const key in span.attributes) bytes += MEMORY.attribute;
  for (const event of span.events) bytes += eventBytes(event);
  return bytes;
}

export function eventBytes(event: RawEvent): number {
  let bytes = MEMORY.event;
  for (const key in event.attributes) bytes += MEMORY.attribute;
  return bytes;
}
