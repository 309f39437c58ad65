// Team backends in the editor: Open Trace by ID falls back to them, Search Team Traces… runs a
// backend's own query, Set Team Backend Header… keeps credentials in SecretStorage, and Open in
// Team Backend opens a trace in the backend's UI. Every network call runs in the engine process.
import * as vscode from 'vscode';
import { COMMANDS } from '../../shared/commands';
import { formatDuration } from '../../shared/format';
import type { BackendListing, BackendType, RemoteTraceHit } from '../../shared/backends';
import { isFullTraceId } from '../../shared/backends';
import type { BackendSecrets } from '../engineConnection/backendSecrets';
import { configuredBackends } from '../engineConnection/settings';
import type { TraceSource } from '../engineConnection/traceSource';
import { traceIdOf, type TreeNode } from '../views/tracesTree';

const QUERY_HINTS: Record<BackendType, { prompt: string; placeHolder: string }> = {
  tempo: { prompt: 'TraceQL', placeHolder: '{ resource.service.name = "checkout" && status = error }' },
  jaeger: { prompt: 'service=NAME [operation=NAME] [since=1h] [minDuration=2s] [attribute=value ...]', placeHolder: 'service=checkout customer.id=12345 since=3h' },
  clickhouse: { prompt: '[service=NAME] [name=SPAN] [status=error|ok] [minDuration=2s] [maxDuration=] [since=1d] [attribute=value ...]', placeHolder: 'service=checkout status=error since=2h' },
  phoenix: { prompt: '[name=SPAN] [status=error|ok] [since=1h] [attribute=value ...]', placeHolder: 'status=error user.id=42 since=1d' },
  langfuse: { prompt: '[name=] [userId=] [sessionId=] [tags=] [since=1d]', placeHolder: 'userId=user_123 since=1d' },
};

/** Loads a trace from the team backends with progress; true when it is now in the engine. */
export async function openFromBackends(source: TraceSource, traceId: string, backend?: string): Promise<boolean> {
  const result = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `Looking for trace ${traceId} in ${backend ?? 'the team backends'}…` },
    () => source.openRemote(traceId, backend),
  );
  if (result.backend) {
    void vscode.window.showInformationMessage(`Trace ${traceId} found in ${result.backend}.`);
    return true;
  }
  if (result.error) void vscode.window.showErrorMessage(result.error);
  else if (result.problems.length) void vscode.window.showWarningMessage(`Trace ${traceId} is not here nor in the team backends: ${result.problems.join('; ')}`);
  return false;
}

export async function searchTeamTraces(source: TraceSource): Promise<void> {
  const backends = await source.backends();
  if (!backends.length) {
    const choice = await vscode.window.showInformationMessage('No team backend is configured (aiTraceInspector.backends).', 'Open Settings');
    if (choice) void vscode.commands.executeCommand('workbench.action.openSettings', 'aiTraceInspector.backends');
    return;
  }
  const backend = backends.length === 1 ? backends[0] : (await vscode.window.showQuickPick(
    backends.map((b) => ({ label: `$(cloud) ${b.name}`, description: `${b.type} · ${b.url}`, backend: b })),
    { title: 'Search Team Traces: which backend?' },
  ))?.backend;
  if (!backend) return;
  const hint = QUERY_HINTS[backend.type];
  const query = await vscode.window.showInputBox({ title: `Search ${backend.name} (${backend.type})`, prompt: hint.prompt, placeHolder: hint.placeHolder });
  if (query === undefined) return;
  const result = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `Searching ${backend.name}…` },
    () => source.searchBackend(backend.name, query, 50),
  );
  if (result.error) {
    void vscode.window.showErrorMessage(result.error);
    return;
  }
  if (!result.traces.length) {
    void vscode.window.showInformationMessage(`${backend.name}: no trace matches.`);
    return;
  }
  const picked = await vscode.window.showQuickPick(result.traces.map((hit) => hitItem(hit)), {
    title: `${backend.name}: ${result.traces.length} trace(s)`, matchOnDescription: true, matchOnDetail: true,
  });
  if (picked && await openFromBackends(source, picked.hit.traceId, backend.name)) {
    await vscode.commands.executeCommand(COMMANDS.openTrace, picked.hit.traceId);
  }
}

function hitItem(hit: RemoteTraceHit): vscode.QuickPickItem & { hit: RemoteTraceHit } {
  // Trace content is text: codicon syntax in it is not rendered.
  const text = (value: string | undefined) => (value ?? '').replace(/\$\(/g, '$\u200b(');
  return {
    hit,
    label: `$(cloud) ${text(hit.name) || hit.traceId}`,
    description: [hit.service && text(hit.service), hit.durationMs !== undefined && formatDuration(hit.durationMs),
      hit.startMs !== undefined && new Date(hit.startMs).toLocaleString()].filter(Boolean).join(' · '),
    detail: hit.traceId,
  };
}

/** `apply` sends the engine its settings with the new header; the command ends once it has them. */
export async function setBackendHeader(secrets: BackendSecrets, apply: () => Promise<unknown>): Promise<void> {
  const names = configuredBackends().map((b) => b.name);
  if (!names.length) {
    void vscode.window.showInformationMessage('Add a team backend first (aiTraceInspector.backends).');
    return;
  }
  const backend = names.length === 1 ? names[0] : await vscode.window.showQuickPick(names, { title: 'Set a header for which backend?' });
  if (!backend) return;
  const header = await vscode.window.showInputBox({
    title: `Header for ${backend}`, prompt: `Header name (set: ${secrets.headerNames(backend).join(', ') || 'none'})`,
    placeHolder: 'Authorization', validateInput: (v) => (/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(v.trim()) ? undefined : 'A header name, e.g. Authorization or X-Scope-OrgID'),
  });
  if (!header) return;
  const value = await vscode.window.showInputBox({
    title: `${header.trim()} for ${backend}`, prompt: 'Kept in VS Code\'s SecretStorage, never in settings or logs. Empty removes it.',
    password: true, placeHolder: 'Bearer …',
  });
  if (value === undefined) return;
  await secrets.set(backend, header.trim(), value);
  await apply();
  void vscode.window.showInformationMessage(value ? `${header.trim()} saved for ${backend}.` : `${header.trim()} removed from ${backend}.`);
}

/** The backend's own page for a trace: its origin's link, else a pick of the backends with a link. */
export async function openInBackend(source: TraceSource, node?: TreeNode): Promise<void> {
  if (!node) return;
  const traceId = traceIdOf(node);
  const origin = node.type === 'trace' ? node.trace.origin : undefined;
  const linked = (await source.backends()).filter((b) => b.traceUrl);
  const candidates = origin && linked.some((b) => b.name === origin) ? linked.filter((b) => b.name === origin) : linked;
  const backend: BackendListing | undefined = candidates.length === 1 ? candidates[0] : (await vscode.window.showQuickPick(
    candidates.map((b) => ({ label: b.name, description: b.type, backend: b })), { title: 'Open in which backend?' },
  ))?.backend;
  if (!backend?.traceUrl || !isFullTraceId(traceId)) return;
  await vscode.env.openExternal(vscode.Uri.parse(backend.traceUrl.replace(/\{traceId\}/g, traceId)));
}
