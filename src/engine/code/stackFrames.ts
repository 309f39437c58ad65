// The top frame of the user's own code in an exception stack trace (Python or JavaScript), so
// a failed span without code.* attributes still points at a line.

export interface Frame {
  file: string;
  line: number;
  function?: string;
}

const PYTHON_FRAME = /^\s*File "([^"]+)", line (\d+)(?:, in (.+))?$/;
const JS_FRAME = /^\s*at (?:(.+?) \()?((?:file:\/\/)?[^()\s]+?):(\d+)(?::\d+)?\)?$/;
/** Library and runtime frames: the user's line is the nearest frame outside these. */
const NOT_USER_CODE = /(site-packages|dist-packages|node_modules|<frozen |^node:|^internal\/|\/lib\/python\d|<string>|<anonymous>)/;

export function userFrame(stacktrace: string): Frame | undefined {
  const lines = stacktrace.split(/\r?\n/);
  const python: Frame[] = [];
  const js: Frame[] = [];
  for (const line of lines) {
    let m = PYTHON_FRAME.exec(line);
    if (m) {
      python.push({ file: m[1], line: Number(m[2]), function: m[3]?.trim() });
      continue;
    }
    m = JS_FRAME.exec(line);
    if (m) js.push({ file: m[2].replace(/^file:\/\//, ''), line: Number(m[3]), function: m[1] });
  }
  // Python prints the most recent call last; JavaScript first.
  const frames = python.length ? python.reverse() : js;
  return frames.find((f) => !NOT_USER_CODE.test(f.file));
}
