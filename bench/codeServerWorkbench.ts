// The real VS Code for the benches: code-server with a throwaway workspace, settings and store,
// the extension from source or from its .vsix, and the workbench open in Chromium with the Traces
// view shown and the engine answering.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Frame, type Page } from 'playwright-core';
import { recentlyFreePort } from '../test/integration/portHolder';
import { CodeServer } from '../test/integration/runner/codeServer';

export interface Workbench {
  page: Page;
  httpPort: number;
  /** A folder removed after the run. */
  dir: string;
}

/** Runs `bench` against a fresh workbench, then stops it all. */
export async function withWorkbench(options: { name: string; extensionDevelopmentPath?: string; vsix?: (dir: string) => string; chromiumArgs?: string[] },
  bench: (workbench: Workbench) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), `ati-bench-${options.name}-`));
  const workspace = join(dir, 'workspace');
  mkdirSync(workspace, { recursive: true });
  const httpPort = await recentlyFreePort();
  let grpcPort = await recentlyFreePort();
  while (grpcPort === httpPort) grpcPort = await recentlyFreePort();
  const server = await CodeServer.start({ dir, workspace, extensions: options.vsix ? [options.vsix(dir)] : [], userSettings: {
    'aiTraceInspector.receiver.httpPort': httpPort, 'aiTraceInspector.receiver.grpcPort': grpcPort, 'aiTraceInspector.store.location': join(dir, 'store'),
    'workbench.startupEditor': 'none', 'workbench.tips.enabled': false, 'telemetry.telemetryLevel': 'off', 'extensions.autoUpdate': false,
    'update.mode': 'none', 'security.workspace.trust.enabled': false,
  } });
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run', ...(options.chromiumArgs ?? [])] });
  try {
    const page = await (await browser.newContext({ viewport: { width: 1400, height: 900 } })).newPage();
    await page.goto(server.url(options.extensionDevelopmentPath ? { extensionDevelopmentPath: options.extensionDevelopmentPath } : {}));
    await page.locator('.activitybar .action-item a[aria-label^="Traces"]').click({ timeout: 60_000 });
    await page.locator('[id="workbench.view.extension.aiTraceInspector"]').getByText('No traces yet').waitFor({ timeout: 60_000 });
    for (let tries = 0; !(await fetch(`http://127.0.0.1:${httpPort}/api/stats`).then((r) => r.ok, () => false)); tries++) {
      if (tries > 300) throw new Error(`the engine never answered on port ${httpPort}`);
      await page.waitForTimeout(200);
    }
    await bench({ page, httpPort, dir });
  } finally {
    await browser.close();
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The webview frames showing a trace panel (VS Code nests it in two iframes). */
export function traceFrames(page: Page): Frame[] {
  return page.frames().filter((f) => f.name() === 'active-frame' || f.url().includes('fake.html'));
}

/** Runs a bench's main and exits with its outcome. */
export function runBench(main: () => Promise<void>): void {
  main().then(() => process.exit(0), (error: Error) => {
    console.error(error.stack ?? error.message);
    process.exit(1);
  });
}

/**
 * Waits until a trace panel shows the trace named (its title) with a row laid out, and the next
 * frame painted it; ms since `since` and the frame, or undefined after `timeoutMs`.
 */
export async function firstRowsPainted(page: Page, name: string, since: number, timeoutMs: number): Promise<{ ms: number; frame: Frame } | undefined> {
  const deadline = since + timeoutMs;
  while (Date.now() < deadline) {
    for (const frame of traceFrames(page)) {
      const painted = await frame.evaluate(`(async () => {
        const title = document.querySelector('.trace-title');
        if (!title || title.textContent !== ${JSON.stringify(name)} || !document.querySelector('.row:not([hidden]) .span-name')?.textContent) return false;
        await new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));
        return true;
      })()`).catch(() => false);
      if (painted) return { ms: Date.now() - since, frame };
    }
    await page.waitForTimeout(5);
  }
  return undefined;
}
