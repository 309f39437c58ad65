// Evaluates a parsed filter (shared/traceFilter.ts) against traces: trace.* fields and free text
// once per trace, span fields on each span until one satisfies the whole expression.
import { FINDING_LABELS } from '../../shared/spanModel';
import { RE2JS } from 're2js';
import { compileFilterRegexp, type FilterNode } from '../../shared/traceFilter';
import { spanStatus, type StoredSpan } from '../model/storedSpan';
import { normalizeSpan } from '../normalize/normalizeSpan';
import type { Trace } from '../model/traceSummary';
import { maxOf } from '../../shared/arrays';
import type { PromptSourceOf } from './promptSource';

type Value = string | number | boolean | undefined | string[];

export function compileFilter(node: FilterNode, search: (text: string) => Set<Trace>, promptSourceOf: PromptSourceOf): (trace: Trace) => boolean {
  const evaluate = compileSpanFilter(node, search, promptSourceOf);
  const needsSpans = usesSpanFields(node);
  return (trace) => {
    if (!needsSpans) return evaluate(trace, undefined);
    for (const span of trace.spans.values()) if (evaluate(trace, span)) return true;
    return false;
  };
}

type SpanTest = (trace: Trace, span: StoredSpan | undefined) => boolean;

/**
 * The expression as a test of one span in its trace (span fields of that span, trace fields of its
 * trace). Compiled once into closures: each field's reader and each comparison's expected values
 * are resolved here, not on every span (the calls table tests 100,000 calls per keystroke).
 */
