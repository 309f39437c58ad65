// The insights webview: a session as a conversation, the LLM calls table, or one call's context
// window, whichever its host says it shows. Content is drawn as text only (dom.ts).
import { provideVSCodeDesignSystem, vsCodeButton } from '@vscode/webview-ui-toolkit';
import type { InsightsState } from '../../src/shared/insightsProtocol';
import { h } from '../dom';
import { CallsTable } from './callsTable';
import { loadState, onHostMessage, post, saveState } from './insightsApi';
import './insights.css';
import { sessionView } from './sessionView';
import { xrayView } from './xrayView';

provideVSCodeDesignSystem().register(vsCodeButton());

const root = document.getElementById('app')!;
let state: InsightsState | undefined = loadState();
let table: CallsTable | undefined;

function show(next: InsightsState): void {
  state = next;
  saveState(next);
  if (next.mode === 'calls') {
    if (!table) {
      table = new CallsTable(next.query, (query) => {
        state = { mode: 'calls', query };
        saveState(state);
      });
      root.replaceChildren(table.root);
    }
  } else {
    table?.dispose();
    table = undefined;
  }
}

onHostMessage((message) => {
  switch (message?.type) {
    case 'show': return show(message.state);
    case 'session': return root.replaceChildren(sessionView(message.session));
    case 'xray': return root.replaceChildren(xrayView(message.xray, message.callName, message.cacheBreak));
    case 'callsChanged': return table?.reload();
    case 'callsPage': return table?.receive(message.page, message.requestId);
    case 'problem':
      // A wrong filter says what is wrong beside the filter, and the table stays.
      if (table) return table.showProblem(message.message);
      return root.replaceChildren(h('div', { className: 'placeholder' }, h('p', {}, message.message)));
  }
});

post({ type: 'ready', state });
