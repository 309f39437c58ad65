// Team backends in the editor: a Tempo (a loopback server answering with Tempo's own test trace)
// that wants a tenant header. The header is set with Set Team Backend Header… (SecretStorage),
// Open Trace by ID finds the trace there, the Traces view marks it with a cloud and the backend,
// and Search Team Traces… lists what the backend found. Forwarding shows its counts.
import assert from 'node:assert/strict';
import { createServer, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { COMMANDS, type CommandName } from '../../../src/shared/commands';
import { api, extension, setSetting, shownTexts, ui, waitFor, waitForTraceEditor } from './harness';

const run = (command: CommandName, ...args: unknown[]) => Promise.resolve(vscode.commands.executeCommand(COMMANDS[command], ...args));
const VULTURE_TRACE = '3149195ffb0bec05347b48efe8ecc1b0';
const fixture = (name: string) => readFileSync(join(extension().extensionPath, 'test', 'fixtures', 'backends', name), 'utf8');

describe('team backends in the editor', () => {
  let tempo: Server;
  const asked: { path: string; tenant?: string }[] = [];

  before(async () => {
    const trace = fixture('tempo-vulture-trace.json');
    tempo = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://tempo');
      const tenant = req.headers['x-scope-orgid'] as string | undefined;
      asked.push({ path: url.pathname, tenant });
      req.resume();
      if (tenant !== 'team-a') return void res.writeHead(401).end('no tenant');
      if (url.pathname === `/api/v2/traces/${VULTURE_TRACE}`) return void res.writeHead(200).end(`{"trace":${trace}}`);
      if (url.pathname === '/api/search') return void res.writeHead(200).end(fixture('tempo-search-tags.json'));
      res.writeHead(404).end('{}');
    });
    await new Promise<void>((resolve) => tempo.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(tempo.address() as AddressInfo).port}`;
    await setSetting('backends', [{ name: 'tempo', type: 'tempo', url, traceUrl: 'https://grafana.example.com/explore?traceId={traceId}' }]);
    const { source } = await api();
    await waitFor('the engine to know the backend', async () => (await source.backends()).length === 1);
    // What earlier suites left open (a trace view with focus, a quick pick) must not take this suite's typing.
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await vscode.commands.executeCommand('workbench.action.closeQuickOpen');
    await vscode.commands.executeCommand('notifications.clearAll');
  });

  after(async () => {
    await setSetting('backends', undefined);
    await setSetting('receiver.forward', undefined);
    tempo.close();
    tempo.closeAllConnections();
  });

  it('keeps the header Set Team Backend Header… takes in SecretStorage, not in settings', async () => {
    const done = run('setBackendHeader');
    await ui({ do: 'quickInput', text: 'X-Scope-OrgID', enter: true });
    // The second box replaces the first in the same widget: type only once it shows.
    await waitFor('the value box', async () => (await shownTexts('.quick-input-widget .quick-input-title')).some((t) => t.includes('X-Scope-OrgID for tempo')));
    await ui({ do: 'quickInput', text: 'team-a', enter: true });
    await done;
    const settings = JSON.stringify(vscode.workspace.getConfiguration('aiTraceInspector').get('backends'));
    assert.doesNotMatch(settings, /team-a/);
  });

  it('Open Trace by ID finds a trace in the backend, says where, and marks it with a cloud', async () => {
    const done = run('openTraceById');
    await ui({ do: 'quickInput', text: VULTURE_TRACE, enter: true });
    await done;
    await waitForTraceEditor({ traceId: VULTURE_TRACE, name: 'vulture' }).catch(async (error: Error) => {
      throw new Error(`${error.message}; Tempo was asked ${JSON.stringify(asked)}; shown: ${(await shownTexts('.notification-toast')).join(' | ')}`);
    });
    // A toast can be hidden behind newer ones or timed out under load: the notification center keeps it.
    await vscode.commands.executeCommand('notifications.showList');
    await waitFor('the message naming the backend', async () => (await shownTexts('.notifications-center .notification-list-item')).some((t) => t.includes('found in tempo')));
    await vscode.commands.executeCommand('notifications.hideList');
    assert.deepEqual(asked.filter((a) => a.path.endsWith(VULTURE_TRACE)).at(-1), { path: `/api/v2/traces/${VULTURE_TRACE}`, tenant: 'team-a' });
    const { tree } = await api();
    const row = await waitFor('the remote trace in the tree', async () => (await tree.getChildren()).find((n) => n.type === 'trace' && n.trace.traceId === VULTURE_TRACE));
    const item = tree.getTreeItem(row);
    assert.equal((item.iconPath as vscode.ThemeIcon).id, 'cloud');
    assert.match(String(item.description), /^☁ tempo/);
  });

  it('Search Team Traces… runs TraceQL in the backend and lists what it found', async () => {
    const done = run('searchTeamTraces');
    await ui({ do: 'quickInput', text: '{ resource.service.name = "cartservice" }', enter: true });
    const items = await waitFor('the results', async () => {
      const shown = await shownTexts('.quick-input-list .monaco-list-row');
      return shown.some((t) => t.includes('d6e9329d67b6146a')) ? shown : undefined;
    });
    assert.ok(items.some((t) => t.includes('/cart')));
    await vscode.commands.executeCommand('workbench.action.closeQuickOpen');
    await done;
    assert.equal(asked.at(-1)?.path, '/api/search');
  });

  it('shows per forwarding target what is queued when the upstream is down', async () => {
    const dead = createServer();
    await new Promise<void>((resolve) => dead.listen(0, '127.0.0.1', resolve));
    const upstream = `http://127.0.0.1:${(dead.address() as AddressInfo).port}`;
    await new Promise<void>((resolve) => dead.close(() => resolve()));
    await setSetting('receiver.forward', [upstream]);
    const { engine } = await api();
    await fetch(`http://127.0.0.1:${engine.status.httpPort}/v1/traces`, {
      method: 'POST', headers: { 'Content-Type': 'application/json' }, body: fixture('tempo-v1-batches-trace.json').replace('"batches"', '"resourceSpans"'),
    });
    const forward = await waitFor('the forward counts', async () => (await engine.stats()).forward?.find((t) => t.retries > 0));
    assert.equal(forward.url, upstream);
    assert.equal(forward.lastError, 'ECONNREFUSED');
    assert.equal(forward.sent, 0);
    assert.equal(forward.queued, 1);
  });
});
