// Trace files on disk: imports (a file, or every file of a folder), tails what is watched (an
// appended line is indexed within a second, without reading the file again), and watches the
// workspace folders for files matching the globs. Problems go out per file, so the editor can
// show them where they are; files that are not traces are left alone, silently.
import { watch, FSWatcher } from 'chokidar';
import { existsSync, Stats } from 'node:fs';
import { readdir, realpath, stat } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import type { FileProblem, ImportResult } from '../../shared/engineProtocol';
import type { TraceIndex } from '../index/traceIndex';
import { DEFAULT_GLOBS, globMatcher, IGNORED_FOLDERS, inIgnoredFolder } from './glob';
import { forgetRememberedPaths, loadRememberedPaths, rememberPaths } from './rememberedPaths';
import { FileDecoders } from './recordSink';
import { FileState, importResult, NotAFileError, readTraceFile } from './traceFileReader';
import { pushAll } from '../../shared/arrays';

export interface WatchSettings {
  /** Folders searched (the workspace folders). */
  roots: string[];
  /** Globs relative to a root; a glob for `x` also takes `x.gz`. */
  globs: string[];
}

/** Progress reports per file are at most this often. */
const PROGRESS_EVERY_MS = 250;
/** How long after a change a file is looked at again. */
const SETTLE_MS = 150;

interface TrackedFile {
  state?: FileState;
  /** The read in progress, if any; reads of one file never overlap. */
  running?: Promise<void>;
  /** The file changed during a read: read again after it. */
  again: boolean;
  /** Problems last reported, so an unchanged list is not sent again. */
  reported: { sink: unknown; count: number };
  /** A second look after a change, for changes the watcher swallowed. */
  settle?: NodeJS.Timeout;
  /** Tailed (a watcher reported it); otherwise its state is dropped after an import. */
  watched: boolean;
  /** Why it cannot be read (a FIFO, a link out of the folder) was logged: once is enough. */
  said?: boolean;
  /** The log said what this file holds (once; appended lines are not logged). */
  announced?: boolean;
}

/** One log line per file read: what it is, what it held, and whether it is tailed from now on. */
export function describeRead(result: ImportResult, how: 'imported' | 'found in the workspace', tailing: boolean): string {
  const problems = result.problems.length ? `, ${result.problems.length} problem(s)` : '';
  // A file not read says why (a record too large to hold, ...).
  if (result.shape === null && result.problems.length) return `${how} ${result.file}: not read: ${result.problems[0].reason}`;
  return `${how} ${result.file}: ${result.shape ?? 'not traces'}, ${result.spans} span(s) in ${result.traces} trace(s)${problems}${tailing ? '; tailing it' : ''}`;
}

export class TraceFiles {
  /** The current problems of a file (an empty list clears them). */
  onProblems: (file: string, problems: FileProblem[]) => void = () => undefined;
  /** How far a read has got, at most a few times a second per file. */
  onProgress: (file: string, bytesRead: number, totalBytes: number) => void = () => undefined;

  private readonly files = new Map<string, TrackedFile>();
  private workspaceWatcher?: FSWatcher;
  private workspaceKey = '';
  /** Explicitly imported files and folders being tailed, each with its own watcher. */
  private readonly explicitWatchers = new Map<string, FSWatcher>();
  /** Rotated files being read to their end (idle() and close() wait for them). */
  private readonly rotations = new Set<Promise<void>>();
  private closed = false;
  private lastProgress = 0;
  private readonly decoders: FileDecoders;

  constructor(index: TraceIndex, private storeDir: string | undefined, private readonly log: (message: string) => void) {
    this.decoders = new FileDecoders(index);
  }

  /** Where imported paths are remembered; none without a store. */
  setStoreDir(dir: string | undefined): void {
    this.storeDir = dir;
  }

