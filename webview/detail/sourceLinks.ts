// "Go to source" for every way the engine found a span's line: its call site (code.* attributes,
// or the app's frame of the error's stack) and the template its prompt was made from, each saying
// which it is. Both are offered when both are known; a close runner-up of a prompt match too.
import type { SourceLocation, Span } from '../../src/shared/spanModel';
import { h } from '../dom';
import { describeLocation } from './detailContext';

export interface SourceLink {
  label: string;
  location: SourceLocation;
}

const percent = (confidence: number | undefined) => `${Math.round((confidence ?? 0) * 100)}% match`;

/** What the route is called in the link: "call site", "from the error's stack", "prompt template, 92% match". */
export function routeLabel(location: SourceLocation): string | undefined {
  if (location.how === 'attribute') return 'call site';
  if (location.how === 'stack') return "from the error's stack";
  if (location.how === 'prompt') return `prompt template, ${percent(location.confidence)}`;
  return undefined;
}

export function sourceLinksOf(span: Span): SourceLink[] {
  const links: SourceLink[] = [];
  for (const location of [span.source, span.promptSource]) {
    if (!location?.file) continue;
    const route = routeLabel(location);
    links.push({ label: `Go to source: ${describeLocation(location)}${route ? ` · ${route}` : ''}`, location });
    const runnerUp = location.runnerUp;
    if (runnerUp) {
      links.push({ label: `or ${describeLocation(runnerUp)} · prompt template, ${percent(runnerUp.confidence)}`, location: { ...runnerUp, how: 'prompt' } });
    }
  }
  return links;
}

export function sourceLinks(span: Span, open: (location: SourceLocation) => void): HTMLElement[] {
  return sourceLinksOf(span).map(({ label, location }) => h('a', {
    className: 'source-link go-to-source clamp-2', attrs: { href: '#', role: 'link', 'data-how': location.how ?? '' }, title: label,
    onClick: (event: Event) => {
      event.preventDefault();
      open(location);
    },
  }, label));
}
