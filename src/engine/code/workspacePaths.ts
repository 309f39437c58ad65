// Maps a path recorded in a trace (often from another machine or a container: /app/agent.py)
// to a file of this workspace: exact, then relative to a workspace folder, then by the user's
// path mappings, then by a unique file-name suffix.
import { existsSync } from 'node:fs';
import * as path from 'node:path';

export class WorkspacePaths {
  /** Workspace files by base name, for suffix matching; filled by the workspace scan. */
  private readonly byBaseName = new Map<string, string[]>();

  constructor(private roots: string[] = [], private mappings: Record<string, string> = {}) {}

  configure(roots: string[], mappings: Record<string, string>): void {
    this.roots = roots;
    this.mappings = mappings;
  }

  addFile(file: string): void {
    const base = path.basename(file);
    const list = this.byBaseName.get(base);
    if (!list) this.byBaseName.set(base, [file]);
    else if (!list.includes(file)) list.push(file);
  }

  removeFile(file: string): void {
    const list = this.byBaseName.get(path.basename(file));
    const at = list?.indexOf(file) ?? -1;
    if (at >= 0) list!.splice(at, 1);
  }

  /**
   * A path from a trace is untrusted: whatever it says (`..`, absolute paths), the answer is a
   * file inside a workspace folder, or inside the target of a mapping the user set, or nothing.
   */
  resolve(recorded: string): string | undefined {
    if (!recorded) return undefined;
    const normal = recorded.replace(/\\/g, '/');
    if (path.isAbsolute(normal)) {
      const candidate = path.resolve(normal);
      if (this.roots.some((root) => within(root, candidate)) && existsSync(candidate)) return candidate;
    } else {
      for (const root of this.roots) {
        const candidate = path.resolve(root, normal);
        if (within(root, candidate) && existsSync(candidate)) return candidate;
      }
    }
    for (const [from, to] of Object.entries(this.mappings)) {
      if (normal.startsWith(from)) {
        const candidate = path.resolve(to, `.${path.posix.sep}${normal.slice(from.length)}`);
        if (within(path.resolve(to), candidate) && existsSync(candidate)) return candidate;
      }
    }
    return this.bySuffix(normal);
  }

  /** The one workspace file whose path ends with the longest tail of the recorded path. */
  private bySuffix(recorded: string): string | undefined {
    const candidates = this.byBaseName.get(path.posix.basename(recorded));
    if (!candidates?.length) return undefined;
    const parts = recorded.split('/').filter(Boolean);
    for (let keep = parts.length; keep >= 1; keep--) {
      const tail = '/' + parts.slice(parts.length - keep).join('/');
      const matches = candidates.filter((c) => c.replace(/\\/g, '/').endsWith(tail));
      if (matches.length === 1) return matches[0];
      if (matches.length > 1) return undefined;
    }
    return undefined;
  }
}

function within(folder: string, file: string): boolean {
  const relative = path.relative(folder, file);
  return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative));
}
