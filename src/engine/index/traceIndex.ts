// Traces assembled from spans arriving in any order, across requests, services and protocols,
// with the indexes every query answers from: sorted by start, duration, tokens and cost;
// sets by service, model, session, user and error; a string table for text search.
import type { DetectorSettings, EngineStats, Span, SpanKind, TraceDetail, TraceQuery, TraceSummary } from '../../shared/spanModel';
import type { RawEvent, RawLog, RawSpan } from '../otlp/otlpTypes';
import type { PriceTable } from '../normalize/pricing';
import { normalizeSpan, spanStatus, StoredSpan } from '../normalize/normalizeSpan';
import { spanFacts } from '../normalize/spanFacts';
import { parseFilter } from '../../shared/traceFilter';
import type { RedactionPattern } from '../../shared/redaction';
import { Redactor } from '../normalize/redaction';
import { Detectors } from './detectors';
import { compileFilter } from './filterEval';
import { SortedIndex } from './sortedIndex';
import { StringTable } from './stringTable';

export interface Trace {
  readonly traceId: string;
  readonly spans: Map<string, StoredSpan>;
  summary: TraceSummary;
  /** False once evicted or cleared; stale postings in the string table check it. */
  live: boolean;
  /** Spans whose parent has not arrived (kept, and shown as roots). */
  orphans: number;
  /** What this trace is estimated to hold in memory (see MEMORY below)... */
  bytes: number;
  /** ...of which its share of the string table's text. */
  text: number;
}

type Facet = 'service' | 'model' | 'session' | 'user';

/** Log records that arrived before their span, and their share of the memory estimate. */
interface PendingLogs {
  events: RawEvent[];
  bytes: number;
  text: number;
}

export type RetentionClass = 'error' | 'slow' | 'normal';

export interface IndexLimits {
  /** Spans kept in memory; past it the oldest normal traces go first, then slow, then failed ones. */
  maxSpans?: number;
  /** The same, for the estimated bytes the traces hold: prompts of 100 KB fill memory long before a span count. */
  maxBytes?: number;
  /** A trace at least this long counts as slow (kept longer). */
  slowMs?: number;
  detectors?: DetectorSettings;
  /** Patterns masked in every span and log record as it arrives; none: redaction off. */
  redaction?: RedactionPattern[];
}

const DEFAULT_SLOW_MS = 2000;

/**
 * The memory estimate behind maxBytes, calibrated on `npm run bench`'s LLM-shaped spans: a span's
 * objects and ids, each attribute and event, each trace's summary and index entries, plus the text
 * of every distinct string, charged to the batch that brought it.
 */
const MEMORY = { span: 300, attribute: 60, event: 150, trace: 650 };

/** Log records kept while their span has not arrived yet. */
const MAX_PENDING_LOGS = 50_000;
/**
 * From this many spans a trace that keeps growing (a long agent run) is summarized again when it
 * is read, not with every batch: a summary walks all of a trace's spans.
 */
const SUMMARIZE_WHEN_READ = 2_000;
const DEFAULT_LIMIT = 50;
const MODEL_KINDS = new Set<SpanKind>(['LLM', 'EMBEDDING', 'RERANKER']);
/** Below this many candidates, sorting them beats walking a sort index with a filter. */
const SORT_CANDIDATES_BELOW = 4096;

