// The insights webview's side of the host connection: typed messages and persisted state.
import type { InsightsHostMessage, InsightsState, InsightsWebviewMessage } from '../../src/shared/insightsProtocol';

interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}

declare function acquireVsCodeApi(): VsCodeApi;

const api = acquireVsCodeApi();

export function post(message: InsightsWebviewMessage): void {
  api.postMessage(message);
}

export function onHostMessage(handle: (message: InsightsHostMessage) => void): void {
  window.addEventListener('message', (event: MessageEvent<InsightsHostMessage>) => handle(event.data));
}

export function loadState(): InsightsState | undefined {
  const state = api.getState() as InsightsState | undefined;
  return state && typeof state.mode === 'string' ? state : undefined;
}

export function saveState(state: InsightsState): void {
  api.setState(state);
}
