// Where a prompt came from. Most LLM spans carry no code.* attributes, but their prompt text is
// usually a template in the workspace: a string literal in Python or TypeScript, or a prompt file
// (.prompty, .txt, .md, .jinja). The workspace's candidate texts are indexed by word shingles.
//
// A candidate is scored by how much of a prompt message it explains, not by how much of itself
// the prompt contains: a retrieved document or a few-shot example pasted into a prompt is all
// there, yet explains only its own part. Before scoring, text the trace attributes to something
// else (retrieved documents, tool results, earlier turns) is taken out of the message; a
// template's placeholders ({name}, ${x}, {{ x }}, %s) stand for whatever text fills them, and so
// do the parts that redaction masks ([REDACTED:email] in the span, an address in the template).
import { DEFAULT_REDACTIONS, TextRedactor } from '../../shared/redaction';

export interface PromptMatch {
  file: string;
  line: number;
  /** Share of the template found in the prompt × share of the prompt message it explains (0..1). */
  confidence: number;
  /** The next best candidate, when it scored nearly as well: the prompt may come from either. */
  runnerUp?: { file: string; line: number; confidence: number };
}

/** A prompt as the trace tells it. */
export interface PromptText {
  /** The messages a template may have made: the system message(s) and the latest user turn. */
  messages: string[];
  /** Text the trace credits elsewhere: retrieved documents, tool results, earlier turns. */
  attributed: string[];
}

interface Candidate {
  file: string;
  line: number;
  shingles: number;
  /** Its shingle hashes, to take it out of the postings again when its file changes. */
  hashes: number[];
  /** Placeholders (and masked parts) between its words, at its start, at its end. */
  innerWildcards: number;
  startsWild: boolean;
  endsWild: boolean;
}

interface Scored {
  id: number;
  candidate: Candidate;
  confidence: number;
  explained: number;
}

const SHINGLE_WORDS = 4;
/** Candidates shorter than this many words are too generic to say where a prompt came from. */
const MIN_WORDS = 8;
const MIN_CONFIDENCE = 0.5;
/** A runner-up this close to the best is reported beside it. */
const RUNNER_UP_WITHIN = 0.1;
const MAX_FILE_BYTES = 1 << 20;
/** Bounds on what one match reads: characters per message, and attributed texts. */
const MAX_MESSAGE_CHARS = 200_000;
const MAX_ATTRIBUTED = 200;
/** Shorter attributed texts ("yes", a number) would cut common words out of the prompt. */
const MIN_ATTRIBUTED_CHARS = 20;

/** In the text of a template: what an app fills in. */
const PLACEHOLDER = /\$\{[^}]*\}|\{\{[\s\S]{0,200}?\}\}|\{%[\s\S]{0,200}?%\}|\{[^{}\n]{0,80}\}|%\(\w+\)[sdifr]|%[sdif]\b/g;
/** In the text of a span: what redaction masked. */
const MASKED = /\[REDACTED:[\w-]*\]/g;
/** Tokens: a wildcard (placeholder or masked text), a break (attributed text taken out), or a word. */
const WILD = '\u0001';
const BREAK = '\u0000';
const TOKEN = /\u0001|\u0000|[\p{L}\p{N}_]+/gu;

export const PROMPT_FILE = /\.(prompty|txt|md|jinja2?|j2|py|ts|tsx|js|jsx|mjs|cjs)$/i;
const CODE_FILE = /\.(py|ts|tsx|js|jsx|mjs|cjs)$/i;
const PYTHON_FILE = /\.py$/i;

/** Templates are masked as spans are, so a template's own support address matches its masked copy. */
const templateRedactor = new TextRedactor(DEFAULT_REDACTIONS);

export class PromptSources {
  private readonly candidates = new Map<number, Candidate>();
  private nextId = 0;
  private readonly byShingle = new Map<number, number[]>();
  private readonly byFile = new Map<string, number[]>();
  private readonly cache = new Map<string, PromptMatch | null>();

  /** (Re)indexes one file's candidate texts; called by the workspace scan and on file changes. */
  setFile(file: string, text: string): void {
    this.removeFile(file);
    if (text.length > MAX_FILE_BYTES) return;
    const ids: number[] = [];
    for (const { line, body } of candidateTexts(file, text)) {
      const tokens = templateTokens(body);
      const words = tokens.filter((t) => t !== WILD).length;
      if (words < MIN_WORDS) continue;
      const hashes = new Set(shingles(tokens).map((s) => s.hash));
      if (hashes.size === 0) continue;
      const wildcards = tokens.filter((t) => t === WILD).length;
      const startsWild = tokens[0] === WILD;
      const endsWild = tokens[tokens.length - 1] === WILD;
      const id = this.nextId++;
      this.candidates.set(id, {
        file, line, shingles: hashes.size, hashes: [...hashes],
        innerWildcards: wildcards - (startsWild ? 1 : 0) - (endsWild ? 1 : 0), startsWild, endsWild,
      });
      for (const h of hashes) {
        const list = this.byShingle.get(h);
        if (list) list.push(id);
        else this.byShingle.set(h, [id]);
      }
      ids.push(id);
    }
    if (ids.length) this.byFile.set(file, ids);
    this.cache.clear();
  }