export class TraceIndex {
  readonly strings = new StringTable<Trace>();
  private readonly traces = new Map<string, Trace>();
  private readonly byStart = new SortedIndex<Trace>();
  private readonly byDuration = new SortedIndex<Trace>();
  private readonly byTokens = new SortedIndex<Trace>();
  private readonly byCost = new SortedIndex<Trace>();
  private readonly errors = new Set<Trace>();
  private readonly facets: Record<Facet, Map<string, Set<Trace>>> = {
    service: new Map(), model: new Map(), session: new Map(), user: new Map(),
  };
  private readonly pendingLogs = new Map<string, PendingLogs>();
  /** Keys of the log records a span (or a waiting list) holds, built when a record first arrives for it. */
  private readonly logRecordKeys = new WeakMap<object, Set<string>>();
  private pendingLogCount = 0;
  private pendingLogBytes = 0;
  private spanCount = 0;
  private orphanCount = 0;
  private heldBytes = 0;
  /** The string table's text as of the last charge: what came after is the next batch's. */
  private textSeen = 0;
  /** The table's text that live traces and waiting log records account for. */
  private chargedText = 0;
  /** Table text nobody accounted for right after the last compaction (shared strings whose first trace went). */
  private unchargedAfterCompaction = 0;
  /** Traces evicted since the string table last dropped their strings. */
  private evictedSinceCompaction = 0;
  private readonly counters = { rejectedSpans: 0, evictedTraces: 0, receivedRequests: 0 };
  /** Large traces that grew since their summary was made (SUMMARIZE_WHEN_READ). */
  private readonly unsummarized = new Set<Trace>();

  /** Called after every change (spans, logs, eviction, clear); the engine server throttles it. */
  onChange: () => void = () => undefined;
  /** Counts changes, so answers computed from the whole index (reports) can be reused until the next. */
  version = 0;

  private changed(): void {
    this.version++;
    this.onChange();
  }

  /** Called with every batch of new spans (code links follow them). */
  onSpansAdded: (spans: StoredSpan[]) => void = () => undefined;
  /** Called when the memory cap evicted traces (the engine tells the user). */
  onEvicted: (traces: number, spans: number) => void = () => undefined;

  private readonly detectors = new Detectors();
  /** Set while redaction is on: what arrives is masked before anything indexes, shows or stores it. */
  redactor?: Redactor;

  constructor(private prices: PriceTable, private limits: IndexLimits = {}) {
    this.configure(prices, limits);
  }

  /** New prices, limits, detector and redaction settings; they apply to spans from now on. */
  configure(prices: PriceTable, limits: IndexLimits): void {
    this.prices = prices;
    this.limits = limits;
    if (limits.detectors) this.detectors.settings = limits.detectors;
    this.redactor = limits.redaction?.length ? new Redactor(limits.redaction) : undefined;
    // A lower cap applies at once, not with the next spans.
    this.dropPendingLogs(0);
    if (this.enforceMemoryCap(new Map())) this.changed();
  }

  get slowMs(): number {
    return this.limits.slowMs ?? DEFAULT_SLOW_MS;
  }

  /** Whether a trace is kept longer than normal ones (in memory and in the store). */
  retentionClass(summary: TraceSummary): RetentionClass {
    return summary.errorCount > 0 ? 'error' : summary.durationMs >= this.slowMs ? 'slow' : 'normal';
  }

  countRequest(rejectedSpans = 0): void {
    this.counters.receivedRequests++;
    this.counters.rejectedSpans += rejectedSpans;
  }

  addSpans(spans: RawSpan[]): void {
    this.redactor?.spans(spans);
    const touched = new Map<Trace, StoredSpan[]>();
    for (const raw of spans) {
      let trace = this.traces.get(raw.traceId);
      if (!trace) {
        trace = { traceId: raw.traceId, spans: new Map(), summary: emptySummary(raw.traceId), live: true, orphans: 0, bytes: 0, text: 0 };
        this.traces.set(raw.traceId, trace);
        this.charge(trace, MEMORY.trace, 0);
      }
      const stored = raw as StoredSpan;
      stored.facts = spanFacts(raw.attributes, raw.name, this.prices, raw);
      this.detectors.inspect(stored);
      const previous = trace.spans.get(raw.spanId);
      // A re-sent span replaces the first copy; logs attached to it carry over.
      if (previous) stored.events.push(...previous.events.filter((e) => e.fromLog));
      else {
        this.spanCount++;
        this.charge(trace, spanBytes(stored), 0);
      }
      const pending = this.takePendingLogs(raw.traceId, raw.spanId);
      if (pending) {
        stored.events.push(...pending.events);
        this.charge(trace, pending.bytes - pending.text, pending.text);
      }
      trace.spans.set(raw.spanId, stored);
      const list = touched.get(trace);
      if (list) list.push(stored);
      else touched.set(trace, [stored]);
    }
    for (const [trace, added] of touched) {
      this.postStrings(trace, added);
      if (trace.spans.size >= SUMMARIZE_WHEN_READ && trace.summary.spanCount > 0) this.unsummarized.add(trace);
      else this.refresh(trace);
    }
    const textPerSpan = spans.length ? this.newText() / spans.length : 0;
    for (const [trace, added] of touched) this.charge(trace, 0, added.length * textPerSpan);
    this.enforceMemoryCap(touched);
    this.compactIfStale();
    this.onSpansAdded(spans as StoredSpan[]);
    this.changed();
  }

