// A 100,000-span agent run in the editor (issue 18): opened by Open Trace by ID, drawn from its
// skeleton, scrolled to its end, and the last span's detail opened, fetched from the engine.
import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { COMMANDS } from '../../../src/shared/commands';
import { TREE_SPANS, type TreeNode } from '../../../src/extension/views/tracesTree';
import { copyTraceForAi } from '../../../src/extension/traceView/traceViewPanels';
import { COPY_FOR_AI_BUDGET } from '../../../src/shared/traceForAi';
import { agentRunSpans, agentRunTraceId, sendOtlpJson } from '../agentRunTraffic';
import { api, config, rowsFor, shownTexts, sleep, ui, waitFor, withoutWholeTraces } from './harness';

const SPANS = 100_000;
const TRACE_NUMBER = 0x100e5;

/** The last row of the waterfall: from the root, the child that starts last, down to a leaf. */
function lastInTreeOrder(spans: ReturnType<typeof agentRunSpans>): { spanId: string; name: string } {
  const children = new Map<string, typeof spans>();
  for (const span of spans) if (span.parentSpanId) children.set(span.parentSpanId, [...(children.get(span.parentSpanId) ?? []), span]);
  let node = spans.find((s) => !s.parentSpanId)!;
  for (let kids = children.get(node.spanId); kids?.length; kids = children.get(node.spanId)) {
    node = kids.reduce((a, b) => (BigInt(b.startTimeUnixNano) >= BigInt(a.startTimeUnixNano) ? b : a));
  }
  return node;
}

type Shown = { text: string; spanId: string | null }[];
const webviewText = async (selector: string) => JSON.parse(await ui({ do: 'webviewText', selector })) as Shown;

describe('a 100,000-span trace (issue 18)', function () {
  this.timeout(300_000);
  const traceId = agentRunTraceId(TRACE_NUMBER);

  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    // Frees the engine for the suites after this one.
    await (await api()).source.clear();
  });

  it('opens by id, scrolls to its end and opens the last span\'s detail', async () => {
    const spans = agentRunSpans(TRACE_NUMBER, SPANS);
    const last = lastInTreeOrder(spans);
    const { source } = await api();
    await sendOtlpJson(config.httpPort, spans);
    await waitFor('the engine to hold the trace', async () => (await source.query({ q: traceId, limit: 1 }))[0]?.spanCount === SPANS, 120_000);

    const done = vscode.commands.executeCommand(COMMANDS.openTraceById);
    await ui({ do: 'quickInput', text: traceId, enter: true });
    await done;
    await waitFor('the waterfall with every span counted', async () => (await webviewText('.trace-facts'))[0]?.text.includes(`${SPANS} spans`), 120_000);
    // Drawn first from its first screens; End needs every span.
    await waitFor('every span in the waterfall', async () => (await webviewText('.waterfall[aria-busy="false"]')).length === 1, 120_000);
    const domRows = (await webviewText('.row')).length;
    assert.ok(domRows < 100, `${domRows} rows in the DOM for ${SPANS} spans`);

    await ui({ do: 'webviewPress', selector: '.waterfall-body', keys: ['End', 'Enter'] });
    const [cursor] = await webviewText('.row.cursor');
    assert.equal(cursor.spanId, last.spanId, 'End goes to the last span in tree order');
    const [detail] = await waitFor('the last span\'s detail', async () => {
      const shown = await webviewText('.span-detail');
      return shown[0]?.spanId === last.spanId ? shown : undefined;
    }, 60_000);
    assert.match(detail.text, new RegExp(last.name));
    assert.match(detail.text, /Fix the failing tests|run_tests|Turn \d+ at depth/, 'with its content, fetched from the engine');
    await ui({ do: 'screenshot', name: 'large-trace-100k-end' });
  });

  it('opens in the Traces view onto its first spans, with "More in the trace view…" where they stop, never reading the whole trace', async () => {
    const { tree } = await api();
    const row = (await rowsFor([{ traceId, name: `agent run ${SPANS}` }])).get(traceId)!;
    let spans = 0;
    const more: TreeNode[] = [];
    const walk = async (node: TreeNode): Promise<void> => {
      for (const child of await tree.getChildren(node)) {
        if (child.type === 'more') more.push(child);
        else if (child.type === 'span') {
          spans++;
          await walk(child);
        }
      }
    };
    await withoutWholeTraces(() => walk(row));
    assert.ok(spans > 10 && spans <= TREE_SPANS, `${spans} span rows`);
    assert.ok(more.length >= 1, 'the lists it cut end in More…');
    const item = tree.getTreeItem(more[0]);
    assert.equal(item.label, 'More in the trace view…');
    assert.equal(item.description, `${TREE_SPANS} of 100,000 spans here`);
    assert.equal(item.command?.command, COMMANDS.openTrace);

    // As a person sees it: the row expanded in the view, its first sub-agent too.
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await vscode.commands.executeCommand('aiTraceInspector.traces.focus');
    // Filtered to this trace, so its row is drawn whatever the other suites left in the view.
    Object.assign(tree.filters, { text: `trace.name = "agent run ${SPANS}"` });
    tree.refreshNow();
    try {
      await ui({ do: 'clickElement', selector: `.monaco-list-row:has-text("agent run ${SPANS}") .monaco-tl-twistie` });
      // End shows where its first spans stop.
      await waitFor('the trace\'s first spans in the view, ending in More…', async () => {
        await ui({ do: 'press', key: 'End' });
        return Number(await ui({ do: 'countVisible', selector: '.monaco-list-row:has-text("More in the trace view")' })) > 0;
      }, 30_000);
      await sleep(300);
      await ui({ do: 'screenshot', name: 'large-trace-100k-tree' });
    } finally {
      Object.assign(tree.filters, { text: '' });
      tree.refreshNow();
    }
  });

  it('copies the trace for AI as the engine built it, saying how much of it the text holds', async () => {
    const { source } = await api();
    const reply = await withoutWholeTraces(() => copyTraceForAi(source, traceId));
    assert.ok(reply && reply.leftOut > 0 && reply.spanCount === SPANS, JSON.stringify({ ...reply, text: undefined }));
    const copied = await vscode.env.clipboard.readText();
    assert.match(copied, new RegExp(`^# Trace: agent run ${SPANS}\n`));
    assert.ok(copied.length <= COPY_FOR_AI_BUDGET + 200, `${copied.length} characters`);
    const toast = await waitFor('the size notice', async () => (await shownTexts('.notification-toast').catch(() => [])).find((t) => t.includes('Copied the trace')));
    assert.match(toast, /hold [\d,]+ of its 100,000 spans/);
    await sleep(500);
    await ui({ do: 'screenshot', name: 'large-trace-100k-copy-for-ai' });
    await vscode.commands.executeCommand('notifications.clearAll');
  });
});
