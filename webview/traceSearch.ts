// Find in the trace: the engine searches every span's text (names, prompts, attributes, events),
// not just the rows drawn or the skeleton the view holds; the matches are marked in the waterfall
// and Enter walks through them, unfolding what hides them.
import type { SpanSearchResult } from '../src/shared/traceSkeleton';
import { h } from './dom';

export interface TraceSearchActions {
  /** Ask the engine (through the host) for the spans matching. */
  search(text: string): void;
  /** Select and reveal a match. */
  show(spanId: string): void;
  /** Mark the matches in the waterfall. */
  mark(spanIds: ReadonlySet<string>): void;
}

export class TraceSearch {
  readonly element: HTMLElement;
  private readonly field: HTMLInputElement;
  private readonly count: HTMLElement;
  private asked = '';
  private matches: string[] = [];
  private at = -1;

  constructor(private readonly actions: TraceSearchActions) {
    this.field = h('vscode-text-field', { className: 'trace-search', attrs: { placeholder: 'Find in trace', 'aria-label': 'Find spans whose text contains' } }) as HTMLInputElement;
    this.count = h('span', { className: 'muted search-count', attrs: { 'aria-live': 'polite' } });
    this.field.addEventListener('keydown', (event) => {
      if (event.key !== 'Enter') return;
      event.preventDefault();
      this.enter(event.shiftKey);
    });
    this.element = h('div', { className: 'trace-search-bar' }, this.field, this.count);
  }

  /** Enter: a new text asks the engine; the same text goes to the next match (Shift: the one before). */
  private enter(backwards: boolean): void {
    const text = (this.field.value ?? '').trim();
    if (!text) {
      this.clear();
      return;
    }
    if (text === this.asked && this.matches.length) {
      this.at = (this.at + (backwards ? -1 : 1) + this.matches.length) % this.matches.length;
      this.showCurrent();
      return;
    }
    this.asked = text;
    this.count.textContent = 'Searching…';
    this.actions.search(text);
  }

  /** The engine's answer; `shown` says which spans the waterfall has (an adopted span shown as received has none). */
  take(text: string, result: SpanSearchResult | undefined, shown: (spanId: string) => boolean): void {
    if (text !== this.asked) return;
    this.matches = (result?.spanIds ?? []).filter(shown);
    this.at = this.matches.length ? 0 : -1;
    this.actions.mark(new Set(this.matches));
    if (!this.matches.length) this.count.textContent = 'No span contains it';
    else this.showCurrent(result && result.total > result.spanIds.length ? ` (first ${result.spanIds.length} of ${result.total})` : '');
  }

  private showCurrent(more = ''): void {
    this.count.textContent = `${this.at + 1} of ${this.matches.length}${more}`;
    this.actions.show(this.matches[this.at]);
  }

  private clear(): void {
    this.asked = '';
    this.matches = [];
    this.at = -1;
    this.count.textContent = '';
    this.actions.mark(new Set());
  }
}
