// Links spans to the source lines that produced them, as they arrive: the call site from code.*
// attributes, else the user's frame of an exception stack; and the workspace text the prompt was
// made from. A span counts on both lines when both are known. Work is queued and done in small
// batches, so a flood of spans never stalls the receivers. Trace details (the span detail, the
// query API) get the same links as each span's `source` and `promptSource`.
import { promises as fs, readFileSync, statSync, Stats } from 'node:fs';
import { FSWatcher, watch } from 'chokidar';
import * as path from 'node:path';
import type { Span, TraceDetail } from '../../shared/spanModel';
import type { TraceIndex } from '../index/traceIndex';
import type { Trace } from '../model/traceSummary';
import type { StoredSpan } from '../model/storedSpan';
import { normalizeSpan } from '../normalize/normalizeSpan';
import { locationLabel, recordedPromptSource } from '../index/promptSource';
import { anchorText, lineMover, linesOf } from './anchors';
import { CodeActivity, SpanOrigin, SpanOutcome } from './codeActivity';
import { PROMPT_FILE, PromptSources } from './promptSources';
import { promptTextOf, QUOTABLE_KINDS, quotableTextsOf } from './promptText';
import { userFrame } from './stackFrames';
import { WorkspacePaths } from './workspacePaths';
import { pushAll } from '../../shared/arrays';

const BATCH = 2000;
/** Spans that could have an origin but found none, kept to try again when workspace files change. */
const MAX_UNLINKED = 10_000;
const RETRY_AFTER_FILE_CHANGE_MS = 1000;
/** A changed file is read this long after its last change event. */
const FILE_SETTLE_MS = 150;
/** How long the first scan waits for the file watcher to be ready before it goes ahead anyway. */
const WATCHER_READY_WAIT_MS = 10_000;
const MAX_WORKSPACE_FILES = 20_000;
/** Source files whose lines are kept, to anchor activity to the text of its lines (recently used first out). */
const MAX_FILES_WITH_LINES = 500;
const MAX_ANCHORED_FILE_BYTES = 2 << 20;
/** Spans of one trace read for the text a prompt may quote (documents, tool results). */
const MAX_QUOTABLE_SPANS = 500;
const SKIP_DIRS = new Set(['node_modules', '.git', '.venv', 'venv', '__pycache__', 'dist', 'build', 'out', '.mypy_cache', '.pytest_cache', '.tox', 'site-packages']);

export class CodeLinks {
  readonly activity = new CodeActivity();
  readonly prompts = new PromptSources();
  readonly paths = new WorkspacePaths();
  private queue: StoredSpan[] = [];
  private unlinked: StoredSpan[] = [];
  /**
   * Spans already counted on a line, per trace: a span sent again (a retry, a store reload)
   * counts once. Keyed by the trace, so an evicted trace's entries go with it.
   */
  private counted = new WeakMap<Trace, Set<string>>();
  /** Where each linked LLM span's prompt comes from: its template when matched, else its call site. */
  private promptOrigins = new WeakMap<StoredSpan, SpanOrigin>();
  /** What each retrieval or tool span contributes that a prompt may quote, normalized once. */
  private quotable = new WeakMap<StoredSpan, string[]>();
  private configured = false;
  /** The lines of files with activity, as on disk: what activity's line numbers refer to. */
  private readonly fileLines = new Map<string, string[]>();
  private retryTimer?: NodeJS.Timeout;
  private draining = false;
  private scan: Promise<void> = Promise.resolve();
  private watcher?: FSWatcher;
  /** Files whose activity changed; the LSP side refreshes lenses and diagnostics for them. */
  onFilesChanged: (files: string[]) => void = () => undefined;

  constructor(private readonly index: TraceIndex) {}

  /** New workspace folders or path mappings: rescan, then relink every loaded span. */
  configure(roots: string[], mappings: Record<string, string>): Promise<void> {
    this.paths.configure(roots, mappings);
    this.configured = roots.length > 0;
    void this.watcher?.close();
    const watcher = roots.length ? this.watchWorkspace(roots) : undefined;
    this.watcher = watcher;
    // The scan starts once the watcher is ready: a file written meanwhile is seen by one or the other.
    const watching = new Promise<void>((resolve) => {
      if (!watcher) return resolve();
      watcher.once('ready', resolve);
      setTimeout(resolve, WATCHER_READY_WAIT_MS).unref();
    });
    this.scan = watching.then(() => this.scanWorkspace(roots)).then(() => this.relinkAll());
    return this.scan;
  }

