// Language model tools: Copilot Chat (or any chat participant) can ask about the traces in this
// window ("why did the last request fail?") and gets compact text that names trace ids. The
// tool names, descriptions and input schemas are in package.json (contributes.languageModelTools).
import * as vscode from 'vscode';
import type { TraceSource } from '../engineConnection/traceSource';
import { reportText, traceDigest, traceLines } from '../../shared/traceDigest';
import { slowThresholdMs } from '../engineConnection/settings';

const HOUR_MS = 3_600_000;
const OPEN_HINT = 'The user can open any of these trace ids with the command "AI Trace Inspector: Open Trace by ID".';

interface SummaryInput { sinceHours?: number }
interface ListInput { limit?: number; minDurationMs?: number }
interface SearchInput { text: string; limit?: number }
interface TraceInput { traceId: string; maxChars?: number }

export function registerTraceTools(source: TraceSource): vscode.Disposable[] {
  const tool = <T>(name: string, progress: (input: T) => string, answer: (input: T) => Promise<string>) =>
    vscode.lm.registerTool<T>(name, {
      prepareInvocation: (options) => ({ invocationMessage: progress(options.input) }),
      invoke: async (options) => new vscode.LanguageModelToolResult([new vscode.LanguageModelTextPart(await answer(options.input))]),
    });

  return [
    tool<SummaryInput>('aiTraceInspector_summary', (i) => `Summarizing traces of the last ${hours(i)} h`, async (input) => {
      return reportText(await source.report(Date.now() - hours(input) * HOUR_MS));
    }),
    tool<ListInput>('aiTraceInspector_slowTraces', () => 'Finding slow traces', async (input) => {
      const minDurationMs = input.minDurationMs ?? slowThresholdMs();
      const traces = await source.query({ sort: 'duration', minDurationMs, limit: limit(input) });
      return traces.length ? `Traces of ${minDurationMs} ms or longer, slowest first:\n${traceLines(traces)}\n${OPEN_HINT}` : `No trace took ${minDurationMs} ms or longer.`;
    }),
    tool<ListInput>('aiTraceInspector_failedTraces', () => 'Finding failed traces', async (input) => {
      const traces = await source.query({ status: 'error', limit: limit(input) });
      return traces.length ? `Failed traces, newest first:\n${traceLines(traces)}\n${OPEN_HINT}` : 'No failed traces.';
    }),
    tool<SearchInput>('aiTraceInspector_searchTraces', (i) => `Searching traces for "${i.text}"`, async (input) => {
      const text = String(input.text ?? '').trim();
      if (!text) return 'Give the text to search for (a customer id, an error message, a phrase from a prompt).';
      const traces = await source.query({ q: text, limit: limit(input) });
      return traces.length ? `Traces containing "${text}", newest first:\n${traceLines(traces)}\n${OPEN_HINT}` : `No trace contains "${text}".`;
    }),
    tool<TraceInput>('aiTraceInspector_getTrace', (i) => `Reading trace ${i.traceId}`, async (input) => {
      const traceId = await resolveTraceId(source, String(input.traceId ?? ''));
      if (typeof traceId !== 'string') return traceId.message;
      const detail = await source.trace(traceId);
      if (!detail) return `Trace ${traceId} is not loaded (it may have been evicted or cleared).`;
      return traceDigest(detail, Math.min(Math.max(input.maxChars ?? 8000, 1000), 50_000));
    }),
  ];
}

function hours(input: SummaryInput): number {
  return input.sinceHours && input.sinceHours > 0 ? input.sinceHours : 24;
}

function limit(input: { limit?: number }): number {
  return Math.min(Math.max(Math.floor(input.limit ?? 10), 1), 50);
}

/** A full id, or a prefix the user copied ("5b8e…") that names exactly one loaded trace. */
async function resolveTraceId(source: TraceSource, given: string): Promise<string | { message: string }> {
  const prefix = given.toLowerCase().replace(/[^0-9a-f]/g, '');
  if (prefix.length === 32) return prefix;
  if (prefix.length < 4) return { message: `"${given}" is not a trace id: give the 32 hex characters, or at least the first 4.` };
  const matches = (await source.query({ limit: 10_000 })).filter((t) => t.traceId.startsWith(prefix));
  if (matches.length === 1) return matches[0].traceId;
  if (matches.length === 0) return { message: `No loaded trace id starts with ${prefix}.` };
  return { message: `${matches.length} traces start with ${prefix}; give more characters:\n${traceLines(matches.slice(0, 10))}` };
}