  removeFile(file: string): void {
    const ids = this.byFile.get(file);
    if (!ids) return;
    // Every save of a file re-indexes it: its old candidates leave the postings, so nothing grows.
    for (const id of ids) {
      for (const h of this.candidates.get(id)?.hashes ?? []) {
        const list = this.byShingle.get(h);
        if (!list) continue;
        const kept = list.filter((other) => other !== id);
        if (kept.length) this.byShingle.set(h, kept);
        else this.byShingle.delete(h);
      }
      this.candidates.delete(id);
    }
    this.byFile.delete(file);
    this.cache.clear();
  }

  /** The workspace text this prompt was most likely made from, or undefined. */
  match(prompt: PromptText): PromptMatch | undefined {
    const messages = prompt.messages.map((m) => m.slice(0, MAX_MESSAGE_CHARS));
    const attributed = prompt.attributed.filter((a) => a.length >= MIN_ATTRIBUTED_CHARS).slice(0, MAX_ATTRIBUTED);
    const key = cacheKey(messages, attributed);
    const cached = this.cache.get(key);
    if (cached !== undefined) return cached ?? undefined;
    const best = new Map<number, Scored>();
    for (const message of messages) {
      for (const scored of this.scoreMessage(promptTokens(message, attributed))) {
        const before = best.get(scored.id);
        if (!before || rank(scored, before) < 0) best.set(scored.id, scored);
      }
    }
    const ranked = [...best.values()].filter((s) => s.confidence >= MIN_CONFIDENCE).sort(rank);
    const [first, second] = ranked;
    const round = (x: number) => Math.round(x * 100) / 100;
    const result: PromptMatch | undefined = first && { file: first.candidate.file, line: first.candidate.line, confidence: round(first.confidence) };
    if (result && second && first.confidence - second.confidence <= RUNNER_UP_WITHIN) {
      result.runnerUp = { file: second.candidate.file, line: second.candidate.line, confidence: round(second.confidence) };
    }
    if (this.cache.size > 10_000) this.cache.clear();
    this.cache.set(key, result ?? null);
    return result;
  }

  /** Every candidate that shares text with one message, with how much of the message it explains. */
  private scoreMessage(tokens: string[]): Scored[] {
    const found = new Map<number, { hashes: Set<number>; starts: number[] }>();
    for (const { hash, at } of shingles(tokens)) {
      for (const id of this.byShingle.get(hash) ?? []) {
        let hit = found.get(id);
        if (!hit) found.set(id, (hit = { hashes: new Set(), starts: [] }));
        hit.hashes.add(hash);
        hit.starts.push(at);
      }
    }
    const words = tokens.filter((t) => t !== BREAK).length;
    const out: Scored[] = [];
    const covered = new Uint8Array(tokens.length);
    for (const [id, hit] of found) {
      const candidate = this.candidates.get(id)!;
      const share = hit.hashes.size / candidate.shingles;
      if (share < MIN_CONFIDENCE) continue;
      covered.fill(0);
      for (const at of hit.starts) covered.fill(1, at, at + SHINGLE_WORDS);
      const explained = explainedTokens(tokens, covered, candidate);
      out.push({ id, candidate, explained, confidence: Math.min(1, share) * (words ? explained / words : 0) });
    }
    return out;
  }
}

/** Better first: more confident, then explaining more words, then the longer text (a template over a line it contains). */
function rank(a: Scored, b: Scored): number {
  return b.confidence - a.confidence || b.explained - a.explained || b.candidate.shingles - a.candidate.shingles;
}

/**
 * The message's tokens the candidate accounts for: those its shingles cover, masked ones between
 * them, and the runs of text its placeholders stand for (the longest gaps between covered
 * stretches, one per placeholder, and the text before or after it when it starts or ends with one).
 */
function explainedTokens(tokens: string[], covered: Uint8Array, candidate: Candidate): number {
  let first = -1;
  let last = -1;
  let explained = 0;
  for (let i = 0; i < tokens.length; i++) {
    if (!covered[i]) continue;
    explained++;
    if (first < 0) first = i;
    last = i;
  }
  if (first < 0) return 0;
  const wordsIn = (from: number, to: number) => {
    let n = 0;
    for (let i = from; i < to; i++) if (tokens[i] !== BREAK) n++;
    return n;
  };
  const gaps: number[] = [];
  for (let i = first; i <= last; i++) {
    if (covered[i]) continue;
    let j = i;
    let onlyMasked = true;
    while (j <= last && !covered[j]) {
      if (tokens[j] !== WILD && tokens[j] !== BREAK) onlyMasked = false;
      j++;
    }
    const size = wordsIn(i, j);
    if (onlyMasked) explained += size;
    else gaps.push(size);
    i = j;
  }
  gaps.sort((a, b) => b - a);
  for (const size of gaps.slice(0, candidate.innerWildcards)) explained += size;
  if (candidate.startsWild) explained += wordsIn(0, first);
  if (candidate.endsWild) explained += wordsIn(last + 1, tokens.length);
  return explained;
}

