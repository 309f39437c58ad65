// The top frame of the user's own code in an exception stack trace (Python or JavaScript), so
// a failed span without code.* attributes still points at a line.
import { Frame, parseFrame } from '../../shared/stackFrames';

/** Library and runtime frames: the user's line is the nearest frame outside these. */
const NOT_USER_CODE = /(site-packages|dist-packages|node_modules|<frozen |^node:|^internal\/|\/lib\/python\d|<string>|<anonymous>)/;

export function userFrame(stacktrace: string): Frame | undefined {
  const frames = stacktrace.split(/\r?\n/).map(parseFrame).filter((f): f is Frame => f !== undefined);
  // Python prints the most recent call last; JavaScript first.
  if (frames[0]?.language === 'python') frames.reverse();
  return frames.find((f) => !NOT_USER_CODE.test(f.file));
}
