// Traces assembled from spans (and log records) arriving in any order, across requests, services
// and protocols. The parts each do one job: model/traceSummary.ts summarizes a trace,
// traceIndexes.ts keeps the sorted and facet indexes and plans queries, memoryAccount.ts counts
// what memory holds and picks what to evict, pendingLogs.ts keeps log records waiting for their span.
import type { DetectorSettings, EngineStats, Span, TraceDetail, TraceQuery, TraceSummary } from '../../shared/spanModel';
import type { RawEvent, RawLog, RawSpan } from '../model/rawSpan';
import { pushAll } from '../../shared/arrays';
import type { StoredSpan } from '../model/storedSpan';
import { StringTable } from '../model/stringTable';
import { countOrphans, newTrace, summarize, type Trace } from '../model/traceSummary';
import type { PriceTable } from '../normalize/pricing';
import { normalizeSpan } from '../normalize/normalizeSpan';
import { changesFactsOf, spanFacts } from '../normalize/spanFacts';
import { parseFilter } from '../../shared/traceFilter';
import type { RedactionPattern } from '../../shared/redaction';
import { Redactor } from '../normalize/redaction';
import { Detectors } from './detectors';
import { compileFilter, compileSpanFilter } from './filterEval';
import { EVICTION_ORDER, eventBytes, MEMORY, MemoryAccount, type MemoryCaps, type RetentionClass, spanBytes } from './memoryAccount';
import { assembleFromLogs, OpenCalls, SessionPrompts, type AssemblyState } from './assembledTraces';
import { nthAlike, PendingLogs } from './pendingLogs';
import { type PromptSourceOf, recordedPromptSource } from './promptSource';
import { findTextMatch, searchedText } from './textMatch';
import { traceGist } from './traceGist';
import { TraceIndexes } from './traceIndexes';
import { DEFAULT_GRACE_MS, Doctor } from './doctor/doctor';

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
  /** How long a trace stays quiet before Trace Doctor counts missing parents and log records as lost. */
  doctorGraceMs?: number;
}

const DEFAULT_SLOW_MS = 2000;

/**
 * From this many spans a trace that keeps growing (a long agent run) is summarized again when it
 * is read, not with every batch: a summary walks all of a trace's spans.
 */
const SUMMARIZE_WHEN_READ = 2_000;

export class TraceIndex {
  readonly strings = new StringTable<Trace>();
  private readonly traces = new Map<string, Trace>();
  private readonly indexes = new TraceIndexes();
  private readonly pendingLogs = new PendingLogs();
  /** What assembling coding agents' records keeps across requests (assembledTraces.ts). */
  private readonly assembly: AssemblyState = { sessionPrompts: new SessionPrompts(), openCalls: new OpenCalls() };
  private readonly memory = new MemoryAccount(this.strings, this.pendingLogs);
  private orphanCount = 0;
  private readonly counters = { rejectedSpans: 0, evictedTraces: 0, receivedRequests: 0 };
  /** Large traces that grew since their summary was made (SUMMARIZE_WHEN_READ). */
  private readonly unsummarized = new Set<Trace>();
  /** Spans that log records attached to which already have a message event (changesFacts). */
  private readonly hasMessageEvent = new WeakSet<StoredSpan>();
  /** A lower byte cap while the engine's heap holds more than the estimate says (heapGuard.ts). */
  private heapMaxBytes = Infinity;

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
  /** Where an LLM span's prompt comes from (the filter's prompt_source, the Steps view's groups); the engine adds the code links' answer. */
  promptSourceOf: PromptSourceOf = recordedPromptSource;

