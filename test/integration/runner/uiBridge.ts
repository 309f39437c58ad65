// The runner's hands for suites inside the extension host: they POST an action (click a button
// by its text, type, press a key, read an element's text, take a screenshot) and the runner does
// it in the workbench page with Playwright, as a person would.
import { createServer, Server } from 'node:http';
import { join } from 'node:path';
import type { Frame, Page } from 'playwright-core';
import type { UiAction } from '../suite/harness';

export class UiBridge {
  private constructor(private readonly server: Server, readonly url: string) {}
  page?: Page;

  static start(shotsDir: string): Promise<UiBridge> {
    let bridge: UiBridge;
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const action = JSON.parse(Buffer.concat(chunks).toString()) as UiAction;
        perform(bridge.page, action, shotsDir).then(
          (result) => res.writeHead(200).end(result),
          (error: Error) => res.writeHead(500).end(error.message));
      });
    });
    return new Promise((resolve) => server.listen(0, '127.0.0.1', () => {
      bridge = new UiBridge(server, `http://127.0.0.1:${(server.address() as { port: number }).port}/`);
      resolve(bridge);
    }));
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }
}

/** The frame of the trace view in front (VS Code nests a webview's content in two iframes). */
async function traceWebview(page: Page): Promise<Frame> {
  for (let attempt = 0; attempt < 150; attempt++) {
    for (const frame of page.frames()) {
      if (await frame.locator('.waterfall').count().catch(() => 0)) return frame;
    }
    await page.waitForTimeout(200);
  }
  throw new Error('no trace view shows a waterfall');
}

async function perform(page: Page | undefined, action: UiAction, shotsDir: string): Promise<string> {
  if (!page) throw new Error('no workbench page');
  switch (action.do) {
    case 'click':
      // Notification, dialog and welcome-view buttons are all `.monaco-button`s.
      await page.locator(action.within ?? 'body').locator('.monaco-button', { hasText: action.text }).first().click({ timeout: 15_000 });
      return '';
    case 'clickElement':
      // Elements that are not buttons: a status bar item, a tree row.
      await page.locator(action.selector).first().click({ timeout: 15_000 });
      return '';
    case 'countVisible':
      // Without waiting: what the page shows right now.
      return String(await page.locator(action.selector).filter({ visible: true }).count());
    case 'type':
      await page.keyboard.type(action.text);
      return '';
    case 'press':
      await page.keyboard.press(action.key);
      return '';
    case 'text': {
      const found = page.locator(action.selector);
      await found.first().waitFor({ timeout: 15_000 });
      return JSON.stringify((await found.allInnerTexts()).map((text) => text.trim()));
    }
    case 'quickInput': {
      // Waits for the input box the command opens, then types into it as a person would.
      const input = page.locator('.quick-input-widget .quick-input-box input');
      await input.waitFor({ state: 'visible', timeout: 15_000 });
      await input.fill(action.text);
      if (action.enter) await input.press('Enter');
      return '';
    }
    case 'quickInputValue': {
      const input = page.locator('.quick-input-widget .quick-input-box input');
      await input.waitFor({ state: 'visible', timeout: 15_000 });
      return input.inputValue();
    }
    case 'webviewPress': {
      const target = (await traceWebview(page)).locator(action.selector).first();
      await target.focus();
      for (const key of action.keys) await target.press(key);
      return '';
    }
    case 'webviewText': {
      const found = (await traceWebview(page)).locator(action.selector);
      await found.first().waitFor({ timeout: 30_000 });
      return JSON.stringify(await found.evaluateAll((elements) => elements.map((e) => ({ text: (e as unknown as { innerText: string }).innerText.trim(), spanId: e.getAttribute('data-span-id') }))));
    }
    case 'screenshot': {
      const path = join(shotsDir, `${action.name}.png`);
      await page.screenshot({ path });
      return path;
    }
  }
}
