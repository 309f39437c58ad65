// The webview's side of the host connection: typed messages and persisted state.
import type { HostMessage, TraceViewState, WebviewMessage } from '../src/shared/webviewProtocol';

interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}

declare function acquireVsCodeApi(): VsCodeApi;

const api = acquireVsCodeApi();

export function post(message: WebviewMessage): void {
  api.postMessage(message);
}

export function onHostMessage(handle: (message: HostMessage) => void): void {
  window.addEventListener('message', (event: MessageEvent<HostMessage>) => handle(event.data));
}

export function loadState(): TraceViewState | undefined {
  const state = api.getState() as TraceViewState | undefined;
  return state && typeof state.traceId === 'string' ? state : undefined;
}

export function saveState(state: TraceViewState): void {
  api.setState(state);
}
