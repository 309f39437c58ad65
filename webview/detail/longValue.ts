// Values of any size as text: JSON pretty-printed, and anything long cut at a limit with
// "Show all", so a 200 KB context neither floods the pane nor freezes it.
import { button, h } from '../dom';

export const SHOWN_CHARACTERS = 4000;

/** JSON (a value, or a string holding JSON) as indented text; other strings as they are. */
export function prettyValue(value: unknown): string {
  if (typeof value === 'string') {
    const trimmed = value.trim();
    if ((trimmed.startsWith('{') && trimmed.endsWith('}')) || (trimmed.startsWith('[') && trimmed.endsWith(']'))) {
      try {
        return JSON.stringify(JSON.parse(trimmed), null, 2);
      } catch {
        return value;
      }
    }
    return value;
  }
  if (value === undefined) return '';
  return JSON.stringify(value, null, 2) ?? String(value);
}

export function formatSize(characters: number): string {
  return characters < 1024 ? `${characters} characters` : `${Math.round(characters / 1024)} KB`;
}

/** A <pre> with the text, or its start and a "Show all" button when it is long. */
export function longText(text: string, className = 'value', limit = SHOWN_CHARACTERS): HTMLElement {
  const pre = h('pre', { className });
  if (text.length <= limit) {
    pre.textContent = text;
    return pre;
  }
  pre.textContent = text.slice(0, limit);
  const more = h('div', { className: 'truncated' }, `… ${formatSize(text.length - limit)} more `);
  more.appendChild(button(`Show all (${formatSize(text.length)})`, () => {
    pre.textContent = text;
    more.remove();
  }));
  return h('div', { className: 'long-value' }, pre, more);
}

/** A value pretty-printed and cut to size. */
export function valueBlock(value: unknown, className?: string): HTMLElement {
  return longText(prettyValue(value), className);
}
