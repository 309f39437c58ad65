// The only way the webview builds DOM: elements with properties and children, where every
// string becomes a text node. Trace content is never parsed as HTML.

export type Child = Node | string | number | false | null | undefined;

export interface Props {
  className?: string;
  title?: string;
  /** Plain attributes (aria-*, role, appearance, ...); values are set as attribute text. */
  attrs?: Record<string, string>;
  onClick?: (event: MouseEvent) => void;
}

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, props?: Props, ...children: Child[]): HTMLElementTagNameMap[K];
export function h(tag: string, props?: Props, ...children: Child[]): HTMLElement;
export function h(tag: string, props: Props = {}, ...children: Child[]): HTMLElement {
  const element = document.createElement(tag);
  if (props.className) element.className = props.className;
  if (props.title) element.title = props.title;
  for (const [name, value] of Object.entries(props.attrs ?? {})) element.setAttribute(name, value);
  if (props.onClick) element.addEventListener('click', props.onClick);
  append(element, ...children);
  return element;
}

export function append(parent: Node, ...children: Child[]): void {
  for (const child of children) {
    if (child === false || child === null || child === undefined) continue;
    parent.appendChild(typeof child === 'object' ? child : document.createTextNode(String(child)));
  }
}

export function clear(element: Element): void {
  element.replaceChildren();
}

/**
 * A toolkit button. `icon` buttons show a glyph; `description` (else the label) is the tooltip
 * and what a screen reader says: for a `disabled` one, why it is.
 */
export function button(label: string, onClick: () => void,
  options: { appearance?: 'primary' | 'secondary' | 'icon'; glyph?: string; className?: string; description?: string; disabled?: boolean } = {}): HTMLElement {
  const appearance = options.appearance ?? 'secondary';
  const description = options.description ?? label;
  const attrs: Record<string, string> = { appearance, 'aria-label': description, ...(options.disabled ? { disabled: '' } : {}) };
  return h('vscode-button', { attrs, title: description, className: options.className, onClick: () => options.disabled || onClick() },
    appearance === 'icon' ? options.glyph ?? label : label);
}

/** A titled block of the detail pane. */
export function section(title: string, ...children: Child[]): HTMLElement {
  return h('section', { className: 'detail-section' }, h('h3', {}, title), ...children);
}