  /** Text the string table took in since the last charge (a batch's new strings). */
  private newText(): number {
    const fresh = this.strings.heldTextBytes - this.textSeen;
    this.textSeen = this.strings.heldTextBytes;
    return Math.max(0, fresh);
  }

  /** What the memory cap counts: the traces held and the log records waiting for their span. */
  private get memoryBytes(): number {
    return this.heldBytes + this.pendingLogBytes;
  }

  private charge(trace: Trace, objects: number, text: number): void {
    trace.bytes += objects + text;
    trace.text += text;
    this.heldBytes += objects + text;
    this.chargedText += text;
  }

  /**
   * Evicted traces leave their strings in the table (search skips them), and so do log records
   * that never found their span: drop them once a quarter of the traces, or an eighth of the
   * memory cap in text nobody accounts for, is gone.
   */
  private compactIfStale(): void {
    const maxBytes = this.limits.maxBytes ?? Infinity;
    const uncharged = this.strings.heldTextBytes - this.chargedText;
    if (this.evictedSinceCompaction <= this.traces.size / 4 && uncharged - this.unchargedAfterCompaction <= maxBytes / 8) return;
    this.strings.compact((t) => t.live);
    this.textSeen = this.strings.heldTextBytes;
    this.unchargedAfterCompaction = Math.max(0, this.strings.heldTextBytes - this.chargedText);
    this.evictedSinceCompaction = 0;
  }

  /**
   * Evicts whole traces, oldest normal ones first, until the spans and the estimated bytes held
   * are both within their caps; says whether it evicted any.
   */
  private enforceMemoryCap(justAdded: Map<Trace, unknown>): boolean {
    const maxSpans = this.limits.maxSpans ?? Infinity;
    const maxBytes = this.limits.maxBytes ?? Infinity;
    const within = () => this.spanCount <= maxSpans && this.memoryBytes <= maxBytes;
    if (within()) return false;
    this.summarizeGrown(); // eviction goes by age and class
    const before = { traces: this.traces.size, spans: this.spanCount };
    for (const wanted of ['normal', 'slow', 'error'] as RetentionClass[]) {
      const victims: Trace[] = [];
      let excessSpans = this.spanCount - maxSpans;
      let excessBytes = this.memoryBytes - maxBytes;
      for (const trace of this.byStart.ascending()) {
        if (excessSpans <= 0 && excessBytes <= 0) break;
        // Never evict what this very batch added while older traces remain.
        if (justAdded.has(trace) || this.retentionClass(trace.summary) !== wanted) continue;
        victims.push(trace);
        excessSpans -= trace.spans.size;
        excessBytes -= trace.bytes;
      }
      for (const trace of victims) this.remove(trace);
      if (within()) break;
    }
    const evicted = before.traces - this.traces.size;
    if (evicted) this.onEvicted(evicted, before.spans - this.spanCount);
    return evicted > 0;
  }

