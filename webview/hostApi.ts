// The one VS Code API object a webview may acquire, and the typed connection to its host that
// each webview entry (the trace view, the insights panel) builds on it.
interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}

declare function acquireVsCodeApi(): VsCodeApi;

export interface HostConnection<Out, In, State> {
  post(message: Out): void;
  onHostMessage(handle: (message: In) => void): void;
  /** The saved state, if `isState` accepts it. */
  loadState(): State | undefined;
  saveState(state: State): void;
}

export function hostConnection<Out, In, State>(isState: (state: unknown) => boolean): HostConnection<Out, In, State> {
  const api = acquireVsCodeApi();
  return {
    post: (message) => api.postMessage(message),
    onHostMessage: (handle) => window.addEventListener('message', (event: MessageEvent<In>) => handle(event.data)),
    loadState: () => {
      const state = api.getState();
      return isState(state) ? (state as State) : undefined;
    },
    saveState: (state) => api.setState(state),
  };
}
