// Redaction patterns and the text masking both sides use: the engine masks spans as they arrive
// (engine/normalize/redaction.ts), the trace view masks what "Copy trace for AI" copies.
import { RE2JS } from 're2js';
import type { AttributeValue } from './spanModel';

export interface RedactionPattern {
  name: string;
  /** A regular expression source; matched case-sensitively unless it sets its own flags inline. */
  pattern: string;
}

/**
 * The default secrets, after the rules of the gitleaks secret scanner (github.com/gitleaks/gitleaks,
 * cmd/generate/config/rules/: aws.go @ b35e7ea2, aws_secret.go @ 48fede00, github.go @ a7e2844d,
 * slack.go @ 02788fb5, gcp.go), widened where a rule's fixed length would let a truncated or
 * newer token through. Each is run by V8 and written so no input makes it backtrack: every
 * repetition follows a literal prefix and stops at a character it cannot take. Emails are found
 * from their `@` (findEmails), not by a regular expression: an email pattern backtracks on
 * `a.a.a.…` without an `@`.
 */
export const DEFAULT_REDACTIONS: RedactionPattern[] = [
  {
    name: 'api-key',
    pattern: '\\b(?:sk-[A-Za-z0-9_-]{16,}|(?:A3T[A-Z0-9]|AKIA|ASIA|ABIA|ACCA)[0-9A-Z]{16}|gh[pousr]_[A-Za-z0-9]{30,}|github_pat_\\w{30,}'
      + '|xox[abposre]-[A-Za-z0-9-]{10,}|xapp-\\d-[A-Za-z0-9-]{10,}|AIza[0-9A-Za-z_-]{35})',
  },
  // AWS secret access keys: 40 characters of base64 alone; kept only if random-looking (secretLike).
  { name: 'aws-secret', pattern: '(?<![A-Za-z0-9/+])[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=])' },
  { name: 'bearer', pattern: '\\b[Bb][Ee][Aa][Rr][Ee][Rr]\\s+[A-Za-z0-9._~+/-]{8,}=*' },
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
/** A whole value in base64 this long or longer is also read as text (OTLP bytes values arrive as base64). */
const MIN_BASE64 = 12;
/** Longer values are not decoded: a secret is short, and decoding 16 MB to look costs too much. */
const MAX_BASE64 = 1024 * 1024;
/** No groups: a repeated group on a 16 MB value overflows V8's regexp stack. */
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** One pattern's masking: the defaults run on V8 (reviewed to be linear), the user's on RE2 (linear by construction). */
interface Masker {
  name: string;
  /** Whether the text may hold a match: a cheap test before the replacing pass. */
  mayMatch(text: string): boolean;
  mask(text: string): string;
}

/** Masks what a default pattern finds, keeping matches its check refuses (a long number that is not a card). */
function v8Masker(name: string, pattern: string, accept: (match: string) => boolean = () => true): Masker {
  const re = new RegExp(pattern, 'g');
  const mask = `[REDACTED:${name}]`;
  return {
    name,
    mayMatch: (text) => {
      re.lastIndex = 0;
      return re.test(text);
    },
    mask: (text) => text.replace(re, (match) => (accept(match) ? mask : match)),
  };
}

const emailMasker: Masker = {
  name: 'email',
  mayMatch: (text) => text.includes('@'),
  mask: (text) => {
    let out = '';
    let last = 0;
    for (const [start, end] of findEmails(text)) {
      out += text.slice(last, start) + '[REDACTED:email]';
      last = end;
    }
    return last === 0 ? text : out + text.slice(last);
  },
};

/** A user's pattern on RE2: linear in the text whatever the pattern, so a pattern cannot hang the engine. */
function re2Masker(name: string, pattern: string): Masker {
  const re = RE2JS.compile(pattern);
  const mask = `[REDACTED:${name}]`;
  return {
    name,
    mayMatch: (text) => re.test(text),
    mask: (text) => re.matcher(text).replaceAll((match: string) => (match === '' ? '' : mask)),
  };
}

const DEFAULT_MASKERS: Record<string, () => Masker> = {
  'api-key': () => v8Masker('api-key', DEFAULT_REDACTIONS[0].pattern),
  'aws-secret': () => v8Masker('aws-secret', DEFAULT_REDACTIONS[1].pattern, secretLike),
  bearer: () => v8Masker('bearer', DEFAULT_REDACTIONS[2].pattern),
  email: () => emailMasker,
  card: () => v8Masker('card', DEFAULT_REDACTIONS[4].pattern, luhn),
};

function maskerFor(p: RedactionPattern): Masker {
  const isDefault = DEFAULT_REDACTIONS.some((d) => d.name === p.name && d.pattern === p.pattern);
  return isDefault ? DEFAULT_MASKERS[p.name]() : re2Masker(p.name, p.pattern);
}

export class TextRedactor {
  private readonly maskers: Masker[];
  /** Whether card numbers are masked, also in integer values (a card sent as a number). */
  private readonly cards: boolean;
  /** Patterns of the user's: numbers are matched as text too. */
  private readonly userPatterns: boolean;
  private readonly cache = new Map<string, string>();
  private cachedCharacters = 0;

  constructor(readonly patterns: RedactionPattern[]) {
    this.maskers = patterns.map(maskerFor);
    this.cards = patterns.some((p) => p.name === 'card' && DEFAULT_REDACTIONS.some((d) => d.pattern === p.pattern));
    this.userPatterns = patterns.some((p) => !DEFAULT_REDACTIONS.some((d) => d.name === p.name && d.pattern === p.pattern));
  }

  /** Throws with the pattern's name when a user's pattern is not a regular expression RE2 takes. */
  static validate(patterns: RedactionPattern[]): void {
    for (const p of patterns) {
      try {
        maskerFor(p);
      } catch (error) {
        throw new Error(`redaction pattern "${p.name}" is not a valid regular expression (RE2 syntax: no lookarounds or backreferences): ${(error as Error).message}`);
      }
    }
  }

  text(value: string): string {
    if (value.length < MIN_LENGTH) return value;
    const cached = this.cache.get(value);
    if (cached !== undefined) return cached;
    const masked = this.maskBase64(value) ?? this.mask(value);
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
    let out = value;
    for (const masker of this.maskers) if (masker.mayMatch(out)) out = masker.mask(out);
    return out;
  }

  /**
   * A value that is all base64 (how OTLP bytes values arrive) and decodes to text: a secret in
   * it is masked, and the value becomes the masked text. Undefined when it is not such a value or
   * holds nothing to mask.
   */
  private maskBase64(value: string): string | undefined {
    if (value.length < MIN_BASE64 || value.length > MAX_BASE64 || value.length % 4 !== 0 || !BASE64.test(value)) return undefined;
    const text = Buffer.from(value, 'base64').toString('utf8');
    // Binary (or a random token that only looks like base64) does not decode to text.
    if (text.includes('\uFFFD') || /[\u0000-\u0008\u000E-\u001F]/.test(text)) return undefined;
    const masked = this.mask(text);
    return masked === text ? undefined : masked;
  }

  /** Masks keys too: a secret can be a key (an email as a map key, a token in a header name). */
  protected attributes(attrs: Record<string, AttributeValue>): void {
    for (const key of Object.keys(attrs)) {
      const before = attrs[key];
      const value = this.value(before);
      const maskedKey = this.text(key);
      if (maskedKey === key && key !== '__proto__') {
        // Written only when masked: most values hold nothing to mask, and a store per attribute showed in ingest's profile.
        if (value !== before) attrs[key] = value;
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

  /** Every value type: strings, numbers (a card number sent as an int or a double), lists and maps, iteratively. */
  protected value(value: AttributeValue): AttributeValue {
    if (typeof value === 'string') return this.text(value);
    if (typeof value === 'number') return this.number(value);
    if (Array.isArray(value)) return value.map((v) => this.value(v));
    if (value && typeof value === 'object') this.attributes(value);
    return value;
  }

  private number(value: number): AttributeValue {
    if (!Number.isInteger(value) || Math.abs(value) < 1e5) return value;
    const digits = String(Math.abs(value));
    // Cards start with 2-6; epoch times (1…) of 13-19 digits are not cards.
    if (this.cards && /^[2-6]\d{12,18}$/.test(digits) && luhn(digits)) return '[REDACTED:card]';
    if (!this.userPatterns) return value;
    const masked = this.mask(String(value));
    return masked === String(value) ? value : masked;
  }
}

/**
 * The places of emails in a text, found from each `@` outward: the local part to the left, the
 * domain to the right, each scan stopping at the previous or next `@`, so the whole is linear.
 * Matches what the email pattern in DEFAULT_REDACTIONS describes.
 */
export function findEmails(text: string): [number, number][] {
  const found: [number, number][] = [];
  let searchFrom = 0;
  for (let at = text.indexOf('@'); at >= 0; at = text.indexOf('@', at + 1)) {
    let start = at;
    while (start > searchFrom && LOCAL_CHAR.test(text[start - 1])) start--;
    // The match begins at a word boundary: the first place in the run where one is.
    while (start < at && !(isWordChar(text[start]) !== isWordChar(text[start - 1] ?? ''))) start++;
    if (start === at) continue;
    let domainEnd = at + 1;
    while (domainEnd < text.length && DOMAIN_CHAR.test(text[domainEnd])) domainEnd++;
    const end = emailEnd(text, at + 1, domainEnd);
    if (end < 0) continue;
    found.push([start, end]);
    searchFrom = end;
    at = end - 1;
  }
  return found;
}

const LOCAL_CHAR = /[A-Za-z0-9._%+-]/;
const DOMAIN_CHAR = /[A-Za-z0-9.-]/;
const isWordChar = (c: string) => /\w/.test(c);

/** Where an email's domain ends: after the last `.` + two or more letters + a word boundary, or -1. */
function emailEnd(text: string, from: number, to: number): number {
  for (let dot = to - 1; dot > from; dot--) {
    if (text[dot] !== '.') continue;
    let end = dot + 1;
    while (end < to && /[A-Za-z]/.test(text[end])) end++;
    if (end - dot - 1 >= 2 && !isWordChar(text[end] ?? '')) return end;
  }
  return -1;
}

/** A 40-character run that is a secret, not a word or a hex digest: mixed case, digits, and random. */
function secretLike(candidate: string): boolean {
  if (!/[a-z]/.test(candidate) || !/[A-Z]/.test(candidate) || !/\d/.test(candidate)) return false;
  const counts = new Map<string, number>();
  for (const c of candidate) counts.set(c, (counts.get(c) ?? 0) + 1);
  let entropy = 0;
  for (const n of counts.values()) entropy -= (n / candidate.length) * Math.log2(n / candidate.length);
  return entropy >= 4;
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
