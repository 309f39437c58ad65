// Ids derived from text, for what arrives without ids of its own (coding agents' log records,
// trace files of other shapes, a backend's own ids): the same text always gives the same id, so
// what is read again lands in the same place.
import { createHash } from 'node:crypto';

/** The first `hexDigits` hex digits (at most 64) of the text's SHA-256, never all zeros (OTLP's "no id"). */
export function derivedId(text: string, hexDigits: number): string {
  const id = createHash('sha256').update(text).digest('hex').slice(0, hexDigits);
  return /^0+$/.test(id) ? `${id.slice(0, -1)}1` : id;
}