  /**
   * Reads files and folders from the start (a folder: every file below it, by content). With
   * `watch` they are tailed afterwards; with `remember` (and a store) read again after a restart.
   */
  async import(paths: string[], options: { watch?: boolean; remember?: boolean } = {}): Promise<ImportResult[]> {
    const results: ImportResult[] = [];
    const absolute = paths.map((p) => resolve(p));
    for (const path of absolute) {
      const before = results.length;
      let info: Stats;
      try {
        info = await stat(path);
      } catch (error) {
        results.push(missing(path, error));
        continue;
      }
      if (info.isDirectory()) {
        const found = [];
        for (const file of await listFiles(path)) {
          const result = await this.readFile(file, { fresh: true, final: !options.watch });
          if (result.shape !== null || result.problems.length) found.push(result);
        }
        pushAll(results, found.length ? found : [{ file: path, shape: null, spans: 0, traces: 0, problems: [] }]);
      } else {
        results.push(await this.readFile(path, { fresh: true, final: !options.watch }));
      }
      for (const result of results.slice(before)) {
        this.log(describeRead(result, 'imported', options.watch === true));
        const tracked = this.files.get(result.file);
        if (tracked) tracked.announced = true;
      }
      if (options.watch) await this.watchExplicitly(path);
      else this.dropUnwatched(path);
    }
    if (options.remember && this.storeDir) {
      try {
        rememberPaths(this.storeDir, absolute.map((path) => ({ path, watch: options.watch === true })));
      } catch (error) {
        this.log(`could not remember imported files in ${this.storeDir}: ${(error as Error).message}`);
      }
    }
    return results;
  }

  /**
   * Stops tailing every imported file and forgets the list read again after a restart (Clear
   * Traces, deleting what is stored). The files themselves are the user's and stay untouched.
   */
  async forgetImported(): Promise<number> {
    const watchers = [...this.explicitWatchers.values()];
    this.explicitWatchers.clear();
    // Tracked files keep their read positions: a workspace file still watched reads on from there.
    await Promise.all(watchers.map((w) => w.close()));
    const remembered = this.storeDir ? loadRememberedPaths(this.storeDir).length : 0;
    if (this.storeDir && remembered) forgetRememberedPaths(this.storeDir);
    return remembered;
  }

  /** Reads again what was imported before the last restart. */
  async restoreRemembered(): Promise<void> {
    if (!this.storeDir) return;
    for (const { path, watch } of loadRememberedPaths(this.storeDir)) {
      if (existsSync(path)) await this.import([path], { watch });
      else this.log(`${path} was imported before but is gone; its traces were not read again`);
    }
  }

  /**
   * Watches the workspace folders for files matching the globs (replacing earlier settings);
   * resolves when the folders have been searched once (their files are read as they are found).
   */
  async watchWorkspace(settings: WatchSettings | undefined): Promise<void> {
    const roots = (settings?.roots ?? []).map((r) => resolve(r));
    const globs = settings?.globs?.length ? settings.globs : DEFAULT_GLOBS;
    const key = JSON.stringify([roots, globs]);
    if (key === this.workspaceKey) return;
    this.workspaceKey = key;
    void this.workspaceWatcher?.close();
    this.workspaceWatcher = undefined;
    if (!roots.length || this.closed) return;
    const matches = globMatcher(globs);
    const rootOf = (path: string) => roots.find((r) => path === r || path.startsWith(r.endsWith(sep) ? r : r + sep));
    const wanted = (path: string) => {
      const root = rootOf(path);
      return root !== undefined && matches(relative(root, path).split(sep).join('/'));
    };
    this.workspaceWatcher = this.startWatcher(roots, (path, stats) => {
      const root = rootOf(path);
      if (root === undefined) return false;
      const rel = relative(root, path);
      if (rel && inIgnoredFolder(rel)) return true;
      return stats?.isFile() === true && !wanted(path);
    }, wanted);
    await ready(this.workspaceWatcher);
  }

  /** Stops watching and reading (a read in progress stops at its next record); traces read so far stay in the index. */
  async close(): Promise<void> {
    this.closed = true;
    this.decoders.closed = true;
    for (const tracked of this.files.values()) clearTimeout(tracked.settle);
    await Promise.all([this.workspaceWatcher?.close(), ...[...this.explicitWatchers.values()].map((w) => w.close())]);
    await Promise.all([...[...this.files.values()].map((f) => f.running), ...this.rotations]);
  }

