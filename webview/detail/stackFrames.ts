// Finds source locations in stack traces (Python and JavaScript frames), so each frame can be a
// link that opens the file at the line. Pure, so it is unit tested.
import type { SourceLocation } from '../../src/shared/spanModel';

export interface StackLine {
  text: string;
  /** Where the linked part of `text` starts and ends, and what it points at. */
  link?: { start: number; end: number; location: SourceLocation };
}

const PYTHON_FRAME = /File "([^"]+)", line (\d+)(?:, in (\S+))?/;
const JS_FRAME = /at (?:(.+?) \()?((?:[A-Za-z]:)?[^\s():]+(?:\.[A-Za-z0-9]+)?):(\d+):(\d+)\)?\s*$/;

export function parseStack(stack: string): StackLine[] {
  return stack.split(/\r?\n/).map((text) => {
    const python = PYTHON_FRAME.exec(text);
    if (python) {
      return { text, link: { start: python.index, end: python.index + python[0].length, location: { file: python[1], line: Number(python[2]), function: python[3] } } };
    }
    const js = JS_FRAME.exec(text);
    if (js && !js[2].startsWith('node:') && !js[2].includes('<anonymous>')) {
      const start = text.indexOf(js[2], js.index);
      const end = text.indexOf(`:${js[3]}:${js[4]}`, start) + `:${js[3]}:${js[4]}`.length;
      return { text, link: { start, end, location: { file: js[2].replace(/^file:\/\//, ''), line: Number(js[3]), column: Number(js[4]), function: js[1] } } };
    }
    return { text };
  });
}