  /** Drops a trace from every index. */
  private remove(trace: Trace): void {
    this.unsummarized.delete(trace);
    const { summary, traceId } = trace;
    this.traces.delete(traceId);
    this.byStart.remove(summary.startMs, traceId);
    this.byDuration.remove(summary.durationMs, traceId);
    this.byTokens.remove(summary.tokens.total, traceId);
    this.byCost.remove(summary.costUsd, traceId);
    this.errors.delete(trace);
    this.updateFacet('service', trace, summary.services, []);
    this.updateFacet('model', trace, summary.models, []);
    this.updateFacet('session', trace, summary.sessionId ? [summary.sessionId] : [], []);
    this.updateFacet('user', trace, summary.userId ? [summary.userId] : [], []);
    this.spanCount -= trace.spans.size;
    this.orphanCount -= trace.orphans;
    this.heldBytes -= trace.bytes;
    this.chargedText -= trace.text;
    this.evictedSinceCompaction++;
    trace.live = false;
    this.counters.evictedTraces++;
  }

  /** Attaches log records to their spans; returns how many had no span context to attach to. */
  addLogs(logs: RawLog[]): number {
    this.redactor?.logs(logs);
    // GenAI instrumentations send prompts as log records: they count against the memory cap too.
    const textPerLog = logs.length ? this.newText() / logs.length : 0;
    let unattached = 0;
    const touched = new Map<Trace, StoredSpan[]>();
    // Records alike in name, time and body are told apart by their order in the request: a chat
    // history logged at one instant may say "yes" twice.
    const alike = new Map<string, number>();
    for (const log of logs) {
      if (!log.traceId || !log.spanId) {
        unattached++;
        continue;
      }
      const key = nthAlike(alike, `${log.traceId}/${log.spanId}`, log.event);
      const trace = this.traces.get(log.traceId);
      const span = trace?.spans.get(log.spanId);
      if (trace && span) {
        // A record read again (a store reload, a re-imported file) is attached once.
        if (!this.isNewLogRecord(span, span.events, key)) continue;
        span.events.push(log.event);
        this.charge(trace, eventBytes(log.event), textPerLog);
        const list = touched.get(trace);
        if (list) list.push(span);
        else touched.set(trace, [span]);
      } else {
        this.keepPendingLog(`${log.traceId}/${log.spanId}`, log.event, key, eventBytes(log.event), textPerLog);
      }
    }
    for (const [trace, spans] of touched) this.postStrings(trace, spans);
    // Log records join traces that are already there: the oldest go first, whichever got them.
    const evicted = this.enforceMemoryCap(new Map());
    this.compactIfStale();
    if (touched.size || evicted) this.changed();
    return unattached;
  }

  /** Brings the summaries (and their places in the indexes) of large growing traces up to date. */
  private summarizeGrown(): void {
    for (const trace of this.unsummarized) this.refresh(trace);
    this.unsummarized.clear();
  }

  query(q: TraceQuery): TraceSummary[] {
    this.summarizeGrown();
    const limit = Math.max(1, Math.min(q.limit ?? DEFAULT_LIMIT, 10_000));
    const sort = q.sort ?? 'start';
    const sortIndex = { start: this.byStart, duration: this.byDuration, tokens: this.byTokens, cost: this.byCost }[sort];
    const filters: ((t: Trace) => boolean)[] = [];
    const candidateSets: Set<Trace>[] = [];
    const facetFilter = (facet: Facet, value: string | undefined) => {
      if (value === undefined || value === '') return;
      const set = this.facets[facet].get(value) ?? new Set<Trace>();
      candidateSets.push(set);
      filters.push((t) => set.has(t));
    };
    facetFilter('service', q.service);
    facetFilter('model', q.model);
    facetFilter('session', q.session);
    facetFilter('user', q.user);
    if (q.status === 'error') {
      candidateSets.push(this.errors);
      filters.push((t) => this.errors.has(t));
    }
    if (q.q) {
      const found = this.search(q.q);
      candidateSets.push(found);
      filters.push((t) => found.has(t));
    }
    if (q.filter) {
      const node = parseFilter(q.filter);
      if (node) filters.push(compileFilter(node, (text) => this.search(text)));
    }
    const minDuration = q.minDurationMs;
    if (minDuration !== undefined) filters.push((t) => t.summary.durationMs >= minDuration);
    const matches = (t: Trace) => filters.every((f) => f(t));

    const smallest = candidateSets.sort((a, b) => a.size - b.size)[0];
    const slowCount = minDuration === undefined ? Infinity : this.byDuration.countAtLeast(minDuration);
    let result: Trace[];
    if (smallest && smallest.size <= Math.min(SORT_CANDIDATES_BELOW, slowCount)) {
      result = sortTraces([...smallest].filter(matches), sort).slice(0, limit);
    } else if (minDuration !== undefined && sort !== 'duration' && slowCount <= SORT_CANDIDATES_BELOW) {
      result = sortTraces([...this.byDuration.descending(minDuration)].filter(matches), sort).slice(0, limit);
    } else {
      result = [];
      const floor = sort === 'duration' && minDuration !== undefined ? minDuration : -Infinity;
      for (const trace of sortIndex.descending(floor)) {
        if (matches(trace)) result.push(trace);
        if (result.length >= limit) break;
      }
    }
    return result.map((t) => t.summary);
  }

