// Finds the test files (`*.tracetest.json`) in the paths given to `cli.js test`: a file as it is,
// a folder searched below (node_modules and .git never).
import { readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { TEST_FILE_SUFFIX } from '../../shared/traceTests/traceTestFormat';

const SKIPPED_FOLDERS = new Set(['node_modules', '.git']);
/** A bound on the folders walked, so a path like / cannot keep the CLI busy for ever. */
const MAX_FOLDERS = 20_000;

/** Absolute test file paths, sorted; throws naming a path that does not exist. */
export function findTestFiles(paths: string[]): string[] {
  const found = new Set<string>();
  for (const path of paths) {
    const absolute = resolve(path);
    let stats;
    try {
      stats = statSync(absolute);
    } catch {
      throw new Error(`${path}: no such file or folder`);
    }
    if (stats.isFile()) found.add(absolute);
    else walk(absolute, found);
  }
  return [...found].sort();
}

function walk(root: string, found: Set<string>): void {
  const folders = [root];
  for (let walked = 0; folders.length && walked < MAX_FOLDERS; walked++) {
    const folder = folders.pop()!;
    let entries;
    try {
      entries = readdirSync(folder, { withFileTypes: true });
    } catch {
      continue; // unreadable: nothing to run there
    }
    for (const entry of entries) {
      if (entry.isDirectory() && !SKIPPED_FOLDERS.has(entry.name)) folders.push(join(folder, entry.name));
      else if (entry.isFile() && entry.name.endsWith(TEST_FILE_SUFFIX)) found.add(join(folder, entry.name));
    }
  }
}
