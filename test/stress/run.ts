// `npm run test:stress`: reliability under load, faults and hostile input, with figures.
// Runs against the built engine (dist/cli.js) on loopback only; bounded in time (see each
// section's budget); prints the figures as a table and writes them to test/stress/last-figures.json.
// Any broken promise fails the run. STRESS_SECTIONS=load,memory,... runs a subset.
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { Results, Section } from './figures';
import { runApiSafety } from './apiSafety';
import { runFaults } from './faults';
import { runFuzz } from './fuzz/fuzz';
import { runHostile } from './hostile';
import { runLoad } from './load';
import { runBigText, runHugeImport, runMemory } from './memory';
import { runThrottling } from './throttling';

const env = (name: string, fallback: number) => Number(process.env[name] ?? fallback);

const SECTIONS: Record<string, (section: Section) => Promise<void>> = {
  load: (section) => runLoad(section, {
    seconds: env('STRESS_LOAD_SECONDS', 60), httpClientsPerEncoding: env('STRESS_HTTP_CLIENTS', 24),
    grpcClients: env('STRESS_GRPC_CLIENTS', 8), sampleTraces: 3000,
  }),
  throttling: (section) => runThrottling(section),
  faults: (section) => runFaults(section),
  api: (section) => runApiSafety(section),
  hostile: (section) => runHostile(section),
  fuzz: (section) => runFuzz(section, {
    mutatedCases: env('STRESS_FUZZ_CASES', 100_000), httpMutatedCases: env('STRESS_FUZZ_HTTP_CASES', 100_000), caseTimeoutMs: 10_000,
  }),
  memory: (section) => runMemory(section, {
    spans: env('STRESS_MEMORY_SPANS', 1_000_000), maxSpans: env('STRESS_MAX_SPANS', 750_000),
    budgetBaseBytes: 256 * 2 ** 20, budgetBytesPerSpan: 2560,
  }),
  bigText: (section) => runBigText(section, { sentMb: env('STRESS_BIG_TEXT_MB', 1024), heapMb: 512 }),
  hugeImport: (section) => runHugeImport(section, { fileMb: env('STRESS_HUGE_IMPORT_MB', 512), heapMb: env('STRESS_HUGE_IMPORT_HEAP_MB', 128) }),
};

async function main(): Promise<void> {
  const chosen = (process.env.STRESS_SECTIONS ?? Object.keys(SECTIONS).join(',')).split(',');
  const results = new Results();
  const begin = Date.now();
  for (const name of chosen) {
    const run = SECTIONS[name];
    if (!run) throw new Error(`unknown section "${name}"; sections: ${Object.keys(SECTIONS).join(', ')}`);
    const section = results.section(name);
    // Other tenants' load on this shared machine explains noisy figures.
    section.figure('machine load average at start (1 min)', loadavg()[0]);
    try {
      await run(section);
    } catch (error) {
      section.check('the section ran to the end', false, (error as Error).stack);
    }
  }
  const seconds = (Date.now() - begin) / 1000;
  console.log(`\n${results.table()}\n\nstress run: ${seconds.toFixed(0)} s, ${results.checks.length - results.failed.length}/${results.checks.length} promises held`);
  const out = join(__dirname, 'last-figures.json');
  results.write(out, { date: new Date().toISOString(), node: process.version, cpus: cpus().length, memoryGiB: Math.round(totalmem() / 2 ** 30), seconds });
  console.log(`figures written to ${out}`);
  process.exit(results.failed.length ? 1 : 0);
}

void main();
