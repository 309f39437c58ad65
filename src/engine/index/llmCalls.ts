// Every LLM call across the loaded traces, as rows of one table, sorted and filtered in the
// engine so the webview only ever holds a page. A call is a span of kind LLM with no LLM call
// inside it: a wrapper (ai.generateText, a framework's chat step) and its provider call count once.
import { type CallSort, type CallsPage, type CallsQuery, type LlmCallRow } from '../../shared/sessionModel';
import type { Message, Span } from '../../shared/spanModel';
import { spanStatus, type StoredSpan } from '../model/storedSpan';
import type { Trace } from '../model/traceSummary';
import { normalizeSpan } from '../normalize/normalizeSpan';
import { SlotOrders, type SlotSource, type SortValue } from './slotOrders';
import type { TraceIndex } from './traceIndex';

const PROMPT_START_CHARS = 120;
const DEFAULT_PAGE = 200;
const MAX_PAGE = 2000;

/** The LLM calls of a trace, earliest first. */
export function llmCallSpans(trace: Trace): StoredSpan[] {
  const hasCallBelow = new Set<string>();
  for (const span of trace.spans.values()) {
    if (span.facts.kind !== 'LLM') continue;
    // Walk up at most the trace's size: parent cycles in hostile input end there.
    let parentId = span.parentSpanId;
    for (let steps = 0; parentId && steps < trace.spans.size && !hasCallBelow.has(parentId); steps++) {
      hasCallBelow.add(parentId);
      parentId = trace.spans.get(parentId)?.parentSpanId;
    }
  }
  const calls: StoredSpan[] = [];
  for (const span of trace.spans.values()) if (span.facts.kind === 'LLM' && !hasCallBelow.has(span.spanId)) calls.push(span);
  return calls.sort((a, b) => a.startMs - b.startMs);
}

/** The message a prompt is about: the latest the user wrote, else the latest of any role. */
export function latestUserMessage(messages: Message[] | undefined): Message | undefined {
  if (!messages?.length) return undefined;
  for (let i = messages.length - 1; i >= 0; i--) if (messages[i].role === 'user') return messages[i];
  return messages[messages.length - 1];
}

export function firstWords(text: string | undefined, chars = PROMPT_START_CHARS): string | undefined {
  if (!text) return undefined;
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > chars ? `${flat.slice(0, chars - 1)}…` : flat || undefined;
}

/** A call as a row of the table; `promptSource`: where the engine says its prompt comes from. */
export function callRow(stored: StoredSpan, promptSource: string | undefined): LlmCallRow {
  const span = normalizeSpan(stored);
  const { tokens } = stored.facts;
  return {
    traceId: stored.traceId, spanId: stored.spanId, name: stored.name, startMs: stored.startMs, durationMs: stored.endMs - stored.startMs,
    model: stored.facts.model, promptSource, promptStart: firstWords(latestUserMessage(span.inputMessages)?.content),
    inputTokens: tokens?.input, outputTokens: tokens?.output, cachedTokens: tokens?.cacheRead, timeToFirstTokenMs: span.timeToFirstTokenMs,
    costUsd: stored.facts.costUsd, status: spanStatus(stored.statusCode), sessionId: stored.facts.sessionId,
  };
}

type SortKey = (row: LlmCallRow) => SortValue;
const SORT_KEYS: Record<CallSort, SortKey> = {
  start: (r) => r.startMs, duration: (r) => r.durationMs, cost: (r) => r.costUsd, input_tokens: (r) => r.inputTokens,
  output_tokens: (r) => r.outputTokens, cached_tokens: (r) => r.cachedTokens, ttft: (r) => r.timeToFirstTokenMs,
  model: (r) => r.model?.toLowerCase(), prompt_source: (r) => r.promptSource, status: (r) => r.status,
};

interface Entry {
  trace: Trace;
  span: StoredSpan;
  row: LlmCallRow;
  /** Where the table keeps it: a number that never changes while the call is live (until a renumbering). */
  slot: number;
}

/** Which calls a filter matched, by slot; calls added since are tested when next asked. */
interface FilterMatches {
  matches: Uint8Array;
  covered: number;
}

/** Filters remembered by their text (the table's recent ones: typing, then going back). */
const REMEMBERED_FILTERS = 16;
/** Dead slots are renumbered away once there are this many, and more than live ones. */
const RENUMBER_AFTER = 4096;

/**
 * The calls table's engine side. Rows are made once per span (a trace that changes gets new ones)
 * and kept in slots; each column's sort order and each filter's matches are computed once and
 * brought up to date with the calls that arrive, so a sort, a filter and a page cost a walk over
 * the slots, not a sort or a filter of every call.
 */
export class LlmCalls {
  private readonly rowsOf = new WeakMap<Trace, { summary: Trace['summary']; entries: Entry[] }>();
  private slots: Entry[] = [];
  private live: Uint8Array = new Uint8Array(1024);
  private liveCount = 0;
  /** The entries each live trace has in the slots. */
  private entriesByTrace = new Map<Trace, Entry[]>();
  private syncedVersion = -1;
  /** Bumps whenever a call is added or goes: the key of the last answer. */
  private changes = 0;
  private readonly orders: SlotOrders<CallSort>;
  private readonly filters = new Map<string, FilterMatches>();
  private last?: { key: string; slots: Uint32Array };

