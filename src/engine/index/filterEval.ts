// Evaluates a parsed filter (shared/traceFilter.ts) against traces: trace.* fields and free text
// once per trace, span fields on each span until one satisfies the whole expression.
import { FINDING_LABELS } from '../../shared/spanModel';
import { RE2JS } from 're2js';
import { compileFilterRegexp, type FilterNode } from '../../shared/traceFilter';
import { spanStatus, type StoredSpan } from '../model/storedSpan';
import { normalizeSpan } from '../normalize/normalizeSpan';
import type { Trace } from '../model/traceSummary';
import { maxOf } from '../../shared/arrays';

type Value = string | number | boolean | undefined | string[];

export function compileFilter(node: FilterNode, search: (text: string) => Set<Trace>): (trace: Trace) => boolean {
  const evaluate = compileSpanFilter(node, search);
  const needsSpans = usesSpanFields(node);
  return (trace) => {
    if (!needsSpans) return evaluate(trace, undefined);
    for (const span of trace.spans.values()) if (evaluate(trace, span)) return true;
    return false;
  };
}

/** The expression as a test of one span in its trace (span fields of that span, trace fields of its trace). */
export function compileSpanFilter(node: FilterNode, search: (text: string) => Set<Trace>): (trace: Trace, span: StoredSpan | undefined) => boolean {
  const textMatches = new Map<string, Set<Trace>>();
  const collectText = (n: FilterNode): void => {
    if (n.type === 'text') textMatches.set(n.text, search(n.text));
    else if (n.type === 'not') collectText(n.operand);
    else if (n.type === 'and' || n.type === 'or') (collectText(n.left), collectText(n.right));
  };
  collectText(node);
  const evaluate = (n: FilterNode, trace: Trace, span: StoredSpan | undefined): boolean => {
    switch (n.type) {
      case 'and': return evaluate(n.left, trace, span) && evaluate(n.right, trace, span);
      case 'or': return evaluate(n.left, trace, span) || evaluate(n.right, trace, span);
      case 'not': return !evaluate(n.operand, trace, span);
      case 'text': return textMatches.get(n.text)!.has(trace);
      case 'compare': return compare(fieldValue(n.field, trace, span), n.op, n.values ?? [n.value]);
    }
  };
  return (trace, span) => evaluate(node, trace, span);
}

function usesSpanFields(n: FilterNode): boolean {
  if (n.type === 'compare') return !n.field.startsWith('trace.') && n.field !== 'finding';
  if (n.type === 'not') return usesSpanFields(n.operand);
  if (n.type === 'and' || n.type === 'or') return usesSpanFields(n.left) || usesSpanFields(n.right);
  return false;
}

const normalizedCache = new WeakMap<StoredSpan, ReturnType<typeof normalizeSpan>>();
function normalized(span: StoredSpan) {
  let n = normalizedCache.get(span);
  if (!n) normalizedCache.set(span, (n = normalizeSpan(span)));
  return n;
}

function fieldValue(field: string, trace: Trace, span: StoredSpan | undefined): Value {
  const summary = trace.summary;
  switch (field) {
    case 'trace.name': return summary.name;
    case 'trace.service': return summary.service;
    case 'trace.status': return summary.status;
    case 'trace.duration': return summary.durationMs;
    case 'trace.tokens': return summary.tokens.total;
    case 'trace.cost': return summary.costUsd;
    case 'trace.spans': return summary.spanCount;
    // Findings are the trace's (a loop belongs to no single span); span findings are among them.
    case 'finding': return summary.findings?.flatMap((f) => [f.detector, FINDING_LABELS[f.detector]]);
  }
  if (!span) return undefined;
  const { facts } = span;
  switch (field) {
    case 'name': return span.name;
    case 'kind': return facts.kind;
    case 'service': return span.resource.service;
    case 'model': return facts.model;
    case 'provider': return facts.provider;
    case 'status': return spanStatus(span.statusCode);
    case 'duration': return span.endMs - span.startMs;
    case 'tokens': return facts.tokens?.total ?? (facts.tokens ? (facts.tokens.input ?? 0) + (facts.tokens.output ?? 0) : undefined);
    case 'input_tokens': return facts.tokens?.input;
    case 'output_tokens': return facts.tokens?.output;
    case 'cost': return facts.costUsd;
    // A call belongs to its trace's session and user even when only the root span says so.
    case 'session': return facts.sessionId ?? trace.summary.sessionId;
    case 'user': return facts.userId ?? trace.summary.userId;
    case 'error': {
      if (span.statusCode !== 2) return undefined;
      const exception = span.events.find((e) => e.name === 'exception')?.attributes;
      return [span.statusMessage, exception?.['exception.type'], exception?.['exception.message']].filter(Boolean).join(': ') || 'error';
    }
    case 'score': {
      if (facts.kind !== 'RETRIEVER') return undefined;
      const scores = (normalized(span).documents ?? []).map((d) => d.score).filter((s): s is number => s !== undefined);
      return maxOf(scores);
    }
    case 'tool': return facts.kind === 'TOOL' ? normalized(span).tool?.name ?? span.name : undefined;
  }
  // attr.<key>: the span's attribute, else its resource's.
  const key = field.slice('attr.'.length);
  const value = span.attributes[key] ?? span.resource.attributes[key];
  return value === undefined || value === null ? undefined : typeof value === 'object' ? JSON.stringify(value) : value;
}

function compare(actual: Value, op: string, expected: (string | number)[]): boolean {
  if (Array.isArray(actual)) {
    if (op === '!=') return !actual.some((a) => equal(a, expected[0]));
    if (op === 'NOT IN') return !actual.some((a) => expected.some((e) => equal(a, e)));
    return actual.some((a) => compare(a, op, expected));
  }
  if (actual === undefined) return op === '!=' || op === 'NOT IN';
  const want = expected[0];
  const text = String(actual).toLowerCase();
  switch (op) {
    case '=': return equal(actual, want);
    case '!=': return !equal(actual, want);
    case 'IN': return expected.some((e) => equal(actual, e));
    case 'NOT IN': return !expected.some((e) => equal(actual, e));
    case 'CONTAINS': return text.includes(String(want).toLowerCase());
    case 'REGEXP': return regexp(String(want)).test(String(actual));
  }
  const a = Number(actual);
  const b = Number(want);
  if (!Number.isFinite(a) || !Number.isFinite(b)) return false;
  return op === '>' ? a > b : op === '>=' ? a >= b : op === '<' ? a < b : a <= b;
}

/** Filters run on RE2: linear in the text whatever the pattern, so `^(a+)+$` cannot hang the engine. */
const regexps = new Map<string, RE2JS>();
function regexp(pattern: string): RE2JS {
  let re = regexps.get(pattern);
  if (!re) {
    if (regexps.size > 100) regexps.clear();
    regexps.set(pattern, (re = compileFilterRegexp(pattern)));
  }
  return re;
}

function equal(actual: Value, expected: string | number): boolean {
  if (typeof expected === 'number' || typeof actual === 'number') return Number(actual) === Number(expected);
  return String(actual).toLowerCase() === String(expected).toLowerCase();
}
