// A line's activity is anchored to the text it stands on: when its file changes (saved, or edited
// in an open editor) the activity moves with that text, or disappears when the text is gone, so a
// lens or a warning never sits on a line whose text changed.

/** The text a line is recognized by: its content without indentation and trailing space. */
export function anchorText(line: string | undefined): string {
  return (line ?? '').trim();
}

/** Anchors this short (a lone `}` or `)`) are too common to look for elsewhere in a file. */
const MIN_MOVABLE_ANCHOR = 4;

/**
 * Where a line (1-based) that read `anchor` in `before` is in `after`, or undefined when its
 * text is gone or cannot be told apart from other lines. Lines above and below the changed part
 * of the file move by the change's size; a line inside it is found by its text when that text is
 * on exactly one line there. Without `before`, only the line itself or a single line with the
 * same text will do. Made once per change of a file, then asked for each of its lines.
 */
export function lineMover(before: readonly string[] | undefined, after: readonly string[]): (line: number, anchor: string) => number | undefined {
  if (!before) {
    return (line, anchor) => {
      if (anchorText(after[line - 1]) === anchor) return line;
      return anchor.length >= MIN_MOVABLE_ANCHOR ? onlyLineWith(anchor, after, 0, after.length) : undefined;
    };
  }
  const { prefix, suffix } = unchangedEnds(before, after);
  return (line, anchor) => {
    const mapped = line <= prefix ? line : line > before.length - suffix ? line + after.length - before.length : undefined;
    if (mapped !== undefined) return anchorText(after[mapped - 1]) === anchor ? mapped : undefined;
    return anchor.length >= MIN_MOVABLE_ANCHOR ? onlyLineWith(anchor, after, prefix, after.length - suffix) : undefined;
  };
}

/** How many lines at the start and at the end the two versions share. */
function unchangedEnds(before: readonly string[], after: readonly string[]): { prefix: number; suffix: number } {
  const most = Math.min(before.length, after.length);
  let prefix = 0;
  while (prefix < most && before[prefix] === after[prefix]) prefix++;
  let suffix = 0;
  while (suffix < most - prefix && before[before.length - 1 - suffix] === after[after.length - 1 - suffix]) suffix++;
  return { prefix, suffix };
}

/** The 1-based line among lines[from..to) that reads `anchor`, when exactly one does. */
function onlyLineWith(anchor: string, lines: readonly string[], from: number, to: number): number | undefined {
  let found: number | undefined;
  for (let i = from; i < to; i++) {
    if (anchorText(lines[i]) !== anchor) continue;
    if (found !== undefined) return undefined;
    found = i + 1;
  }
  return found;
}

export function linesOf(text: string): string[] {
  return text.split(/\r?\n/);
}
