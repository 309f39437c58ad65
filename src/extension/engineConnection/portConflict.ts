// When the receiver port is taken: say who holds it and offer what fixes it, instead of
// failing silently. Another window's engine can be attached to; any other process can be
// avoided by moving to a free port.
import { createServer } from 'node:net';
import * as vscode from 'vscode';
import type { ReceiverStatus } from '../../shared/engineProtocol';
import { HttpTraceSource } from './httpTraceSource';
import { SECTION } from './settings';

export type PortChoice = { action: 'attach'; port: number } | { action: 'moved' } | { action: 'none' };

/**
 * Another window's engine is attached to at once (several windows share one receiver, which
 * is what users expect), with a note that offers a port of this window's own instead; any other
 * process holding the port gets a warning with the choices.
 */
export async function resolvePortConflict(status: ReceiverStatus): Promise<PortChoice> {
  const port = status.problem?.port;
  if (!port) return { action: 'none' };
  const ours = await HttpTraceSource.isEngineAt(port);
  const free = await findFreePort(port + 1);
  const useOther = `Use Port ${free}`;
  const settings = 'Open Settings';
  if (ours) {
    void vscode.window.showInformationMessage(
      `Another AI Trace Inspector engine (another VS Code window, or the CLI) receives traces on port ${port}; this window shows them too, and takes over when it stops.`,
      useOther).then((answer) => { if (answer === useOther) void moveTo(status, free); });
    return { action: 'attach', port };
  }
  const message = `Port ${port} is in use by another process, so this window cannot receive traces there. Receive on another port (point your exporter at it), or free the port.`;
  const answer = await vscode.window.showWarningMessage(message, useOther, settings);
  if (answer === useOther) {
    await moveTo(status, free);
    return { action: 'moved' };
  }
  if (answer === settings) await vscode.commands.executeCommand('workbench.action.openSettings', `${SECTION}.receiver`);
  return { action: 'none' };
}

/** Writes the port where it is set now: a user value would stay hidden under a workspace one. */
async function moveTo(status: ReceiverStatus, free: number): Promise<void> {
  const key = status.problem?.protocol === 'grpc' ? 'receiver.grpcPort' : 'receiver.httpPort';
  const config = vscode.workspace.getConfiguration(SECTION);
  const set = config.inspect(key);
  const target = set?.workspaceFolderValue !== undefined ? vscode.ConfigurationTarget.WorkspaceFolder
    : set?.workspaceValue !== undefined ? vscode.ConfigurationTarget.Workspace : vscode.ConfigurationTarget.Global;
  await config.update(key, free, target);
}

async function findFreePort(from: number): Promise<number> {
  for (let port = from; port < from + 100; port++) {
    const free = await new Promise<boolean>((resolve) => {
      const server = createServer();
      server.once('error', () => resolve(false));
      server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
    });
    if (free) return port;
  }
  return 0;
}
