// The shared time axis: which slice of the trace is in view (zoom) and where its ticks go.
// Pure, so the waterfall rows, the axis and the tests agree on one mapping.

/** The visible range as fractions of the trace's duration. */
export interface Zoom {
  start: number;
  end: number;
}

export const FULL_RANGE: Zoom = { start: 0, end: 1 };
/** Deeper than this the bars stop meaning anything (and rounding shows). */
const MIN_SPAN = 1e-4;

export function clampZoom(zoom: Zoom): Zoom {
  let start = Math.max(0, Math.min(zoom.start, zoom.end));
  let end = Math.min(1, Math.max(zoom.start, zoom.end));
  if (end - start < MIN_SPAN) {
    const middle = Math.min(Math.max((start + end) / 2, MIN_SPAN / 2), 1 - MIN_SPAN / 2);
    start = middle - MIN_SPAN / 2;
    end = middle + MIN_SPAN / 2;
  }
  return { start, end };
}

/** Zooms by `factor` (< 1 in, > 1 out) around the middle of the view. */
export function scaleZoom(zoom: Zoom, factor: number): Zoom {
  const middle = (zoom.start + zoom.end) / 2;
  const half = ((zoom.end - zoom.start) * factor) / 2;
  let start = middle - half;
  let end = middle + half;
  if (start < 0) [start, end] = [0, end - start];
  if (end > 1) [start, end] = [Math.max(0, start - (end - 1)), 1];
  return clampZoom({ start, end });
}

export function isZoomed(zoom: Zoom): boolean {
  return zoom.start > 0 || zoom.end < 1;
}

/** Left and width of a bar, in percent of the timeline column, clipped to the view. */
export function barGeometry(offsetMs: number, durationMs: number, traceMs: number, zoom: Zoom): { left: number; width: number } | undefined {
  if (traceMs <= 0) return { left: 0, width: 100 };
  const from = offsetMs / traceMs;
  const to = (offsetMs + durationMs) / traceMs;
  if (to < zoom.start || from > zoom.end) return undefined;
  const scale = 100 / (zoom.end - zoom.start);
  const left = (Math.max(from, zoom.start) - zoom.start) * scale;
  const right = (Math.min(to, zoom.end) - zoom.start) * scale;
  return { left, width: right - left };
}

export interface Tick {
  ms: number;
  percent: number;
  label: string;
}

/**
 * Short labels that fit between ticks: "0", "250 ms", "1.5 s", and "1:20" on an axis that
 * reaches past a minute (`axisEndMs`), so one axis never mixes "40 s" with "1:00".
 */
export function tickLabel(ms: number, stepMs: number, axisEndMs = ms): string {
  if (ms === 0) return '0';
  const trim = (n: number, digits: number) => String(Number(n.toFixed(digits)));
  if (stepMs >= 1000 && axisEndMs >= 60_000) {
    const seconds = Math.round(ms / 1000);
    return `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, '0')}`;
  }
  if (stepMs >= 100 && ms >= 1000) return `${trim(ms / 1000, stepMs >= 1000 ? 0 : 1)} s`;
  return `${trim(ms, stepMs >= 1 ? 0 : Math.ceil(-Math.log10(stepMs)))} ms`;
}

/** Round tick positions (1, 2, 5 × 10^k ms) across the visible range. */
export function ticks(traceMs: number, zoom: Zoom, maxTicks: number): Tick[] {
  const fromMs = zoom.start * traceMs;
  const toMs = zoom.end * traceMs;
  const range = toMs - fromMs;
  if (range <= 0 || maxTicks < 1) return [{ ms: fromMs, percent: 0, label: tickLabel(fromMs, 1) }];
  const rough = range / maxTicks;
  const power = 10 ** Math.floor(Math.log10(rough));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= rough)!;
  const result: Tick[] = [];
  for (let i = Math.ceil(fromMs / step - 1e-9) || 0; i * step <= toMs + step * 1e-9; i++) {
    const ms = i * step;
    result.push({ ms, percent: ((ms - fromMs) / range) * 100, label: tickLabel(ms, step, toMs) });
  }
  return result;
}
