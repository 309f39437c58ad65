// Exceptions with their stack traces (each frame a link to the code) and every span event.
import { formatDuration } from '../../src/shared/format';
import type { Span, SpanEvent } from '../../src/shared/spanModel';
import { h, section } from '../dom';
import { describeLocation, type DetailContext } from './detailContext';
import { factsTable } from './factsTable';
import { longText, prettyValue } from './longValue';
import { parseStack } from './stackFrames';

const STACK_LINES_SHOWN = 200;

function stackView(stack: string, context: DetailContext): HTMLElement {
  const lines = parseStack(stack);
  const pre = h('pre', { className: 'stack' });
  for (const line of lines.slice(0, STACK_LINES_SHOWN)) {
    if (line.link) {
      const { start, end, location } = line.link;
      pre.append(line.text.slice(0, start),
        h('a', { className: 'source-link', attrs: { href: '#', role: 'link' }, title: `Open ${describeLocation(location)}`, onClick: (event) => {
          event.preventDefault();
          context.openSource(location);
        } }, line.text.slice(start, end)),
        line.text.slice(end), '\n');
    } else {
      pre.append(line.text, '\n');
    }
  }
  if (lines.length > STACK_LINES_SHOWN) return h('div', {}, pre, longText(lines.slice(STACK_LINES_SHOWN).map((l) => l.text).join('\n'), 'stack', 0));
  return pre;
}

export function exceptionsSection(span: Span, context: DetailContext): HTMLElement | undefined {
  const exceptions = span.exceptions ?? [];
  if (!exceptions.length && span.status !== 'error') return undefined;
  return section(exceptions.length ? `Exceptions (${exceptions.length})` : 'Error',
    span.statusMessage && h('div', { className: 'error-banner' }, span.statusMessage),
    ...exceptions.map((exception) => h('div', { className: 'exception' },
      h('div', { className: 'exception-head' },
        h('span', { className: 'exception-type' }, exception.type ?? 'Exception'),
        h('span', { className: 'muted' }, ` at +${formatDuration(Math.max(0, exception.timeMs - span.startMs))}`)),
      exception.message && h('div', { className: 'exception-message' }, exception.message),
      exception.stacktrace && stackView(exception.stacktrace, context))));
}

function eventView(event: SpanEvent, span: Span): HTMLElement {
  const attributes = Object.entries(event.attributes);
  return h('li', { className: 'event' },
    h('div', { className: 'event-head' },
      h('span', { className: 'event-time' }, `+${formatDuration(Math.max(0, event.timeMs - span.startMs))}`),
      h('span', { className: 'event-name' }, event.name)),
    factsTable(attributes.map(([key, value]) => [key, longText(prettyValue(value), 'value')])),
    event.body !== undefined && longText(prettyValue(event.body), 'value json'));
}

export function eventsView(span: Span, context: DetailContext): HTMLElement {
  const exceptions = exceptionsSection(span, context);
  return h('div', { className: 'events-view' },
    exceptions,
    span.events.length
      ? section(`Events (${span.events.length})`, h('ol', { className: 'events' }, ...span.events.map((e) => eventView(e, span))))
      : h('p', { className: 'muted' }, 'This span has no events.'),
    !!span.links?.length && section(`Links (${span.links.length})`, h('ul', {}, ...span.links.map((link) =>
      h('li', {}, `trace ${link.traceId} span ${link.spanId}`)))));
}
