// The filter language of Search Traces and the tree, with the operators users know from trace
// viewers:  duration > 2s AND kind = RETRIEVER AND score < 0.5,  model IN (gpt-4o, gpt-4o-mini),
// name CONTAINS rerank, error REGEXP "rate.?limit", NOT trace.name = health, free text.
// A span field is tested on each span: a trace matches when one of its spans satisfies the whole
// expression. trace.* fields and free text are tested on the trace. Parsed here (the extension
// validates while the user types); the engine evaluates it (engine/index/filterEval.ts).
import { RE2JS } from 're2js';
import { FINDING_LABELS, SPAN_KINDS } from './spanModel';

export type FilterOp = '=' | '!=' | '>' | '>=' | '<' | '<=' | 'CONTAINS' | 'REGEXP' | 'IN' | 'NOT IN';

export type FilterNode =
  | { type: 'and' | 'or'; left: FilterNode; right: FilterNode }
  | { type: 'not'; operand: FilterNode }
  | { type: 'compare'; field: string; op: FilterOp; value: string | number; values?: (string | number)[] }
  | { type: 'text'; text: string };

export const SPAN_FIELDS = ['name', 'kind', 'service', 'model', 'provider', 'status', 'duration', 'tokens', 'input_tokens',
  'output_tokens', 'cost', 'score', 'tool', 'session', 'user', 'error', 'finding', 'prompt_source'] as const;
export const TRACE_FIELDS = ['trace.name', 'trace.service', 'trace.status', 'trace.duration', 'trace.tokens', 'trace.cost', 'trace.spans'] as const;
/**
 * Fields that take one of a few words: a value outside them can never match, so it is refused
 * with the valid ones instead of quietly finding nothing (`kind = RETRIVER`).
 */
const ENUMERATED: Record<string, readonly string[]> = {
  kind: SPAN_KINDS,
  status: ['ok', 'error', 'unset'],
  'trace.status': ['ok', 'error', 'unset'],
  finding: [...Object.keys(FINDING_LABELS), ...Object.values(FINDING_LABELS)],
};
const NUMERIC = new Set(['duration', 'tokens', 'input_tokens', 'output_tokens', 'cost', 'score', 'trace.duration', 'trace.tokens', 'trace.cost', 'trace.spans']);

export class FilterError extends Error {
  constructor(message: string, readonly column: number) {
    super(`${message} (at column ${column + 1})`);
  }
}

interface Token {
  kind: 'word' | 'string' | 'op' | '(' | ')' | ',';
  text: string;
  at: number;
}

const KEYWORDS = new Set(['AND', 'OR', 'NOT', 'IN', 'CONTAINS', 'REGEXP']);

/** A quote opens a string only where a value can start, not inside a word (O'Brien). */
function startsToken(input: string, i: number): boolean {
  return i === 0 || /[\s(,=<>]/.test(input[i - 1]);
}

function tokenize(input: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < input.length) {
    const c = input[i];
    if (/\s/.test(c)) {
      i++;
    } else if (c === '(' || c === ')' || c === ',') {
      tokens.push({ kind: c, text: c, at: i++ });
    } else if ((c === '"' || c === "'") && startsToken(input, i)) {
      const start = i++;
      let text = '';
      while (i < input.length && input[i] !== c) text += input[i] === '\\' && i + 1 < input.length ? input[++i] : input[i], i++;
      if (i >= input.length) throw new FilterError(`Unclosed ${c} quote`, start);
      i++;
      tokens.push({ kind: 'string', text, at: start });
    } else if (/[=<>]/.test(c) || input.startsWith('!=', i)) {
      const two = input.slice(i, i + 2);
      const op = ['!=', '>=', '<='].includes(two) ? two : c;
      tokens.push({ kind: 'op', text: op, at: i });
      i += op.length;
    } else {
      // A word runs to a space, a bracket, a comma or an operator; an apostrophe or a "!" inside
      // it is text ("What's", "Hello!").
      const start = i;
      while (i < input.length && !/[\s()=<>,]/.test(input[i]) && !input.startsWith('!=', i)) i++;
      tokens.push({ kind: 'word', text: input.slice(start, i), at: start });
    }
  }
  return tokens;
}

