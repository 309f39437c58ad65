// `npm run test:vscode`: the extension in a real VS Code (code-server 1.100, headless Chromium).
// 1. The mocha suites in test/integration/suite run inside the extension host against the real
//    `vscode` API (the @vscode/test-electron contract), with the runner clicking and typing in
//    the page when a suite asks (runner/uiBridge.ts).
// 2. A Playwright test (ui/workbenchFlow.ts) uses the Traces view as a person would and saves
//    screenshots. Each part gets its own code-server, ports, settings and store in a temp dir.
// Exits non-zero on any failure or when the run takes longer than RUN_TIMEOUT_MS.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { execFileSync } from 'node:child_process';
import { basename, join, resolve } from 'node:path';
import * as esbuild from 'esbuild';
import { Browser, chromium, Page } from 'playwright-core';
import { RESULTS_FILE, RUN_CONFIG_FILE, RunConfig, SuiteResults } from './runConfig';
import { recentlyFreePort } from './portHolder';
import { CodeServer } from './runner/codeServer';
import { UiBridge } from './runner/uiBridge';
import { runWorkbenchFlow } from './ui/workbenchFlow';

const REPO = resolve(__dirname, '..', '..');
const RUN_TIMEOUT_MS = 10 * 60_000;
const SUITES_TIMEOUT_MS = 6 * 60_000;
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SHOTS_DIR = process.env.VSCODE_SHOTS_DIR ?? join(tmpdir(), 'vscode-shots');

const running = new Set<CodeServer>();
const timings: [string, number][] = [];

async function timed<T>(what: string, step: () => Promise<T>): Promise<T> {
  const started = Date.now();
  try {
    return await step();
  } finally {
    timings.push([what, Date.now() - started]);
  }
}

/** Settings that keep the window quiet and point the extension at this run's ports and store. */
function userSettings(httpPort: number, grpcPort: number, storeDir: string): Record<string, unknown> {
  return {
    'aiTraceInspector.receiver.httpPort': httpPort,
    'aiTraceInspector.receiver.grpcPort': grpcPort,
    'aiTraceInspector.store.location': storeDir,
    'workbench.startupEditor': 'none',
    'workbench.tips.enabled': false,
    'workbench.enableExperiments': false,
    'telemetry.telemetryLevel': 'off',
    'extensions.autoCheckUpdates': false,
    'extensions.autoUpdate': false,
    'update.mode': 'none',
    'security.workspace.trust.enabled': false,
  };
}

/** Two distinct free ports: the receiver's OTLP/HTTP and OTLP/gRPC. */
async function receiverPorts(): Promise<[number, number]> {
  const http = await recentlyFreePort();
  let grpc = await recentlyFreePort();
  while (grpc === http) grpc = await recentlyFreePort();
  return [http, grpc];
}

async function startCodeServer(dir: string, settings: Record<string, unknown>, extensions: string[] = []): Promise<{ server: CodeServer; workspace: string }> {
  const workspace = join(dir, 'workspace');
  mkdirSync(workspace, { recursive: true });
  const server = await timed(`code-server start (${dir.split('/').pop()})`, () => CodeServer.start({ dir, workspace, userSettings: settings, extensions }));
  running.add(server);
  return { server, workspace };
}

async function stopCodeServer(server: CodeServer): Promise<void> {
  await server.stop();
  running.delete(server);
}

async function openWorkbench(browser: Browser, url: string, errors: string[]): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 }, permissions: ['clipboard-read', 'clipboard-write'] });
  const page = await context.newPage();
  // A click or keystroke that cannot happen fails the step instead of waiting forever.
  page.setDefaultTimeout(15_000);
  page.on('pageerror', (error) => errors.push(error.message));
  await page.goto(url);
  await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
  return page;
}

async function bundleSuites(outDir: string): Promise<void> {
  await esbuild.build({
    entryPoints: { index: join(__dirname, 'suite', 'index.ts') },
    bundle: true, platform: 'node', target: 'node20', format: 'cjs', outdir: outDir,
    external: ['vscode'], sourcemap: 'inline', logLevel: 'warning',
    // Mocha's parallel mode (unused here) resolves its worker files at run time.
    logOverride: { 'require-resolve-not-external': 'silent' },
  });
}

/** A .vsix of an extension folder (vsce from devDependencies), made in `outDir`. */
function packageExtension(folder: string, outDir: string): string {
  const vsix = join(outDir, `${basename(folder)}.vsix`);
  execFileSync(join(REPO, 'node_modules', '.bin', 'vsce'), ['package', '--allow-missing-repository', '--skip-license', '--out', vsix], { cwd: folder, stdio: 'pipe' });
  return vsix;
}

async function waitForFile(path: string, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (existsSync(path)) return true;
    await new Promise((done) => setTimeout(done, 250));
  }
  return false;
}

