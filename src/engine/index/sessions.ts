// Sessions: the traces that share a session id (session.id, gen_ai.conversation.id, Langfuse's and
// the frameworks' equivalents, read at ingest into the span facts), read as one conversation: each
// turn's user input and final answer in order. Built on demand from the index's session facet, so a
// trace that arrives later joins its session the moment it is indexed.
import type { SessionDetail, SessionQuery, SessionSummary, SessionTurn } from '../../shared/sessionModel';
import type { Message } from '../../shared/spanModel';
import type { Trace } from '../model/traceSummary';
import { normalizeSpan } from '../normalize/normalizeSpan';
import { contextGrowth } from './contextXray';
import { firstWords, latestUserMessage, llmCallSpans } from './llmCalls';
import type { TraceIndex } from './traceIndex';

const DEFAULT_LIMIT = 200;
const MAX_LIMIT = 10_000;
const FIRST_MESSAGE_CHARS = 160;

function byStart(traces: Iterable<Trace>): Trace[] {
  return [...traces].sort((a, b) => a.summary.startMs - b.summary.startMs);
}

function lastText(messages: Message[] | undefined): string | undefined {
  for (let i = (messages?.length ?? 0) - 1; i >= 0; i--) if (messages![i].content) return messages![i].content;
  return undefined;
}

function valueText(value: unknown): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** What the user said and what the app answered in one trace: its first call's latest user message and its last call's answer, else the root's input and output. */
export function turnOf(trace: Trace): SessionTurn {
  const { summary } = trace;
  const calls = llmCallSpans(trace);
  const first = calls.length ? normalizeSpan(calls[0]) : undefined;
  const last = calls.length ? normalizeSpan(calls[calls.length - 1]) : undefined;
  const root = [...trace.spans.values()].find((s) => !s.parentSpanId);
  const rootSpan = root && normalizeSpan(root);
  const turn: SessionTurn = {
    traceId: trace.traceId, name: summary.name, startMs: summary.startMs, durationMs: summary.durationMs, status: summary.status,
    tokens: summary.tokens, costUsd: summary.costUsd, llmCalls: calls.length,
  };
  const userInput = latestUserMessage(first?.inputMessages)?.content ?? valueText(rootSpan?.input);
  if (userInput) turn.userInput = userInput;
  // An answer that is only tool calls is not the answer: the root's output says what the user got.
  const answer = lastText(last?.outputMessages) ?? valueText(rootSpan?.output);
  if (answer) turn.answer = answer;
  if (summary.errorMessage) turn.errorMessage = summary.errorMessage;
  if (summary.findings?.length) turn.findings = summary.findings;
  return turn;
}

function summarizeSession(sessionId: string, traces: Trace[]): SessionSummary {
  const tokens = { input: 0, output: 0, total: 0 };
  let costUsd = 0;
  let errors = 0;
  let end = -Infinity;
  const models = new Set<string>();
  let userId: string | undefined;
  for (const { summary } of traces) {
    tokens.input += summary.tokens.input;
    tokens.output += summary.tokens.output;
    tokens.total += summary.tokens.total;
    costUsd += summary.costUsd;
    if (summary.status === 'error') errors++;
    end = Math.max(end, summary.startMs + summary.durationMs);
    for (const model of summary.models) models.add(model);
    userId ??= summary.userId;
  }
  const startMs = traces[0]?.summary.startMs ?? 0;
  const session: SessionSummary = {
    sessionId, turns: traces.length, startMs, durationMs: Math.max(0, end - startMs), tokens, costUsd, errors, models: [...models],
  };
  if (userId) session.userId = userId;
  const firstUserMessage = traces[0] && firstWords(turnOf(traces[0]).userInput, FIRST_MESSAGE_CHARS);
  if (firstUserMessage) session.firstUserMessage = firstUserMessage;
  return session;
}

/** Sessions are summarized again only when one of their traces changed (its summary is a new object then). */
export class Sessions {
  private readonly summaries = new Map<string, { key: TraceSummaryKey; summary: SessionSummary }>();

  constructor(private readonly index: TraceIndex, private readonly contextLimits: () => Record<string, number> = () => ({})) {}

  /** Sessions, the latest active first. */
  list(query: SessionQuery = {}): SessionSummary[] {
    const limit = Math.max(1, Math.min(query.limit ?? DEFAULT_LIMIT, MAX_LIMIT));
    const test = query.filter ? this.index.traceFilter(query.filter) : undefined;
    const sessions: SessionSummary[] = [];
    const live = new Set<string>();
    for (const [sessionId, set] of this.index.tracesBy('session')) {
      live.add(sessionId);
      const traces = byStart(set);
      if (query.user && !traces.some((t) => t.summary.userId === query.user)) continue;
      if (test && !traces.some(test)) continue;
      sessions.push(this.summaryOf(sessionId, traces));
    }
    for (const sessionId of this.summaries.keys()) if (!live.has(sessionId)) this.summaries.delete(sessionId);
    return sessions.sort((a, b) => b.startMs + b.durationMs - (a.startMs + a.durationMs)).slice(0, limit);
  }

  detail(sessionId: string): SessionDetail | undefined {
    const set = this.index.tracesBy('session').get(sessionId);
    if (!set?.size) return undefined;
    const traces = byStart(set);
    return { summary: this.summaryOf(sessionId, traces), turns: traces.map(turnOf), context: contextGrowth(traces, this.contextLimits()) };
  }

  /** The traces of a session in order (for one call's X-ray, its predecessor in the session). */
  traces(sessionId: string | undefined): Trace[] {
    const set = sessionId ? this.index.tracesBy('session').get(sessionId) : undefined;
    return set ? byStart(set) : [];
  }

  private summaryOf(sessionId: string, traces: Trace[]): SessionSummary {
    const key = traces.map((t) => t.summary);
    const cached = this.summaries.get(sessionId);
    if (cached && cached.key.length === key.length && cached.key.every((s, i) => s === key[i])) return cached.summary;
    const summary = summarizeSession(sessionId, traces);
    this.summaries.set(sessionId, { key, summary });
    return summary;
  }
}

type TraceSummaryKey = Trace['summary'][];
