// Log records that arrived before their span (GenAI instrumentations send prompts as log
// records, often ahead of the span), kept until it comes, and the keys that make a record read
// twice (a store reload, a re-imported file) attach once.
import type { RawEvent } from '../model/rawSpan';

/** Log records kept while their span has not arrived yet. */
export const MAX_PENDING_LOGS = 50_000;

/** The records waiting for one span, and their share of the memory estimate. */
export interface WaitingLogs {
  events: RawEvent[];
  bytes: number;
  text: number;
}

export class PendingLogs {
  private readonly waiting = new Map<string, WaitingLogs>();
  /** Keys of the log records a span (or a waiting list) holds, built when a record first arrives for it. */
  private readonly recordKeys = new WeakMap<object, Set<string>>();
  count = 0;
  /** Estimated bytes the waiting records hold (they count against the memory cap)... */
  bytes = 0;
  /** ...of which string-table text. */
  text = 0;
  /** At most this many bytes wait: an eighth of the memory cap (records of spans sampled out never get theirs). */
  maxBytes = Infinity;

  /**
   * Whether a log record (by its key, see nthAlike) is not yet among `events`. The keys of each
   * owner's records are kept, so a check is one lookup, not a comparison with every record it has.
   */
  isNew(owner: object, events: RawEvent[], key: string): boolean {
    let keys = this.recordKeys.get(owner);
    if (!keys) {
      const alike = new Map<string, number>();
      keys = new Set(events.filter((e) => e.fromLog).map((e) => nthAlike(alike, '', e)));
      this.recordKeys.set(owner, keys);
    }
    if (keys.has(key)) return false;
    keys.add(key);
    return true;
  }

  /** Keeps a record until its span arrives, dropping the oldest waiting ones to make room. */
  keep(spanKey: string, event: RawEvent, recordKey: string, objects: number, text: number): void {
    const bytes = objects + text;
    if (bytes > this.maxBytes) return; // would crowd out everything else
    const waiting = this.waiting.get(spanKey);
    if (waiting && !this.isNew(waiting, waiting.events, recordKey)) return;
    this.drop(bytes);
    const pending = this.waiting.get(spanKey); // unless it was the oldest, and dropped
    if (pending) {
      pending.events.push(event);
      pending.bytes += bytes;
      pending.text += text;
    } else {
      this.waiting.set(spanKey, { events: [event], bytes, text });
    }
    this.count++;
    this.bytes += bytes;
    this.text += text;
  }

  /** Drops the oldest waiting records until `room` more bytes (and one more record) fit. */
  drop(room: number): void {
    while (this.waiting.size && (this.count >= MAX_PENDING_LOGS || this.bytes + room > this.maxBytes)) {
      // Oldest first: a Map iterates in insertion order.
      const [oldestKey, oldest] = this.waiting.entries().next().value as [string, WaitingLogs];
      this.forget(oldestKey, oldest);
    }
  }

  /** The records waiting for this span, handed over (no longer counted here). */
  take(traceId: string, spanId: string): WaitingLogs | undefined {
    if (this.count === 0) return undefined;
    const key = `${traceId}/${spanId}`;
    const pending = this.waiting.get(key);
    if (pending) this.forget(key, pending);
    return pending;
  }

  clear(): void {
    this.waiting.clear();
    this.count = 0;
    this.bytes = 0;
    this.text = 0;
  }

  private forget(key: string, logs: WaitingLogs): void {
    this.waiting.delete(key);
    this.count -= logs.events.length;
    this.bytes -= logs.bytes;
    this.text -= logs.text;
  }
}

/**
 * A log record's key: logRecordKey, and how many alike records came before it in `alike` (per
 * span, the span's own records or one request's). Records alike in name, time and body are told
 * apart by their order: a chat history logged at one instant may say "yes" twice.
 */
export function nthAlike(alike: Map<string, number>, span: string, event: RawEvent): string {
  const base = logRecordKey(event);
  const place = `${span}\u0000${base}`;
  const nth = alike.get(place) ?? 0;
  alike.set(place, nth + 1);
  return `${base}\u0000${nth}`;
}

/** What tells one log record from another: its name, time and body (the body by a 53-bit hash). */
function logRecordKey(event: RawEvent): string {
  const body = typeof event.body === 'string' ? `s${hash53(event.body)}` : `j${hash53(JSON.stringify(event.body) ?? '')}`;
  return `${event.name}\u0000${event.timeMs}\u0000${body}`;
}

/** cyrb53: a fast string hash with 53 bits, so two different bodies practically never collide. */
function hash53(text: string): number {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
}
