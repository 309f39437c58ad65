// The engine's view of the workspace for resolving recorded paths: the rules are shared with
// the extension host (src/shared/workspacePaths.ts); this keeps the index of files by name that
// the workspace scan fills, so suffix matching needs no file system walk.
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { resolveRecordedPath, type PathRules, type WorkspaceFiles } from '../../shared/workspacePaths';

export class WorkspacePaths {
  /** Workspace files by base name, for suffix matching; filled by the workspace scan. */
  private readonly byBaseName = new Map<string, string[]>();
  private rules: PathRules;
  private readonly files: WorkspaceFiles = {
    exists: existsSync,
    named: (baseName) => this.byBaseName.get(baseName) ?? [],
  };

  constructor(roots: string[] = [], mappings: Record<string, string> = {}) {
    this.rules = { roots, mappings };
  }

  configure(roots: string[], mappings: Record<string, string>): void {
    this.rules = { roots, mappings };
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

  resolve(recorded: string): string | undefined {
    return resolveRecordedPath(recorded, this.rules, this.files);
  }
}
