// Keeps only the rows in view (plus a few) in the DOM, however many items there are: a 10,000-span
// trace has as many DOM rows as a 30-span one. The rows know nothing about scrolling.
import { Disposables } from '../disposables';

export interface RowRenderer<V extends { root: HTMLElement }> {
  create(): V;
  /** Fills a pooled row for the item at `position`. */
  update(view: V, position: number): void;
}

export class VirtualList<V extends { root: HTMLElement }> {
  private readonly content: HTMLElement;
  private readonly pool: V[] = [];
  private count = 0;
  private frame = 0;
  private readonly disposables = new Disposables();

  constructor(readonly viewport: HTMLElement, private readonly rowHeight: number, private readonly renderer: RowRenderer<V>, private readonly overscan = 6) {
    this.content = document.createElement('div');
    this.content.className = 'virtual-content';
    viewport.appendChild(this.content);
    this.disposables.listen(viewport, 'scroll', () => this.schedule());
    this.disposables.observeResize(viewport, () => this.schedule());
  }

  dispose(): void {
    this.disposables.dispose();
    cancelAnimationFrame(this.frame);
    this.frame = 0;
  }

  setCount(count: number): void {
    this.count = count;
    this.content.style.height = `${count * this.rowHeight}px`;
    this.render();
  }

  /** Redraws the rows in view (the data behind them changed). */
  render(): void {
    cancelAnimationFrame(this.frame);
    this.frame = 0;
    const first = Math.max(0, Math.floor(this.viewport.scrollTop / this.rowHeight) - this.overscan);
    const wanted = Math.ceil(this.viewportHeight() / this.rowHeight) + 2 * this.overscan;
    const last = Math.min(this.count, first + wanted);
    while (this.pool.length < last - first) {
      const view = this.renderer.create();
      this.pool.push(view);
      this.content.appendChild(view.root);
    }
    this.pool.forEach((view, slot) => {
      const position = first + slot;
      view.root.hidden = position >= last;
      if (position >= last) return;
      view.root.style.transform = `translateY(${position * this.rowHeight}px)`;
      this.renderer.update(view, position);
    });
  }

  /** Scrolls just enough to show the item. */
  reveal(position: number): void {
    const top = position * this.rowHeight;
    const height = this.viewportHeight();
    if (top < this.viewport.scrollTop) this.viewport.scrollTop = top;
    else if (top + this.rowHeight > this.viewport.scrollTop + height) this.viewport.scrollTop = top + this.rowHeight - height;
    this.render();
  }

  /** The first item in view. */
  firstInView(): number {
    return Math.min(Math.max(0, this.count - 1), Math.floor(this.viewport.scrollTop / this.rowHeight));
  }

  /** Rows that fit in the viewport, for PageUp/PageDown. */
  pageSize(): number {
    return Math.max(1, Math.floor(this.viewportHeight() / this.rowHeight) - 1);
  }

  /** The pooled DOM rows, for tests and the bench (bounded by the viewport, not the item count). */
  domRowCount(): number {
    return this.pool.length;
  }

  private viewportHeight(): number {
    // Before layout (a hidden panel) the height is 0; render a screenful anyway.
    return this.viewport.clientHeight || window.innerHeight || 600;
  }

  private schedule(): void {
    if (!this.frame) this.frame = requestAnimationFrame(() => this.render());
  }
}
