// The divider between the waterfall and the detail: drag it (or focus it and use the arrows) to
// give either side more room. The share it leaves the detail is reported once a drag ends, so the
// host can remember it for every trace view. Side by side while the view is wide enough, stacked
// below that, where the same divider moves up and down.
import { Disposables } from './disposables';
import { h } from './dom';

/** Below this width the panes stack (the detail under the waterfall). */
export const SIDE_BY_SIDE_MIN_PX = 620;
export const DEFAULT_DETAIL_SHARE = 0.45;
const MIN_SHARE = 0.15;
const MAX_SHARE = 0.85;
const KEY_STEP = 0.05;

export const clampShare = (share: number) => Math.min(MAX_SHARE, Math.max(MIN_SHARE, Number.isFinite(share) ? share : DEFAULT_DETAIL_SHARE));

export class SplitLayout {
  readonly element: HTMLElement;
  private readonly handle: HTMLElement;
  private readonly disposables = new Disposables();
  private share: number;

  constructor(waterfall: HTMLElement, private readonly detail: HTMLElement, share: number, private readonly onMoved: (share: number) => void) {
    this.share = clampShare(share);
    this.handle = h('div', { className: 'splitter', title: 'Drag to resize the waterfall and the detail', attrs: { role: 'separator', tabindex: '0', 'aria-label': 'Resize the waterfall and the detail' } });
    this.element = h('div', { className: 'split' }, h('div', { className: 'waterfall-pane' }, waterfall), this.handle, detail);
    this.disposables.observeResize(this.element, () => this.layout());
    this.disposables.listen(this.handle, 'pointerdown', (event) => this.drag(event));
    this.disposables.listen(this.handle, 'keydown', (event) => {
      const grow = event.key === 'ArrowLeft' || event.key === 'ArrowUp' ? KEY_STEP : event.key === 'ArrowRight' || event.key === 'ArrowDown' ? -KEY_STEP : 0;
      if (!grow) return;
      event.preventDefault();
      this.setShare(this.share + grow);
      this.onMoved(this.share);
    });
    this.layout();
  }

  get detailShare(): number {
    return this.share;
  }

  get stacked(): boolean {
    return this.element.classList.contains('stacked');
  }

  setShare(share: number): void {
    this.share = clampShare(share);
    this.detail.style.flexBasis = `${(this.share * 100).toFixed(1)}%`;
    this.handle.setAttribute('aria-valuenow', String(Math.round(this.share * 100)));
  }

  private layout(): void {
    // Before the first layout the width is 0: that is not "narrow".
    const width = this.element.clientWidth || window.innerWidth;
    this.element.classList.toggle('stacked', width < SIDE_BY_SIDE_MIN_PX);
    this.handle.setAttribute('aria-orientation', this.stacked ? 'horizontal' : 'vertical');
    this.setShare(this.share);
  }

  private drag(start: PointerEvent): void {
    start.preventDefault();
    this.handle.setPointerCapture(start.pointerId);
    this.element.classList.add('dragging');
    const box = this.element.getBoundingClientRect();
    const move = (event: PointerEvent) => this.setShare(this.stacked
      ? (box.bottom - event.clientY) / box.height
      : (box.right - event.clientX) / box.width);
    const end = () => {
      this.handle.removeEventListener('pointermove', move);
      this.handle.removeEventListener('pointerup', end);
      this.handle.removeEventListener('pointercancel', end);
      this.element.classList.remove('dragging');
      this.onMoved(this.share);
    };
    this.handle.addEventListener('pointermove', move);
    this.handle.addEventListener('pointerup', end);
    this.handle.addEventListener('pointercancel', end);
  }

  dispose(): void {
    this.disposables.dispose();
  }
}
