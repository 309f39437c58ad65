// Maps a path recorded in a trace (often from another machine or a container: /app/agent.py)
// to a file of this workspace: exact, then relative to a workspace folder, then by the user's
// path mappings, then by a unique file-name suffix. The engine (code links) and the extension
// host (Go to source) must agree on these rules, so they live here; each caller brings its own
// view of the file system. Node only (node:path), not for the webview.
import * as path from 'node:path';

export interface PathRules {
  /** The workspace folders. */
  roots: string[];
  /** The code.pathMappings setting: recorded prefix → local folder. */
  mappings: Record<string, string>;
}

export interface WorkspaceFiles {
  exists(file: string): boolean;
  /** Workspace files with this base name, for suffix matching. */
  named(baseName: string): readonly string[];
}

/** The file name a recorded path ends with, whichever separator it was recorded with. */
export function recordedBaseName(recorded: string): string {
  return path.posix.basename(recorded.replace(/\\/g, '/'));
}

/**
 * A path from a trace is untrusted: whatever it says (`..`, absolute paths), the answer is a
 * file inside a workspace folder, or inside the target of a mapping the user set, or nothing.
 */
export function resolveRecordedPath(recorded: string, rules: PathRules, files: WorkspaceFiles): string | undefined {
  if (!recorded) return undefined;
  const normal = recorded.replace(/\\/g, '/');
  if (path.isAbsolute(normal)) {
    const candidate = path.resolve(normal);
    if (rules.roots.some((root) => within(root, candidate)) && files.exists(candidate)) return candidate;
  } else {
    for (const root of rules.roots) {
      const candidate = path.resolve(root, normal);
      if (within(root, candidate) && files.exists(candidate)) return candidate;
    }
  }
  for (const [from, to] of Object.entries(rules.mappings)) {
    if (normal.startsWith(from)) {
      const candidate = path.resolve(to, `.${path.posix.sep}${normal.slice(from.length)}`);
      if (within(path.resolve(to), candidate) && files.exists(candidate)) return candidate;
    }
  }
  return bySuffix(normal, files.named(path.posix.basename(normal)));
}

/**
 * The one candidate whose path ends with the longest tail of the recorded path. Each candidate
 * is compared once, part by part from the end: a recorded path from a trace may have any number
 * of parts, and building every tail of it would be quadratic.
 */
function bySuffix(recorded: string, candidates: readonly string[]): string | undefined {
  const parts = recorded.split('/').filter(Boolean);
  let best: string | undefined;
  let bestShared = 0;
  let tied = false;
  for (const candidate of candidates) {
    const shared = sharedTailParts(parts, candidate.replace(/\\/g, '/').split('/'));
    if (shared > bestShared) {
      best = candidate;
      bestShared = shared;
      tied = false;
    } else if (shared === bestShared && shared > 0) {
      tied = true;
    }
  }
  return tied ? undefined : best;
}

/** How many parts at the end of `recorded` the candidate's path ends with. */
function sharedTailParts(recorded: readonly string[], candidate: readonly string[]): number {
  let shared = 0;
  while (shared < recorded.length && shared < candidate.length
    && recorded[recorded.length - 1 - shared] === candidate[candidate.length - 1 - shared]) shared++;
  return shared;
}

function within(folder: string, file: string): boolean {
  const relative = path.relative(folder, file);
  return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative));
}
