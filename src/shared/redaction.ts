// Redaction patterns and the text masking both sides use: the engine masks spans as they arrive
// (engine/normalize/redaction.ts), the trace view masks what "Copy trace for AI" copies.
import type { AttributeValue } from './spanModel';

export interface RedactionPattern {
  name: string;
  /** A regular expression source; matched case-sensitively unless it sets its own flags inline. */
  pattern: string;
}

export const DEFAULT_REDACTIONS: RedactionPattern[] = [
  { name: 'api-key', pattern: '\\b(?:sk-(?:proj-|ant-)?[A-Za-z0-9_-]{16,}|AKIA[0-9A-Z]{16}|gh[pousr]_[A-Za-z0-9]{30,}|xox[abprs]-[A-Za-z0-9-]{10,}|AIza[0-9A-Za-z_-]{35})' },
  { name: 'bearer', pattern: '\\b[Bb]earer\\s+[A-Za-z0-9._~+/-]{8,}=*' },
  { name: 'email', pattern: '\\b[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\\.[A-Za-z]{2,}\\b' },
  { name: 'card', pattern: '\\b(?:\\d[ -]?){12,18}\\d\\b' },
];

/** Strings shorter than this cannot hold any default pattern; they skip the scan. */
const MIN_LENGTH = 6;
/**
 * Masked results of recent strings: prompts and system messages repeat across spans. Bounded by
 * characters, not entries: 20,000 unique 32 KB prompts would otherwise hold 640 MB.
 */
const CACHE_CHARACTERS = 8 * 1024 * 1024;

export class TextRedactor {
  private readonly any: RegExp;
  private readonly each: { name: string; re: RegExp }[];
  private readonly cache = new Map<string, string>();
  private cachedCharacters = 0;

  constructor(patterns: RedactionPattern[]) {
    this.each = patterns.map((p) => ({ name: p.name, re: new RegExp(p.pattern, 'g') }));
    // One combined test first: most strings hold nothing to mask.
    this.any = new RegExp(patterns.map((p) => `(?:${p.pattern})`).join('|'));
  }

  /** Throws with the pattern's name when a user's pattern is not a valid regular expression. */
  static validate(patterns: RedactionPattern[]): void {
    for (const p of patterns) {
      try {
        new RegExp(p.pattern, 'g');
      } catch (error) {
        throw new Error(`redaction pattern "${p.name}" is not a valid regular expression: ${(error as Error).message}`);
      }
    }
  }

  text(value: string): string {
    if (value.length < MIN_LENGTH) return value;
    const cached = this.cache.get(value);
    if (cached !== undefined) return cached;
    const masked = this.mask(value);
    if (value.length > CACHE_CHARACTERS / 16) return masked; // one huge string must not flush the rest
    if (this.cachedCharacters + value.length > CACHE_CHARACTERS) {
      this.cache.clear();
      this.cachedCharacters = 0;
    }
    this.cache.set(value, masked);
    this.cachedCharacters += value.length;
    return masked;
  }

  private mask(value: string): string {
    if (!this.any.test(value)) return value;
    let out = value;
    for (const { name, re } of this.each) {
      out = out.replace(re, (match) => (name === 'card' && !luhn(match) ? match : `[REDACTED:${name}]`));
    }
    return out;
  }

  /** Masks keys too: a secret can be a key (an email as a map key, a token in a header name). */
  protected attributes(attrs: Record<string, AttributeValue>): void {
    for (const key of Object.keys(attrs)) {
      const value = this.value(attrs[key]);
      const maskedKey = this.text(key);
      if (maskedKey === key && key !== '__proto__') {
        attrs[key] = value;
      } else {
        let newKey = maskedKey;
        if (maskedKey !== key) {
          delete attrs[key];
          // Two keys masked alike both stay.
          for (let n = 2; Object.prototype.hasOwnProperty.call(attrs, newKey); n++) newKey = `${maskedKey} (${n})`;
        }
        // Defined, not assigned: a key named __proto__ must stay a key, never a prototype.
        Object.defineProperty(attrs, newKey, { value, enumerable: true, writable: true, configurable: true });
      }
    }
  }

  protected value(value: AttributeValue): AttributeValue {
    if (typeof value === 'string') return this.text(value);
    if (Array.isArray(value)) return value.map((v) => this.value(v));
    if (value && typeof value === 'object') this.attributes(value);
    return value;
  }
}

/** Card-like digit runs are masked only when they pass the Luhn check (not every long number is a card). */
function luhn(candidate: string): boolean {
  const digits = candidate.replace(/\D/g, '');
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1 && (d *= 2) > 9) d -= 9;
    sum += d;
  }
  return digits.length >= 13 && sum % 10 === 0;
}
