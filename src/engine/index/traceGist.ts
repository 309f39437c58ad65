// What a trace was about, in one line each way: the root span's input (its first user message, or
// its input value) and its output (its last response, or its output value). Rows that all read
// "support.answer" become tellable apart. Spans are redacted at ingest, so these are too.
import { oneLine } from '../../shared/format';
import type { Message, Span } from '../../shared/spanModel';
import { rootOf, type Trace } from '../model/traceSummary';
import { conversationOf } from '../normalize/normalizeSpan';

/** Long enough to tell requests apart, short enough for a row and the summary's memory. */
export const GIST_CHARACTERS = 160;

export function traceGist(trace: Trace): { input?: string; output?: string } {
  const root = rootOf(trace);
  if (!root) return {};
  // A trace arriving over many requests is summarized with each: its root (or the orphan standing
  // in for it) is read again only when it is another span or changed (a log record, a late answer).
  const known = trace.gist;
  if (known?.root === root && known.revision === root.revision) return { input: known.input, output: known.output };
  // One span per summary: the root, whatever the trace's size; only its conversation, not all of it.
  const span = conversationOf(root);
  const input = messageText(span.inputMessages?.find((m) => m.role === 'user')) ?? valueText(span.input);
  const output = messageText(span.outputMessages?.at(-1)) ?? valueText(span.output);
  const gist = { input: input && oneLine(input, GIST_CHARACTERS), output: output && oneLine(output, GIST_CHARACTERS) };
  trace.gist = { root, revision: root.revision, ...gist };
  return gist;
}

function messageText(message: Message | undefined): string | undefined {
  if (!message) return undefined;
  if (message.content) return message.content;
  const call = message.toolCalls?.[0];
  return call ? `${call.name}(${valueText(call.arguments) ?? ''})` : undefined;
}

/** A value as text: a string as it is, an object holding one string (`{"question": …}`) as that string, else its JSON. */
function valueText(value: Span['input']): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value === 'string') return unwrapJson(value);
  if (typeof value === 'object' && !Array.isArray(value)) {
    const strings = Object.values(value as Record<string, unknown>).filter((v): v is string => typeof v === 'string' && v.trim() !== '');
    if (strings.length === 1 && Object.keys(value).length === 1) return strings[0];
  }
  return JSON.stringify(value);
}

/** Input values are often JSON text: `{"question": "…"}` reads better as its one string. */
function unwrapJson(text: string): string {
  const trimmed = text.trim();
  if (!trimmed.startsWith('{') || trimmed.length > 100_000) return text;
  try {
    const parsed: unknown = JSON.parse(trimmed);
    return (parsed && typeof parsed === 'object' ? valueText(parsed) : undefined) ?? text;
  } catch {
    return text;
  }
}