export function parseFilter(input: string): FilterNode | undefined {
  const tokens = tokenize(input);
  if (tokens.length === 0) return undefined;
  let pos = 0;
  const peek = () => tokens[pos];
  const isKeyword = (t: Token | undefined, word: string) => t?.kind === 'word' && t.text.toUpperCase() === word;
  const end = () => input.length;

  const parseOr = (): FilterNode => {
    let left = parseAnd();
    while (isKeyword(peek(), 'OR')) {
      pos++;
      left = { type: 'or', left, right: parseAnd() };
    }
    return left;
  };
  const parseAnd = (): FilterNode => {
    let left = parseNot();
    for (;;) {
      if (isKeyword(peek(), 'AND')) pos++;
      else if (!peek() || peek().kind === ')' || isKeyword(peek(), 'OR')) return left;
      // Terms side by side mean AND, as in a search box.
      left = { type: 'and', left, right: parseNot() };
    }
  };
  const parseNot = (): FilterNode => {
    if (isKeyword(peek(), 'NOT')) {
      pos++;
      return { type: 'not', operand: parseNot() };
    }
    return parsePrimary();
  };
  const parsePrimary = (): FilterNode => {
    const t = peek();
    if (!t) throw new FilterError('The filter ends too early', end());
    if (t.kind === '(') {
      pos++;
      const inner = parseOr();
      if (peek()?.kind !== ')') throw new FilterError('Missing ")"', peek()?.at ?? end());
      pos++;
      return inner;
    }
    if (t.kind === ')' || t.kind === ',' || t.kind === 'op') throw new FilterError(`Unexpected "${t.text}"`, t.at);
    const next = tokens[pos + 1];
    const opFollows = next && (next.kind === 'op' || ['CONTAINS', 'REGEXP', 'IN'].includes(next.text.toUpperCase())
      || (isKeyword(next, 'NOT') && isKeyword(tokens[pos + 2], 'IN')));
    if (t.kind === 'word' && opFollows) return parseComparison();
    pos++;
    if (t.kind === 'word' && KEYWORDS.has(t.text.toUpperCase())) throw new FilterError(`"${t.text}" needs something before it`, t.at);
    // Bare words side by side form one phrase: refund policy finds "refund policy".
    let text = t.text;
    // Commas in a phrase are text ("Hello, world"); only a list after IN separates by them.
    while (t.kind === 'word' && (peek()?.kind === ',' || (peek()?.kind === 'word' && !KEYWORDS.has(peek().text.toUpperCase())
      && !(tokens[pos + 1] && (tokens[pos + 1].kind === 'op' || ['CONTAINS', 'REGEXP', 'IN'].includes(tokens[pos + 1].text.toUpperCase())))))) {
      const next = tokens[pos++];
      text += next.kind === ',' ? ',' : ` ${next.text}`;
    }
    return { type: 'text', text };
  };
  const parseComparison = (): FilterNode => {
    const fieldToken = tokens[pos++];
    const field = fieldToken.text.toLowerCase();
    if (!isField(field)) throw new FilterError(`Unknown field "${fieldToken.text}"; fields: ${[...SPAN_FIELDS, ...TRACE_FIELDS].join(', ')}, attr.<attribute name>`, fieldToken.at);
    let opToken = tokens[pos++];
    let op = opToken.text.toUpperCase() as FilterOp;
    if (op === ('NOT' as FilterOp)) {
      opToken = tokens[pos++];
      op = 'NOT IN';
    }
    if (op === 'IN' || op === 'NOT IN') {
      if (peek()?.kind !== '(') throw new FilterError(`${op} takes a list in parentheses, e.g. model IN (gpt-4o, gpt-4o-mini)`, peek()?.at ?? end());
      pos++;
      const values: (string | number)[] = [];
      while (peek() && peek().kind !== ')') {
        checkEnumerated(field, peek());
        values.push(valueOf(field, tokens[pos++]));
        if (peek()?.kind === ',') pos++;
      }
      if (peek()?.kind !== ')') throw new FilterError('Missing ")" after the list', end());
      pos++;
      return { type: 'compare', field, op, value: values[0] ?? '', values };
    }
    const valueToken = tokens[pos++];
    if (!valueToken || valueToken.kind === ')' || valueToken.kind === ',') throw new FilterError(`"${field} ${op}" needs a value`, valueToken?.at ?? end());
    if (['>', '>=', '<', '<='].includes(op) && !NUMERIC.has(field) && !field.startsWith('attr.')) {
      throw new FilterError(`"${field}" is text; ${op} compares numbers (fields with numbers: ${[...NUMERIC].join(', ')})`, opToken.at);
    }
    const value = valueOf(field, valueToken);
    if (op === '=' || op === '!=') checkEnumerated(field, valueToken);
    if (op === 'REGEXP') {
      try {
        compileFilterRegexp(String(value));
      } catch (error) {
        throw new FilterError(`Bad regular expression (RE2 syntax: no lookarounds or backreferences): ${(error as Error).message}`, valueToken.at);
      }
    }
    return { type: 'compare', field, op, value };
  };

  const node = parseOr();
  if (pos < tokens.length) throw new FilterError(`Unexpected "${tokens[pos].text}"`, tokens[pos].at);
  return node;
}

function checkEnumerated(field: string, token: Token): void {
  const valid = ENUMERATED[field];
  if (!valid || (token.kind !== 'word' && token.kind !== 'string')) return;
  if (!valid.some((v) => v.toLowerCase() === token.text.toLowerCase())) {
    throw new FilterError(`Unknown ${field} "${token.text}"; ${field} is one of: ${valid.join(', ')}`, token.at);
  }
}

function isField(field: string): boolean {
  return (SPAN_FIELDS as readonly string[]).includes(field) || (TRACE_FIELDS as readonly string[]).includes(field)
    || (field.startsWith('attr.') && field.length > 5);
}

/** Numbers for numeric fields, with duration units (ms, s, m, h); text otherwise. */
function valueOf(field: string, token: Token): string | number {
  if (token.kind !== 'word' && token.kind !== 'string') throw new FilterError(`Expected a value, got "${token.text}"`, token.at);
  if (!NUMERIC.has(field) || token.kind === 'string') return token.text;
  const m = /^(-?\d+(?:\.\d+)?)(ms|s|m|h)?$/i.exec(token.text);
  if (!m) throw new FilterError(`"${field}" takes a number${field.includes('duration') ? ' like 2s or 500ms' : ''}, got "${token.text}"`, token.at);
  const n = Number(m[1]);
  const unit = m[2]?.toLowerCase();
  return unit === 's' ? n * 1000 : unit === 'm' ? n * 60_000 : unit === 'h' ? n * 3_600_000 : n;
}

/** A REGEXP filter's pattern, case-insensitive, on RE2 (linear time whatever the pattern and text). */
export function compileFilterRegexp(pattern: string): RE2JS {
  return RE2JS.compile(pattern, RE2JS.CASE_INSENSITIVE);
}
