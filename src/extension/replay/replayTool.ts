// The Copilot tool for Replay…: a chat participant can open a recorded LLM call as an editable
// request ("replay the last call with a stricter system prompt"). It opens the editor and
// answers with the request's messages; nothing is sent to a model until the user runs it.
import * as vscode from 'vscode';
import type { ReplayController } from './replayController';
import { parseReplayRequest } from './replayRequest';

interface ReplayToolInput { traceId: string; spanId?: string }

/** Characters of each message the tool's answer quotes. */
const MESSAGE_CHARS = 600;

export function registerReplayTool(replay: ReplayController): vscode.Disposable {
  return vscode.lm.registerTool<ReplayToolInput>('aiTraceInspector_replaySpan', {
    prepareInvocation: (options) => ({ invocationMessage: `Opening LLM call ${options.input.spanId ?? 'of trace'} ${options.input.traceId} for replay` }),
    invoke: async (options) => new vscode.LanguageModelToolResult([new vscode.LanguageModelTextPart(await openForReplay(replay, options.input))]),
  });
}

export async function openForReplay(replay: ReplayController, input: ReplayToolInput): Promise<string> {
  const traceId = String(input.traceId ?? '').toLowerCase().replace(/[^0-9a-f]/g, '');
  const spanId = input.spanId ? String(input.spanId).toLowerCase().replace(/[^0-9a-f]/g, '') : undefined;
  if (traceId.length !== 32) return `"${input.traceId}" is not a full trace id (32 hex characters); find it with the trace tools first.`;
  const uri = await replay.openRequest(traceId, spanId);
  if (!uri) return `Trace ${traceId} has no replayable LLM call${spanId ? ` with span id ${spanId}` : ''} (it may not be loaded, or the span carries no prompt).`;
  const parsed = parseReplayRequest(new TextDecoder().decode(await vscode.workspace.fs.readFile(uri)));
  if ('errors' in parsed) return `Opened ${uri.fsPath} for replay; it has problems: ${parsed.errors.join(' ')}`;
  const { request } = parsed;
  const messages = request.messages.map((m) => `- ${m.role}: ${m.content.length > MESSAGE_CHARS ? `${m.content.slice(0, MESSAGE_CHARS)}…` : m.content}`).join('\n');
  return `Opened the LLM call as an editable replay request (${uri.fsPath}): model ${request.model}, ${request.messages.length} messages, ${request.tools.length} tools.\n${messages}\n` +
    'The user can edit it and press "Run" (or "Run ×N") in the editor, then "Compare with original".';
}