  trace(traceId: string): TraceDetail | undefined {
    this.summarizeGrown();
    const trace = this.traces.get(traceId.toLowerCase());
    if (!trace) return undefined;
    const spans = [...trace.spans.values()].sort((a, b) => a.startMs - b.startMs).map(normalizeSpan);
    return { summary: trace.summary, spans };
  }

  /** Live traces that started at or after a moment, newest first. */
  *tracesSince(sinceMs: number): Generator<Trace> {
    this.summarizeGrown();
    for (const trace of this.byStart.descending(sinceMs)) yield trace;
  }

  /** The live trace itself, its summary up to date. */
  traceOf(traceId: string): Trace | undefined {
    this.summarizeGrown();
    return this.traces.get(traceId);
  }

  /** The live trace as held, for parts of the engine that keep per-trace state beside the index
   *  and never read its summary (a summary may lag behind a large growing trace until read). */
  liveTrace(traceId: string): Trace | undefined {
    return this.traces.get(traceId);
  }

  /** One span, normalized (without normalizing the rest of its trace). */
  span(traceId: string, spanId: string): Span | undefined {
    const stored = this.traces.get(traceId.toLowerCase())?.spans.get(spanId);
    return stored && normalizeSpan(stored);
  }

  /** A trace's spans as received, for export. */
  rawSpans(traceId: string): RawSpan[] | undefined {
    const trace = this.traces.get(traceId.toLowerCase());
    return trace && [...trace.spans.values()].sort((a, b) => a.startMs - b.startMs);
  }

  stats(): EngineStats {
    this.summarizeGrown();
    return {
      traces: this.traces.size,
      spans: this.spanCount,
      errorTraces: this.errors.size,
      orphanSpans: this.orphanCount,
      pendingLogs: this.pendingLogCount,
      memoryBytes: Math.round(this.memoryBytes),
      ...this.counters,
    };
  }

  clear(): void {
    this.unsummarized.clear();
    for (const trace of this.traces.values()) trace.live = false;
    this.traces.clear();
    for (const index of [this.byStart, this.byDuration, this.byTokens, this.byCost]) index.clear();
    this.errors.clear();
    for (const facet of Object.values(this.facets)) facet.clear();
    this.strings.clear();
    this.pendingLogs.clear();
    this.pendingLogCount = 0;
    this.pendingLogBytes = 0;
    this.spanCount = 0;
    this.orphanCount = 0;
    this.heldBytes = 0;
    this.textSeen = 0;
    this.chargedText = 0;
    this.unchargedAfterCompaction = 0;
    this.counters.evictedTraces = 0;
    this.evictedSinceCompaction = 0;
    this.changed();
  }

  private search(text: string): Set<Trace> {
    const needle = text.toLowerCase();
    const pattern = new RegExp(needle.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'i');
    const found = this.strings.search((value) => pattern.test(value), (t) => t.live);
    // Ids are not strings in the table; let a pasted trace id find its trace too.
    const byId = this.traces.get(needle);
    if (byId) found.add(byId);
    return found;
  }

