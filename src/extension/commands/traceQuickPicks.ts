// Show Slow / Failed / Most Expensive Traces, Search Traces, Open Trace by ID: each a quick
// pick over an engine query; choosing a trace opens it.
import * as vscode from 'vscode';
import type { TraceQuery, TraceSummary } from '../../shared/spanModel';
import { formatCost, formatDuration, formatRelativeTime, formatTokens } from '../format';
import { slowThresholdMs } from '../settings';
import type { TraceSource } from '../traceSource';

interface TracePick extends vscode.QuickPickItem {
  traceId: string;
}

const LIMIT = 200;

/** Opens through the command, so every way of opening a trace shows the same view. */
const openTrace = (traceId: string) => vscode.commands.executeCommand('aiTraceInspector.openTrace', traceId);

async function pickAndOpen(source: TraceSource, title: string, query: TraceQuery, describe: (t: TraceSummary) => TracePick,
  empty: string): Promise<void> {
  const traces = await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title }, () => source.query({ limit: LIMIT, ...query }));
  if (!traces.length) {
    void vscode.window.showInformationMessage(empty);
    return;
  }
  const picked = await vscode.window.showQuickPick(traces.map(describe), { title, matchOnDescription: true, matchOnDetail: true });
  if (picked) await openTrace(picked.traceId);
}

function when(t: TraceSummary): string {
  return `${formatRelativeTime(t.startMs)} · ${t.service}`;
}

export function showSlowTraces(source: TraceSource): Promise<void> {
  const threshold = slowThresholdMs();
  return pickAndOpen(source, `Traces slower than ${formatDuration(threshold)}, slowest first`, { sort: 'duration', minDurationMs: threshold },
    (t) => ({
      traceId: t.traceId,
      label: `$(watch) ${formatDuration(t.durationMs)}  ${t.name}`,
      description: when(t),
      detail: t.slowestStep ? `slowest step: ${t.slowestStep.name} ${formatDuration(t.slowestStep.durationMs)}` : undefined,
    }),
    `No trace took ${formatDuration(threshold)} or longer. The threshold is the setting aiTraceInspector.slowThresholdMs.`);
}

export function showFailedTraces(source: TraceSource): Promise<void> {
  return pickAndOpen(source, 'Failed traces, newest first', { status: 'error' }, (t) => ({
    traceId: t.traceId,
    label: `$(error) ${t.name}`,
    description: `${formatDuration(t.durationMs)} · ${when(t)}`,
    detail: t.errorMessage,
  }), 'No failed traces.');
}

export function showExpensiveTraces(source: TraceSource): Promise<void> {
  return pickAndOpen(source, 'Most expensive traces (cost, then tokens)', { sort: 'cost' }, (t) => ({
    traceId: t.traceId,
    label: `$(credit-card) ${formatCost(t.costUsd)}  ${formatTokens(t.tokens.total)}  ${t.name}`,
    description: when(t),
    detail: `${t.tokens.input} in / ${t.tokens.output} out${t.models.length ? ` · ${t.models.join(', ')}` : ''}`,
  }), 'No traces yet.');
}

export async function searchTraces(source: TraceSource): Promise<void> {
  const text = await vscode.window.showInputBox({
    title: 'Search Traces',
    prompt: 'Text in prompts, responses, span names and attribute values (a customer id, an error, a phrase)',
    placeHolder: 'e.g. 12345, refund, RateLimitError',
  });
  if (!text) return;
  await pickAndOpen(source, `Traces containing "${text}"`, { q: text }, (t) => ({
    traceId: t.traceId,
    label: `${t.status === 'error' ? '$(error)' : '$(pass)'} ${t.name}`,
    description: `${formatDuration(t.durationMs)} · ${when(t)}`,
    detail: t.traceId,
  }), `No trace contains "${text}".`);
}

export async function openTraceById(source: TraceSource): Promise<void> {
  const id = await vscode.window.showInputBox({
    title: 'Open Trace by ID',
    prompt: 'A trace id: 32 hex characters',
    validateInput: (value) => (/^[0-9a-fA-F]{32}$/.test(value.trim()) ? undefined : 'A trace id is 32 hex characters, e.g. 5b8efff798038103d269b633813fc60c'),
  });
  if (!id) return;
  const traceId = id.trim().toLowerCase();
  if (!(await source.trace(traceId))) {
    void vscode.window.showWarningMessage(`Trace ${traceId} is not loaded. It may not have arrived yet, or was evicted or cleared.`);
    return;
  }
  await openTrace(traceId);
}
