// The insights webview's side of the host connection: typed messages and persisted state.
import type { InsightsHostMessage, InsightsState, InsightsWebviewMessage } from '../../src/shared/insightsProtocol';
import { hostConnection } from '../hostApi';

export const { post, onHostMessage, loadState, saveState } = hostConnection<InsightsWebviewMessage, InsightsHostMessage, InsightsState>(
  (state) => typeof (state as InsightsState | undefined)?.mode === 'string');
