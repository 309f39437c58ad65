// Loaded into the engine process by the stress suite (node --require): the event loop's longest
// stall, measured inside the engine, so a slow answer on a busy machine is not taken for one.
// Each SIGUSR2 writes the longest since the previous one to stderr ("stall-probe MS") and starts over.
const { monitorEventLoopDelay } = require('node:perf_hooks');

const histogram = monitorEventLoopDelay({ resolution: 5 });
histogram.enable();
process.on('SIGUSR2', () => {
  process.stderr.write(`stall-probe ${(histogram.max / 1e6).toFixed(1)}\n`);
  histogram.reset();
});
