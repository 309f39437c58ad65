// An LLM call as a conversation: system, user, assistant and tool messages, tool calls with
// their arguments pretty-printed, non-text parts, and copy buttons per message and prompt.
import type { Message, Span } from '../../src/shared/spanModel';
import { button, h, section } from '../dom';
import type { DetailContext } from './detailContext';
import { longText, prettyValue } from './longValue';
import { hasNoContent } from '../../src/shared/promptContent';
import { notRecordedFix } from './missingContent';

export function messageText(message: Message): string {
  const lines = message.content ? [message.content] : [];
  for (const call of message.toolCalls ?? []) lines.push(`${call.name}(${prettyValue(call.arguments)})`);
  for (const part of message.parts ?? []) lines.push(`[${part.type}] ${prettyValue(part)}`);
  return lines.join('\n');
}

/**
 * The whole prompt as plain text, one "role: text" block per message. A message with nothing in it
 * says why, as the detail does: not recorded (capture off, `notRecorded`), or recorded as "".
 */
export function conversationText(messages: Message[], notRecorded = false): string {
  const textOf = (m: Message) => (hasNoContent(m) ? (notRecorded ? '[content not recorded]' : '[empty: recorded as ""]') : messageText(m));
  return messages.map((m) => `${m.role}${m.name ? ` (${m.name})` : ''}:\n${textOf(m)}`).join('\n\n');
}

const isToolResult = (message: Message) => message.role === 'tool' || message.toolCallId !== undefined;

function messageView(message: Message, context: DetailContext): HTMLElement {
  const head = h('div', { className: 'message-head' },
    h('span', { className: 'role' }, message.role),
    message.name && h('span', { className: 'message-name' }, message.name),
    message.toolCallId && h('span', { className: 'muted' }, `result of call ${message.toolCallId}`),
    message.finishReason && h('span', { className: 'muted' }, `finish: ${message.finishReason}`),
    h('span', { className: 'toolbar-spacer' }),
    button('Copy', () => context.copy(messageText(message), `${message.role} message`), { className: 'copy-button', description: `Copy this ${message.role} message` }));
  const body: (HTMLElement | false | undefined)[] = [
    // A tool result is usually JSON: shown indented, as the call's arguments are.
    message.content !== '' && (isToolResult(message) ? longText(prettyValue(message.content), 'message-content json') : longText(message.content, 'message-content')),
    ...(message.toolCalls ?? []).map((call) => h('div', { className: 'tool-call' },
      h('div', { className: 'tool-call-head' }, '→ ', h('span', { className: 'tool-name' }, call.name), call.id ? h('span', { className: 'muted' }, ` call ${call.id}`) : undefined),
      longText(prettyValue(call.arguments), 'value json'))),
    ...(message.parts ?? []).map((part) => h('div', { className: 'message-part' },
      h('span', { className: 'part-type' }, part.type), longText(prettyValue(part), 'value json'))),
  ];
  return h('div', { className: 'message', attrs: { 'data-role': message.role } }, head, ...body);
}

/** A role's name as a sentence starts it: "user" → "User". */
const capitalized = (role: string) => role.charAt(0).toUpperCase() + role.slice(1);

/**
 * Content-less messages in a row, as one muted line in place of empty bubbles: not recorded (capture
 * off, `fix` names the setting to change), or, where the span's other messages have text, recorded as "".
 */
function contentlessLine(run: Message[], fix: string | undefined): HTMLElement {
  const what = run.length === 1 ? `${capitalized(run[0].role)} message` : `${run.length} messages (${run.map((m) => m.role).join(', ')})`;
  return fix === undefined
    ? h('div', { className: 'message-empty muted' }, `${what} — empty (recorded as "")`)
    // The setting itself is in the note above the conversation; here it is a hover away.
    : h('div', { className: 'message-not-recorded muted', attrs: { role: 'note' }, title: fix }, `${what} — content not recorded (capture is off for this instrumentation; the note above says what to set)`);
}

/** The messages as bubbles, each run of content-less ones as one line. */
function messageViews(messages: Message[], fix: string | undefined, context: DetailContext): HTMLElement[] {
  const views: HTMLElement[] = [];
  for (let i = 0; i < messages.length;) {
    if (!hasNoContent(messages[i])) {
      views.push(messageView(messages[i++], context));
      continue;
    }
    const start = i;
    while (i < messages.length && hasNoContent(messages[i])) i++;
    views.push(contentlessLine(messages.slice(start, i), fix));
  }
  return views;
}

export function conversationSections(span: Span, context: DetailContext): HTMLElement[] {
  const { inputMessages: input, outputMessages: output } = span;
  const fix = notRecordedFix(span);
  const sections: HTMLElement[] = [];
  if (input?.length) {
    sections.push(section('Prompt',
      h('div', { className: 'section-actions' }, button('Copy whole prompt', () => context.copy(conversationText(input, fix !== undefined), 'prompt'))),
      ...messageViews(input, fix, context)));
  }
  if (output?.length) {
    sections.push(section('Response',
      h('div', { className: 'section-actions' }, button('Copy response', () => context.copy(conversationText(output, fix !== undefined), 'response'))),
      ...messageViews(output, fix, context)));
  }
  return sections;
}
