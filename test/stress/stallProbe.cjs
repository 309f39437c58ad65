// Loaded into the engine process by the stress suite (node --require): the event loop's longest
// stall, measured inside the engine. A timer ticks every 5 ms; the longest gap between two ticks
// is the longest stall as a clock sees it. On a shared machine that also counts time the engine's
// thread was ready but got no CPU, so beside it the probe reads the thread's own run time
// (/proc/thread-self/schedstat, in ns): the most it ran between two ticks is the longest the
// engine's own work held its event loop.
// Beside them it keeps the longest garbage collection as the clock saw it (its `gc` performance
// entries): a stall about as long as one was likely the collector's, not the engine's own code.
// Each SIGUSR2 writes all three since the previous one to stderr ("stall-probe WALL_MS RAN_MS GC_MS") and starts over.
const { readFileSync } = require('node:fs');
const { PerformanceObserver } = require('node:perf_hooks');

const TICK_MS = 5;
const ranMs = () => Number(readFileSync('/proc/thread-self/schedstat', 'utf8').split(' ')[0]) / 1e6;

let last = { wall: performance.now(), ran: ranMs() };
let longest = { wall: 0, ran: 0, gc: 0 };
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) longest.gc = Math.max(longest.gc, entry.duration);
}).observe({ entryTypes: ['gc'] });
setInterval(() => {
  const now = { wall: performance.now(), ran: ranMs() };
  longest.wall = Math.max(longest.wall, now.wall - last.wall - TICK_MS);
  longest.ran = Math.max(longest.ran, now.ran - last.ran);
  last = now;
}, TICK_MS).unref();

process.on('SIGUSR2', () => {
  process.stderr.write(`stall-probe ${longest.wall.toFixed(1)} ${longest.ran.toFixed(1)} ${longest.gc.toFixed(1)}\n`);
  longest = { wall: 0, ran: 0, gc: 0 };
});
