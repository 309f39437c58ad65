// Run as a child process (largeFileRecords.test.ts): an engine imports FILE (with `at-start`: the
// engine is told to watch it, so it is read while the engine starts) and is closed as soon as a
// large record of it goes to a worker thread. Prints, as the process exits by itself, how the
// conversion stood when close() resolved and at the end, and the spans kept.
import { Engine } from '../../../src/engine/engine';
import { WorkerThread } from '../../../src/engine/otlp/workerThread';

const [path, when] = process.argv.slice(2);
let conversion = 'not asked';
let asked = () => undefined as void;
const sent = new Promise<void>((resolve) => { asked = resolve; });
const request = WorkerThread.prototype.request;
WorkerThread.prototype.request = function (this: WorkerThread<unknown, unknown>, ...args: Parameters<typeof request>) {
  const reply = request.apply(this, args);
  conversion = 'converting';
  reply.then(() => { conversion = 'finished'; }, () => { conversion = 'stopped'; });
  asked();
  return reply;
} as typeof request;

void (async () => {
  const engine = new Engine(when === 'at-start' ? { watchPaths: [path] } : {});
  if (when !== 'at-start') {
    await engine.ready;
    void engine.files.import([path]);
  }
  await sent;
  await engine.close();
  const atClose = conversion;
  process.on('exit', () => console.log(JSON.stringify({ atClose, atExit: conversion, spans: engine.index.stats().spans })));
})();