  private readonly detectors = new Detectors();
  /** Trace Doctor: why traces look wrong, found when read, per service as they settle. */
  readonly doctor = new Doctor({
    startedBetween: (maxStartMs, minStartMs) => this.indexes.byStart.descendingBetween(maxStartMs, minStartMs),
  });
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
    this.doctor.graceMs = limits.doctorGraceMs ?? DEFAULT_GRACE_MS;
    this.applyByteCap();
  }

  /** A lower byte cap applies at once, not with the next spans; log records waiting for their span keep to an eighth of it. */
  private applyByteCap(): void {
    this.pendingLogs.maxBytes = this.caps().maxBytes / 8;
    this.pendingLogs.drop(0);
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

  /**
   * Indexes spans; returns why each span that could not be indexed was refused (counted as
   * rejected). A span the index fails on is refused alone: the others of its batch are indexed,
   * listed and accounted as usual, and nothing of it stays behind. `masked`: already masked
   * with this index's redaction patterns (off the event loop), not masked again.
   */
  addSpans(spans: RawSpan[], options: { masked?: boolean } = {}): string[] {
    if (!options.masked) this.redactor?.spans(spans);
    const refused: string[] = [];
    const touched = new Map<Trace, StoredSpan[]>();
    const added: StoredSpan[] = [];
    for (const raw of spans) {
      const stored = raw as StoredSpan;
      // A re-sent span replaces the first copy; logs attached to it carry over. They and the
      // log records that waited for the span are its events before its facts are computed.
      let trace = this.traces.get(raw.traceId);
      const previous = trace?.spans.get(raw.spanId);
      if (previous) pushAll(stored.events, previous.events.filter((e) => e.fromLog));
      const pending = this.pendingLogs.take(raw.traceId, raw.spanId);
      if (pending) pushAll(stored.events, pending.events);
      try {
        // What depends on the span's content comes first, before anything is changed.
        stored.facts = spanFacts(raw.attributes, raw.name, this.prices, raw);
        this.detectors.inspect(stored);
      } catch (error) {
        refused.push(`a span could not be indexed: ${(error as Error).name}: ${(error as Error).message}`);
        delete (stored as Partial<StoredSpan>).facts; // marks it refused (the store leaves it out)
        continue;
      }
      if (!trace) {
        trace = newTrace(raw.traceId);
        this.traces.set(raw.traceId, trace);
        this.memory.charge(trace, MEMORY.trace, 0);
      }
      if (!previous) {
        this.memory.spans++;
        this.memory.charge(trace, spanBytes(stored), 0);
      }
      if (pending) this.memory.charge(trace, pending.bytes - pending.text, pending.text);
      trace.spans.set(raw.spanId, stored);
      added.push(stored);
      const list = touched.get(trace);
      if (list) list.push(stored);
      else touched.set(trace, [stored]);
    }
    for (const [trace, addedToTrace] of touched) {
      trace.revision++;
      for (const span of addedToTrace) span.revision = trace.revision;
      this.doctor.changed(trace);
      this.postStrings(trace, addedToTrace);
      if (trace.spans.size >= SUMMARIZE_WHEN_READ && trace.summary.spanCount > 0) this.unsummarized.add(trace);
      else this.refreshOrDrop(trace, refused);
    }
    const textPerSpan = added.length ? this.memory.newText() / added.length : 0;
    for (const [trace, addedToTrace] of touched) if (trace.live) this.memory.charge(trace, 0, addedToTrace.length * textPerSpan);
    this.enforceMemoryCap(touched);
    this.memory.compactIfStale(this.traces.size, this.caps().maxBytes);
    this.onSpansAdded(added);
    this.changed();
    return refused;
  }

  /**
   * refresh(), and if summarizing the trace fails (content no check foresaw), the trace is
   * dropped whole rather than kept outside the indexes, where it could never be listed or evicted.
   */
  private refreshOrDrop(trace: Trace, refused: string[]): void {
    try {
      this.refresh(trace);
    } catch (error) {
      refused.push(`a trace could not be summarized: ${(error as Error).name}: ${(error as Error).message}`);
      this.indexes.place(trace, trace.summary, trace.summary);
      this.remove(trace);
      this.counters.evictedTraces--; // dropped, not evicted
    }
  }

  private caps(): MemoryCaps {
    return { maxSpans: this.limits.maxSpans ?? Infinity, maxBytes: Math.min(this.limits.maxBytes ?? Infinity, this.heapMaxBytes) };
  }

  /** What the memory cap counts now: the traces held and the log records waiting for their span. */
  get estimatedBytes(): number {
    return this.memory.bytes;
  }

  /** The byte cap the engine's heap allows (heapGuard.ts); it applies at once where lower than the configured one. */
  limitForHeap(maxBytes: number): void {
    this.heapMaxBytes = maxBytes;
    this.applyByteCap();
  }

  /**
   * Evicts whole traces, oldest normal ones first, until the spans and the estimated bytes held
   * are both within their caps; says whether it evicted any.
   */
  private enforceMemoryCap(justAdded: Map<Trace, unknown>): boolean {
    const caps = this.caps();
    if (this.memory.within(caps)) return false;
    this.summarizeGrown(); // eviction goes by age and class
    const before = { traces: this.traces.size, spans: this.memory.spans };
    const classOf = (t: Trace) => this.retentionClass(t.summary);
    // The batch just added is spared while older traces remain; a batch over the caps on its own
    // (a large stored request replayed whole) then gives up its oldest traces too, not at the next batch.
    for (const spared of [justAdded, new Map<Trace, unknown>()]) {
      for (const wanted of EVICTION_ORDER) {
        for (const trace of this.memory.victims(this.indexes.byStart.ascending(), wanted, classOf, spared, caps)) this.remove(trace);
        if (this.memory.within(caps)) break;
      }
      if (this.memory.within(caps)) break;
    }
    const evicted = before.traces - this.traces.size;
    if (evicted) this.onEvicted(evicted, before.spans - this.memory.spans);
    return evicted > 0;
  }

  /** Drops a trace from every index. */
  private remove(trace: Trace): void {
    this.unsummarized.delete(trace);
    this.traces.delete(trace.traceId);
    this.indexes.remove(trace);
    this.memory.release(trace);
    this.doctor.forget(trace);
    this.orphanCount -= trace.orphans;
    trace.live = false;
    this.counters.evictedTraces++;
  }

  /**
   * Attaches log records to their spans, and makes coding agents' records without span context
   * into traces of their own (assembledTraces.ts); returns how many records were not kept (no
   * span context, and no agent's prompt to assemble them into; or the index refused their span).
   * `masked`: as addSpans'.
   */
  addLogs(logs: RawLog[], options: { masked?: boolean } = {}): number {
    if (!options.masked) this.redactor?.logs(logs);
    // GenAI instrumentations send prompts as log records: they count against the memory cap too.
    const textPerLog = logs.length ? this.memory.newText() / logs.length : 0;
    const assembled = assembleFromLogs(logs, (traceId, spanId) => this.traces.get(traceId)?.spans.get(spanId), this.assembly);
    let notKept = assembled.unattached;
    if (assembled.spans.length && this.addSpans(assembled.spans, options).length) {
      // A refused span's record is not kept (a root is no record: its records are counted below).
      for (const span of assembled.spans) if (span.parentSpanId && !this.traces.get(span.traceId)?.spans.has(span.spanId)) notKept++;
    }
    const assembledAttach = new Set(assembled.attach);
    for (const root of assembled.widened) {
      const trace = this.traces.get(root.traceId);
      if (!trace) continue;
      this.unsummarized.add(trace);
      // Its times changed: a trace view's next delta carries it.
      root.revision = ++trace.revision;
    }
    const touched = new Map<Trace, RawEvent[]>();
    /** Spans given a record that changes their facts (kind, model, usage), once each. */
    const refacted = new Set<StoredSpan>();
    const alike = new Map<string, number>();
    for (const log of assembled.attach.length || assembled.answers.length ? [...logs, ...assembled.attach, ...assembled.answers] : logs) {
      if (!log.traceId || !log.spanId) continue; // assembled, or counted as not kept
      const key = nthAlike(alike, `${log.traceId}/${log.spanId}`, log.event);
      const trace = this.traces.get(log.traceId);
      const span = trace?.spans.get(log.spanId);
      if (trace && span) {
        // A record read again (a store reload, a re-imported file) is attached once.
        if (!this.pendingLogs.isNew(span, span.events, key)) continue;
        if (this.changesFacts(span, log.event)) refacted.add(span);
        span.events.push(log.event);
        span.revision = trace.revision + 1;
        this.memory.charge(trace, eventBytes(log.event), textPerLog);
        // Only the new records' strings are posted: posting the span's every record again for
        // each new one made 20,000 records for one span quadratic.
        const list = touched.get(trace);
        if (list) list.push(log.event);
        else touched.set(trace, [log.event]);
      } else if (assembledAttach.has(log)) {
        notKept++; // its root was refused: nothing will come for it to wait for
      } else {
        this.pendingLogs.keep(`${log.traceId}/${log.spanId}`, log.event, key, eventBytes(log.event), textPerLog);
      }
    }
    for (const span of refacted) {
      const before = span.facts;
      try {
        span.facts = spanFacts(span.attributes, span.name, this.prices, span);
        // Repeated calls, context bloat, spikes and invalid usage follow the new kind and usage.
        this.detectors.inspect(span);
      } catch {
        // The facts it had stand (they were computed from the same attributes at ingest).
        span.facts = before;
      }
    }
    for (const [trace, events] of touched) {
      trace.revision++;
      this.doctor.changed(trace);
      for (const event of events) this.postEvent(trace, event);
      // Totals, kinds and the trace's gist (its root's prompt and answer, which records can bring)
      // follow when the trace is next read: summarizing with every request made records sent one
      // request at a time quadratic (the gist reads all of the root's records).
      this.unsummarized.add(trace);
    }
    // Log records join traces that are already there: the oldest go first, whichever got them.
    const evicted = this.enforceMemoryCap(new Map());
    this.memory.compactIfStale(this.traces.size, this.caps().maxBytes);
    if (touched.size || evicted || assembled.widened.length) this.changed();
    return notKept;
  }

  /**
   * Whether attaching this record changes the span's facts: it brings the first message event
   * (kind), or a details event with a model or usage (the latest wins). Whether a span has a
   * message event is scanned once and then kept, so records trickling in one by one stay linear.
   */
  private changesFacts(span: StoredSpan, event: RawEvent): boolean {
    const change = changesFactsOf(event);
    if (!change) return false;
    if (change === 'always') {
      this.hasMessageEvent.add(span);
      return true;
    }
    if (this.hasMessageEvent.has(span)) return false;
    this.hasMessageEvent.add(span);
    return !span.events.some((e) => changesFactsOf({ name: e.name }));
  }

  /** Brings the summaries (and their places in the indexes) of large growing traces up to date. */
  private summarizeGrown(): void {
    const refused: string[] = [];
    for (const trace of this.unsummarized) if (trace.live) this.refreshOrDrop(trace, refused);
    this.unsummarized.clear();
    // Read, not received: what could not be summarized counts as rejected, like at ingest.
    this.counters.rejectedSpans += refused.length;
  }

  query(q: TraceQuery): TraceSummary[] {
    this.summarizeGrown();
    const search = (text: string) => this.search(text);
    const node = q.filter ? parseFilter(q.filter) : undefined;
    const traces = this.indexes.select(q, search, node ? compileFilter(node, search, this.promptSourceOf) : undefined);
    const text = q.matches ? searchedText(q.q, node) : undefined;
    if (!text) return traces.map((t) => t.summary);
    // The returned traces only, each until its first match; the stored summary stays as it is.
    return traces.map((t) => {
      const match = findTextMatch(t, text);
      return match ? { ...t.summary, match } : t.summary;
    });
  }

  trace(traceId: string): TraceDetail | undefined {
    this.summarizeGrown();
    const trace = this.traces.get(traceId.toLowerCase());
    if (!trace) return undefined;
    const spans = [...trace.spans.values()].sort((a, b) => a.startMs - b.startMs).map(normalizeSpan);
    const { diagnoses, inferredParents, adoptedSpans } = this.doctor.diagnose(trace, spans);
    return {
      summary: trace.summary, spans,
      ...(diagnoses.length ? { diagnoses } : {}),
      ...(inferredParents.length ? { inferredParents } : {}),
      ...(adoptedSpans.length ? { adoptedSpans } : {}),
    };
  }

  /** The live traces of each session (or user) id, their summaries up to date. */
  tracesBy(facet: 'session' | 'user'): ReadonlyMap<string, ReadonlySet<Trace>> {
    this.summarizeGrown();
    return this.indexes.tracesBy(facet);
  }

  /** A filter-language expression as a test of one span in its trace (the LLM calls table filters calls, not traces). */
  spanFilter(filter: string): (trace: Trace, span: StoredSpan) => boolean {
    const node = parseFilter(filter);
    return node ? compileSpanFilter(node, (text) => this.search(text), this.promptSourceOf) : () => true;
  }

  /** A filter-language expression as a test of a trace (what /api/traces?filter= applies). */
  traceFilter(filter: string): (trace: Trace) => boolean {
    const node = parseFilter(filter);
    return node ? compileFilter(node, (text) => this.search(text), this.promptSourceOf) : () => true;
  }

  /** Live traces that started at or after a moment, newest first. */
  *tracesSince(sinceMs: number): Generator<Trace> {
    this.summarizeGrown();
    for (const trace of this.indexes.byStart.descending(sinceMs)) yield trace;
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
    const { maxBytes } = this.caps();
    return {
      traces: this.traces.size,
      spans: this.memory.spans,
      errorTraces: this.indexes.errors.size,
      orphanSpans: this.orphanCount,
      pendingLogs: this.pendingLogs.count,
      memoryBytes: Math.round(this.memory.bytes),
      memoryCapBytes: Number.isFinite(maxBytes) ? Math.round(maxBytes) : undefined,
      ...this.counters,
      diagnoses: this.doctor.serviceDiagnoses(),
    };
  }

  clear(): void {
    this.unsummarized.clear();
    for (const trace of this.traces.values()) trace.live = false;
    this.traces.clear();
    this.indexes.clear();
    this.strings.clear();
    this.pendingLogs.clear();
    this.assembly.sessionPrompts.clear();
    this.assembly.openCalls.clear();
    this.assembly.answered = undefined;
    this.doctor.clear();
    this.memory.reset();
    this.orphanCount = 0;
    this.counters.evictedTraces = 0;
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
    for (const span of spans) {
      this.strings.post(span.name, trace);
      for (const key in span.attributes) this.postValue(trace, span.attributes[key]);
      for (const event of span.events) this.postEvent(trace, event);
    }
  }

  private postEvent(trace: Trace, event: RawEvent): void {
    this.strings.post(event.name, trace);
    for (const key in event.attributes) this.postValue(trace, event.attributes[key]);
    this.postValue(trace, event.body);
  }

  /** Values nest at most MAX_VALUE_DEPTH levels (the decoders refuse deeper ones): the recursion is bounded. */
  private postValue(trace: Trace, v: unknown): void {
    if (typeof v === 'string') this.strings.post(v, trace);
    else if (Array.isArray(v)) for (const item of v) this.postValue(trace, item);
    else if (v && typeof v === 'object') for (const item of Object.values(v)) this.postValue(trace, item);
  }

  /** Recomputes a trace's summary (O(spans in the trace)) and moves it in every index. */
  private refresh(trace: Trace): void {
    const next = summarize(trace);
    const findings = this.detectors.traceFindings(trace.spans);
    if (findings) next.findings = findings;
    Object.assign(next, traceGist(trace));
    this.indexes.place(trace, trace.summary, next);
    trace.summary = next;
    const orphans = countOrphans(trace);
    this.orphanCount += orphans - trace.orphans;
    trace.orphans = orphans;
  }
}
