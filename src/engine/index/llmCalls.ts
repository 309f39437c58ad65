// Every LLM call across the loaded traces, as rows of one table, sorted and filtered in the
// engine so the webview only ever holds a page. A call is a span of kind LLM with no LLM call
// inside it: a wrapper (ai.generateText, a framework's chat step) and its provider call count once.
import { type CallSort, type CallsPage, type CallsQuery, type LlmCallRow } from '../../shared/sessionModel';
import type { Message, Span } from '../../shared/spanModel';
import { spanStatus, type StoredSpan } from '../model/storedSpan';
import type { Trace } from '../model/traceSummary';
import { normalizeSpan } from '../normalize/normalizeSpan';
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

function promptSourceOf(span: Span): string | undefined {
  const source = span.promptSource ?? span.source;
  return source?.file ? `${source.file}${source.line ? `:${source.line}` : ''}` : undefined;
}

export function callRow(stored: StoredSpan): LlmCallRow {
  const span = normalizeSpan(stored);
  const { tokens } = stored.facts;
  return {
    traceId: stored.traceId, spanId: stored.spanId, name: stored.name, startMs: stored.startMs, durationMs: stored.endMs - stored.startMs,
    model: stored.facts.model, promptSource: promptSourceOf(span), promptStart: firstWords(latestUserMessage(span.inputMessages)?.content),
    inputTokens: tokens?.input, outputTokens: tokens?.output, cachedTokens: tokens?.cacheRead, timeToFirstTokenMs: span.timeToFirstTokenMs,
    costUsd: stored.facts.costUsd, status: spanStatus(stored.statusCode), sessionId: stored.facts.sessionId,
  };
}

type SortKey = (row: LlmCallRow) => number | string | undefined;
const SORT_KEYS: Record<CallSort, SortKey> = {
  start: (r) => r.startMs, duration: (r) => r.durationMs, cost: (r) => r.costUsd, input_tokens: (r) => r.inputTokens,
  output_tokens: (r) => r.outputTokens, cached_tokens: (r) => r.cachedTokens, ttft: (r) => r.timeToFirstTokenMs,
  model: (r) => r.model?.toLowerCase(), prompt_source: (r) => r.promptSource, status: (r) => r.status,
};

interface Entry {
  trace: Trace;
  span: StoredSpan;
  row: LlmCallRow;
}

/**
 * The calls table's engine side. Rows are made once per span (a trace that changes gets new
 * ones); a sorted, filtered list is kept until the index changes, so scrolling asks only for
 * pages of it.
 */
export class LlmCalls {
  private readonly rowsOf = new WeakMap<Trace, { summary: Trace['summary']; entries: Entry[] }>();
  private last?: { key: string; entries: Entry[] };
  private collected?: { version: number; entries: Entry[] };

  constructor(private readonly index: TraceIndex) {}

  page(query: CallsQuery): CallsPage {
    const entries = this.sorted(query);
    const offset = Math.max(0, Math.min(query.offset ?? 0, entries.length));
    const limit = Math.max(1, Math.min(query.limit ?? DEFAULT_PAGE, MAX_PAGE));
    return { total: entries.length, offset, calls: entries.slice(offset, offset + limit).map((e) => e.row) };
  }

  /** The calls of a trace (cached with the trace's summary). */
  entriesOf(trace: Trace): Entry[] {
    const cached = this.rowsOf.get(trace);
    if (cached && cached.summary === trace.summary) return cached.entries;
    const entries = llmCallSpans(trace).map((span) => {
      const row = callRow(span);
      // The session is often recorded on the app's root span only.
      row.sessionId ??= trace.summary.sessionId;
      return { trace, span, row };
    });
    this.rowsOf.set(trace, { summary: trace.summary, entries });
    return entries;
  }

  /** Every call of the live traces, collected once per index version. */
  private all(): Entry[] {
    if (this.collected?.version === this.index.version) return this.collected.entries;
    const entries: Entry[] = [];
    for (const trace of this.index.tracesSince(-Infinity)) for (const entry of this.entriesOf(trace)) entries.push(entry);
    this.collected = { version: this.index.version, entries };
    return entries;
  }

  private sorted(query: CallsQuery): Entry[] {
    const sort = query.sort ?? 'start';
    const order = query.order ?? 'desc';
    const key = `${this.index.version}\u0000${query.filter ?? ''}\u0000${sort}\u0000${order}`;
    if (this.last?.key === key) return this.last.entries;
    const test = query.filter ? this.index.spanFilter(query.filter) : undefined;
    const entries = test ? this.all().filter((e) => test(e.trace, e.span)) : this.all();
    const sortKey = SORT_KEYS[sort];
    const direction = order === 'asc' ? 1 : -1;
    // The keys are read once into arrays and positions sorted by them: a comparator that reads
    // rows through closures costs several times more at 100,000 calls.
    const keys = entries.map((e) => sortKey(e.row));
    const starts = new Float64Array(entries.length);
    entries.forEach((e, i) => (starts[i] = e.row.startMs));
    const positions = Array.from(entries.keys());
    // Calls without the value (no cost recorded, no time to first token) go last either way.
    positions.sort((a, b) => compareKeys(keys[a], keys[b], direction) || direction * (starts[a] - starts[b]));
    const result = positions.map((i) => entries[i]);
    this.last = { key, entries: result };
    return result;
  }
}

function compareKeys(a: number | string | undefined, b: number | string | undefined, direction: number): number {
  if (a === b) return 0;
  if (a === undefined) return 1;
  if (b === undefined) return -1;
  return direction * (a < b ? -1 : 1);
}