  /**
   * How far a tracked file has been read: the size last seen, and the bytes consumed (up to the
   * end of its last complete record; less while a last line waits for its newline).
   */
  readPosition(path: string): { size: number; consumed: number } | undefined {
    const tracked = this.files.get(resolve(path));
    return tracked?.state && !tracked.running ? { size: tracked.state.size, consumed: tracked.state.offset } : undefined;
  }

  /** Resolves once no read is in progress (tests and the CLI use it). */
  async idle(): Promise<void> {
    while ([...this.files.values()].some((f) => f.running) || this.rotations.size) {
      await Promise.all([...[...this.files.values()].map((f) => f.running), ...this.rotations]);
    }
  }

  /** Tails a file, or every file of a folder; resolves once the watcher is in place. */
  private async watchExplicitly(path: string): Promise<void> {
    if (this.closed || this.explicitWatchers.has(path)) return;
    const watcher = this.startWatcher([path], (p) => p !== path && inIgnoredFolder(relative(path, p)), () => true);
    this.explicitWatchers.set(path, watcher);
    await ready(watcher);
  }

  /**
   * Watches files and folders. A link that leads out of the folders watched is not followed (a
   * workspace must not make the engine read ~/.ssh); a path the user named is read as named.
   */
  private startWatcher(paths: string[], ignored: (path: string, stats?: Stats) => boolean, wanted: (path: string) => boolean): FSWatcher {
    const watcher = watch(paths, { ignored, ignoreInitial: false, persistent: true, followSymlinks: false });
    const changed = (path: string) => {
      if (!wanted(path)) return;
      if (paths.includes(path)) return this.schedule(path);
      void this.insideWatched(path, paths).then((inside) => {
        if (inside) this.schedule(path);
        else if (!this.tracked(path).said) {
          this.tracked(path).said = true;
          this.log(`${path} links out of the watched folders: not followed`);
        }
      });
    };
    watcher.on('add', changed);
    watcher.on('change', changed);
    watcher.on('unlink', (path) => this.forget(path));
    watcher.on('error', (error) => this.log(`watching trace files: ${(error as Error).message}`));
    return watcher;
  }

  /** A watched file changed: read what is new (after the read in progress, if any). */
  private schedule(path: string): void {
    const tracked = this.tracked(path);
    tracked.watched = true;
    if (tracked.running) {
      tracked.again = true;
      return;
    }
    const sizeBefore = tracked.state?.size;
    void this.readFile(path, { fresh: false, final: false }).then((result) => {
      // A file the workspace watcher found: said once, when it first turns out to hold traces.
      if (!tracked.announced && result.shape !== null && this.files.get(path) === tracked) {
        tracked.announced = true;
        this.log(describeRead(result, 'found in the workspace', true));
      }
      // The watcher drops a change that follows another within 50 ms (chokidar throttles them):
      // after a read that found something, look once more a little later.
      if (tracked.state?.size !== sizeBefore && !tracked.settle && !this.closed && this.files.get(path) === tracked) {
        tracked.settle = setTimeout(() => {
          tracked.settle = undefined;
          if (this.files.get(path) === tracked) this.schedule(path);
        }, SETTLE_MS);
        tracked.settle.unref();
      }
    }, (error) => this.log(`reading ${path}: ${(error as Error).message}`));
  }

  /** Whether a path, its links resolved, is still inside one of the watched folders. */
  private async insideWatched(path: string, roots: string[]): Promise<boolean> {
    try {
      const real = await realpath(path);
      const realRoots = await Promise.all(roots.map((root) => realpath(root).catch(() => root)));
      return realRoots.some((root) => real === root || real.startsWith(root.endsWith(sep) ? root : root + sep));
    } catch {
      return true; // gone already: the read says so
    }
  }

  private tracked(path: string): TrackedFile {
    let tracked = this.files.get(path);
    if (!tracked) {
      tracked = { again: false, reported: { sink: undefined, count: 0 }, watched: false };
      this.files.set(path, tracked);
    }
    return tracked;
  }

  /** Forgets where one-off imports below `path` ended: nothing will read on from there. */
  private dropUnwatched(path: string): void {
    for (const [file, tracked] of this.files) {
      if (!tracked.watched && !tracked.running && (file === path || file.startsWith(path + sep))) this.files.delete(file);
    }
  }