export function compileSpanFilter(node: FilterNode, search: (text: string) => Set<Trace>, promptSourceOf: PromptSourceOf): SpanTest {
  const compile = (n: FilterNode) => compileSpanFilter(n, search, promptSourceOf);
  switch (node.type) {
    case 'and': {
      const left = compile(node.left);
      const right = compile(node.right);
      return (trace, span) => left(trace, span) && right(trace, span);
    }
    case 'or': {
      const left = compile(node.left);
      const right = compile(node.right);
      return (trace, span) => left(trace, span) || right(trace, span);
    }
    case 'not': {
      const operand = compile(node.operand);
      return (trace, span) => !operand(trace, span);
    }
    case 'text': {
      const matches = search(node.text);
      return (trace) => matches.has(trace);
    }
    case 'compare': {
      const read = fieldReader(node.field, promptSourceOf);
      const test = comparison(node.op, node.values ?? [node.value]);
      return (trace, span) => test(read(trace, span));
    }
  }
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

type FieldReader = (trace: Trace, span: StoredSpan | undefined) => Value;

function fieldReader(field: string, promptSourceOf: PromptSourceOf): FieldReader {
  switch (field) {
    case 'trace.name': return (trace) => trace.summary.name;
    case 'trace.service': return (trace) => trace.summary.service;
    case 'trace.status': return (trace) => trace.summary.status;
    case 'trace.duration': return (trace) => trace.summary.durationMs;
    case 'trace.tokens': return (trace) => trace.summary.tokens.total;
    case 'trace.cost': return (trace) => trace.summary.costUsd;
    case 'trace.spans': return (trace) => trace.summary.spanCount;
    // Findings are the trace's (a loop belongs to no single span); span findings are among them.
    case 'finding': return (trace) => trace.summary.findings?.flatMap((f) => [f.detector, FINDING_LABELS[f.detector]]);
  }
  const read = field === 'prompt_source' ? (_trace: Trace, span: StoredSpan) => promptSourceOf(span) : spanFieldReader(field);
  return (trace, span) => (span ? read(trace, span) : undefined);
}

function spanFieldReader(field: string): (trace: Trace, span: StoredSpan) => Value {
  switch (field) {
    case 'name': return (_trace, span) => span.name;
    case 'kind': return (_trace, span) => span.facts.kind;
    case 'service': return (_trace, span) => span.resource.service;
    case 'model': return (_trace, span) => span.facts.model;
    case 'provider': return (_trace, span) => span.facts.provider;
    case 'status': return (_trace, span) => spanStatus(span.statusCode);
    case 'duration': return (_trace, span) => span.endMs - span.startMs;
    case 'tokens': return (_trace, { facts }) => facts.tokens?.total ?? (facts.tokens ? (facts.tokens.input ?? 0) + (facts.tokens.output ?? 0) : undefined);
    case 'input_tokens': return (_trace, span) => span.facts.tokens?.input;
    case 'output_tokens': return (_trace, span) => span.facts.tokens?.output;
    case 'cost': return (_trace, span) => span.facts.costUsd;
    // A call belongs to its trace's session and user even when only the root span says so.
    case 'session': return (trace, span) => span.facts.sessionId ?? trace.summary.sessionId;
    case 'user': return (trace, span) => span.facts.userId ?? trace.summary.userId;
    case 'error': return (_trace, span) => {
      if (span.statusCode !== 2) return undefined;
      const exception = span.events.find((e) => e.name === 'exception')?.attributes;
      return [span.statusMessage, exception?.['exception.type'], exception?.['exception.message']].filter(Boolean).join(': ') || 'error';
    };
    case 'score': return (_trace, span) => {
      if (span.facts.kind !== 'RETRIEVER') return undefined;
      const scores = (normalized(span).documents ?? []).map((d) => d.score).filter((s): s is number => s !== undefined);
      return maxOf(scores);
    };
    case 'tool': return (_trace, span) => (span.facts.kind === 'TOOL' ? normalized(span).tool?.name ?? span.name : undefined);
  }
  // attr.<key>: the span's attribute, else its resource's.
  const key = field.slice('attr.'.length);
  return (_trace, span) => {
    const value = span.attributes[key] ?? span.resource.attributes[key];
    return value === undefined || value === null ? undefined : typeof value === 'object' ? JSON.stringify(value) : value;
  };
}

type Scalar = Exclude<Value, string[]>;

/** A comparison with its expected values resolved once; a list (findings) matches when one of its items does, as `!=` and `NOT IN` when none does. */
function comparison(op: string, expected: (string | number)[]): (actual: Value) => boolean {
  const scalar = scalarComparison(op, expected);
  const anyEqual = equalToAny(expected);
  return (actual) => {
    if (!Array.isArray(actual)) return scalar(actual);
    if (op === '!=') return !actual.some(equalTo(expected[0]));
    if (op === 'NOT IN') return !actual.some(anyEqual);
    return actual.some(scalar);
  };
}

function scalarComparison(op: string, expected: (string | number)[]): (actual: Scalar) => boolean {
  const want = expected[0];
  const isWanted = equalTo(want);
  const isAnyWanted = equalToAny(expected);
  const defined = (test: (actual: Exclude<Scalar, undefined>) => boolean, ifUndefined = false) =>
    (actual: Scalar) => (actual === undefined ? ifUndefined : test(actual));
  switch (op) {
    case '=': return defined(isWanted);
    case '!=': return defined((actual) => !isWanted(actual), true);
    case 'IN': return defined(isAnyWanted);
    case 'NOT IN': return defined((actual) => !isAnyWanted(actual), true);
    case 'CONTAINS': {
      const part = String(want).toLowerCase();
      return defined((actual) => String(actual).toLowerCase().includes(part));
    }
    case 'REGEXP': {
      const re = regexp(String(want));
      return defined((actual) => re.test(String(actual)));
    }
  }
  const b = Number(want);
  if (!Number.isFinite(b)) return () => false;
  const holds = op === '>' ? (a: number) => a > b : op === '>=' ? (a: number) => a >= b : op === '<' ? (a: number) => a < b : (a: number) => a <= b;
  return defined((actual) => {
    const a = Number(actual);
    return Number.isFinite(a) && holds(a);
  });
}

function equalToAny(expected: (string | number)[]): (actual: Scalar) => boolean {
  const tests = expected.map(equalTo);
  return (actual) => tests.some((test) => test(actual));
}

/** Numbers compare as numbers (when either side is one), text without regard to case. */
function equalTo(expected: string | number): (actual: Scalar) => boolean {
  const number = Number(expected);
  if (typeof expected === 'number') return (actual) => Number(actual) === number;
  const text = expected.toLowerCase();
  return (actual) => (typeof actual === 'number' ? actual === number : String(actual).toLowerCase() === text);
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
