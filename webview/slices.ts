// Work on a huge trace done in slices, so the webview's thread answers between them (a scroll, a
// click, a paint): the work is a generator that yields every SLICE_ROWS rows; runInSlices runs it a
// few milliseconds at a time, drain all at once (the small trace's path, and the tests').
export const SLICE_ROWS = 4096;
/** Milliseconds of work before the thread is handed back. */
const SLICE_MS = 8;

export type Steps<T> = Generator<void, T, void>;

export function drain<T>(steps: Steps<T>): T {
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
  }
}

/** The work's result, or undefined if it stopped being wanted between two slices. Marks `layout-slice` at each hand-back. */
export async function runInSlices<T>(steps: Steps<T>, stillWanted: () => boolean): Promise<T | undefined> {
  for (;;) {
    const sliceStart = performance.now();
    for (;;) {
      const step = steps.next();
      if (step.done) return step.value;
      if (performance.now() - sliceStart >= SLICE_MS) break;
    }
    performance.mark('layout-slice');
    await nextTask();
    if (!stillWanted()) return undefined;
  }
}

/** A new task at once: a timer would wait at least 4 ms once nested. */
function nextTask(): Promise<void> {
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => {
      channel.port1.close();
      resolve();
    };
    channel.port2.postMessage(null);
  });
}