  async close(): Promise<void> {
    clearTimeout(this.retryTimer);
    await this.watcher?.close();
  }

  /** Source and prompt files created, changed or deleted after the scan (the engine's own watcher, so the CLI has it too). */
  private watchWorkspace(roots: string[]): FSWatcher {
    const ignored = (file: string, stats?: Stats) => !roots.includes(file)
      && (SKIP_DIRS.has(path.basename(file)) || path.basename(file).startsWith('.') || (stats?.isFile() === true && !PROMPT_FILE.test(file)));
    const watcher = watch(roots, { ignored, ignoreInitial: true, persistent: true });
    // An editor's save can show as two changes (emptied, then written): the file is read once it
    // settles, so activity is never moved against a half-written file.
    const settling = new Map<string, NodeJS.Timeout>();
    const read = (file: string) => {
      clearTimeout(settling.get(file));
      settling.set(file, setTimeout(() => {
        settling.delete(file);
        void this.readChanged(file);
      }, FILE_SETTLE_MS).unref());
    };
    watcher.on('add', read);
    watcher.on('change', read);
    watcher.on('unlink', (file) => this.fileChanged(file, undefined));
    watcher.on('error', () => undefined);
    return watcher;
  }

  /**
   * A changed file's text, read only when it is a regular file within the size limit (the scan's
   * rule): a large text file that keeps growing (a log, a dataset) is not read whole at each change.
   */
  private async readChanged(file: string): Promise<void> {
    const stat = await fs.stat(file).catch(() => undefined);
    if (!stat) return;
    if (!stat.isFile() || stat.size > MAX_ANCHORED_FILE_BYTES) {
      // Too large to index or anchor: its old text must not stand for it.
      this.prompts.removeFile(file);
      this.fileLines.delete(file);
      return;
    }
    const text = await fs.readFile(file, 'utf8').catch(() => undefined);
    if (text !== undefined) this.fileChanged(file, text);
  }

  spansAdded(spans: StoredSpan[]): void {
    // With no workspace (the CLI without --workspace) nothing can link: no work per span.
    if (!this.configured) return;
    for (const span of spans) this.queue.push(span);
    this.startDraining();
  }

  private startDraining(): void {
    if (this.draining || !this.queue.length) return;
    this.draining = true;
    setImmediate(() => void this.drain());
  }

