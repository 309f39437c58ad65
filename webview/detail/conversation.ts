// An LLM call as a conversation: system, user, assistant and tool messages, tool calls with
// their arguments pretty-printed, non-text parts, and copy buttons per message and prompt.
import type { Message } from '../../src/shared/spanModel';
import { button, h, section } from '../dom';
import type { DetailContext } from './detailContext';
import { longText, prettyValue } from './longValue';

export function messageText(message: Message): string {
  const lines = message.content ? [message.content] : [];
  for (const call of message.toolCalls ?? []) lines.push(`${call.name}(${prettyValue(call.arguments)})`);
  for (const part of message.parts ?? []) lines.push(`[${part.type}] ${prettyValue(part)}`);
  return lines.join('\n');
}

/** The whole prompt as plain text, one "role: text" block per message. */
export function conversationText(messages: Message[]): string {
  return messages.map((m) => `${m.role}${m.name ? ` (${m.name})` : ''}:\n${messageText(m)}`).join('\n\n');
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

export function conversationSections(input: Message[] | undefined, output: Message[] | undefined, context: DetailContext): HTMLElement[] {
  const sections: HTMLElement[] = [];
  if (input?.length) {
    sections.push(section('Prompt',
      h('div', { className: 'section-actions' }, button('Copy whole prompt', () => context.copy(conversationText(input), 'prompt'))),
      ...input.map((m) => messageView(m, context))));
  }
  if (output?.length) {
    sections.push(section('Response',
      h('div', { className: 'section-actions' }, button('Copy response', () => context.copy(conversationText(output), 'response'))),
      ...output.map((m) => messageView(m, context))));
  }
  return sections;
}
