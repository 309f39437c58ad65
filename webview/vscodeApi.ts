// The trace view's side of the host connection: typed messages and persisted state.
import type { HostMessage, TraceViewState, WebviewMessage } from '../src/shared/webviewProtocol';
import { hostConnection } from './hostApi';

export const { post, onHostMessage, loadState, saveState } = hostConnection<WebviewMessage, HostMessage, TraceViewState>(
  (state) => typeof (state as TraceViewState | undefined)?.traceId === 'string');
