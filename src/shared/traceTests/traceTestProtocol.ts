// What the extension asks its engine process about regression tests (LSP requests beside
// shared/engineProtocol.ts): the engine runs a test with its own receivers and index, so nothing
// that scales with a trace runs on the extension host.
import { RequestType } from 'vscode-languageserver-protocol';
import type { TraceDetail } from '../spanModel';
import type { TraceTestResult } from './traceTestFormat';

/** extension → engine: run one test file (cancelling the request stops its command). */
export const RunTraceTest = new RequestType<{ file: string }, TraceTestResult, void>('traceTests/run');
/** extension → engine: a baseline file's traces, for Compare with Baseline; an error says why it cannot be read. */
export const ReadBaseline = new RequestType<{ file: string }, TraceDetail[], void>('traceTests/readBaseline');
