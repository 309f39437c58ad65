// Where a replay runs: the user picks vscode.lm, an OpenAI-compatible endpoint or Anthropic, and
// the pick is remembered per workspace. Base URLs are settings; keys live in SecretStorage only,
// and before the first run against an endpoint off this machine a modal names it.
import * as vscode from 'vscode';
import { findChatModel, LanguageModelProvider } from './languageModelProvider';
import { isLoopbackUrl } from './replayEndpoint';
import type { ReplayProvider } from './replayProviders';

export type ReplayTarget =
  | { kind: 'openai' }
  | { kind: 'anthropic' }
  | { kind: 'vscode-lm'; modelId: string; label: string };

const TARGET_KEY = 'aiTraceInspector.replay.target';
const CONSENTED_KEY = 'aiTraceInspector.replay.consentedEndpoints';
const SECTION = 'aiTraceInspector.replay';

export function baseUrlOf(kind: 'openai' | 'anthropic'): string {
  const config = vscode.workspace.getConfiguration(SECTION);
  const url = kind === 'openai' ? config.get<string>('openAiBaseUrl', 'https://api.openai.com/v1') : config.get<string>('anthropicBaseUrl', 'https://api.anthropic.com');
  return url.trim().replace(/\/+$/, '');
}

export function describeTarget(target: ReplayTarget): string {
  if (target.kind === 'vscode-lm') return `${target.label} (VS Code)`;
  return `${target.kind === 'openai' ? 'OpenAI-compatible' : 'Anthropic'} ${baseUrlOf(target.kind)}`;
}

/** The secret's name: one key per provider kind and endpoint origin. */
function secretName(kind: 'openai' | 'anthropic', baseUrl: string): string {
  let origin = baseUrl;
  try {
    origin = new URL(baseUrl).origin;
  } catch {
    // an unparsable URL fails later with a clear error; its key is still its own
  }
  return `${SECTION}.apiKey.${kind}.${origin}`;
}

export class ReplayTargets {
  constructor(private readonly context: vscode.ExtensionContext) {}

  get current(): ReplayTarget | undefined {
    return this.context.workspaceState.get<ReplayTarget>(TARGET_KEY);
  }

  /** Asks where to run (the language models VS Code offers, then the endpoints); remembers the pick. */
  async choose(): Promise<ReplayTarget | undefined> {
    const models = await vscode.lm.selectChatModels().then((m) => m, () => []);
    type Item = vscode.QuickPickItem & { target?: ReplayTarget };
    const items: Item[] = [
      { label: 'Endpoints', kind: vscode.QuickPickItemKind.Separator },
      { label: '$(server) OpenAI-compatible endpoint', description: baseUrlOf('openai'), detail: 'OpenAI, Azure OpenAI, Ollama, LM Studio, vLLM, OpenRouter: base URL in settings (aiTraceInspector.replay.openAiBaseUrl)', target: { kind: 'openai' } },
      { label: '$(server) Anthropic API', description: baseUrlOf('anthropic'), detail: 'base URL in settings (aiTraceInspector.replay.anthropicBaseUrl)', target: { kind: 'anthropic' } },
      { label: 'Language models in VS Code (no key needed)', kind: vscode.QuickPickItemKind.Separator },
      ...(models.length
        ? models.map((m) => ({ label: `$(copilot) ${m.name}`, description: `${m.vendor} · ${m.family}`, target: { kind: 'vscode-lm' as const, modelId: m.id, label: m.name } }))
        : [{ label: '$(info) No language model is available in VS Code', detail: 'Install and sign in to an extension that provides one (e.g. GitHub Copilot Chat), or use an endpoint.' }]),
    ];
    const picked = await vscode.window.showQuickPick(items, { title: 'Run replays where?', placeHolder: 'Remembered for this workspace; change it with "Choose Replay Target…"', matchOnDescription: true });
    if (!picked?.target) return undefined;
    await this.context.workspaceState.update(TARGET_KEY, picked.target);
    return picked.target;
  }

  /** Asks for the key of an endpoint and keeps it in SecretStorage. */
  async setApiKey(kind?: 'openai' | 'anthropic'): Promise<string | undefined> {
    kind ??= (await vscode.window.showQuickPick([
      { label: 'OpenAI-compatible endpoint', description: baseUrlOf('openai'), provider: 'openai' as const },
      { label: 'Anthropic API', description: baseUrlOf('anthropic'), provider: 'anthropic' as const },
    ], { title: 'Set the API key for…' }))?.provider;
    if (!kind) return undefined;
    const baseUrl = baseUrlOf(kind);
    const key = await vscode.window.showInputBox({
      title: `API key for ${baseUrl}`,
      prompt: 'Kept in VS Code\'s secret storage, never in settings, logs or traces. Leave empty to remove it.',
      password: true,
      ignoreFocusOut: true,
    });
    if (key === undefined) return undefined;
    if (key.trim()) await this.context.secrets.store(secretName(kind, baseUrl), key.trim());
    else await this.context.secrets.delete(secretName(kind, baseUrl));
    vscode.window.setStatusBarMessage(key.trim() ? `$(key) Saved the API key for ${baseUrl}` : `$(key) Removed the API key for ${baseUrl}`, 4000);
    return key.trim() || undefined;
  }

  /**
   * The provider for a target, ready to run: the key found or asked for (not for endpoints on
   * this machine), and consent given for an endpoint elsewhere. Undefined when the user stopped.
   */
  async provider(target: ReplayTarget, messageCount: number): Promise<ReplayProvider | undefined> {
    if (target.kind === 'vscode-lm') {
      const model = await findChatModel(target.modelId);
      if (!model) {
        void vscode.window.showErrorMessage(`The language model "${target.label}" is not available in VS Code any more. Choose another target.`, 'Choose Replay Target…')
          .then((choice) => choice && this.choose());
        return undefined;
      }
      return new LanguageModelProvider(model);
    }
    const baseURL = baseUrlOf(target.kind);
    const local = isLoopbackUrl(baseURL);
    let apiKey = await this.context.secrets.get(secretName(target.kind, baseURL));
    if (!local) {
      if (!(await this.consent(baseURL, messageCount))) return undefined;
      apiKey ??= await this.setApiKey(target.kind);
      if (!apiKey) return undefined;
    }
    // The client packages load on the first run, not when the extension activates.
    const { AnthropicProvider, OpenAiCompatibleProvider } = await import('./replayProviders');
    return target.kind === 'openai' ? new OpenAiCompatibleProvider({ baseURL, apiKey }) : new AnthropicProvider({ baseURL, apiKey });
  }

  /** A modal before the first run to an endpoint off this machine: the prompt leaves it. */
  private async consent(baseURL: string, messageCount: number): Promise<boolean> {
    const consented = this.context.workspaceState.get<string[]>(CONSENTED_KEY, []);
    if (consented.includes(baseURL)) return true;
    const send = 'Send';
    const choice = await vscode.window.showWarningMessage(
      `Replay sends the request (${messageCount} message${messageCount === 1 ? '' : 's'}, with the tool definitions) to ${baseURL}.`,
      { modal: true, detail: 'The prompt leaves this machine for that endpoint. You are asked once per endpoint and workspace.' }, send);
    if (choice !== send) return false;
    await this.context.workspaceState.update(CONSENTED_KEY, [...consented, baseURL]);
    return true;
  }
}