  /** A workspace file was created or changed (or deleted: text undefined). */
  fileChanged(file: string, text: string | undefined): void {
    if (text === undefined) {
      this.prompts.removeFile(file);
      this.paths.removeFile(file);
      this.fileLines.delete(file);
      return;
    }
    this.paths.addFile(file);
    if (PROMPT_FILE.test(file)) this.prompts.setFile(file, text);
    if (this.activity.lines(file).length) {
      // The activity on this file follows its lines' text to where they are now.
      const before = this.fileLines.get(file);
      const after = linesOf(text);
      this.fileLines.set(file, after);
      this.activity.rebase(file, lineMover(before, after));
      this.onFilesChanged([file]);
    } else {
      this.fileLines.delete(file);
    }
    // A span that arrived before the file it came from was known may find it now.
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => {
      pushAll(this.queue, this.unlinked);
      this.unlinked = [];
      this.startDraining();
    }, RETRY_AFTER_FILE_CHANGE_MS);
  }

  clear(): void {
    this.fileLines.clear();
    this.queue = [];
    this.unlinked = [];
    this.counted = new WeakMap();
    this.promptOrigins = new WeakMap();
    const files = this.activity.filesWithActivity();
    this.activity.clear();
    this.onFilesChanged(files);
  }

  private async drain(): Promise<void> {
    try {
      // A failed scan leaves the prompt index short; spans still link by attributes and stacks.
      await this.scan.catch(() => undefined);
      while (this.queue.length) {
        const batch = this.queue.splice(0, BATCH);
        const changed = new Set<string>();
        for (const span of batch) for (const file of this.linkOrSkip(span)) changed.add(file);
        if (changed.size) this.onFilesChanged([...changed]);
        await new Promise((resolve) => setImmediate(resolve));
      }
    } finally {
      this.draining = false;
    }
  }

  /** Trace content is hostile: a span that breaks linking stays unlinked and never stops the queue. */
  private linkOrSkip(span: StoredSpan): string[] {
    try {
      return this.link(span);
    } catch {
      return [];
    }
  }

  private relinkAll(): void {
    this.activity.clear();
    // Everything queued is in the index too: start over from the index alone.
    this.queue = [];
    this.unlinked = [];
    this.counted = new WeakMap();
    for (const trace of this.index.tracesSince(-Infinity)) for (const span of trace.spans.values()) this.queue.push(span);
    this.startDraining();
  }

  /** Records the span on its lines; answers the files it landed in. */
  private link(stored: StoredSpan): string[] {
    const trace = this.index.liveTrace(stored.traceId);
    if (!trace || !mayHaveOrigin(stored) || this.counted.get(trace)?.has(stored.spanId)) return [];
    const span = normalizeSpan(stored);
    const { callSite, prompt } = this.originsOf(span, stored.facts.kind === 'LLM' ? this.quotableIn(trace) : []);
    const origins = [callSite, prompt].filter((o): o is SpanOrigin => o !== undefined);
    if (stored.facts.kind === 'LLM' && origins.length) this.promptOrigins.set(stored, prompt ?? callSite!);
    if (!origins.length) {
      this.unlinked.push(stored);
      // Dropping the older half at once keeps this O(1) per span.
      if (this.unlinked.length > MAX_UNLINKED) this.unlinked.splice(0, MAX_UNLINKED / 2);
      return [];
    }
    const outcome: SpanOutcome = {
      traceId: span.traceId, spanId: span.spanId, startMs: span.startMs, durationMs: span.durationMs, kind: span.kind,
      tokens: span.tokens?.total ?? (span.tokens?.input ?? 0) + (span.tokens?.output ?? 0),
      failed: span.status === 'error',
      errorMessage: span.statusMessage ?? [span.exceptions?.[0]?.type, span.exceptions?.[0]?.message].filter(Boolean).join(': '),
    };
    for (const origin of origins) this.activity.add(origin, outcome, this.anchorOf(origin));
    const counted = this.counted.get(trace);
    if (counted) counted.add(stored.spanId);
    else this.counted.set(trace, new Set([stored.spanId]));
    return origins.map((o) => o.file);
  }

  /** Where an LLM span's prompt comes from ("file:line"): the workspace template it was made from, else its call site. */
  promptSourceOf(span: StoredSpan): string | undefined {
    return locationLabel(this.promptOrigins.get(span)) ?? recordedPromptSource(span);
  }

  /** The text of the origin's line now, to follow it through edits; undefined when the file cannot be read. */
  private anchorOf(origin: SpanOrigin): string | undefined {
    const lines = this.diskLines(origin.file);
    return lines && anchorText(lines[origin.line - 1]);
  }

  /** A workspace file's lines as on disk (kept for the files that have activity). */
  diskLines(file: string): string[] | undefined {
    let lines = this.fileLines.get(file);
    if (lines) {
      // Recently used files stay; the least recently used leave first.
      this.fileLines.delete(file);
      this.fileLines.set(file, lines);
      return lines;
    }
    try {
      // A trace names the file: a FIFO or a device there would block this read for good, and
      // a large file would be read whole before its size is known.
      const stat = statSync(file);
      if (!stat.isFile() || stat.size > MAX_ANCHORED_FILE_BYTES) return undefined;
      const text = readFileSync(file, 'utf8');
      if (text.length > MAX_ANCHORED_FILE_BYTES) return undefined;
      lines = linesOf(text);
    } catch {
      return undefined;
    }
    this.fileLines.set(file, lines);
    if (this.fileLines.size > MAX_FILES_WITH_LINES) this.fileLines.delete(this.fileLines.keys().next().value!);
    return lines;
  }

  /** Documents and tool results of a live trace, which its prompts may quote. */
  private quotableIn(trace: Trace): string[] {
    const out: string[] = [];
    let read = 0;
    for (const stored of trace.spans.values()) {
      if (!QUOTABLE_KINDS.has(stored.facts.kind)) continue;
      if (++read > MAX_QUOTABLE_SPANS) break;
      let texts = this.quotable.get(stored);
      if (!texts) this.quotable.set(stored, (texts = quotableTextsOf(normalizeSpan(stored))));
      // One by one: a retrieval may hold more documents than a call takes arguments.
      for (const text of texts) out.push(text);
    }
    return out;
  }

  /**
   * The span's call site (code.* attributes resolved to a workspace file, else the app's frame
   * of an exception's stack) and its prompt's origin. `quoted`: text the trace credits to
   * other spans (documents, tool results), left out when matching the prompt.
   */
  originsOf(span: Span, quoted: readonly string[], resolve = (recorded: string) => this.paths.resolve(recorded)): { callSite?: SpanOrigin; prompt?: SpanOrigin } {
    let callSite: SpanOrigin | undefined;
    if (span.source?.file && span.source.line) {
      const file = resolve(span.source.file);
      if (file) callSite = { ...span.source, file, line: span.source.line, how: 'attribute' };
    }
    for (const exception of callSite ? [] : span.exceptions ?? []) {
      const frame = exception.stacktrace ? userFrame(exception.stacktrace) : undefined;
      const file = frame && resolve(frame.file);
      if (!file) continue;
      callSite = { file, line: frame!.line, how: 'stack', ...(frame!.column ? { column: frame!.column } : {}), ...(frame!.function ? { function: frame!.function } : {}) };
      break;
    }
    const text = promptTextOf(span, quoted);
    const match = text && this.prompts.match(text);
    const prompt: SpanOrigin | undefined = match
      ? { file: match.file, line: match.line, how: 'prompt', confidence: match.confidence, ...(match.runnerUp ? { runnerUp: match.runnerUp } : {}) }
      : undefined;
    return { callSite, prompt };
  }

  /**
   * A trace's spans with what the workspace tells of them: `source` is the call site when known
   * (the attribute's own path when it maps to no workspace file), else the prompt's origin;
   * `promptSource` is the prompt's origin beside a call site. Without a workspace, spans keep
   * what their attributes say.
   */
  withSources(detail: TraceDetail): TraceDetail {
    if (!this.configured) return detail;
    const quoted = detail.spans.filter((s) => QUOTABLE_KINDS.has(s.kind)).slice(0, MAX_QUOTABLE_SPANS).flatMap(quotableTextsOf);
    // A trace's spans name a few files many times: each recorded path is looked up once.
    const resolved = new Map<string, string | undefined>();
    const resolve = (recorded: string) => {
      if (!resolved.has(recorded)) resolved.set(recorded, this.paths.resolve(recorded));
      return resolved.get(recorded);
    };
    const spans = detail.spans.map((span) => {
      const { callSite, prompt } = this.originsOf(span, quoted, resolve);
      const source = callSite ?? (span.source?.file ? span.source : undefined) ?? prompt ?? span.source;
      const promptSource = prompt && source !== prompt ? prompt : undefined;
      return source === span.source && !promptSource ? span : { ...span, source, ...(promptSource ? { promptSource } : {}) };
    });
    return { ...detail, spans };
  }

  private async scanWorkspace(roots: string[]): Promise<void> {
    let seen = 0;
    const walk = async (dir: string): Promise<void> => {
      let entries;
      try {
        entries = await fs.readdir(dir, { withFileTypes: true });
      } catch {
        return;
      }
      for (const entry of entries) {
        if (seen >= MAX_WORKSPACE_FILES) return;
        const full = path.join(dir, entry.name);
        if (entry.isDirectory()) {
          if (!SKIP_DIRS.has(entry.name) && !entry.name.startsWith('.')) await walk(full);
        } else if (entry.isFile()) {
          seen++;
          this.paths.addFile(full);
          if (PROMPT_FILE.test(entry.name)) {
            const stat = await fs.stat(full).catch(() => undefined);
            if (stat && stat.size < 1 << 20) this.prompts.setFile(full, await fs.readFile(full, 'utf8').catch(() => ''));
          }
        }
      }
    };
    for (const root of roots) await walk(root);
  }
}

/** Cheap checks on the raw span before normalizing it. */
function mayHaveOrigin(span: StoredSpan): boolean {
  const attrs = span.attributes;
  return attrs['code.file.path'] !== undefined || attrs['code.filepath'] !== undefined
    || span.events.some((e) => e.name === 'exception') || span.facts.kind === 'LLM';
}
