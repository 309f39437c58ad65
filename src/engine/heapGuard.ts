// The memory cap counts an estimate of what the traces hold. Spans of another shape than the one
// it was calibrated on (short prompts, many small attributes) take more than it says, and a heap
// filled close to its limit first stalls everything in garbage collection, then kills the
// process. After each full collection the heap in use is what is really held (and what was
// allocated while marking): ten points past its target share (55% of the limit by default) the
// byte cap is lowered in proportion to bring it back; ten points below it the cap rises again,
// never above the cap the user set (or the default).
import { PerformanceObserver, constants, type PerformanceEntry } from 'node:perf_hooks';
import { getHeapStatistics } from 'node:v8';

/** The heap's target share by default, how far past it the cap is lowered (and below it raised), and the most a cap the user set may aim at. */
export const HEAP_SHARE = { target: 0.55, margin: 0.1, mostSet: 0.8 };

/**
 * The share of the heap the guard aims at: HEAP_SHARE.target for the default cap; for a cap the
 * user set (held to 80% of the heap) as much as it asks, so the guard corrects the estimate, not
 * the choice.
 */
export function targetShare(configured: number, limit: number, userSet: boolean): number {
  return userSet ? Math.min(HEAP_SHARE.mostSet, Math.max(HEAP_SHARE.target, configured / limit + HEAP_SHARE.margin / 2)) : HEAP_SHARE.target;
}

/** Part of V8's heap_size_limit kept for the young generation (48 MB on Node 20), beyond what traces can fill. */
const YOUNG_GENERATION = 64 * 2 ** 20;

/**
 * What the heap's old generation, where the traces live, may grow to: heap_size_limit less the
 * young generation. Out of memory comes when this fills, whatever the young generation holds.
 */
export function usableHeapBytes(): number {
  const limit = getHeapStatistics().heap_size_limit;
  return Math.max(limit / 2, limit - YOUNG_GENERATION);
}

export interface HeapReading {
  /** Heap in use right after a full collection. */
  used: number;
  /** What the heap may grow to (usableHeapBytes). */
  limit: number;
  /** Heap in use before any trace was held: code, modules, tables. */
  baseline: number;
  /** What the memory cap counts now (the index's estimate). */
  estimate: number;
}

/** Heap bytes each estimated byte of traces took: at least one (a smaller reading is in-flight work, not a wrong estimate). */
export function heldPerEstimated({ used, baseline, estimate }: HeapReading): number {
  return estimate > 0 ? Math.max(1, (used - baseline) / estimate) : 1;
}

/**
 * The byte cap for the traces after a full collection: `current` while the heap is within a
 * margin of its target share, else the estimate scaled by what a byte of it really took, so the
 * heap lands on the target. Only lowered when too full, only raised when there is room; never
 * above `configured`, never below a sixteenth of it.
 */
export function heapCap(reading: HeapReading, configured: number, current: number, target = HEAP_SHARE.target): number {
  const { used, limit, baseline } = reading;
  const tooFull = used > limit * (target + HEAP_SHARE.margin);
  const roomAgain = used < limit * (target - HEAP_SHARE.margin) && current < configured;
  if (!tooFull && !roomAgain) return current;
  const wanted = Math.floor(Math.min(configured, Math.max(configured / 16, (limit * target - baseline) / heldPerEstimated(reading))));
  return tooFull ? Math.min(current, wanted) : Math.max(current, wanted);
}

/** Part of what is held that one step down evicts: a few milliseconds of work per turn of the event loop. */
const STEP_SHARE = 1 / 32;

export interface HeapGuarded {
  /** What the memory cap counts now. */
  readonly estimatedBytes: number;
  /** The byte cap the heap allows; the lower of it and the configured cap applies. */
  limitForHeap(maxBytes: number): void;
}

/** Watches full collections and keeps the index's byte cap within what the heap holds. */
export class HeapGuard {
  private readonly observer: PerformanceObserver;
  /** The heap not taken by traces: what was in use at the start, lowered to the least seen beside them since. */
  private baseline = getHeapStatistics().used_heap_size;
  private current: number;
  /** Where the cap is going (stepDown). */
  private wanted: number;
  private stepping?: NodeJS.Immediate;
  private said = false;

  /** `userSet`: the cap is the user's (--max-memory-mb, memory.maxMegabytes), not the default. */
  constructor(private readonly index: HeapGuarded, private configured: number, private userSet: boolean, private readonly log: (message: string) => void) {
    this.current = this.wanted = configured;
    this.observer = new PerformanceObserver((list) => {
      if (list.getEntries().some(isFullCollection)) this.afterFullCollection();
    });
    this.observer.observe({ entryTypes: ['gc'] });
  }

  /** A new configured cap (settings changed): the heap's cap starts again from it. */
  configure(configured: number, userSet: boolean): void {
    this.configured = this.wanted = configured;
    this.userSet = userSet;
    this.apply(configured);
  }

  dispose(): void {
    this.observer.disconnect();
    clearImmediate(this.stepping);
  }

  private afterFullCollection(): void {
    const used = getHeapStatistics().used_heap_size;
    const limit = usableHeapBytes();
    const estimate = this.index.estimatedBytes;
    this.baseline = Math.max(0, Math.min(this.baseline, used - estimate));
    const reading = { used, limit, baseline: this.baseline, estimate };
    const wanted = heapCap(reading, this.configured, this.current, targetShare(this.configured, limit, this.userSet));
    if (wanted < this.current && !this.said) {
      this.said = true;
      this.log(`memory cap: the engine's heap is ${mb(used)} of ${mb(limit)} MB full, each estimated byte of its traces taking `
        + `${heldPerEstimated(reading).toFixed(1)}; keeping ${mb(wanted)} MB of traces instead of ${mb(this.configured)} MB until it frees up. `
        + 'Run the engine with a larger heap (node --max-old-space-size) to keep more');
    }
    this.wanted = wanted;
    if (wanted === this.current) return;
    if (wanted > this.current) this.apply(wanted);
    else this.stepDown();
  }

  /**
   * Lowers the cap towards `wanted` a step per turn of the event loop: evicting a third of a
   * heap's traces at once held the engine's thread for over 100 ms.
   */
  private stepDown(): void {
    if (this.stepping || this.wanted >= this.current) return;
    const from = Math.min(this.current, this.index.estimatedBytes);
    this.apply(Math.max(this.wanted, Math.floor(from * (1 - STEP_SHARE))));
    if (this.wanted >= this.current) return;
    this.stepping = setImmediate(() => {
      this.stepping = undefined;
      this.stepDown();
    });
  }

  private apply(cap: number): void {
    this.current = cap;
    this.index.limitForHeap(cap);
  }
}

function isFullCollection(entry: PerformanceEntry): boolean {
  return (entry as PerformanceEntry & { detail?: { kind?: number } }).detail?.kind === constants.NODE_PERFORMANCE_GC_MAJOR;
}

function mb(bytes: number): number {
  return Math.round(bytes / 2 ** 20);
}
