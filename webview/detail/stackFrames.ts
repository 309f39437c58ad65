// Finds source locations in stack traces (Python and JavaScript frames), so each frame can be a
// link that opens the file at the line. Pure, so it is unit tested.
import type { SourceLocation } from '../../src/shared/spanModel';
import { parseFrame } from '../../src/shared/stackFrames';

export interface StackLine {
  text: string;
  /** Where the linked part of `text` starts and ends, and what it points at. */
  link?: { start: number; end: number; location: SourceLocation };
}

export function parseStack(stack: string): StackLine[] {
  return stack.split(/\r?\n/).map((text) => {
    const frame = parseFrame(text);
    if (!frame || frame.file.startsWith('node:') || frame.file.includes('<anonymous>')) return { text };
    const { file, line, column, function: fn } = frame;
    const location: SourceLocation = column === undefined ? { file, line, function: fn } : { file, line, column, function: fn };
    return { text, link: { start: frame.start, end: frame.end, location } };
  });
}
