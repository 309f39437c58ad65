// What a long-lived part of the webview adds outside its own elements (listeners on window or
// document, observers), each with its remover, so dispose() leaves nothing behind that would keep
// an old view and its trace alive.

export class Disposables {
  private readonly removers: (() => void)[] = [];

  add(remove: () => void): void {
    this.removers.push(remove);
  }

  listen<K extends keyof WindowEventMap>(target: Window, type: K, listener: (event: WindowEventMap[K]) => void): void;
  listen<K extends keyof HTMLElementEventMap>(target: HTMLElement, type: K, listener: (event: HTMLElementEventMap[K]) => void): void;
  listen(target: EventTarget, type: string, listener: (event: never) => void): void {
    const handler = listener as EventListener;
    target.addEventListener(type, handler);
    this.add(() => target.removeEventListener(type, handler));
  }

  observeResize(element: Element, callback: () => void): void {
    const observer = new ResizeObserver(callback);
    observer.observe(element);
    this.add(() => observer.disconnect());
  }

  dispose(): void {
    while (this.removers.length) this.removers.pop()!();
  }
}