  constructor(private readonly index: TraceIndex) {
    const table = this;
    const source: SlotSource = {
      get slotCount() { return table.slots.length; },
      isLive: (slot) => this.live[slot] === 1,
      start: (slot) => this.slots[slot].row.startMs,
    };
    this.orders = new SlotOrders(source, 'start', (column: CallSort, slot) => SORT_KEYS[column](this.slots[slot].row));
  }

  page(query: CallsQuery): CallsPage {
    const slots = this.sorted(query);
    const offset = Math.max(0, Math.min(query.offset ?? 0, slots.length));
    const limit = Math.max(1, Math.min(query.limit ?? DEFAULT_PAGE, MAX_PAGE));
    return { total: slots.length, offset, calls: Array.from(slots.subarray(offset, offset + limit), (slot) => this.slots[slot].row) };
  }

  /** The calls of a trace (cached with the trace's summary). */
  entriesOf(trace: Trace): Entry[] {
    const cached = this.rowsOf.get(trace);
    if (cached && cached.summary === trace.summary) return cached.entries;
    const entries = llmCallSpans(trace).map((span) => {
      const row = callRow(span, this.index.promptSourceOf(span));
      // The session is often recorded on the app's root span only.
      row.sessionId ??= trace.summary.sessionId;
      return { trace, span, row, slot: -1 };
    });
    this.rowsOf.set(trace, { summary: trace.summary, entries });
    return entries;
  }

  private sorted(query: CallsQuery): Uint32Array {
    this.sync();
    const sort = query.sort ?? 'start';
    const order = query.order ?? 'desc';
    const key = `${this.changes}\u0000${query.filter ?? ''}\u0000${sort}\u0000${order}`;
    if (this.last?.key === key) return this.last.slots;
    const matches = query.filter ? this.matches(query.filter) : undefined;
    const slots = this.orders.ordered(sort, order === 'desc', matches && ((slot) => matches[slot] === 1));
    this.last = { key, slots };
    return slots;
  }

  /** Which slots a filter matches, tested once per call and remembered by the filter's text. */
  private matches(filter: string): Uint8Array {
    let remembered = this.filters.get(filter);
    if (remembered) this.filters.delete(filter);
    else remembered = { matches: new Uint8Array(this.slots.length), covered: 0 };
    this.filters.set(filter, remembered);
    if (this.filters.size > REMEMBERED_FILTERS) this.filters.delete(this.filters.keys().next().value!);
    if (remembered.covered < this.slots.length) {
      const test = this.index.spanFilter(filter);
      if (remembered.matches.length < this.slots.length) remembered.matches = grown(remembered.matches, this.slots.length);
      for (let slot = remembered.covered; slot < this.slots.length; slot++) {
        const { trace, span } = this.slots[slot];
        if (this.live[slot] === 1 && test(trace, span)) remembered.matches[slot] = 1;
      }
      remembered.covered = this.slots.length;
    }
    return remembered.matches;
  }

  /** Brings the slots up to date with the index: calls of new or changed traces in, those of changed or gone ones out. */
  private sync(): void {
    if (this.syncedVersion === this.index.version) return;
    const current = new Map<Trace, Entry[]>();
    for (const trace of this.index.tracesSince(-Infinity)) {
      const entries = this.entriesOf(trace);
      current.set(trace, entries);
      const before = this.entriesByTrace.get(trace);
      if (before === entries) continue;
      if (before) this.retire(before);
      this.add(entries);
    }
    for (const [trace, entries] of this.entriesByTrace) if (!current.has(trace)) this.retire(entries);
    this.entriesByTrace = current;
    this.syncedVersion = this.index.version;
    const dead = this.slots.length - this.liveCount;
    if (dead > RENUMBER_AFTER && dead > this.liveCount) this.renumber();
  }

  private add(entries: Entry[]): void {
    if (!entries.length) return;
    if (this.live.length < this.slots.length + entries.length) this.live = grown(this.live, this.slots.length + entries.length);
    for (const entry of entries) {
      entry.slot = this.slots.length;
      this.slots.push(entry);
      this.live[entry.slot] = 1;
    }
    this.liveCount += entries.length;
    this.changes++;
  }

  private retire(entries: Entry[]): void {
    for (const entry of entries) this.live[entry.slot] = 0;
    this.liveCount -= entries.length;
    if (entries.length) this.changes++;
  }

  /** Live calls get slots 0..n-1 again; orders and filters start over. */
  private renumber(): void {
    const live = this.slots.filter((entry) => this.live[entry.slot] === 1);
    this.slots = [];
    this.live = new Uint8Array(Math.max(1024, live.length));
    this.liveCount = 0;
    this.add(live);
    this.orders.clear();
    this.filters.clear();
  }
}

function grown(bytes: Uint8Array, atLeast: number): Uint8Array {
  const next = new Uint8Array(Math.max(atLeast, bytes.length * 2));
  next.set(bytes);
  return next;
}
