// What every suite needs inside the extension host: the extension's API, the run's settings,
// waiting for something asynchronous to become true, and the runner's hands in the workbench.
import * as vscode from 'vscode';
import type { ExtensionApi } from '../../../src/extension/extension';
import type { TreeNode } from '../../../src/extension/views/tracesTree';
import type { ReceiverStatus } from '../../../src/shared/engineProtocol';
import type { SentTrace } from '../otlpTraffic';
import { readRunConfig, RunConfig } from '../runConfig';

export const EXTENSION_ID = 'ai-trace-inspector.ai-trace-inspector';
export const SECTION = 'aiTraceInspector';

export const config: RunConfig = readRunConfig(__dirname);

export function extension(): vscode.Extension<ExtensionApi> {
  const found = vscode.extensions.getExtension<ExtensionApi>(EXTENSION_ID);
  if (!found) throw new Error(`${EXTENSION_ID} is not loaded in this window`);
  return found;
}

/** The activated extension's API (activating it if VS Code has not yet). */
export function api(): Promise<ExtensionApi> {
  return Promise.resolve(extension().activate());
}

/** Polls `probe` until it returns something other than undefined/false; fails after `timeoutMs`. */
export async function waitFor<T>(what: string, probe: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      lastError = error; // e.g. a request to an engine that is restarting
    }
    await sleep(100);
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${lastError ? ` (last error: ${(lastError as Error).message})` : ''}`);
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** GET on the receiver's query API; undefined when nothing answers on the port. */
export async function engineStatsAt(port: number): Promise<{ traces: number } | undefined> {
  try {
    const response = await fetch(`http://127.0.0.1:${port}/api/stats`, { signal: AbortSignal.timeout(2000) });
    return response.ok ? ((await response.json()) as { traces: number }) : undefined;
  } catch {
    return undefined;
  }
}

export type UiAction =
  | { do: 'click'; text: string; within?: string }
  | { do: 'clickElement'; selector: string }
  | { do: 'countVisible'; selector: string }
  | { do: 'type'; text: string }
  | { do: 'press'; key: string }
  | { do: 'text'; selector: string }
  | { do: 'quickInput'; text: string; enter: boolean }
  | { do: 'quickInputValue' }
  | { do: 'screenshot'; name: string }
  /** In the trace view's webview: press keys with an element focused... */
  | { do: 'webviewPress'; selector: string; keys: string[] }
  /** ...or read what its elements show (waits for the first), with their `data-span-id`. */
  | { do: 'webviewText'; selector: string };

/**
 * Asks the runner to act in the workbench page as a person would (click a notification or
 * dialog button, type into an input box) or to read what the page shows. The `vscode` API
 * cannot press a notification's button; a person can.
 */
export async function ui(action: UiAction): Promise<string> {
  const response = await fetch(config.bridgeUrl, { method: 'POST', body: JSON.stringify(action), signal: AbortSignal.timeout(30_000) });
  const text = await response.text();
  if (!response.ok) throw new Error(`the workbench could not ${action.do} ${JSON.stringify(action)}: ${text}`);
  return text;
}

/** The status bar item's text as shown (codicons render as nothing). */
const THEMES = { light: 'Default Light Modern', dark: 'Default Dark Modern' } as const;

/** Screenshots of the window in a light and a dark theme (`<name>-light.png`, `<name>-dark.png`). */
export async function shootInBothThemes(name: string): Promise<void> {
  const workbench = vscode.workspace.getConfiguration('workbench');
  const before = workbench.inspect<string>('colorTheme')?.globalValue;
  try {
    for (const [theme, id] of Object.entries(THEMES)) {
      await workbench.update('colorTheme', id, vscode.ConfigurationTarget.Global);
      await sleep(600);
      await ui({ do: 'screenshot', name: `${name}-${theme}` });
    }
  } finally {
    await workbench.update('colorTheme', before, vscode.ConfigurationTarget.Global);
  }
}

export async function statusBarText(): Promise<string> {
  const [text = ''] = await shownTexts(`[id="${EXTENSION_ID}.aiTraceInspector.status"]`);
  return text.replace(/\s+/g, ' ').trim();
}

