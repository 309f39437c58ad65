// Work too large for one turn of the event loop, done in slices of about SLICE_MS with a turn
// between them, so the engine answers queries (the editor's) and reads sockets meanwhile.

/** The longest a slice runs before it yields. */
export const SLICE_MS = 20;
/** Items in a first slice, and at most in any. */
const FIRST_SLICE_ITEMS = 64;
const MAX_SLICE_ITEMS = 1024;

/** Lets the event loop take a turn (timers, sockets) before going on. */
export const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Runs a generator to its end, SLICE_MS of steps at a time; returns what it returns. */
export async function stepsInSlices<T>(steps: Generator<void, T>): Promise<T> {
  let step = steps.next();
  while (!step.done) {
    const until = performance.now() + SLICE_MS;
    while (!step.done && performance.now() < until) step = steps.next();
    if (!step.done) await nextTurn();
  }
  return step.value;
}

/**
 * Calls `take(from, to)` over the items [0, count) in slices of SLICE_MS. Calls are sized to take
 * about a quarter of it: a few large items (1 MB prompts) a call, or hundreds of small ones, so
 * each costs one call and one look at the clock.
 */
export async function itemsInSlices(count: number, take: (from: number, to: number) => void): Promise<void> {
  let size = FIRST_SLICE_ITEMS;
  for (let from = 0; from < count;) {
    const until = performance.now() + SLICE_MS;
    while (from < count) {
      const begin = performance.now();
      const to = Math.min(count, from + size);
      take(from, to);
      from = to;
      const took = performance.now() - begin;
      size = Math.max(1, Math.min(MAX_SLICE_ITEMS, Math.floor(size * (SLICE_MS / 4) / Math.max(took, 0.01))));
      if (performance.now() >= until) break;
    }
    if (from < count) await nextTurn();
  }
}
