// `npm run bench`, the LLM calls table: 100,000 calls (25,000 four-call traces) in an index, then
// what the table asks of the engine. Each time is given as a share of the budget that keeps an
// interaction responsive: a sort or a new filter within 100 ms, a page while scrolling within one
// 16 ms frame. The first build of the rows (each call normalized once, then cached) is printed too,
// and the machine's load: on a shared machine other tenants only ever make a run slower.
import { availableParallelism, loadavg } from 'node:os';
import { makeWorkload } from './workload';
import { AcrossTraces } from '../src/engine/index/acrossTraces';
import { TraceIndex } from '../src/engine/index/traceIndex';
import { PriceTable } from '../src/engine/normalize/pricing';
import { Ingest } from '../src/engine/otlp/ingest';

const CALLS = 100_000;
const INTERACTION_MS = 100;
const FRAME_MS = 16;
/** Runs per measure, the best kept. */
const RUNS = 5;

function timed<T>(run: () => T): { ms: number; value: T } {
  const begin = process.hrtime.bigint();
  const value = run();
  return { ms: Number(process.hrtime.bigint() - begin) / 1e6, value };
}

/** The best of a few runs: other tenants of a shared machine only ever make a run slower. */
function best(runs: number, run: () => unknown): number {
  let ms = Infinity;
  for (let i = 0; i < runs; i++) ms = Math.min(ms, timed(run).ms);
  return ms;
}

export function callsTableBench(): void {
  const workload = makeWorkload(CALLS / 4 / 100, 100, 7);
  const index = new TraceIndex(new PriceTable());
  const ingest = new Ingest(index);
  for (const body of workload.requests) ingest.receive('traces', 'protobuf', body);
  const across = new AcrossTraces(index);
  const first = timed(() => across.calls.page({ sort: 'start', limit: 200 }));
  if (first.value.total !== CALLS) throw new Error(`expected ${CALLS} calls, got ${first.value.total}`);
  // A column's order is built the first time it is sorted, then kept: the first click on each
  // header is timed apart from the clicks after it (another column, the other direction).
  const columns = ['cost', 'input_tokens', 'duration'] as const;
  let built = 0;
  const firstSortMs = best(columns.length, () => across.calls.page({ sort: columns[built++ % columns.length], order: 'desc', limit: 200 }));
  let sorts = 0;
  const sortMs = best(RUNS, () => across.calls.page({ sort: columns[sorts % columns.length], order: sorts++ % 2 ? 'asc' : 'desc', limit: 200 }));
  // Each filter is new text (typing), tested on every call; then going back to one is remembered.
  let filters = 0;
  const filterMs = best(RUNS, () => across.calls.page({ filter: `session = session-${filters++} OR input_tokens > 398`, limit: 200 }));
  let resorts = 0;
  const filteredSortMs = best(RUNS, () => across.calls.page({ filter: 'session = session-1 OR input_tokens > 398', sort: columns[resorts++ % columns.length], limit: 200 }));
  across.calls.page({ sort: 'cost', limit: 200 });
  let offset = 0;
  const pageMs = best(20, () => across.calls.page({ sort: 'cost', offset: (offset += 4_999) % CALLS, limit: 200 }));
  const ratio = (ms: number, budget: number) => `${(ms / budget).toFixed(2)} of the ${budget} ms budget ${ms <= budget ? 'PASS' : 'MISS'}`;
  console.log(`calls table, ${CALLS.toLocaleString('en')} LLM calls: rows first built in ${first.ms.toFixed(0)} ms (once; cached per trace after); `
    + `machine load ${loadavg().map((l) => l.toFixed(1)).join(' ')} on ${availableParallelism()} cores`);
  console.log(`calls table: first sort by a column ${firstSortMs.toFixed(1)} ms → ${ratio(firstSortMs, INTERACTION_MS)}; `
    + `re-sort ${sortMs.toFixed(1)} ms → ${ratio(sortMs, INTERACTION_MS)}`);
  console.log(`calls table: a new filter ${filterMs.toFixed(1)} ms → ${ratio(filterMs, INTERACTION_MS)}; `
    + `re-sort while filtered ${filteredSortMs.toFixed(1)} ms → ${ratio(filteredSortMs, INTERACTION_MS)}; `
    + `a 200-row page while scrolling ${pageMs.toFixed(2)} ms → ${ratio(pageMs, FRAME_MS)}`);
}

if (require.main === module) callsTableBench();