  /**
   * Makes the strings of these spans findable by text search. A string is posted once per trace:
   * the table skips an owner that posted it last (this trace's spans are posted together).
   */
  private postStrings(trace: Trace, spans: StoredSpan[]): void {
    const post = (v: unknown): void => {
      if (typeof v === 'string') this.strings.post(v, trace);
      else if (Array.isArray(v)) v.forEach(post);
      else if (v && typeof v === 'object') Object.values(v).forEach(post);
    };
    for (const span of spans) {
      this.strings.post(span.name, trace);
      for (const key in span.attributes) post(span.attributes[key]);
      for (const event of span.events) {
        this.strings.post(event.name, trace);
        for (const key in event.attributes) post(event.attributes[key]);
        post(event.body);
      }
    }
  }

  /**
   * Whether a log record (by its key: logRecordKey and its place among alike records) is not yet
   * among `events`: a store reload or a re-imported file sends it again. The keys of each span's
   * records are kept, so a check is one lookup, not a comparison with every record the span has.
   */
  private isNewLogRecord(owner: object, events: RawEvent[], key: string): boolean {
    let keys = this.logRecordKeys.get(owner);
    if (!keys) {
      const alike = new Map<string, number>();
      keys = new Set(events.filter((e) => e.fromLog).map((e) => nthAlike(alike, '', e)));
      this.logRecordKeys.set(owner, keys);
    }
    if (keys.has(key)) return false;
    keys.add(key);
    return true;
  }

  /**
   * Keeps a log record until its span arrives: at most MAX_PENDING_LOGS of them and an eighth of
   * the memory cap (records of spans that were sampled out never get theirs), oldest dropped first.
   */
  private keepPendingLog(spanKey: string, event: RawEvent, recordKey: string, objects: number, text: number): void {
    const bytes = objects + text;
    if (bytes > this.maxPendingBytes()) return; // would crowd out everything else
    const waiting = this.pendingLogs.get(spanKey);
    if (waiting && !this.isNewLogRecord(waiting, waiting.events, recordKey)) return;
    this.dropPendingLogs(bytes);
    const pending = this.pendingLogs.get(spanKey); // unless it was the oldest, and dropped
    if (pending) {
      pending.events.push(event);
      pending.bytes += bytes;
      pending.text += text;
    } else {
      this.pendingLogs.set(spanKey, { events: [event], bytes, text });
    }
    this.pendingLogCount++;
    this.pendingLogBytes += bytes;
    this.chargedText += text;
  }

  private maxPendingBytes(): number {
    return (this.limits.maxBytes ?? Infinity) / 8;
  }

  /** Drops the oldest waiting log records until `room` more bytes (and one more record) fit. */
  private dropPendingLogs(room: number): void {
    while (this.pendingLogs.size && (this.pendingLogCount >= MAX_PENDING_LOGS || this.pendingLogBytes + room > this.maxPendingBytes())) {
      // Oldest first: a Map iterates in insertion order.
      const [oldestKey, oldest] = this.pendingLogs.entries().next().value as [string, PendingLogs];
      this.pendingLogs.delete(oldestKey);
      this.pendingLogCount -= oldest.events.length;
      this.pendingLogBytes -= oldest.bytes;
      this.chargedText -= oldest.text;
    }
  }

  private takePendingLogs(traceId: string, spanId: string): PendingLogs | undefined {
    if (this.pendingLogCount === 0) return undefined;
    const key = `${traceId}/${spanId}`;
    const pending = this.pendingLogs.get(key);
    if (pending) {
      this.pendingLogs.delete(key);
      this.pendingLogCount -= pending.events.length;
      this.pendingLogBytes -= pending.bytes;
      this.chargedText -= pending.text; // charged again to the trace they join
    }
    return pending;
  }

