// Workspace globs (`**/*.jsonl`, `**/traces/**/*.json`) as regular expressions, so a watcher can
// filter paths without another dependency. A glob that matches `x` also matches `x.gz`.

/** Folders never searched for trace files. */
export const IGNORED_FOLDERS = new Set(['node_modules', '.git']);

export const DEFAULT_GLOBS = ['**/*.jsonl', '**/traces/**/*.json', '**/*.otlp.json', '**/*.otlp.pb'];

export function globToRegExp(glob: string): RegExp {
  let out = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === '*' && glob[i + 1] === '*') {
      // `**/` matches zero or more folders; a trailing `**` anything below.
      const slash = glob[i + 2] === '/';
      out += slash ? '(?:.*/)?' : '.*';
      i += slash ? 2 : 1;
    } else if (c === '*') out += '[^/]*';
    else if (c === '?') out += '[^/]';
    else if (c === '{') {
      const close = glob.indexOf('}', i);
      if (close < 0) { out += '\\{'; continue; }
      out += `(?:${glob.slice(i + 1, close).split(',').map(escapeRegExp).join('|')})`;
      i = close;
    } else out += escapeRegExp(c);
  }
  return new RegExp(`^${out}(?:\\.gz)?$`, 'i');
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

/** Whether `relativePath` (forward slashes, relative to a watched root) matches any glob. */
export function globMatcher(globs: string[]): (relativePath: string) => boolean {
  const patterns = globs.map(globToRegExp);
  return (relativePath) => patterns.some((p) => p.test(relativePath));
}

export function inIgnoredFolder(path: string): boolean {
  return path.split(/[\\/]/).some((part) => IGNORED_FOLDERS.has(part));
}
