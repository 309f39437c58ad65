// Log records without span context that a coding agent sent, made into browsable traces: one per
// prompt (normalize/conventions/agentLogs.ts says which records make which span). Nothing waits
// here: each request's records become spans and attached records at once, so memory is the
// index's own (capped and evicted like any trace) and the work is linear in the records.
import type { RawEvent, RawLog, RawSpan } from '../model/rawSpan';
import type { StoredSpan } from '../model/storedSpan';
import {
  agentRecord, geminiCallRecord, isResponseDetails, loggedAnswer, placedBefore, promptRoot, promptTrace, recordOfPromptAt, recordSpan,
  recordStartMs, setAnswer, setRequest, type AgentRecord, type PromptPlace,
} from '../normalize/conventions/agentLogs';

/** Sessions whose prompts are kept in order (older Claude Code names no prompt on its records): ~60 bytes a prompt, outside the memory cap, so 24 MB at most. */
export const MAX_ORDERED_SESSIONS = 2_000;
/** Prompts kept per session: a record later than the last of them belongs to that one. */
export const MAX_PROMPTS_PER_SESSION = 200;

/**
 * Each session's prompts in order, for agents whose records name no prompt: a record belongs to
 * the session's latest prompt at or before it. Bounded: the least recently used sessions go
 * first, and a session keeps its latest prompts.
 */
export class SessionPrompts {
  private readonly sessions = new Map<string, PromptPlace[]>();

  add(sessionId: string, prompt: PromptPlace): void {
    const prompts = this.touch(sessionId) ?? remember(this.sessions, sessionId, [], MAX_ORDERED_SESSIONS);
    const at = this.after(prompts, prompt);
    const previous = prompts[at - 1];
    if (previous && previous.timeMs === prompt.timeMs && previous.sequence === prompt.sequence) return; // read again
    prompts.splice(at, 0, prompt);
    if (prompts.length > MAX_PROMPTS_PER_SESSION) prompts.shift();
  }

  /** The session's latest prompt at or before this place. */
  at(sessionId: string, place: PromptPlace): PromptPlace | undefined {
    const prompts = this.touch(sessionId);
    return prompts ? prompts[this.after(prompts, place) - 1] : undefined;
  }

  clear(): void {
    this.sessions.clear();
  }

  /** The session's prompts, now its most recently used. */
  private touch(sessionId: string): PromptPlace[] | undefined {
    const prompts = this.sessions.get(sessionId);
    if (prompts) {
      this.sessions.delete(sessionId);
      this.sessions.set(sessionId, prompts);
    }
    return prompts;
  }

  /** How many of the prompts stand at or before the place (a binary search: they are in order). */
  private after(prompts: PromptPlace[], place: PromptPlace): number {
    let low = 0;
    let high = prompts.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (placedBefore(prompts[mid], place)) low = mid + 1;
      else high = mid;
    }
    return low;
  }
}

export interface Assembled {
  /** New spans: the API calls and tool runs, and the root of each prompt not seen before. */
  spans: RawSpan[];
  /** The other records of a prompt, now addressed to its root. */
  attach: RawLog[];
  /** Roots already indexed whose times grew to cover new records, or whose answer is a newer one (their traces need summarizing again). */
  widened: StoredSpan[];
  /** Responses (and their details records) logged outside their call's span, now addressed to it: they wait for it like any record. */
  answers: RawLog[];
  /** Records without span context that belong to no prompt: not kept. */
  unattached: number;
}

interface PromptGroup {
  record: AgentRecord; rootId: string; startMs: number; endMs: number;
  /** The answer of the prompt's latest API call among these records, where the agent logs it only there (Gemini CLI). */
  answer?: { timeMs: number; text: string };
}

/** Calls whose request was logged and whose response has not come yet (a handful at a time; a lost one is dropped in time). */
export const MAX_OPEN_CALLS = 1_000;
/**
 * The text the open calls' request records may hold: each carries the whole conversation, and
 * outlives its trace's eviction until its response comes (the oldest go first past it).
 */
export const MAX_OPEN_CALL_BYTES = 32 * 2 ** 20;

/** A call's request record, and the call's span where it was logged inside one. */
interface OpenCall { request: RawEvent; traceId?: string; spanId?: string }

/** Gemini CLI's calls waiting for their response record, by what pairs them (geminiCallRecord), across requests. */
export class OpenCalls {
  private readonly calls = new Map<string, OpenCall & { bytes: number }>();
  private bytes = 0;

  /** The latest request stands for its call: a retried request replaces the one before. */
  add(key: string, call: OpenCall): void {
    this.remove(key);
    const bytes = textBytes(call.request);
    this.calls.set(key, { ...call, bytes });
    this.bytes += bytes;
    for (const oldest of this.calls.keys()) {
      if (this.calls.size <= MAX_OPEN_CALLS && this.bytes <= MAX_OPEN_CALL_BYTES) break;
      this.remove(oldest);
    }
  }

