// Where a JSON text goes wrong, for a diagnostic with a column. JSON.parse says why but not
// always where ("Unexpected token 'x', "..." is not valid JSON"), and its message quotes the
// text, which is private: the message is cut down and the offset found by a scan of our own.
// Runs only on text JSON.parse already refused.

/** The reason, without the quoted input, e.g. `Expected ',' or '}' after property value`. */
export function jsonErrorReason(error: unknown): string {
  return String((error as Error).message)
    .replace(/, .*is not valid JSON$/s, '')
    .replace(/ in JSON at position \d+.*$/s, '');
}

/** Offset of the first character that makes `text` invalid JSON (text.length when it ends early). */
export function jsonErrorOffset(text: string): number {
  let i = 0;
  const n = text.length;
  const fail = (): never => { throw i; };
  const ws = () => {
    for (let c = text.charCodeAt(i); c === 32 || c === 9 || c === 10 || c === 13; c = text.charCodeAt(++i));
  };
  const expect = (ch: string) => { if (text[i] !== ch) fail(); i++; };
  const literal = (word: string) => { for (const ch of word) expect(ch); };
  const string = () => {
    expect('"');
    for (;;) {
      if (i >= n) fail();
      const c = text.charCodeAt(i);
      if (c === 34) { i++; return; }
      if (c < 32) fail();
      if (c === 92) {
        i++;
        if (text[i] === 'u') {
          for (let k = 1; k <= 4; k++) if (!/[0-9a-fA-F]/.test(text[i + k] ?? '')) { i += k; fail(); }
          i += 5;
        } else if ('"\\/bfnrt'.includes(text[i] ?? '!')) i++;
        else fail();
      } else i++;
    }
  };
  const digits = () => { const start = i; while (text.charCodeAt(i) >= 48 && text.charCodeAt(i) <= 57) i++; if (i === start) fail(); };
  const number = () => {
    if (text[i] === '-') i++;
    if (text[i] === '0') i++;
    else digits();
    if (text[i] === '.') { i++; digits(); }
    if (text[i] === 'e' || text[i] === 'E') { i++; if (text[i] === '+' || text[i] === '-') i++; digits(); }
  };
  const scalar = () => {
    const c = text[i];
    if (c === '"') string();
    else if (c === 't') literal('true');
    else if (c === 'f') literal('false');
    else if (c === 'n') literal('null');
    else if (c === '-' || (c >= '0' && c <= '9')) number();
    else fail();
  };
  const key = () => { ws(); string(); ws(); expect(':'); };
  // Iterative, not recursive: a text of a million `[` must not overflow the stack. `open`
  // holds the closing bracket of every array and object the scan is inside.
  const open: string[] = [];
  try {
    for (;;) {
      ws();
      const c = text[i];
      if (c === '{' || c === '[') {
        const close = c === '{' ? '}' : ']';
        i++; ws();
        if (text[i] !== close) {
          open.push(close);
          if (close === '}') key();
          continue;
        }
        i++;
      } else scalar();
      // After a value: a comma and the next one, or the end of its array or object.
      for (;;) {
        const close = open[open.length - 1];
        if (close === undefined) {
          ws();
          if (i < n) fail();
          return n;
        }
        ws();
        if (text[i] === ',') {
          i++;
          if (close === '}') key();
          break;
        }
        expect(close);
        open.pop();
      }
    }
  } catch (offset) {
    if (typeof offset !== 'number') throw offset;
    return Math.min(offset, n);
  }
}

/** 1-based line and column of an offset in a text that starts at `firstLine`. */
export function lineAndColumn(text: string, offset: number, firstLine: number): { line: number; column: number } {
  let line = firstLine;
  let lineStart = 0;
  for (let at = text.indexOf('\n'); at >= 0 && at < offset; at = text.indexOf('\n', at + 1)) {
    line++;
    lineStart = at + 1;
  }
  return { line, column: offset - lineStart + 1 };
}