  /** Recomputes a trace's summary (O(spans in the trace)) and moves it in every index. */
  private refresh(trace: Trace): void {
    const old = trace.summary;
    const next = summarize(trace);
    const findings = this.detectors.traceFindings(trace.spans);
    if (findings) next.findings = findings;
    const { traceId } = trace;
    const move = (index: SortedIndex<Trace>, before: number, after: number, isNew: boolean) => {
      if (!isNew && before === after) return;
      if (!isNew) index.remove(before, traceId);
      index.insert(after, traceId, trace);
    };
    const isNew = old.spanCount === 0;
    move(this.byStart, old.startMs, next.startMs, isNew);
    move(this.byDuration, old.durationMs, next.durationMs, isNew);
    move(this.byTokens, old.tokens.total, next.tokens.total, isNew);
    move(this.byCost, old.costUsd, next.costUsd, isNew);
    if (next.errorCount > 0) this.errors.add(trace);
    else this.errors.delete(trace);
    this.updateFacet('service', trace, old.services, next.services);
    this.updateFacet('model', trace, old.models, next.models);
    this.updateFacet('session', trace, old.sessionId ? [old.sessionId] : [], next.sessionId ? [next.sessionId] : []);
    this.updateFacet('user', trace, old.userId ? [old.userId] : [], next.userId ? [next.userId] : []);
    trace.summary = next;
    const orphans = countOrphans(trace);
    this.orphanCount += orphans - trace.orphans;
    trace.orphans = orphans;
  }

  private updateFacet(facet: Facet, trace: Trace, before: string[], after: string[]): void {
    const map = this.facets[facet];
    for (const value of before) {
      if (after.includes(value)) continue;
      const set = map.get(value);
      set?.delete(trace);
      if (set?.size === 0) map.delete(value);
    }
    for (const value of after) {
      let set = map.get(value);
      if (!set) map.set(value, (set = new Set()));
      set.add(trace);
    }
  }
}

/** A span's objects, attributes and events, by the MEMORY estimate (its text is charged apart). */
function spanBytes(span: StoredSpan): number {
  let bytes = MEMORY.span;
  for (const key in span.attributes) bytes += MEMORY.attribute;
  for (const event of span.events) bytes += eventBytes(event);
  return bytes;
}

function eventBytes(event: RawEvent): number {
  let bytes = MEMORY.event;
  for (const key in event.attributes) bytes += MEMORY.attribute;
  return bytes;
}

/**
 * A log record's key: logRecordKey, and how many alike records came before it in `alike` (per
 * span, the span's own records or one request's).
 */
