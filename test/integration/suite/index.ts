// The test entry VS Code loads into the extension host (extensionTestsPath): runs the mocha
// suites against the real `vscode` API and writes the results where the runner waits for them.
// The same contract as @vscode/test-electron's, so these suites need no code-server to run.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { format } from 'node:util';
import Mocha from 'mocha';
import { readRunConfig, RESULTS_FILE, SuiteResults } from '../runConfig';
import { ui } from './harness';

export async function run(): Promise<void> {
  const report: string[] = [];
  // The spec reporter prints through Base.consoleLog; the extension host has no terminal.
  Mocha.reporters.Base.consoleLog = (...args: unknown[]) => report.push(format(...args));
  const { grep } = readRunConfig(__dirname);
  const mocha = new Mocha({ ui: 'bdd', reporter: 'spec', color: false, timeout: 60_000, grep });
  mocha.suite.emit('pre-require', globalThis, 'integration', mocha);
  // What the window showed when a test failed, named after the test.
  mocha.suite.afterEach(async function () {
    if (this.currentTest?.state !== 'failed') return;
    const name = `failed-${this.currentTest.fullTitle().replace(/[^a-z0-9]+/gi, '-').slice(0, 80)}`;
    await ui({ do: 'screenshot', name }).catch(() => undefined);
  });
  // Required (not imported) so the suites register after mocha's globals exist; in run order.
  require('./activation.test');
  require('./traffic.test');
  require('./doctor.test');
  require('./commands.test');
  require('./engineRestart.test');
  require('./settings.test');
  require('./chatTools.test');
  require('./codeLinks.test');
  require('./copilotChat.test');
  require('./traceFiles.test');
  require('./stepsView.test');
  require('./sessionsView.test');
  require('./traceTests.test');
  require('./replay.test');
  require('./teamBackends.test');
  require('./largeTrace.test');
  // Last: it clears the engine and deletes the store.
  require('./reading.test');

  const failed: SuiteResults['failed'] = [];
  const counts = await new Promise<{ passes: number; failures: number; pending: number }>((resolve) => {
    const runner = mocha.run();
    runner.on('fail', (test, error: Error) => failed.push({ title: test.fullTitle(), error: error.stack ?? String(error) }));
    runner.on('end', () => resolve({ passes: runner.stats?.passes ?? 0, failures: runner.stats?.failures ?? 0, pending: runner.stats?.pending ?? 0 }));
  });
  const results: SuiteResults = { ...counts, report: report.join('\n'), failed };
  writeFileSync(join(__dirname, RESULTS_FILE), JSON.stringify(results, null, 2));
}
