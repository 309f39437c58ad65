// The regression test requests of the engine process (shared/traceTests/traceTestProtocol.ts):
// tests run against this engine's own receivers and index, as Test Explorer asks.
import type { Connection } from 'vscode-languageserver/node';
import { ReadBaseline, RunTraceTest } from '../../shared/traceTests/traceTestProtocol';
import type { Engine } from '../engine';
import { readBaseline } from './baseline';
import { runTraceTestFile } from './runTraceTest';

export function registerTraceTestRequests(connection: Connection, engine: () => Engine): void {
  connection.onRequest(RunTraceTest, ({ file }, token) => {
    const current = engine();
    const stop = new AbortController();
    token.onCancellationRequested(() => stop.abort());
    const target = {
      index: current.index, host: current.host,
      httpPort: current.receiving ? current.httpPort : undefined, grpcPort: current.grpcPort,
    };
    return runTraceTestFile(file, target, stop.signal);
  });
  connection.onRequest(ReadBaseline, ({ file }) => readBaseline(file));
}
