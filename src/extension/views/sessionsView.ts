// The Sessions view: one row per session (the traces that share a session or conversation id)
// with turns, duration, tokens, cost, errors and the first user message; a row opens the session
// as a conversation, and expands into its turns, each opening its trace. Traces that arrive
// later join their session at the next refresh.
import * as vscode from 'vscode';
import { COMMANDS, VIEWS } from '../../shared/commands';
import { formatCost, formatDuration, formatTokens } from '../../shared/format';
import type { SessionSummary, SessionTurn } from '../../shared/sessionModel';
import type { TraceSource } from '../engineConnection/traceSource';

const REFRESH_MS = 1000;

type SessionNode = { type: 'session'; session: SessionSummary } | { type: 'turn'; sessionId: string; turn: SessionTurn; index: number };

export class SessionsView implements vscode.TreeDataProvider<SessionNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly view: vscode.TreeView<SessionNode>;
  private readonly subscription: vscode.Disposable;
  private pending?: NodeJS.Timeout;

  constructor(private readonly source: TraceSource) {
    this.view = vscode.window.createTreeView(VIEWS.sessions, { treeDataProvider: this, showCollapseAll: true });
    this.subscription = source.onDidChange(() => {
      this.pending ??= setTimeout(() => {
        this.pending = undefined;
        this.refresh();
      }, REFRESH_MS);
    });
  }

  refresh(): void {
    this.changed.fire();
  }

  async getChildren(node?: SessionNode): Promise<SessionNode[]> {
    if (!node) {
      const { sessions } = await this.source.ask('sessions', {});
      this.view.description = sessions.length ? `${sessions.length} session${sessions.length === 1 ? '' : 's'}` : undefined;
      this.view.message = sessions.length ? undefined
        : 'No sessions yet. Traces join a session when their spans carry session.id, gen_ai.conversation.id or a framework\'s session id.';
      return sessions.map((session) => ({ type: 'session', session }));
    }
    if (node.type === 'turn') return [];
    const detail = await this.source.ask('session', node.session.sessionId).catch(() => undefined);
    return (detail?.turns ?? []).map((turn, index) => ({ type: 'turn', sessionId: node.session.sessionId, turn, index }));
  }

  getTreeItem(node: SessionNode): vscode.TreeItem {
    if (node.type === 'session') {
      const { session } = node;
      const item = new vscode.TreeItem(session.firstUserMessage ?? session.sessionId, vscode.TreeItemCollapsibleState.Collapsed);
      item.id = `session/${session.sessionId}`;
      item.contextValue = 'session';
      const parts = [`${session.turns} turn${session.turns === 1 ? '' : 's'}`, formatDuration(session.durationMs), formatTokens(session.tokens.total)];
      if (session.costUsd) parts.push(formatCost(session.costUsd));
      if (session.errors) parts.push(`${session.errors} failed`);
      item.description = parts.join(' · ');
      item.iconPath = new vscode.ThemeIcon(session.errors ? 'error' : 'comment-discussion', session.errors ? new vscode.ThemeColor('errorForeground') : undefined);
      item.tooltip = [`Session ${session.sessionId}`, session.userId && `User ${session.userId}`, session.models.join(', '),
        new Date(session.startMs).toLocaleString()].filter(Boolean).join('\n');
      item.command = { command: COMMANDS.openSession, title: 'Open Session', arguments: [session.sessionId] };
      return item;
    }
    const { turn } = node;
    const item = new vscode.TreeItem(turn.userInput?.replace(/\s+/g, ' ') || turn.name || turn.traceId.slice(0, 8), vscode.TreeItemCollapsibleState.None);
    item.id = `session/${node.sessionId}/${turn.traceId}`;
    item.description = [`turn ${node.index + 1}`, formatDuration(turn.durationMs), formatTokens(turn.tokens.total), turn.errorMessage && 'failed'].filter(Boolean).join(' · ');
    item.iconPath = new vscode.ThemeIcon(turn.status === 'error' ? 'error' : 'comment', turn.status === 'error' ? new vscode.ThemeColor('errorForeground') : undefined);
    item.tooltip = [turn.userInput && `User: ${turn.userInput}`, turn.answer && `Answer: ${turn.answer}`, turn.errorMessage].filter(Boolean).join('\n\n');
    item.command = { command: COMMANDS.openTrace, title: 'Open Trace', arguments: [turn.traceId] };
    return item;
  }

  dispose(): void {
    clearTimeout(this.pending);
    this.subscription.dispose();
    this.view.dispose();
    this.changed.dispose();
  }
}