function nthAlike(alike: Map<string, number>, span: string, event: RawEvent): string {
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

function emptySummary(traceId: string): TraceSummary {
  return {
    traceId, name: '', service: '', services: [], startMs: 0, durationMs: 0, spanCount: 0, status: 'unset', errorCount: 0,
    tokens: { input: 0, output: 0, total: 0 }, costUsd: 0, models: [],
  };
}

function sortTraces(traces: Trace[], sort: NonNullable<TraceQuery['sort']>): Trace[] {
  const key = (t: Trace) => sort === 'start' ? t.summary.startMs : sort === 'duration' ? t.summary.durationMs
    : sort === 'tokens' ? t.summary.tokens.total : t.summary.costUsd;
  return traces.sort((a, b) => key(b) - key(a) || (a.traceId < b.traceId ? 1 : -1));
}

/**
 * A trace's summary. Tokens and cost count only spans with usage and no descendant with usage,
 * so a wrapper (ai.generateText, a framework chain) and its provider call are not added twice.
 */
export function summarize(trace: Trace): TraceSummary {
  const spans = [...trace.spans.values()];
  let start = Infinity;
  let end = -Infinity;
  let errorCount = 0;
  let anyOk = false;
  const services = new Set<string>();
  const models = new Set<string>();
  const hasUsageBelow = new Set<string>();
  for (const span of spans) {
    start = Math.min(start, span.startMs);
    end = Math.max(end, span.endMs);
    if (span.statusCode === 2) errorCount++;
    if (span.statusCode === 1) anyOk = true;
    services.add(span.resource.service);
    // Models come from the calls themselves; a wrapper names only the model it asked for.
    if (span.facts.model && MODEL_KINDS.has(span.facts.kind)) models.add(span.facts.model);
    if (span.facts.tokens || span.facts.costUsd !== undefined) markAncestors(trace, span, hasUsageBelow);
  }
  const tokens = { input: 0, output: 0, total: 0 };
  let costUsd = 0;
  for (const span of spans) {
    if (hasUsageBelow.has(span.spanId)) continue;
    const t = span.facts.tokens;
    if (t) {
      tokens.input += t.input ?? 0;
      tokens.output += t.output ?? 0;
      tokens.total += t.total ?? 0;
    }
    costUsd += span.facts.costUsd ?? 0;
  }
  if (models.size === 0) for (const span of spans) if (span.facts.model) models.add(span.facts.model);
  const root = pickRoot(trace, spans);
  let slowest: StoredSpan | undefined;
  let firstError: StoredSpan | undefined;
  for (const span of spans) {
    if (span !== root && (!slowest || span.endMs - span.startMs > slowest.endMs - slowest.startMs)) slowest = span;
    // A parent that failed because a child did usually says less than the child: prefer a span
    // that tells why (a status message or an exception), then the earliest.
    if (span.statusCode === 2 && (!firstError || tellsWhy(span) > tellsWhy(firstError)
      || (tellsWhy(span) === tellsWhy(firstError) && span.startMs < firstError.startMs))) firstError = span;
  }
  const sessionSpan = spans.find((s) => s.facts.sessionId);
  const userSpan = spans.find((s) => s.facts.userId);
  return {
    traceId: trace.traceId,
    name: root.name,
    service: root.resource.service,
    services: [...services],
    startMs: start,
    durationMs: Math.max(0, end - start),
    spanCount: spans.length,
    status: errorCount > 0 ? 'error' : anyOk ? 'ok' : spanStatus(root.statusCode),
    errorCount,
    tokens,
    costUsd,
    models: [...models],
    sessionId: sessionSpan?.facts.sessionId,
    userId: userSpan?.facts.userId,
    slowestStep: slowest && { name: slowest.name, durationMs: slowest.endMs - slowest.startMs },
    errorMessage: firstError && errorMessageOf(firstError),
  };
}

function tellsWhy(span: StoredSpan): number {
  return span.statusMessage || span.events.some((e) => e.name === 'exception') ? 1 : 0;
}

function errorMessageOf(span: StoredSpan): string {
  const exception = span.events.find((e) => e.name === 'exception')?.attributes;
  const fromException = exception && [exception['exception.type'], exception['exception.message']].filter((v) => typeof v === 'string').join(': ');
  return span.statusMessage || fromException || `${span.name} failed`;
}

function countOrphans(trace: Trace): number {
  let n = 0;
  for (const span of trace.spans.values()) if (span.parentSpanId && !trace.spans.has(span.parentSpanId)) n++;
  return n;
}

/** Marks every known ancestor of a span, stopping at a cycle or an unknown parent. */
function markAncestors(trace: Trace, span: StoredSpan, marked: Set<string>): void {
  let parentId = span.parentSpanId;
  let steps = 0;
  while (parentId && steps++ < trace.spans.size) {
    if (marked.has(parentId)) return;
    marked.add(parentId);
    parentId = trace.spans.get(parentId)?.parentSpanId;
  }
}

/** The root span; where the root never arrived, the earliest orphan stands in. */
function pickRoot(trace: Trace, spans: StoredSpan[]): StoredSpan {
  let best: StoredSpan | undefined;
  for (const span of spans) {
    const isRoot = !span.parentSpanId;
    const isOrphan = !isRoot && !trace.spans.has(span.parentSpanId!);
    if (!isRoot && !isOrphan) continue;
    if (!best || (isRoot && best.parentSpanId) || (!!best.parentSpanId === !isRoot && span.startMs < best.startMs)) best = span;
  }
  return best ?? spans[0];
}