/** Part 1: the mocha suites inside the extension host. */
async function runSuites(browser: Browser, runDir: string): Promise<boolean> {
  const dir = join(runDir, 'suites');
  const outDir = join(dir, 'out');
  await timed('bundle suites', () => bundleSuites(outDir));
  const [httpPort, grpcPort] = await receiverPorts();
  const storeDir = join(dir, 'store');
  const bridge = await UiBridge.start(SHOTS_DIR);
  const standIn = await timed('package the Copilot Chat settings stand-in', async () => packageExtension(join(__dirname, 'copilotChatStandIn'), dir));
  const { server, workspace } = await startCodeServer(dir, userSettings(httpPort, grpcPort, storeDir), [standIn]);
  const config: RunConfig = { httpPort, grpcPort, storeDir, workspace, bridgeUrl: bridge.url, grep: process.env.VSCODE_TEST_GREP };
  writeFileSync(join(outDir, RUN_CONFIG_FILE), JSON.stringify(config, null, 2));
  const errors: string[] = [];
  try {
    const page = await timed('workbench ready (suites)', () =>
      openWorkbench(browser, server.url({ extensionDevelopmentPath: REPO, extensionTestsPath: join(outDir, 'index') }), errors));
    bridge.page = page;
    const resultsFile = join(outDir, RESULTS_FILE);
    const finished = await timed('extension host suites', () => waitForFile(resultsFile, SUITES_TIMEOUT_MS));
    await page.screenshot({ path: join(SHOTS_DIR, 'suites-end.png') });
    if (!finished) {
      console.error(`The suites did not finish within ${SUITES_TIMEOUT_MS / 1000} s. code-server log:\n${server.logTail()}`);
      return false;
    }
    const results = JSON.parse(readFileSync(resultsFile, 'utf8')) as SuiteResults;
    console.log(results.report);
    if (results.failures) console.error(`Extension host logs: ${join(server.userDataDir, 'logs')}`);
    return results.failures === 0 && results.passes > 0;
  } finally {
    if (errors.length) console.log(`page errors during the suites: ${errors.length}\n  ${errors.slice(0, 5).join('\n  ')}`);
    await bridge.close();
    await stopCodeServer(server);
  }
}

/**
 * Part 2: the Traces view driven through the page like a person, with the extension installed
 * from its .vsix as a user installs it (so a file the package leaves out fails here).
 */
async function runUi(browser: Browser, runDir: string): Promise<boolean> {
  const dir = join(runDir, 'ui');
  mkdirSync(dir, { recursive: true });
  const [httpPort, grpcPort] = await receiverPorts();
  const vsix = await timed('package the extension', async () => packageExtension(REPO, dir));
  const { server } = await startCodeServer(dir, userSettings(httpPort, grpcPort, join(dir, 'store')), [vsix]);
  const errors: string[] = [];
  try {
    const page = await timed('workbench ready (ui)', () => openWorkbench(browser, server.url(), errors));
    return await timed('ui flow', () => runWorkbenchFlow(page, { httpPort, shotsDir: SHOTS_DIR }));
  } finally {
    if (errors.length) console.log(`page errors during the UI test: ${errors.length}\n  ${errors.slice(0, 5).join('\n  ')}`);
    await stopCodeServer(server);
  }
}

async function main(): Promise<number> {
  for (const file of ['extension.js', 'server.js']) {
    if (!existsSync(join(REPO, 'dist', file))) throw new Error(`dist/${file} is missing: run npm run build first`);
  }
  mkdirSync(SHOTS_DIR, { recursive: true });
  // Screenshots of an earlier run would pass for this one's.
  for (const file of readdirSync(SHOTS_DIR)) if (/^(ui|suites|failed)-.*\.png$/.test(file)) rmSync(join(SHOTS_DIR, file));
  const runDir = mkdtempSync(join(tmpdir(), 'ati-vscode-'));
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  let ok = false;
  try {
    // VSCODE_TEST_PARTS=suites or =ui runs one part, for working on it.
    const parts = (process.env.VSCODE_TEST_PARTS ?? 'suites,ui').split(',');
    const suites = parts.includes('suites') ? await runSuites(browser, runDir) : true;
    const ui = parts.includes('ui') ? await runUi(browser, runDir) : true;
    ok = suites && ui;
  } finally {
    await browser.close();
  }
  if (ok) rmSync(runDir, { recursive: true, force: true });
  else console.error(`Left for inspection: ${runDir}`);
  console.log(`\nScreenshots: ${SHOTS_DIR}`);
  console.log(`Timings: ${timings.map(([what, ms]) => `${what} ${(ms / 1000).toFixed(1)} s`).join(' · ')}`);
  return ok ? 0 : 1;
}

const startedAt = Date.now();
const watchdog = setTimeout(async () => {
  console.error(`test:vscode took longer than ${RUN_TIMEOUT_MS / 60_000} min; stopping.`);
  await Promise.all([...running].map((server) => server.stop()));
  process.exit(1);
}, RUN_TIMEOUT_MS);

main().then(async (code) => {
  clearTimeout(watchdog);
  console.log(`Total ${((Date.now() - startedAt) / 1000).toFixed(1)} s`);
  process.exit(code);
}, async (error: Error) => {
  clearTimeout(watchdog);
  console.error(error.stack ?? error.message);
  await Promise.all([...running].map((server) => server.stop()));
  process.exit(1);
});
