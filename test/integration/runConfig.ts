// What the runner tells the suites running inside the extension host: written as JSON beside the
// bundled test entry, because the extension host does not see the runner's arguments.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const RUN_CONFIG_FILE = 'run-config.json';
export const RESULTS_FILE = 'results.json';

export interface RunConfig {
  /** Receiver ports the user settings point the extension at (free when the run started). */
  httpPort: number;
  grpcPort: number;
  /** The aiTraceInspector.store.location of this run. */
  storeDir: string;
  /** The folder the window has open. */
  workspace: string;
  /** The runner's endpoint that clicks and types in the workbench page (see runner/uiBridge.ts). */
  bridgeUrl: string;
  /** Runs only the tests whose full title matches (VSCODE_TEST_GREP), for working on one suite. */
  grep?: string;
}

/** What the test entry writes when mocha is done; the runner waits for this file. */
export interface SuiteResults {
  passes: number;
  failures: number;
  pending: number;
  /** The spec reporter's output. */
  report: string;
  failed: { title: string; error: string }[];
}

export function readRunConfig(dir: string): RunConfig {
  return JSON.parse(readFileSync(join(dir, RUN_CONFIG_FILE), 'utf8')) as RunConfig;
}
