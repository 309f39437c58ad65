// Where a search's free text was found in a trace, for Search Traces to show ("retrieve ·
// retrieval.documents.0.document.content: …our «refund» policy…"). Only the traces a query
// returns are searched, span by span, until the first match.
import type { AttributeValue, TextMatch } from '../../shared/spanModel';
import type { FilterNode } from '../../shared/traceFilter';
import type { StoredSpan } from '../model/storedSpan';
import type { Trace } from '../model/traceSummary';

/** Characters of context on each side of the match. */
const CONTEXT = 40;
/** Nested values are walked this deep at most (attributes are bounded at ingest, this bounds the walk). */
const MAX_DEPTH = 8;

/** The first free text of a filter (a query's `q` comes first). */
export function searchedText(q: string | undefined, filter: FilterNode | undefined): string | undefined {
  if (q) return q;
  const stack = filter ? [filter] : [];
  while (stack.length) {
    const node = stack.pop()!;
    if (node.type === 'text') return node.text;
    if (node.type === 'and' || node.type === 'or') stack.push(node.right, node.left);
    // Text under NOT is what a match does not contain: nothing to show.
  }
  return undefined;
}

export function findTextMatch(trace: Trace, text: string): TextMatch | undefined {
  const needle = text.toLowerCase();
  const spans = [...trace.spans.values()].sort((a, b) => a.startMs - b.startMs);
  for (const span of spans) {
    const found = matchIn(span, needle);
    if (found) return found;
  }
  return undefined;
}

/** Where a span's text holds `needle` (lowercase): its name, an attribute, an event. */
export function matchIn(span: StoredSpan, needle: string): TextMatch | undefined {
  const at = (field: string, value: string) => {
    const index = value.toLowerCase().indexOf(needle);
    return index < 0 ? undefined : excerpt(span, field, value, index, needle.length);
  };
  const inValue = (field: string, value: AttributeValue | undefined, depth: number): TextMatch | undefined => {
    if (typeof value === 'string') return at(field, value);
    if (value === null || typeof value !== 'object' || depth > MAX_DEPTH) return undefined;
    for (const [key, inner] of Object.entries(value)) {
      const found = inValue(Array.isArray(value) ? `${field}[${key}]` : `${field}.${key}`, inner, depth + 1);
      if (found) return found;
    }
    return undefined;
  };
  const byName = at('name', span.name);
  if (byName) return byName;
  for (const key in span.attributes) {
    const found = inValue(key, span.attributes[key], 0);
    if (found) return found;
  }
  for (const event of span.events) {
    for (const key in event.attributes) {
      const found = inValue(`event ${event.name}: ${key}`, event.attributes[key], 0);
      if (found) return found;
    }
    const found = inValue(`event ${event.name}`, event.body, 0);
    if (found) return found;
  }
  return undefined;
}

function excerpt(span: StoredSpan, field: string, value: string, index: number, length: number): TextMatch {
  const from = Math.max(0, index - CONTEXT);
  const to = Math.min(value.length, index + length + CONTEXT);
  // One line: whitespace becomes a space, one for one, so the match keeps its place.
  const before = (from > 0 ? '…' : '') + value.slice(from, index).replace(/\s/g, ' ');
  const match = value.slice(index, index + length).replace(/\s/g, ' ');
  const after = value.slice(index + length, to).replace(/\s/g, ' ') + (to < value.length ? '…' : '');
  return { spanId: span.spanId, spanName: span.name, field, excerpt: before + match + after, at: [before.length, before.length + match.length] };
}