/** Runs a command that opens a quick pick or input and accepts what is selected once it shows. */
export async function runAndAccept<T>(command: Promise<T>, timeoutMs = 20_000): Promise<T> {
  let settled = false;
  const done = command.finally(() => (settled = true));
  const deadline = Date.now() + timeoutMs;
  // Accepting before the quick pick shows does nothing, so keep trying until the command ends.
  while (!settled && Date.now() < deadline) {
    await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
    await sleep(200);
  }
  if (!settled) throw new Error('the command did not finish after its quick pick was accepted');
  return done;
}

/**
 * Waits until the editor in front shows the trace (or the span): the waterfall webview, whose
 * tab names the trace, or the read-only JSON document that came before it.
 */
export function waitForTraceEditor(what: { traceId: string; spanId?: string; name: string }): Promise<string> {
  return waitFor(`an editor showing ${what.name}${what.spanId ? ` span ${what.spanId}` : ''}`, () => {
    const tab = vscode.window.tabGroups.activeTabGroup.activeTab;
    const input = tab?.input;
    if (input instanceof vscode.TabInputText) {
      const text = vscode.workspace.textDocuments.find((d) => d.uri.toString() === input.uri.toString())?.getText() ?? '';
      return text.includes(what.traceId) && (!what.spanId || text.includes(what.spanId)) ? input.uri.toString() : undefined;
    }
    if (input instanceof vscode.TabInputWebview || input instanceof vscode.TabInputCustom) {
      return tab!.label.includes(what.name) || tab!.label.includes(what.traceId.slice(0, 8)) ? tab!.label : undefined;
    }
    return undefined;
  });
}

/** Texts of the elements the page shows for `selector`, e.g. the rows of an open quick pick. */
export async function shownTexts(selector: string): Promise<string[]> {
  return JSON.parse(await ui({ do: 'text', selector })) as string[];
}

export async function setSetting(key: string, value: unknown): Promise<void> {
  await vscode.workspace.getConfiguration(SECTION).update(key, value, vscode.ConfigurationTarget.Global);
}

/**
 * Runs `act` with the whole-trace requests refused: what must do bounded work on the extension host
 * (a 100,000-span trace is ~100 MB of JSON) fails the test if it asks for a whole trace.
 */
export async function withoutWholeTraces<T>(act: () => Promise<T>): Promise<T> {
  const { source } = await api();
  const wholeTraceRequests = ['trace', 'traceJson', 'exportOtlp'] as const;
  const kept = wholeTraceRequests.map((name) => [name, source[name]] as const);
  for (const name of wholeTraceRequests) Object.assign(source, { [name]: (traceId: string) => Promise.reject(new Error(`${name}(${traceId}): the whole trace was asked for`)) });
  try {
    return await act();
  } finally {
    for (const [name, request] of kept) Object.assign(source, { [name]: request });
  }
}

/** The tree's trace rows, once every trace in `sent` has one. */
export async function rowsFor(sent: Pick<SentTrace, 'traceId' | 'name'>[]): Promise<Map<string, TreeNode>> {
  const { tree } = await api();
  return waitFor(`rows for ${sent.map((t) => t.name).join(', ')}`, async () => {
    const rows = new Map((await tree.getChildren()).filter((n) => n.type === 'trace').map((n) => [n.type === 'trace' ? n.trace.traceId : '', n]));
    return sent.every((t) => rows.has(t.traceId)) ? rows : undefined;
  });
}


/** Kills the engine process as a crash would; resolves once the client has started another. */
export async function crashEngine(): Promise<{ killed: number; restarted: number }> {
  const { engine } = await api();
  const killed = engine.processId;
  if (!killed) throw new Error('the engine has no process id');
  process.kill(killed, 'SIGKILL');
  const restarted = await waitFor('a new engine process', () => (engine.processId && engine.processId !== killed ? engine.processId : undefined), 30_000);
  return { killed, restarted };
}

/** Runs `act` and resolves with every receiver status the engine reported meanwhile. */
export async function statusesDuring(act: () => Promise<void>): Promise<ReceiverStatus[]> {
  const { engine } = await api();
  const statuses: ReceiverStatus[] = [];
  const recording = engine.onDidChangeStatus((status) => statuses.push(status));
  try {
    await act();
  } finally {
    recording.dispose();
  }
  return statuses;
}
