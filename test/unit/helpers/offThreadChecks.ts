// Checks shared by the tests of work moved off the engine's thread (large requests, large trace file records).
import type { TraceIndex } from '../../../src/engine/index/traceIndex';

/** Runs `work`, noting the longest text JSON.parse got on this thread meanwhile. */
export async function longestParsedDuring<T>(work: () => Promise<T>): Promise<{ result: T; longestParsed: number }> {
  const parse = JSON.parse;
  let longestParsed = 0;
  JSON.parse = ((text: string, reviver?: (key: string, value: unknown) => unknown) => {
    longestParsed = Math.max(longestParsed, text.length);
    return parse(text, reviver) as unknown;
  }) as typeof JSON.parse;
  try {
    return { result: await work(), longestParsed };
  } finally {
    JSON.parse = parse;
  }
}

/** Every trace of an index as the API answers it (JSON), in a stable order. */
export function everything(index: TraceIndex): unknown[] {
  const traces = index.query({ limit: 1_000_000 }).map((t) => index.trace(t.traceId)!).sort((a, b) => (a.summary.traceId < b.summary.traceId ? -1 : 1));
  return JSON.parse(JSON.stringify(traces)) as unknown[];
}
