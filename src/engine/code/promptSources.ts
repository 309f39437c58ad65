// Where a prompt came from. Most LLM spans carry no code.* attributes, but their prompt text is
// usually a template in the workspace: a string literal in Python or TypeScript, or a prompt file
// (.prompty, .txt, .md, .jinja). The workspace's candidate texts are indexed by word shingles,
// so a filled-in template still matches its source, with a confidence.

export interface PromptMatch {
  file: string;
  line: number;
  /** Share of the candidate text's shingles found in the prompt (1 = all of it). */
  confidence: number;
}

interface Candidate {
  file: string;
  line: number;
  shingles: number;
  /** Its shingle hashes, to take it out of the postings again when its file changes. */
  hashes: number[];
}

const SHINGLE_WORDS = 4;
/** Candidates shorter than this many words are too generic to say where a prompt came from. */
const MIN_WORDS = 8;
const MIN_CONFIDENCE = 0.5;
const MAX_FILE_BYTES = 1 << 20;
const PLACEHOLDER = /^(\{+[^{}]*\}+|\$\{[^}]*\}|\$\w+|%\(\w+\)s|%s|<\w+>)$/;

export const PROMPT_FILE = /\.(prompty|txt|md|jinja2?|j2|py|ts|tsx|js|jsx|mjs|cjs)$/i;
const CODE_FILE = /\.(py|ts|tsx|js|jsx|mjs|cjs)$/i;

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
      const words = wordsOf(body);
      if (words.length < MIN_WORDS) continue;
      const hashes = shingles(words, true);
      if (hashes.size === 0) continue;
      const id = this.nextId++;
      this.candidates.set(id, { file, line, shingles: hashes.size, hashes: [...hashes] });
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
  match(prompt: string): PromptMatch | undefined {
    const key = prompt.length > 4096 ? prompt.slice(0, 2048) + prompt.length + prompt.slice(-2048) : prompt;
    const cached = this.cache.get(key);
    if (cached !== undefined) return cached ?? undefined;
    const hits = new Map<number, number>();
    for (const h of shingles(wordsOf(prompt), false)) {
      for (const id of this.byShingle.get(h) ?? []) hits.set(id, (hits.get(id) ?? 0) + 1);
    }
    let best: PromptMatch | undefined;
    let bestHits = 0;
    for (const [id, count] of hits) {
      const candidate = this.candidates.get(id);
      if (!candidate) continue;
      const confidence = Math.min(1, count / candidate.shingles);
      // Prefer the better match, then the longer text (a whole prompt over one of its lines).
      if (confidence >= MIN_CONFIDENCE && (!best || confidence > best.confidence || (confidence === best.confidence && count > bestHits))) {
        best = { file: candidate.file, line: candidate.line, confidence: Math.round(confidence * 100) / 100 };
        bestHits = count;
      }
    }
    if (this.cache.size > 10_000) this.cache.clear();
    this.cache.set(key, best ?? null);
    return best;
  }
}

/** Candidate texts with the 1-based line they start on: string literals in code, paragraphs elsewhere. */
export function candidateTexts(file: string, text: string): { line: number; body: string }[] {
  return CODE_FILE.test(file) ? stringLiterals(text) : paragraphs(text);
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

/** Python and JS/TS string literals ('...', "...", `...`, '''...''', """..."""), with prefixes like f/r. */
function stringLiterals(text: string): { line: number; body: string }[] {
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
    if (c === '#' || (c === '/' && text[i + 1] === '/')) {
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

function wordsOf(text: string): string[] {
  return text.toLowerCase().split(/[^\p{L}\p{N}{}$%<>()_]+/u).filter(Boolean);
}

/** Hashes of every run of SHINGLE_WORDS words; in templates, runs across a placeholder are skipped. */
function shingles(words: string[], skipPlaceholders: boolean): Set<number> {
  const out = new Set<number>();
  const clean = words.map((w) => w.replace(/^[(<]+|[)>]+$/g, ''));
  for (let i = 0; i + SHINGLE_WORDS <= clean.length; i++) {
    const run = clean.slice(i, i + SHINGLE_WORDS);
    if (skipPlaceholders && run.some((w) => PLACEHOLDER.test(w) || w.includes('{'))) continue;
    out.add(hash(run.join(' ')));
  }
  return out;
}

function hash(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return h >>> 0;
}
