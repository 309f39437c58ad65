// `node dist/cli.js test [PATH...] [--junit FILE]`: runs the regression tests headless, with an
// engine of its own on free loopback ports (cli.ts starts it), one line per test and a summary
// line. Exit code 0 when all passed, 1 when a test failed, 2 when a test file is invalid.
import { writeFileSync } from 'node:fs';
import { relative } from 'node:path';
import { formatDuration } from '../../shared/format';
import { failureText, type TraceTestResult } from '../../shared/traceTests/traceTestFormat';
import { junitXml } from './junit';
import { runTraceTestFile, type TestTarget } from './runTraceTest';
import { findTestFiles } from './testFiles';

export interface TestArgs {
  paths: string[];
  junitFile?: string;
}

export function parseTestArgs(argv: string[], usageError: (message: string) => Error): TestArgs {
  const args: TestArgs = { paths: [] };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--junit') {
      args.junitFile = argv[++i];
      if (args.junitFile === undefined || args.junitFile.startsWith('--')) throw usageError('--junit needs a file');
    } else if (arg.startsWith('--')) throw usageError(`unknown option "${arg}"`);
    else args.paths.push(arg);
  }
  if (!args.paths.length) args.paths.push('.');
  return args;
}

/** An engine started for the tests, closed after them. */
export interface TestEngine {
  readonly testTarget: TestTarget;
  close(): Promise<void>;
}

/** Runs the tests and returns the exit code. */
export async function runTests(args: TestArgs, startEngine: () => Promise<TestEngine>, print: (line: string) => void = console.log): Promise<number> {
  const files = findTestFiles(args.paths);
  if (!files.length) {
    print(`no *.tracetest.json files in ${args.paths.join(', ')}`);
    return 2;
  }
  const engine = await startEngine();
  const results: TraceTestResult[] = [];
  try {
    for (const file of files) {
      const result = await runTraceTestFile(file, engine.testTarget);
      results.push(result);
      print(describe(result));
    }
  } finally {
    await engine.close();
  }
  const count = (outcome: TraceTestResult['outcome']) => results.filter((r) => r.outcome === outcome).length;
  print(`${count('passed')} passed, ${count('failed')} failed`);
  if (count('invalid')) print(`${count('invalid')} invalid test file(s)`);
  if (args.junitFile) writeFileSync(args.junitFile, junitXml(results));
  return count('invalid') ? 2 : count('failed') ? 1 : 0;
}

function describe(result: TraceTestResult): string {
  // Relative to where the CLI runs when the file is below it, else as it is.
  const below = relative(process.cwd(), result.file);
  const file = below && !below.startsWith('..') ? below : result.file;
  if (result.outcome === 'invalid') {
    return [`INVALID ${file}`, ...result.problems.map((p) => `  ${file}${p.line ? `:${p.line}` : ''}: ${p.key}: ${p.reason}`)].join('\n');
  }
  const head = `${result.outcome === 'passed' ? 'PASS' : 'FAIL'} ${result.name} (${file}, ${formatDuration(result.durationMs)})`;
  return [head, ...result.failures.map((f) => `  ${failureText(f).replace(/\n/g, '\n    ')}`)].join('\n');
}
