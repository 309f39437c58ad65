// Trace Copilot Chat: points Copilot Chat's own OpenTelemetry export (its github.copilot.chat.otel.*
// settings) at this window's receiver, so the editor's agent runs show up as traces here. The
// user's previous values are kept, and Stop Tracing Copilot Chat (or Undo) puts them back exactly.
import * as vscode from 'vscode';

export const COPILOT_OTEL_SECTION = 'github.copilot.chat.otel';
const KEYS = ['enabled', 'exporterType', 'otlpEndpoint', 'captureContent'] as const;
type Key = (typeof KEYS)[number];
type SavedValues = Partial<Record<Key, unknown>>;
const SAVED_STATE = 'aiTraceInspector.copilotChatOtelBefore';

/**
 * `choice` answers the question up front (for a caller that already asked the user, or a test);
 * without it, the user is asked whether to capture content.
 */
export async function traceCopilotChat(context: vscode.ExtensionContext, httpPort: number, choice?: { captureContent: boolean }): Promise<boolean> {
  const capture = 'Capture Prompts and Responses';
  const structureOnly = 'Without Content';
  const answer = choice ? (choice.captureContent ? capture : structureOnly) : await vscode.window.showInformationMessage(
    `Send Copilot Chat's agent runs to this window (http://127.0.0.1:${httpPort})?`,
    {
      modal: true,
      detail: 'This changes four Copilot Chat settings (github.copilot.chat.otel.*); Stop Tracing Copilot Chat restores them. ' +
        'With content, prompts, responses and tool arguments are recorded too. They stay on this machine, in this extension\'s store.',
    },
    capture, structureOnly);
  if (!answer) return false;

  const config = vscode.workspace.getConfiguration(COPILOT_OTEL_SECTION);
  const before: SavedValues = {};
  for (const key of KEYS) before[key] = config.inspect(key)?.globalValue;
  const values: Record<Key, unknown> = {
    enabled: true,
    exporterType: 'otlp-http',
    otlpEndpoint: `http://127.0.0.1:${httpPort}`,
    captureContent: answer === capture,
  };
  try {
    for (const key of KEYS) await config.update(key, values[key], vscode.ConfigurationTarget.Global);
  } catch (error) {
    await restore(before);
    void vscode.window.showErrorMessage(`Could not change Copilot Chat's settings: ${(error as Error).message}. ` +
      'Is the GitHub Copilot Chat extension installed and enabled?');
    return false;
  }
  // Keep the oldest saved values: running the command twice must not lose the user's own.
  if (!context.globalState.get(SAVED_STATE)) await context.globalState.update(SAVED_STATE, before);

  void vscode.window.showInformationMessage(
    'Copilot Chat now sends its agent runs here: each chat request becomes a trace (agent, LLM and tool steps). ' +
    'If none arrive, reload the window so Copilot Chat reads its new settings.', 'Undo').then(async (choice) => {
    if (choice === 'Undo') await stopTracingCopilotChat(context);
  });
  return true;
}

export async function stopTracingCopilotChat(context: vscode.ExtensionContext): Promise<boolean> {
  const before = context.globalState.get<SavedValues>(SAVED_STATE);
  if (!before) {
    void vscode.window.showInformationMessage('Copilot Chat is not being traced by this extension; nothing to restore.');
    return false;
  }
  await restore(before);
  await context.globalState.update(SAVED_STATE, undefined);
  void vscode.window.showInformationMessage("Copilot Chat's OpenTelemetry settings are back to what they were.");
  return true;
}

/** Writes back each value as it was; a value that was not set is removed again. */
async function restore(before: SavedValues): Promise<void> {
  const config = vscode.workspace.getConfiguration(COPILOT_OTEL_SECTION);
  for (const key of KEYS) {
    try {
      await config.update(key, before[key], vscode.ConfigurationTarget.Global);
    } catch {
      // A key that could not be written was never changed either.
    }
  }
}
