// Log records without span context that a coding agent sent, made into browsable traces: one per
// prompt (normalize/conventions/agentLogs.ts says which records make which span). Nothing waits
// here: each request's records become spans and attached records at once, so memory is the
// index's own (capped and evicted like any trace) and the work is linear in the records.
import type { RawLog, RawSpan } from '../model/rawSpan';
import type { StoredSpan } from '../model/storedSpan';
import { agentRecord, loggedAnswer, promptRoot, promptTrace, recordSpan, recordStartMs, setAnswer, type AgentRecord } from '../normalize/conventions/agentLogs';

export interface Assembled {
  /** New spans: the API calls and tool runs, and the root of each prompt not seen before. */
  spans: RawSpan[];
  /** The other records of a prompt, now addressed to its root. */
  attach: RawLog[];
  /** Roots already indexed whose times grew to cover new records, or whose answer is a newer one (their traces need summarizing again). */
  widened: StoredSpan[];
  /** Records without span context that belong to no prompt: not kept. */
  unattached: number;
}

interface PromptGroup {
  record: AgentRecord; rootId: string; startMs: number; endMs: number;
  /** The answer of the prompt's latest API call among these records, where the agent logs it only there (Gemini CLI). */
  answer?: { timeMs: number; text: string };
}

/** `indexed` finds a span already in the index. Records with span context are left to the caller. */
export function assembleFromLogs(logs: RawLog[], indexed: (traceId: string, spanId: string) => StoredSpan | undefined): Assembled {
  const out: Assembled = { spans: [], attach: [], widened: [], unattached: 0 };
  const prompts = new Map<string, PromptGroup>();
  for (const log of logs) {
    if (log.traceId && log.spanId) continue;
    const record = agentRecord(log.event);
    if (!record) {
      out.unattached++;
      continue;
    }
    const { traceId, rootId } = promptTrace(record);
    const span = recordSpan(record, traceId, rootId);
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
