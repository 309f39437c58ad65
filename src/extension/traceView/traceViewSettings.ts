// The settings the trace view reads; they apply to the next trace drawn.
import * as vscode from 'vscode';
import type { TraceViewSettings } from '../../shared/webviewProtocol';
import { SECTION } from '../engineConnection/settings';

export function traceViewSettings(): TraceViewSettings {
  // One threshold for the weak-retrieval detector and the warning in span detail.
  return { lowScoreThreshold: vscode.workspace.getConfiguration(SECTION).get<number>('detectors.weakRetrievalScore', 0.5) };
}
