// Real traffic: spans from the OpenTelemetry JS SDK, shipped by its OTLP/HTTP exporter to the
// receiver on the configured port, show up in the Traces tree with the facts a person scans for.
import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { focusViewCommand, VIEWS } from '../../../src/shared/commands';
import type { TreeNode } from '../../../src/extension/views/tracesTree';
import { sendAiRequests, SentTrace } from '../otlpTraffic';
import { api, config, rowsFor, shownTexts, statusBarText, ui, waitFor } from './harness';

const iconId = (item: vscode.TreeItem) => (item.iconPath as vscode.ThemeIcon | undefined)?.id;

describe('traces from a real OTLP exporter in the tree', () => {
  let sent: SentTrace[];
  let rows: Map<string, TreeNode>;
  let treeChanges = 0;

  before(async () => {
    const { tree } = await api();
    tree.onDidChangeTreeData(() => treeChanges++);
    sent = await sendAiRequests(config.httpPort, [
      { name: 'answer-refund-question', durationMs: 840, inputTokens: 1200, outputTokens: 85 },
      { name: 'summarize-ticket', durationMs: 5300, inputTokens: 5400, outputTokens: 320 },
      { name: 'classify-intent', durationMs: 420, inputTokens: 300, outputTokens: 5, error: 'RateLimitError: 429 Too Many Requests' },
    ]);
    rows = await rowsFor(sent);
  });

  it('refreshes the tree by itself when traces arrive', async () => {
    await waitFor('the tree to fire onDidChangeTreeData', () => treeChanges > 0);
  });

  it('shows each trace with its name, duration, tokens and input (the service only when there are several)', async () => {
    const { tree } = await api();
    const expected: Record<string, [string, string]> = {
      'answer-refund-question': ['840 ms', '1.3k tok'],
      'summarize-ticket': ['5.30 s', '5.7k tok'],
      'classify-intent': ['420 ms', '305 tok'],
    };
    for (const trace of sent) {
      const item = tree.getTreeItem(rows.get(trace.traceId)!);
      assert.equal(item.label, trace.name);
      const description = String(item.description);
      const [duration, tokens] = expected[trace.name];
      for (const part of [duration, tokens, `“question for ${trace.name}”`]) assert.ok(description.includes(part), `"${description}" shows ${part}`);
    }
  });

  it('prices the calls of a known model', async () => {
    const { tree } = await api();
    const item = tree.getTreeItem(rows.get(sent[1].traceId)!);
    assert.match(String(item.description), /\$\d/, 'gpt-4o-mini has a price');
  });

  it('marks failed traces with an error icon and count, slow ones with a watch, others as passed', async () => {
    const { tree } = await api();
    const [ok, slow, failed] = sent.map((t) => tree.getTreeItem(rows.get(t.traceId)!));
    assert.equal(iconId(ok), 'pass');
    assert.equal(iconId(slow), 'watch');
    assert.equal(iconId(failed), 'error');
    assert.match(String(failed.description), / \d+ errors? /);
    assert.doesNotMatch(String(ok.description), /error/);
  });

  it('expands a trace straight into its root\'s children with kind icons, model and tokens', async () => {
    const { tree } = await api();
    const trace = sent[0];
    // The trace row is its root: no second level to expand.
    const children = await tree.getChildren(rows.get(trace.traceId));
    const items = children.map((n) => tree.getTreeItem(n));
    assert.deepEqual(items.map((i) => i.label), trace.spanNames.slice(1));
    const [retrieval, llm] = items;
    assert.equal(iconId(retrieval), 'search');
    assert.equal(iconId(llm), 'sparkle');
    assert.ok(String(llm.description).includes(trace.model), String(llm.description));
    assert.ok(String(llm.description).includes('1.3k tok'), String(llm.description));
  });

  it('shows the failing span with an error icon', async () => {
    const { tree } = await api();
    const trace = sent[2];
    const llm = (await tree.getChildren(rows.get(trace.traceId))).map((n) => tree.getTreeItem(n)).find((i) => i.label === trace.spanNames[2]);
    assert.equal(llm && iconId(llm), 'error');
    assert.match(String(llm?.tooltip), /RateLimitError/);
  });

  it('counts traces and failures in the status bar', async () => {
    const { source } = await api();
    const stats = await source.stats();
    assert.ok(stats.traces >= sent.length && stats.errorTraces >= 1, JSON.stringify(stats));
    const text = await waitFor('the status bar to show the counts', async () => {
      const shown = await statusBarText();
      return shown.includes(`${stats.traces}`) && shown.includes(`${stats.errorTraces}`) ? shown : undefined;
    });
    assert.match(text, new RegExp(`:${config.httpPort} · ${stats.traces} · ${stats.errorTraces}`));
  });

  it('shows the rows in the Traces view', async () => {
    await vscode.commands.executeCommand(focusViewCommand(VIEWS.traces));
    const shown = await waitFor('the rows in the view', async () => {
      const [text = ''] = await shownTexts('[id="workbench.view.extension.aiTraceInspector"] .monaco-list');
      return sent.every((t) => text.includes(t.name)) ? text : undefined;
    });
    assert.ok(shown.includes('question for answer-refund-question'), 'rows show what was asked');
    await ui({ do: 'screenshot', name: 'suites-tree' });
  });
});
