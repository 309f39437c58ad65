// Links spans to the source lines that produced them, as they arrive: from code.* attributes,
// else the user's frame of an exception stack, else the workspace text the prompt was made from.
// Work is queued and done in small batches, so a flood of spans never stalls the receivers.
import { promises as fs, Stats } from 'node:fs';
import { FSWatcher, watch } from 'chokidar';
import * as path from 'node:path';
import type { Span } from '../../shared/spanModel';
import type { Trace, TraceIndex } from '../index/traceIndex';
import { normalizeSpan, StoredSpan } from '../normalize/normalizeSpan';
import { CodeActivity, SpanOrigin, SpanOutcome } from './codeActivity';
import { PROMPT_FILE, PromptSources } from './promptSources';
import { userFrame } from './stackFrames';
import { WorkspacePaths } from './workspacePaths';
import { pushAll } from '../../shared/arrays';

const BATCH = 2000;
/** Spans that could have an origin but found none, kept to try again when workspace files change. */
const MAX_UNLINKED = 10_000;
const RETRY_AFTER_FILE_CHANGE_MS = 1000;
const MAX_WORKSPACE_FILES = 20_000;
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
    this.scan = this.scanWorkspace(roots).then(() => this.relinkAll());
    void this.watcher?.close();
    this.watcher = roots.length ? this.watchWorkspace(roots) : undefined;
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
    const read = (file: string) => void fs.readFile(file, 'utf8').then((text) => this.fileChanged(file, text), () => undefined);
    watcher.on('add', read);
    watcher.on('change', read);
    watcher.on('unlink', (file) => this.fileChanged(file, undefined));
    watcher.on('error', () => undefined);
    return watcher;
  }

  spansAdded(spans: StoredSpan[]): void {
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
      return;
    }
    this.paths.addFile(file);
    if (PROMPT_FILE.test(file)) this.prompts.setFile(file, text);
    // A span that arrived before the file it came from was known may find it now.
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => {
      pushAll(this.queue, this.unlinked);
      this.unlinked = [];
      this.startDraining();
    }, RETRY_AFTER_FILE_CHANGE_MS);
  }

  clear(): void {
    this.queue = [];
    this.unlinked = [];
    this.counted = new WeakMap();
    const files = this.activity.filesWithActivity();
    this.activity.clear();
    this.onFilesChanged(files);
  }

  private async drain(): Promise<void> {
    await this.scan;
    while (this.queue.length) {
      const batch = this.queue.splice(0, BATCH);
      const changed = new Set<string>();
      for (const span of batch) {
        const linked = this.link(span);
        if (linked) changed.add(linked);
      }
      if (changed.size) this.onFilesChanged([...changed]);
      await new Promise((resolve) => setImmediate(resolve));
    }
    this.draining = false;
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

  /** Records the span on its line; answers the file it landed in. */
  private link(stored: StoredSpan): string | undefined {
    const trace = this.index.liveTrace(stored.traceId);
    if (!trace || !mayHaveOrigin(stored) || this.counted.get(trace)?.has(stored.spanId)) return undefined;
    const span = normalizeSpan(stored);
    const origin = this.originOf(span);
    if (!origin) {
      this.unlinked.push(stored);
      // Dropping the older half at once keeps this O(1) per span.
      if (this.unlinked.length > MAX_UNLINKED) this.unlinked.splice(0, MAX_UNLINKED / 2);
      return undefined;
    }
    const outcome: SpanOutcome = {
      traceId: span.traceId, spanId: span.spanId, startMs: span.startMs, durationMs: span.durationMs, kind: span.kind,
      tokens: span.tokens?.total ?? (span.tokens?.input ?? 0) + (span.tokens?.output ?? 0),
      failed: span.status === 'error',
      errorMessage: span.statusMessage ?? [span.exceptions?.[0]?.type, span.exceptions?.[0]?.message].filter(Boolean).join(': '),
    };
    this.activity.add(origin, outcome);
    const counted = this.counted.get(trace);
    if (counted) counted.add(stored.spanId);
    else this.counted.set(trace, new Set([stored.spanId]));
    return origin.file;
  }

  originOf(span: Span): SpanOrigin | undefined {
    if (span.source?.file && span.source.line) {
      const file = this.paths.resolve(span.source.file);
      if (file) return { file, line: span.source.line, how: 'code' };
    }
    for (const exception of span.exceptions ?? []) {
      const frame = exception.stacktrace ? userFrame(exception.stacktrace) : undefined;
      const file = frame && this.paths.resolve(frame.file);
      if (file) return { file, line: frame!.line, how: 'stack' };
    }
    const prompt = promptTextOf(span);
    const match = prompt ? this.prompts.match(prompt) : undefined;
    return match && { file: match.file, line: match.line, how: 'prompt', confidence: match.confidence };
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

/** The text that best identifies a prompt's template: the system message, else the first user turn. */
function promptTextOf(span: Span): string | undefined {
  if (span.kind !== 'LLM') return undefined;
  const messages = span.inputMessages ?? [];
  const text = messages.find((m) => m.role === 'system')?.content ?? messages.find((m) => m.role === 'user')?.content
    ?? (typeof span.input === 'string' ? span.input : undefined);
  return text && text.length >= 20 ? text : undefined;
}
