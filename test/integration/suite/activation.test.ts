// Activation: the extension loads, starts its engine in a separate process, and the receiver
// answers on the port the user settings name.
import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { focusViewCommand, VIEWS } from '../../../src/shared/commands';
import { api, config, engineStatsAt, extension, statusBarText, waitFor } from './harness';

describe('activation', () => {
  it('activates and returns the engine, the trace source and the tree', async () => {
    const { engine, source, tree } = await api();
    assert.ok(extension().isActive);
    assert.equal(typeof engine.query, 'function');
    assert.equal(typeof source.stats, 'function');
    assert.equal(typeof tree.getChildren, 'function');
  });

  it('runs the engine in its own process, not in the extension host', async () => {
    const { engine } = await api();
    const pid = await waitFor('the engine process id', () => engine.processId);
    assert.notEqual(pid, process.pid);
    assert.doesNotThrow(() => process.kill(pid, 0), 'the engine process is alive');
  });

  it('receives on the configured ports and the receiver answers there', async () => {
    const { engine } = await api();
    const status = await waitFor('the receiver to start', () => (engine.status.receiving ? engine.status : undefined));
    assert.equal(status.httpPort, config.httpPort);
    assert.equal(status.grpcPort, config.grpcPort);
    const stats = await waitFor(`an answer on port ${config.httpPort}`, () => engineStatsAt(config.httpPort));
    assert.equal(typeof stats.traces, 'number');
  });

  it('shows the receiver and its port in the status bar', async () => {
    const text = await waitFor('the status bar item to show the port', async () => {
      const shown = await statusBarText();
      return shown.includes(`:${config.httpPort}`) ? shown : undefined;
    });
    assert.match(text, /Traces/);
  });

  it('contributes the Traces view that can be focused', async () => {
    await vscode.commands.executeCommand(focusViewCommand(VIEWS.traces));
  });
});
