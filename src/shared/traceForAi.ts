// "Copy trace for AI": the whole trace as Markdown to paste into a chat, built on the chat
// tools' digest (steps, durations, errors, prompts and responses within a budget), with
// secrets and personal data masked: the text is about to leave the machine. The engine builds it
// (the query API's traceForAi route), so the extension host only relays a string. Pure, so it is
// unit tested.
import { DEFAULT_REDACTIONS, TextRedactor } from './redaction';
import type { TraceDetail } from './spanModel';
import { digestWithCount } from './traceDigest';
import { formatDuration } from './format';

/** Characters: about 6k tokens, room for a chat to reason about it. */
export const COPY_FOR_AI_BUDGET = 24_000;

/** The text, and what a notice says of it: how many of the trace's spans did not fit. */
export interface TraceForAi {
  text: string;
  spanCount: number;
  leftOut: number;
}

/** `redactor`: the defaults (API keys, bearer tokens, emails, cards), or the user's patterns. */
export function traceForAi(detail: TraceDetail, budget = COPY_FOR_AI_BUDGET, redactor = new TextRedactor(DEFAULT_REDACTIONS)): TraceForAi {
  const { summary } = detail;
  const lines = [`# Trace: ${summary.name}`, ''];
  if (summary.slowestStep && summary.durationMs > 0) {
    const { name, durationMs } = summary.slowestStep;
    lines.push(`Slowest step: ${name}, ${formatDuration(durationMs)} of ${formatDuration(summary.durationMs)} (${Math.round((durationMs / summary.durationMs) * 100)}%).`);
  }
  if (summary.errorMessage) lines.push(`First error: ${summary.errorMessage}`);
  lines.push('', 'Steps, nested by parent (kind, name, duration, model, tokens, cost, errors), with what each step was given and returned:', '');
  const used = lines.join('\n').length + 20;
  const { text: digest, omitted } = digestWithCount(detail, Math.max(1000, budget - used));
  // A fence longer than any backtick run inside, so a prompt with ``` cannot end it early.
  const fence = '`'.repeat(Math.max(3, ...(digest.match(/`+/g) ?? []).map((run) => run.length + 1)));
  lines.push(`${fence}text`, digest, fence, '');
  return { text: redactor.text(lines.join('\n')), spanCount: detail.spans.length, leftOut: omitted };
}
