// Files and folders the user imported, kept in the store folder so an engine restart reads them
// again. Format: `imported-files.json`, `{"version":1,"paths":[{"path":"/abs/file","watch":true}]}`.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface RememberedPath {
  path: string;
  watch: boolean;
}

const FILE_NAME = 'imported-files.json';

export function loadRememberedPaths(storeDir: string): RememberedPath[] {
  try {
    const doc = JSON.parse(readFileSync(join(storeDir, FILE_NAME), 'utf8')) as { paths?: unknown };
    if (!Array.isArray(doc.paths)) return [];
    return doc.paths
      .filter((p): p is { path: string; watch?: unknown } => typeof (p as { path?: unknown } | null)?.path === 'string')
      .map((p) => ({ path: p.path, watch: p.watch === true }));
  } catch {
    return []; // none yet, or unreadable: nothing to restore
  }
}

/** Adds or updates entries; written to a temporary file first so a crash never leaves half a list. */
export function rememberPaths(storeDir: string, paths: RememberedPath[]): void {
  const byPath = new Map(loadRememberedPaths(storeDir).map((p) => [p.path, p]));
  for (const p of paths) byPath.set(p.path, p);
  writeRemembered(storeDir, [...byPath.values()]);
}

/** Nothing is read again after a restart. */
export function forgetRememberedPaths(storeDir: string): void {
  writeRemembered(storeDir, []);
}

function writeRemembered(storeDir: string, paths: RememberedPath[]): void {
  mkdirSync(storeDir, { recursive: true });
  const target = join(storeDir, FILE_NAME);
  const tmp = `${target}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify({ version: 1, paths }, null, 2) + '\n');
  renameSync(tmp, target);
}
