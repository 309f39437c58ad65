// The search language of the backends without one of their own (Jaeger, Phoenix, Langfuse):
// space-separated key=value pairs, values optionally in double quotes.
import { BackendError } from './backendTypes';

const MAX_PAIRS = 32;

export function parseKeyValues(backend: string, query: string): Record<string, string> {
  const pairs: Record<string, string> = {};
  const pattern = /\s*([^\s=]+)=(?:"((?:[^"\\]|\\.)*)"|(\S*))/y;
  let rest = query.trim();
  let count = 0;
  while (rest) {
    pattern.lastIndex = 0;
    const match = pattern.exec(rest);
    if (!match) throw new BackendError(backend, `cannot read "${rest.slice(0, 40)}": write key=value pairs, e.g. service=checkout since=1h`, 400);
    if (++count > MAX_PAIRS) throw new BackendError(backend, `at most ${MAX_PAIRS} key=value pairs`, 400);
    pairs[match[1]] = match[2] !== undefined ? match[2].replace(/\\(.)/g, '$1') : match[3];
    rest = rest.slice(pattern.lastIndex).trim();
  }
  return pairs;
}

/** `250ms`, `2s`, `5m`, `3h`, `2d` → milliseconds. */
export function parseDurationMs(backend: string, text: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/.exec(text.trim());
  if (!match) throw new BackendError(backend, `"${text}" is not a duration such as 500ms, 2s, 5m, 3h or 2d`, 400);
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[match[2] as 'ms'];
  return Number(match[1]) * unit;
}
