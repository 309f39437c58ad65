// Dragging across the time axis selects the range to zoom into. The drag may end outside the
// axis (or the webview), so it follows the mouse on window.
import type { Disposables } from '../disposables';
import { h } from '../dom';

/** Below this share of the axis a drag is a click, not a range. */
const MIN_DRAG = 0.01;

/** Calls `onRange` with the dragged range as fractions (0..1) of the axis, left to right. */
export function bindDragZoom(axis: HTMLElement, disposables: Disposables, onRange: (from: number, to: number) => void): void {
  const band = h('div', { className: 'zoom-band', attrs: { 'aria-hidden': 'true' } });
  let anchor: number | undefined;
  const fraction = (event: MouseEvent) => {
    const box = axis.getBoundingClientRect();
    return Math.max(0, Math.min(1, (event.clientX - box.left) / (box.width || 1)));
  };
  const drawBand = (a: number, b: number) => {
    band.style.left = `${Math.min(a, b) * 100}%`;
    band.style.width = `${Math.abs(b - a) * 100}%`;
  };
  disposables.listen(axis, 'mousedown', (event) => {
    anchor = fraction(event);
    drawBand(anchor, anchor);
    axis.appendChild(band);
    event.preventDefault();
  });
  disposables.listen(window, 'mousemove', (event) => anchor !== undefined && drawBand(anchor, fraction(event)));
  disposables.listen(window, 'mouseup', (event) => {
    if (anchor === undefined) return;
    const [from, to] = [anchor, fraction(event)].sort((x, y) => x - y);
    anchor = undefined;
    band.remove();
    if (to - from >= MIN_DRAG) onRange(from, to);
  });
}