  /** The call a response answers (its request logged before it), no longer open. */
  take(key: string, response: RawEvent): OpenCall | undefined {
    const call = this.calls.get(key);
    if (!call || call.request.timeMs > response.timeMs) return undefined;
    this.remove(key);
    return call;
  }

  clear(): void {
    this.calls.clear();
    this.bytes = 0;
  }

  private remove(key: string): void {
    this.bytes -= this.calls.get(key)?.bytes ?? 0;
    this.calls.delete(key);
  }
}

/** The text a record holds in its string attributes and body, two bytes a character. */
function textBytes(event: RawEvent): number {
  let bytes = typeof event.body === 'string' ? event.body.length : 0;
  for (const value of Object.values(event.attributes)) if (typeof value === 'string') bytes += value.length;
  return bytes * 2;
}

/** Keeps a new entry, dropping the oldest past the cap (a Map iterates in insertion order). */
function remember<T>(map: Map<string, T>, key: string, value: T, max: number): T {
  map.set(key, value);
  if (map.size > max) map.delete(map.keys().next().value!);
  return value;
}

/** What the index keeps for assembling across requests. */
export interface AssemblyState {
  /** The prompts of sessions whose records name none. */
  sessionPrompts: SessionPrompts;
  openCalls: OpenCalls;
  /** The last response given to its call's own span: its details record follows it there (in the same request, or the next slice of it). */
  answered?: RawLog;
}

/** `indexed` finds a span already in the index. Records with span context are left to the caller, but for pairing calls. */
export function assembleFromLogs(logs: RawLog[], indexed: (traceId: string, spanId: string) => StoredSpan | undefined,
  state: AssemblyState): Assembled {
  const { sessionPrompts, openCalls } = state;
  const out: Assembled = { spans: [], attach: [], widened: [], answers: [], unattached: 0 };
  const prompts = new Map<string, PromptGroup>();
  const records = logs.map((log) => (log.traceId && log.spanId ? undefined : agentRecord(log.event)));
  // A request's prompts first: its records before a prompt belong to the one before.
  for (const found of records) if (found && 'unnamed' in found && found.unnamed.isPrompt) sessionPrompts.add(found.unnamed.sessionId, found.unnamed.place);
  for (let i = 0; i < logs.length; i++) {
    const log = logs[i];
    const call = geminiCallRecord(log.event);
    if (call?.isRequest) openCalls.add(call.key, { request: log.event, traceId: log.traceId, spanId: log.spanId });
    // A response logged inside its span (a plain call) closes its call too: nothing is left open.
    const answers = call && !call.isRequest ? openCalls.take(call.key, log.event) : undefined;
    if (log.traceId && log.spanId) continue;
    const answered = state.answered;
    if (answered && isResponseDetails(log.event, answered.event)) {
      out.answers.push({ traceId: answered.traceId, spanId: answered.spanId, event: log.event });
      continue;
    }
    const found = records[i];
    const prompt = found && 'unnamed' in found ? sessionPrompts.at(found.unnamed.sessionId, found.unnamed.place) : undefined;
    const record = found && 'unnamed' in found ? prompt && recordOfPromptAt(log.event, found.unnamed, prompt) : found;
    if (!record) {
      out.unattached++;
      continue;
    }
    const { traceId, rootId } = promptTrace(record);
    const span = recordSpan(record, traceId, rootId);
    if (span && answers) {
      setRequest(span, answers.request);
      state.answered = answers.traceId && answers.spanId ? { traceId: answers.traceId, spanId: answers.spanId, event: log.event } : undefined;
      if (state.answered) out.answers.push(state.answered);
    }
    if (span) out.spans.push(span);
    else out.attach.push({ traceId, spanId: rootId, event: log.event });
    const startMs = recordStartMs(record);
    let group = prompts.get(traceId);
    if (!group) prompts.set(traceId, (group = { record, rootId, startMs, endMs: log.event.timeMs }));
    else {
      group.startMs = Math.min(group.startMs, startMs);
      group.endMs = Math.max(group.endMs, log.event.timeMs);
    }
    const text = loggedAnswer(record);
    if (text !== undefined && (!group.answer || log.event.timeMs >= group.answer.timeMs)) group.answer = { timeMs: log.event.timeMs, text };
  }
  for (const [traceId, { record, rootId, startMs, endMs, answer }] of prompts) {
    const root = indexed(traceId, rootId);
    if (!root) {
      out.spans.unshift(promptRoot(record, traceId, rootId, startMs, endMs, answer?.text));
      continue;
    }
    // The prompt's records come in time order: an answer from the root's end on is its latest.
    const newerAnswer = answer !== undefined && answer.timeMs >= root.endMs;
    if (newerAnswer) setAnswer(root, answer.text);
    if (startMs < root.startMs || endMs > root.endMs || newerAnswer) {
      root.startMs = Math.min(root.startMs, startMs);
      root.endMs = Math.max(root.endMs, endMs);
      out.widened.push(root);
    }
  }
  return out;
}
