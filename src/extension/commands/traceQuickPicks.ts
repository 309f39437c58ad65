// Show Slow / Failed / Most Expensive Traces, Search Traces, Open Trace by ID: each a quick
// pick over an engine query; choosing a trace opens it.
import * as vscode from 'vscode';
import { openFromBackends } from './teamBackends';
import { COMMANDS } from '../../shared/commands';
import type { StepStats, TextMatch, TraceQuery, TraceSummary } from '../../shared/spanModel';
import { parseFilter } from '../../shared/traceFilter';
import { formatCost, formatDuration, formatRelativeTime, formatTokens, noIcons } from '../../shared/format';
import { slowThresholdMs } from '../engineConnection/settings';
import { stepFilter } from '../views/stepsTree';
import type { TraceSource } from '../engineConnection/traceSource';

interface TracePick extends vscode.QuickPickItem {
  traceId: string;
}

const LIMIT = 200;

/** Opens through the command, so every way of opening a trace shows the same view. */
const openTrace = (traceId: string) => vscode.commands.executeCommand(COMMANDS.openTrace, traceId);

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
  return `${formatRelativeTime(t.startMs)} · ${noIcons(t.service)}`;
}

export function showSlowTraces(source: TraceSource): Promise<void> {
  const threshold = slowThresholdMs();
  return pickAndOpen(source, `Traces slower than ${formatDuration(threshold)}, slowest first`, { sort: 'duration', minDurationMs: threshold },
    (t) => ({
      traceId: t.traceId,
      label: `$(watch) ${formatDuration(t.durationMs)}  ${noIcons(t.name)}`,
      description: when(t),
      detail: t.slowestStep ? `slowest step: ${noIcons(t.slowestStep.name)} ${formatDuration(t.slowestStep.durationMs)}` : undefined,
    }),
    `No trace took ${formatDuration(threshold)} or longer. The threshold is the setting aiTraceInspector.slowThresholdMs.`);
}

export function showFailedTraces(source: TraceSource): Promise<void> {
  return pickAndOpen(source, 'Failed traces, newest first', { status: 'error' }, (t) => ({
    traceId: t.traceId,
    label: `$(error) ${noIcons(t.name)}`,
    description: `${formatDuration(t.durationMs)} · ${when(t)}`,
    detail: noIcons(t.errorMessage),
  }), 'No failed traces.');
}

export function showExpensiveTraces(source: TraceSource): Promise<void> {
  return pickAndOpen(source, 'Most expensive traces (cost, then tokens)', { sort: 'cost' }, (t) => ({
    traceId: t.traceId,
    label: `$(credit-card) ${formatCost(t.costUsd)}  ${formatTokens(t.tokens.total)}  ${noIcons(t.name)}`,
    description: when(t),
    detail: `${t.tokens.input} in / ${t.tokens.output} out${t.models.length ? ` · ${t.models.join(', ')}` : ''}`,
  }), 'No traces yet.');
}

export async function searchTraces(source: TraceSource): Promise<void> {
  const text = await askForFilter('Search Traces', '');
  if (!text) return;
  await pickAndOpen(source, `Traces matching ${text}`, { filter: text, matches: true }, (t) => ({
    traceId: t.traceId,
    label: `${t.status === 'error' ? '$(error)' : '$(pass)'} ${noIcons(t.name)}`,
    description: `${formatDuration(t.durationMs)} · ${when(t)}`,
    detail: t.match ? noIcons(describeMatch(t.match)) : t.traceId,
  }), `No trace matches ${text}.`);
}

/** "retrieve · retrieval.documents[0].content: …our «refund» policy…": where the text was found. */
export function describeMatch(match: TextMatch): string {
  const [start, end] = match.at;
  const marked = `${match.excerpt.slice(0, start)}«${match.excerpt.slice(start, end)}»${match.excerpt.slice(end)}`;
  return `${match.spanName} · ${match.field}: ${marked}`;
}

/** Free text or the filter language, checked while the user types. */
export function askForFilter(title: string, value: string): Thenable<string | undefined> {
  return vscode.window.showInputBox({
    title,
    value,
    prompt: 'Text in prompts, responses and attributes (a customer id, an error), or a filter: '
      + 'duration > 2s · kind = RETRIEVER AND score < 0.5 · model IN (gpt-4o, gpt-4o-mini) · error CONTAINS timeout · finding = loop',
    placeHolder: 'e.g. 12345, refund, RateLimitError, trace.duration > 5s',
    validateInput: (input) => {
      try {
        parseFilter(input);
        return undefined;
      } catch (error) {
        return (error as Error).message;
      }
    },
  }).then((input) => input?.trim());
}

export async function openTraceById(source: TraceSource): Promise<void> {
  const id = await vscode.window.showInputBox({
    title: 'Open Trace by ID',
    prompt: 'A trace id: 32 hex characters',
    validateInput: (value) => (/^[0-9a-fA-F]{32}$/.test(value.trim()) ? undefined : 'A trace id is 32 hex characters, e.g. 5b8efff798038103d269b633813fc60c'),
  });
  if (!id) return;
  const traceId = id.trim().toLowerCase();
  // Whether the engine has it, without carrying the trace here (no span asked for).
  if ((await source.spanDetails(traceId, [])) === undefined) {
    // Not here: the team backends may have it (production traces live there).
    if (!(await source.backends()).length) {
      void vscode.window.showWarningMessage(`Trace ${traceId} is not loaded. It may not have arrived yet, or was evicted or cleared.`);
      return;
    }
    if (!(await openFromBackends(source, traceId))) return;
  }
  await openTrace(traceId);
}

/** A step's slowest and failed traces, from a row of the Steps view. */
export async function showStepTraces(source: TraceSource, step: StepStats): Promise<void> {
  const filter = stepFilter(step);
  const [slowest, failed] = await Promise.all([
    source.query({ filter, sort: 'duration', limit: 20 }),
    source.query({ filter, status: 'error', limit: 20 }),
  ]);
  const items: (TracePick | vscode.QuickPickItem)[] = [];
  if (failed.length) {
    items.push({ label: `Failed traces with ${noIcons(step.name)}`, kind: vscode.QuickPickItemKind.Separator });
    for (const t of failed) items.push({ traceId: t.traceId, label: `$(error) ${noIcons(t.name)}`, description: `${formatDuration(t.durationMs)} · ${when(t)}`, detail: noIcons(t.errorMessage) });
  }
  items.push({ label: `Slowest traces with ${noIcons(step.name)}`, kind: vscode.QuickPickItemKind.Separator });
  for (const t of slowest) items.push({ traceId: t.traceId, label: `$(watch) ${formatDuration(t.durationMs)}  ${noIcons(t.name)}`, description: when(t), detail: t.slowestStep ? `slowest step: ${noIcons(t.slowestStep.name)} ${formatDuration(t.slowestStep.durationMs)}` : undefined });
  const picked = await vscode.window.showQuickPick(items, { title: `${step.kind} ${noIcons(step.name)}: slowest and failed traces`, matchOnDescription: true });
  if (picked && 'traceId' in picked) await openTrace(picked.traceId);
}
