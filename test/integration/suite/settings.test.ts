// Settings apply without a reload: a new port moves the receiver, and a port another process
// holds gives a message that says so and offers a free one, or, when another window's engine
// holds it, to show that engine's traces here.
import assert from 'node:assert/strict';
import { ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { context, trace } from '@opentelemetry/api';
import * as vscode from 'vscode';
import { focusViewCommand, VIEWS } from '../../../src/shared/commands';
import { sendAiRequests, sendSpans } from '../otlpTraffic';
import { PortHolder, recentlyFreePort } from '../portHolder';
import {
  api, config, crashEngine, engineStatsAt, extension, rowsFor, SECTION, setSetting, shownTexts, sleep, statusBarText, statusesDuring, ui, waitFor,
} from './harness';

const httpPortSetting = () => vscode.workspace.getConfiguration(SECTION).get<number>('receiver.httpPort');

/** Receiving on a fresh port with no notification left over, whatever the test before left. */
async function receiveOnFreshPort(): Promise<number> {
  const { engine } = await api();
  const port = await recentlyFreePort();
  await setSetting('receiver.httpPort', port);
  await waitFor(`the receiver on ${port}`, () => engine.status.receiving && engine.status.httpPort === port);
  await vscode.commands.executeCommand('notifications.clearAll');
  return port;
}

/** The message about `port` being held, once it shows. */
function conflictMessage(port: number): Promise<string> {
  return waitFor(`the message about port ${port}`, async () => (await shownTexts('.notification-toast')).find((t) => t.toLowerCase().includes(`port ${port}`)));
}

/** The headless engine (`ai-trace-inspector serve`), as another window or a terminal runs it. */
async function startOtherEngine(): Promise<{ process: ChildProcess; port: number }> {
  const port = await recentlyFreePort();
  const cli = join(extension().extensionPath, 'dist', 'cli.js');
  const child = spawn(process.execPath, [cli, 'serve', '--port', String(port), '--grpc-port', '0'], { stdio: 'ignore' });
  await waitFor(`the other engine on ${port}`, () => engineStatsAt(port));
  return { process: child, port };
}

describe('settings', () => {
  after(() => setSetting('receiver.httpPort', config.httpPort));

  it('moves the receiver to a new port without a reload, keeping the traces', async () => {
    const { engine, source } = await api();
    const before = (await source.stats()).traces;
    const newPort = await recentlyFreePort();
    const statuses = await statusesDuring(async () => {
      await setSetting('receiver.httpPort', newPort);
      await waitFor(`the receiver on ${newPort}`, () => engine.status.receiving && engine.status.httpPort === newPort);
      await sleep(1500); // any later status (a second restart of the receivers) arrives meanwhile
    });
    assert.deepEqual(statuses.filter((s) => s.problem), [], 'the move never reports a problem');
    assert.equal(engine.status.httpPort, newPort, 'still receiving on the new port');
    const stats = await waitFor(`an answer on ${newPort}`, () => engineStatsAt(newPort));
    assert.equal(stats.traces, before, 'the traces in memory stay');
    assert.equal(await engineStatsAt(config.httpPort), undefined, 'the old port is free');
    await waitFor('the status bar to show the new port', async () => (await statusBarText()).includes(`:${newPort}`));
    await rowsFor(await sendAiRequests(newPort, [{ name: 'on-the-new-port', durationMs: 250, inputTokens: 20, outputTokens: 4 }]));
  });

  it('ends on the last port when the setting changes again before the receiver moved (typing a port)', async () => {
    const { engine } = await api();
    const ports = [await recentlyFreePort(), await recentlyFreePort(), await recentlyFreePort()];
    const last = ports[ports.length - 1];
    const statuses = await statusesDuring(async () => {
      await Promise.all(ports.map((port) => setSetting('receiver.httpPort', port)));
      await waitFor(`the receiver on ${last}`, () => engine.status.receiving && engine.status.httpPort === last);
      await sleep(1500);
    });
    assert.deepEqual(statuses.filter((s) => s.problem), [], 'no receiver start collides with another');
    assert.deepEqual({ receiving: engine.status.receiving, httpPort: engine.status.httpPort }, { receiving: true, httpPort: last });
    await waitFor(`an answer on ${last}`, () => engineStatsAt(last));
  });

  it('ends on the new port when the setting changes while the engine restarts', async () => {
    // The change has to land while the new engine starts its receivers: a window of some
    // 100 ms, so the scenario is tried twice (more crashes and the client stops restarting).
    const { engine } = await api();
    for (let round = 1; round <= 2; round++) {
      const port = await recentlyFreePort();
      const statuses = await statusesDuring(async () => {
        await crashEngine();
        await setSetting('receiver.httpPort', port);
        await waitFor(`round ${round}: the receiver on ${port}, the port the settings name`,
          () => engine.status.receiving && engine.status.httpPort === port);
        await sleep(500);
      });
      assert.deepEqual(statuses.filter((s) => s.problem), [], `round ${round}: no receiver start collides with another`);
    }
  });

  it('says a port is taken by another process and moves to a free one when asked', async () => {
    const { engine } = await api();
    await receiveOnFreshPort();
    const blocker = await PortHolder.start();
    const taken = blocker.port;
    try {
      await setSetting('receiver.httpPort', taken);
      const status = await waitFor('the port problem', () => (engine.status.problem?.portInUse ? engine.status : undefined));
      assert.equal(status.problem?.port, taken);
      assert.equal(status.receiving, false);
      await waitFor('the status bar to warn', async () => (await statusBarText()).includes(`port ${taken} in use`));
      assert.match(await conflictMessage(taken), /in use by another process/);
      await ui({ do: 'screenshot', name: 'suites-port-conflict' });
      await ui({ do: 'click', text: 'Use Port', within: '.notification-toast' });
      const moved = await waitFor('the receiver on another port', () => (engine.status.receiving ? engine.status.httpPort : undefined));
      assert.notEqual(moved, taken);
      assert.equal(httpPortSetting(), moved, 'the setting names the new port');
      await waitFor(`an answer on ${moved}`, () => engineStatsAt(moved!));
    } finally {
      await blocker.release();
    }
  });

  it('moves to a free port also when the port is set in the workspace settings', async () => {
    const { engine } = await api();
    await receiveOnFreshPort();
    const blocker = await PortHolder.start();
    const workspaceSettings = vscode.workspace.getConfiguration(SECTION);
    try {
      await workspaceSettings.update('receiver.httpPort', blocker.port, vscode.ConfigurationTarget.Workspace);
      await conflictMessage(blocker.port);
      await ui({ do: 'click', text: 'Use Port', within: '.notification-toast' });
      const moved = await waitFor('the receiver on another port', () => (engine.status.receiving ? engine.status.httpPort : undefined));
      assert.equal(httpPortSetting(), moved, 'the setting in effect names the new port');
    } finally {
      await workspaceSettings.update('receiver.httpPort', undefined, vscode.ConfigurationTarget.Workspace);
      await blocker.release();
    }
  });

  it('offers to show the traces of another engine on the port, and takes the port over when it stops', async () => {
    const { engine, tree } = await api();
    await receiveOnFreshPort();
    const other = await startOtherEngine();
    try {
      const [theirs] = await sendAiRequests(other.port, [{ name: 'received-by-the-other-engine', durationMs: 500, inputTokens: 30, outputTokens: 6 }]);
      await setSetting('receiver.httpPort', other.port);
      const message = await conflictMessage(other.port);
      assert.match(message, /another (AI Trace Inspector engine|VS Code window)/i);
      // Attaching may wait for a click or happen by itself (the message then only says so).
      if (/Attach/.test(message)) await ui({ do: 'click', text: 'Attach', within: '.notification-toast' });
      await rowsFor([theirs]);
      await waitFor('the status bar to show the attached engine', async () => !(await statusBarText()).includes(`port ${other.port} in use`));
      await vscode.commands.executeCommand(focusViewCommand(VIEWS.traces));
      await ui({ do: 'screenshot', name: 'suites-attached' });
      other.process.kill();
      await waitFor(`this window receiving on ${other.port}`, () => engine.status.receiving && engine.status.httpPort === other.port, 30_000);
      const [ours] = await sendAiRequests(other.port, [{ name: 'received-after-taking-over', durationMs: 400, inputTokens: 30, outputTokens: 6 }]);
      await rowsFor([ours]);
      assert.ok((await tree.getChildren()).length > 0);
    } finally {
      other.process.kill();
    }
  });

  it('applies a smaller memory cap at once, and the Traces view says how many traces it evicted', async () => {
    const { engine, source, view } = await api();
    try {
      await setSetting('memory.maxSpans', 1000);
      await sleep(500); // the engine takes the new settings
      const port = engine.status.httpPort!;
      // Two exports of 60 traces of 10 spans: 1,200 spans into a cap of 1,000.
      for (let batch = 0; batch < 2; batch++) {
        await sendSpans(port, (tracer) => {
          for (let t = 0; t < 60; t++) {
            const root = tracer.startSpan(`capped-${batch}-${t}`);
            for (let s = 0; s < 9; s++) tracer.startSpan('step', {}, trace.setSpan(context.active(), root)).end();
            root.end();
          }
        });
      }
      const stats = await waitFor('evictions', async () => ((await source.stats()).evictedTraces > 0 ? source.stats() : undefined));
      assert.ok(stats.spans <= 1000, `${stats.spans} spans held`);
      await vscode.commands.executeCommand(focusViewCommand(VIEWS.traces));
      const message = await waitFor('the Traces view to say so', async () =>
        (await shownTexts('.tree-explorer-viewlet-tree-view .message')).find((t) => t.includes('evicted')));
      assert.match(message, new RegExp(`${stats.evictedTraces.toLocaleString('en-US')} older traces were evicted`));
      await ui({ do: 'screenshot', name: 'suites-memory-cap' });
      await source.clear();
      await waitFor('the message to go with the traces', () => view.message === undefined);
    } finally {
      await setSetting('memory.maxSpans', undefined);
    }
  });
});
