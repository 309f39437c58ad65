// Frames of Python and JavaScript stack traces: the engine finds the user's line in them (code
// links), the trace view turns them into links. Pure, so it is unit tested.

export interface Frame {
  file: string;
  line: number;
  column?: number;
  function?: string;
  /** Where in the text line the location (file and line) stands. */
  start: number;
  end: number;
  language: 'python' | 'javascript';
}

const PYTHON_FRAME = /File "([^"]+)", line (\d+)(?:, in (\S+))?/;
const JS_FRAME = /at (?:(.+?) \()?((?:file:\/\/)?(?:[A-Za-z]:)?[^\s():]+(?:\.[A-Za-z0-9]+)?):(\d+)(?::(\d+))?\)?\s*$/;

/** The frame one line of a stack trace names, if it names one. */
export function parseFrame(text: string): Frame | undefined {
  const python = PYTHON_FRAME.exec(text);
  if (python) {
    return { file: python[1], line: Number(python[2]), function: python[3], start: python.index, end: python.index + python[0].length, language: 'python' };
  }
  const js = JS_FRAME.exec(text);
  if (!js) return undefined;
  const start = text.indexOf(js[2], js.index);
  const location = `:${js[3]}${js[4] ? `:${js[4]}` : ''}`;
  return {
    file: js[2].replace(/^file:\/\//, ''), line: Number(js[3]), column: js[4] ? Number(js[4]) : undefined, function: js[1],
    start, end: text.indexOf(location, start) + location.length, language: 'javascript',
  };
}