function cacheKey(messages: string[], attributed: string[]): string {
  const key = JSON.stringify([messages, attributed.length, attributed.map((a) => a.length)]);
  return key.length > 8192 ? key.slice(0, 4096) + key.length + key.slice(-4096) : key;
}

/** A template's tokens: its placeholders and what redaction would mask become wildcards. */
function templateTokens(body: string): string[] {
  return tokensOf(templateRedactor.text(body).replace(PLACEHOLDER, ` ${WILD} `).replace(MASKED, ` ${WILD} `));
}

/** A message's tokens: attributed text becomes a break (nothing matches across it), masked text a wildcard. */
function promptTokens(message: string, attributed: string[]): string[] {
  let text = message;
  for (const other of attributed) if (text.includes(other)) text = text.split(other).join(` ${BREAK} `);
  return tokensOf(text.replace(MASKED, ` ${WILD} `));
}

function tokensOf(text: string): string[] {
  return text.toLowerCase().match(TOKEN) ?? [];
}

/** Every run of SHINGLE_WORDS words (no wildcard or break inside), hashed, with where it starts. */
function shingles(tokens: string[]): { hash: number; at: number }[] {
  const out: { hash: number; at: number }[] = [];
  let clean = 0;
  for (let i = 0; i < tokens.length; i++) {
    clean = tokens[i] === WILD || tokens[i] === BREAK ? 0 : clean + 1;
    if (clean >= SHINGLE_WORDS) {
      const at = i - SHINGLE_WORDS + 1;
      out.push({ hash: hash(tokens.slice(at, i + 1).join(' ')), at });
    }
  }
  return out;
}

/** Candidate texts with the 1-based line they start on: string literals in code, paragraphs elsewhere. */
export function candidateTexts(file: string, text: string): { line: number; body: string }[] {
  return CODE_FILE.test(file) ? stringLiterals(text, PYTHON_FILE.test(file) ? '#' : '//') : paragraphs(text);
}

function paragraphs(text: string): { line: number; body: string }[] {
  const out: { line: number; body: string }[] = [];
  const lines = text.split(/\r?\n/);
  let start = -1;
  let body: string[] = [];
  const flush = () => {
    if (body.length) out.push({ line: start + 1, body: body.join('\n') });
    body = [];
    start = -1;
  };
  lines.forEach((line, i) => {
    if (line.trim() === '') return flush();
    if (start < 0) start = i;
    body.push(line);
  });
  flush();
  // The whole file too: a prompt file is often one template.
  if (out.length > 1) out.push({ line: 1, body: text });
  return out;
}

/**
 * Python and JS/TS string literals ('...', "...", `...`, '''...''', """..."""), with prefixes like f/r.
 * `lineComment` is the language's: `#` in Python (in JS/TS a private name), `//` in JS/TS (in Python floor division).
 */
function stringLiterals(text: string, lineComment: '#' | '//'): { line: number; body: string }[] {
  const out: { line: number; body: string }[] = [];
  let line = 1;
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === '\n') {
      line++;
      i++;
      continue;
    }
    if (text.startsWith(lineComment, i)) {
      while (i < text.length && text[i] !== '\n') i++;
      continue;
    }
    if (c !== '"' && c !== "'" && c !== '`') {
      i++;
      continue;
    }
    const triple = text.startsWith(c.repeat(3), i);
    const quote = triple ? c.repeat(3) : c;
    const startLine = line;
    let j = i + quote.length;
    let body = '';
    let closed = false;
    while (j < text.length) {
      if (text.startsWith(quote, j)) {
        closed = true;
        break;
      }
      if (text[j] === '\\') {
        if (text[j + 1] === '\n') line++;
        body += text[j + 1] === 'n' ? '\n' : text[j + 1] ?? '';
        j += 2;
        continue;
      }
      if (text[j] === '\n') {
        // An unclosed one-line quote (an apostrophe in a comment or JSX text) ends at the line's end.
        if (!triple && c !== '`') break;
        line++;
      }
      body += text[j++];
    }
    out.push({ line: startLine, body });
    // The newline that ended an unclosed quote is counted by the loop above, not skipped.
    i = closed ? j + quote.length : j;
  }
  return out;
}

function hash(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return h >>> 0;
}
