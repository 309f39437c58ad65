// Compare with Baseline: a failed test's trace beside the good trace saved with the test, in VS
// Code's diff editor, laid out as Compare Traces lays out two traces (steps aligned, deltas,
// prompts and responses). The engine reads the baseline file; the texts are kept until closed.
import * as vscode from 'vscode';
import { compareTraces } from '../compare/traceComparison';
import type { EngineClient } from '../engineConnection/engineClient';
import type { TraceSource } from '../engineConnection/traceSource';
import type { FailedTestMessage, TraceTestExplorer } from './traceTestExplorer';

export const BASELINE_SCHEME = 'ai-trace-baseline';

/** Serves the two sides of each comparison opened so far. */
export class BaselineDocuments implements vscode.TextDocumentContentProvider {
  private readonly texts = new Map<string, string>();

  set(uri: vscode.Uri, text: string): void {
    this.texts.set(uri.toString(), text);
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.texts.get(uri.toString()) ?? 'This comparison is no longer available; run Compare with Baseline again.';
  }
}

export async function compareWithBaseline(
  tests: TraceTestExplorer, engine: EngineClient, source: TraceSource, documents: BaselineDocuments, target?: FailedTestMessage,
): Promise<void> {
  const result = target && tests.results.get(target.test.id);
  const traceId = tests.traceOf(target);
  if (!result?.baselineFile || !traceId) {
    return void vscode.window.showWarningMessage('Compare with Baseline needs a test with "baseline" whose run sent a trace.');
  }
  const [baseline, run] = await Promise.all([engine.readBaseline(result.baselineFile), source.trace(traceId)]);
  if (!baseline.length) return void vscode.window.showWarningMessage(`The baseline ${result.baselineFile} holds no trace.`);
  if (!run) return void vscode.window.showWarningMessage(`Trace ${traceId} is no longer loaded (cleared or evicted).`);
  const sides = compareTraces(baseline[baseline.length - 1], run);
  const uri = (side: string) => vscode.Uri.from({ scheme: BASELINE_SCHEME, path: `/${side}-${traceId}.md` });
  documents.set(uri('baseline'), sides.left);
  documents.set(uri('run'), sides.right);
  await vscode.commands.executeCommand('vscode.diff', uri('baseline'), uri('run'), `${result.name}: baseline ↔ this run`, { preview: true });
}
