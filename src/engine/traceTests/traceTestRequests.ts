// The regression test requests of the engine process (shared/traceTests/traceTestProtocol.ts):
// tests run against this engine's own receivers and index, as Test Explorer asks.
import type { Connection } from 'vscode-languageserver/node';
import { ReadBaseline, RunTraceTest } from '../../shared/traceTests/traceTestProtocol';
import { readBaseline } from './baseline';
import { runTraceTestFile, type TestTarget } from './runTraceTest';

/** `target`: where a test's telemetry goes at the moment it starts (the receivers may move or stop). */
export function registerTraceTestRequests(connection: Connection, target: () => TestTarget): void {
  connection.onRequest(RunTraceTest, ({ file }, token) => {
    const stop = new AbortController();
    token.onCancellationRequested(() => stop.abort());
    return runTraceTestFile(file, target(), stop.signal);
  });
  connection.onRequest(ReadBaseline, ({ file }) => readBaseline(file));
}
