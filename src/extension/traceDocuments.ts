// Opens a trace or span as read-only normalized JSON (until the waterfall view lands): a
// virtual document, so nothing is written to disk and nothing can be edited.
import * as vscode from 'vscode';
import type { TraceSource } from './traceSource';

export const TRACE_SCHEME = 'ai-trace';

export class TraceDocumentProvider implements vscode.TextDocumentContentProvider {
  constructor(private readonly source: TraceSource) {}

  async provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
    const [traceId, spanId] = uri.path.replace(/^\//, '').replace(/\.json$/, '').split('/');
    const detail = await this.source.trace(traceId);
    if (!detail) return JSON.stringify({ error: `Trace ${traceId} is not loaded (it may have been evicted or cleared).` }, null, 2);
    const value = spanId ? detail.spans.find((s) => s.spanId === spanId) ?? { error: `No span ${spanId} in trace ${traceId}.` } : detail;
    return JSON.stringify(value, null, 2);
  }
}

export function traceUri(traceId: string, spanId?: string): vscode.Uri {
  return vscode.Uri.from({ scheme: TRACE_SCHEME, path: `/${traceId}${spanId ? `/${spanId}` : ''}.json` });
}

export async function openTrace(traceId: string, spanId?: string): Promise<void> {
  const document = await vscode.workspace.openTextDocument(traceUri(traceId, spanId));
  await vscode.languages.setTextDocumentLanguage(document, 'json');
  await vscode.window.showTextDocument(document, { preview: true });
}