  /** A deleted file is no longer tailed; its traces stay, its problems go. A renamed one is read to its end first. */
  private forget(path: string): void {
    const tracked = this.files.get(path);
    if (!tracked) return;
    this.files.delete(path);
    clearTimeout(tracked.settle);
    if (tracked.reported.count) this.onProblems(path, []);
    if (tracked.state && tracked.watched) {
      const state = tracked.state;
      const finishing = (tracked.running ?? Promise.resolve()).then(() => this.finishRotated(path, state));
      this.rotations.add(finishing);
      void finishing.finally(() => this.rotations.delete(finishing));
    }
  }

  /**
   * A tailed file renamed away (log rotation: app.log → app.log.1, a new app.log) may have lines
   * written after the last read: they are read from the old file under its new name, found in
   * the same folder by its inode, before that file is let go.
   */
  private async finishRotated(path: string, state: FileState): Promise<void> {
    const folder = dirname(path);
    try {
      for (const name of await readdir(folder)) {
        const candidate = join(folder, name);
        if (candidate === path) continue;
        const info = await stat(candidate).catch(() => undefined);
        if (info?.isFile() && info.ino === state.ino && info.size > state.offset) {
          await readTraceFile(this.decoders, candidate, state, { final: false });
          return;
        }
      }
    } catch (error) {
      this.log(`reading the rest of rotated ${path}: ${(error as Error).message}`);
    }
  }

  private async readFile(path: string, options: { fresh: boolean; final: boolean }): Promise<ImportResult> {
    const tracked = this.tracked(path);
    while (tracked.running) await tracked.running;
    // A few reports a second over all files; a file that reported progress also reports its end.
    let reported = false;
    const onProgress = (bytesRead: number, totalBytes: number) => {
      const now = Date.now();
      if (now - this.lastProgress < PROGRESS_EVERY_MS && !(reported && bytesRead >= totalBytes)) return;
      this.lastProgress = now;
      reported = true;
      this.onProgress(path, bytesRead, totalBytes);
    };
    let result: ImportResult | undefined;
    const run = async () => {
      do {
        tracked.again = false;
        try {
          const previous = options.fresh ? undefined : tracked.state;
          // Replaced by a new file (renamed away, not deleted): the old one's last lines come first.
          if (previous && tracked.watched && (await stat(path).catch(() => undefined))?.ino !== previous.ino) await this.finishRotated(path, previous);
          tracked.state = await readTraceFile(this.decoders, path, previous, { final: options.final, onProgress });
        } catch (error) {
          result = missing(path, error);
          if (error instanceof NotAFileError && !tracked.said) this.log((error as Error).message);
          tracked.said = true;
          return;
        }
        options = { ...options, fresh: false };
        this.reportProblems(path, tracked);
      } while (tracked.again && !this.closed);
      result = importResult(tracked.state);
    };
    tracked.running = run().finally(() => { tracked.running = undefined; });
    await tracked.running;
    return result!;
  }

  private reportProblems(path: string, tracked: TrackedFile): void {
    const { state, reported } = tracked;
    if (!state) return;
    const problems = state.sink.reportedProblems();
    if (reported.sink === state.sink && reported.count === problems.length) return;
    if (problems.length === 0 && reported.count === 0) {
      reported.sink = state.sink;
      return;
    }
    tracked.reported = { sink: state.sink, count: problems.length };
    this.onProblems(path, problems);
  }
}

function ready(watcher: FSWatcher): Promise<void> {
  return new Promise((resolve) => watcher.once('ready', () => resolve()));
}

function missing(path: string, error: unknown): ImportResult {
  const code = (error as NodeJS.ErrnoException).code;
  const reason = code === 'ENOENT' ? 'no such file or folder' : `cannot read: ${(error as Error).message}`;
  return { file: path, shape: null, spans: 0, traces: 0, problems: [{ file: path, reason }] };
}

/** Every file below a folder, except in node_modules and .git. */
async function listFiles(dir: string): Promise<string[]> {
  const files: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (!IGNORED_FOLDERS.has(entry.name)) pushAll(files, await listFiles(path));
    } else if (entry.isFile()) {
      files.push(path);
    }
  }
  return files.sort();
}
