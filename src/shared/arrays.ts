// Array helpers for input-sized arrays: spreading one into a call (`Math.max(...xs)`,
// `push(...xs)`) throws a RangeError past ~125k elements, so a large request would fail whole.

export function maxOf(values: Iterable<number>): number | undefined {
  let max: number | undefined;
  for (const v of values) if (max === undefined || v > max) max = v;
  return max;
}

export function minOf(values: Iterable<number>): number | undefined {
  let min: number | undefined;
  for (const v of values) if (min === undefined || v < min) min = v;
  return min;
}

/** `target.push(...items)` for any number of items. */
export function pushAll<T>(target: T[], items: Iterable<T>): void {
  for (const item of items) target.push(item);
}
