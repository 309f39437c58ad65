// The language models VS Code offers (vscode.lm, e.g. Copilot's) as a replay target: no key,
// VS Code asks the user's consent for this extension on the first request. VS Code 1.100's chat
// messages have no system role, so system messages go first as a user turn.
import * as vscode from 'vscode';
import type { ReplayAnswer, ReplayProvider } from './replayProviders';
import type { ReplayMessage, ReplayRequest } from './replayRequest';

/** A model picked once and found again by id, as long as its extension offers it. */
export async function findChatModel(id: string): Promise<vscode.LanguageModelChat | undefined> {
  const [model] = await vscode.lm.selectChatModels({ id });
  return model;
}

export class LanguageModelProvider implements ReplayProvider {
  readonly kind = 'vscode-lm';
  readonly endpoint: string;

  constructor(private readonly model: vscode.LanguageModelChat) {
    this.endpoint = `${model.vendor} ${model.name} (VS Code language model)`;
  }

  async run(request: ReplayRequest, onText: (delta: string) => void, signal?: AbortSignal): Promise<ReplayAnswer> {
    const startMs = Date.now();
    const cancel = new vscode.CancellationTokenSource();
    signal?.addEventListener('abort', () => cancel.cancel());
    const messages = request.messages.map(lmMessage);
    try {
      const response = await this.model.sendRequest(messages, {
        justification: 'AI Trace Inspector replays a recorded LLM call you edited.',
        modelOptions: request.parameters,
        tools: request.tools.map((t) => ({ name: t.name, description: t.description ?? '', inputSchema: t.parameters })),
      }, cancel.token);
      const answer: ReplayAnswer = { text: '', toolCalls: [], model: this.model.id, startMs, endMs: startMs };
      for await (const part of response.stream) {
        answer.firstTokenMs ??= Date.now();
        if (part instanceof vscode.LanguageModelTextPart) {
          answer.text += part.value;
          onText(part.value);
        } else if (part instanceof vscode.LanguageModelToolCallPart) {
          answer.toolCalls.push({ id: part.callId, name: part.name, arguments: part.input });
        }
      }
      answer.endMs = Date.now();
      answer.finishReason = answer.toolCalls.length ? 'tool_calls' : 'stop';
      // vscode.lm reports no usage; the model counts tokens on request.
      const input = await Promise.all(messages.map((m) => this.model.countTokens(m, cancel.token))).then((n) => n.reduce((a, b) => a + b, 0), () => undefined);
      const output = answer.text ? await Promise.resolve(this.model.countTokens(answer.text, cancel.token)).catch(() => undefined) : 0;
      answer.usage = { input, output };
      return answer;
    } catch (error) {
      if (error instanceof vscode.LanguageModelError) throw new Error(`${this.endpoint}: ${error.message} (${error.code})`);
      throw error;
    } finally {
      cancel.dispose();
    }
  }
}

function lmMessage(message: ReplayMessage): vscode.LanguageModelChatMessage {
  if (message.role === 'assistant') {
    const parts: (vscode.LanguageModelTextPart | vscode.LanguageModelToolCallPart)[] = [];
    if (message.content) parts.push(new vscode.LanguageModelTextPart(message.content));
    for (const [i, call] of (message.toolCalls ?? []).entries()) {
      const input = typeof call.arguments === 'object' && call.arguments !== null ? call.arguments as object : {};
      parts.push(new vscode.LanguageModelToolCallPart(call.id ?? `call_${i}`, call.name, input));
    }
    return vscode.LanguageModelChatMessage.Assistant(parts);
  }
  if (message.role === 'tool') {
    return vscode.LanguageModelChatMessage.User([new vscode.LanguageModelToolResultPart(message.toolCallId ?? '', [new vscode.LanguageModelTextPart(message.content)])]);
  }
  return vscode.LanguageModelChatMessage.User(message.role === 'system' ? `System instructions:\n${message.content}` : message.content);
}
