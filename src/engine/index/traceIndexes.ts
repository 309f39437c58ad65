// The indexes every query answers from: traces sorted by start, duration, tokens and cost; sets
// by service, model, session, user and error. A query is planned here: from the smallest
// candidate set, the slow traces, or a walk down the sort index, whichever touches fewest traces.
import type { TraceQuery, TraceSummary } from '../../shared/spanModel';
import type { Trace } from '../model/traceSummary';
import { SortedIndex } from './sortedIndex';

type Facet = 'service' | 'model' | 'session' | 'user';

const DEFAULT_LIMIT = 50;
/** Below this many candidates, sorting them beats walking a sort index with a filter. */
const SORT_CANDIDATES_BELOW = 4096;

export class TraceIndexes {
  readonly byStart = new SortedIndex<Trace>();
  private readonly byDuration = new SortedIndex<Trace>();
  private readonly byTokens = new SortedIndex<Trace>();
  private readonly byCost = new SortedIndex<Trace>();
  readonly errors = new Set<Trace>();
  private readonly facets: Record<Facet, Map<string, Set<Trace>>> = {
    service: new Map(), model: new Map(), session: new Map(), user: new Map(),
  };

  /** The traces of each session id (and of each user id): what the Sessions view lists. */
  tracesBy(facet: 'session' | 'user'): ReadonlyMap<string, ReadonlySet<Trace>> {
    return this.facets[facet];
  }

  /** Moves a trace from where its old summary put it to where the next one does (a new trace: old.spanCount 0). */
  place(trace: Trace, old: TraceSummary, next: TraceSummary): void {
    const isNew = old.spanCount === 0;
    move(this.byStart, trace, isNew, old.startMs, next.startMs);
    move(this.byDuration, trace, isNew, old.durationMs, next.durationMs);
    move(this.byTokens, trace, isNew, old.tokens.total, next.tokens.total);
    move(this.byCost, trace, isNew, old.costUsd, next.costUsd);
    if (next.errorCount > 0) this.errors.add(trace);
    else this.errors.delete(trace);
    this.updateFacets(trace, old, next);
  }

  /** Drops a trace (by the summary it was placed with) from every index. */
  remove(trace: Trace): void {
    const { summary, traceId } = trace;
    this.byStart.remove(summary.startMs, traceId);
    this.byDuration.remove(summary.durationMs, traceId);
    this.byTokens.remove(summary.tokens.total, traceId);
    this.byCost.remove(summary.costUsd, traceId);
    this.errors.delete(trace);
    this.updateFacets(trace, summary, undefined);
  }

  clear(): void {
    for (const index of [this.byStart, this.byDuration, this.byTokens, this.byCost]) index.clear();
    this.errors.clear();
    for (const facet of Object.values(this.facets)) facet.clear();
  }

  /**
   * The traces a query selects, in its order, at most its limit. `search` finds traces by text;
   * `extraFilter` (the filter language) is checked on candidates the indexes chose.
   */
  select(q: TraceQuery, search: (text: string) => Set<Trace>, extraFilter?: (t: Trace) => boolean): Trace[] {
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
      const found = search(q.q);
      candidateSets.push(found);
      filters.push((t) => found.has(t));
    }
    if (extraFilter) filters.push(extraFilter);
    const minDuration = q.minDurationMs;
    if (minDuration !== undefined) filters.push((t) => t.summary.durationMs >= minDuration);
    const matches = (t: Trace) => filters.every((f) => f(t));

    const smallest = candidateSets.sort((a, b) => a.size - b.size)[0];
    const slowCount = minDuration === undefined ? Infinity : this.byDuration.countAtLeast(minDuration);
    if (smallest && smallest.size <= Math.min(SORT_CANDIDATES_BELOW, slowCount)) {
      return sortTraces([...smallest].filter(matches), sort).slice(0, limit);
    }
    if (minDuration !== undefined && sort !== 'duration' && slowCount <= SORT_CANDIDATES_BELOW) {
      return sortTraces([...this.byDuration.descending(minDuration)].filter(matches), sort).slice(0, limit);
    }
    const result: Trace[] = [];
    const floor = sort === 'duration' && minDuration !== undefined ? minDuration : -Infinity;
    for (const trace of sortIndex.descending(floor)) {
      if (matches(trace)) result.push(trace);
      if (result.length >= limit) break;
    }
    return result;
  }

  private updateFacets(trace: Trace, old: TraceSummary, next: TraceSummary | undefined): void {
    this.updateFacet('service', trace, old.services, next?.services ?? []);
    this.updateFacet('model', trace, old.models, next?.models ?? []);
    this.updateFacet('session', trace, listOfOne(old.sessionId), listOfOne(next?.sessionId));
    this.updateFacet('user', trace, listOfOne(old.userId), listOfOne(next?.userId));
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

function sortTraces(traces: Trace[], sort: NonNullable<TraceQuery['sort']>): Trace[] {
  const key = (t: Trace) => sort === 'start' ? t.summary.startMs : sort === 'duration' ? t.summary.durationMs
    : sort === 'tokens' ? t.summary.tokens.total : t.summary.costUsd;
  return traces.sort((a, b) => key(b) - key(a) || (a.traceId < b.traceId ? 1 : -1));
}

/** Moves a trace in a sorted index from one key to another (a new trace is only inserted). */
function move(index: SortedIndex<Trace>, trace: Trace, isNew: boolean, before: number, after: number): void {
  if (!isNew && before === after) return;
  if (!isNew) index.remove(before, trace.traceId);
  index.insert(after, trace.traceId, trace);
}

function listOfOne(value: string | undefined): string[] {
  return value ? [value] : [];
}
