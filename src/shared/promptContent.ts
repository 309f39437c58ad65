// Whether a message carries anything, and so whether an LLM call can be replayed: with content
// capture off, instrumentations record the messages' roles and no text. The span detail (which
// offers Replay…) and the replay command decide by the same rule.
import type { Message, Span } from './spanModel';

/** No text, no tool calls, no other parts: a role and nothing else. */
export function hasNoContent(message: Message): boolean {
  return !message.content && !message.toolCalls?.length && !message.parts?.length;
}

/** Why this span cannot be replayed, in a sentence; undefined when it can. */
export function whyNotReplayable(span: Pick<Span, 'kind' | 'inputMessages' | 'name'>): string | undefined {
  if (span.kind !== 'LLM') return `"${span.name}" is not an LLM call: only LLM spans can be replayed.`;
  if (!span.inputMessages?.length) return `"${span.name}" carries no prompt (content capture was off when it was recorded), so there is nothing to replay.`;
  if (span.inputMessages.every(hasNoContent)) {
    return `The prompt of "${span.name}" was recorded without its content (only its messages' roles: content capture was off), so there is nothing to replay.`;
  }
  return undefined;
}
