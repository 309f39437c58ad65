// The engine runs in its own process; when it dies, the client starts it again and the traces
// it had stored come back, on the same port, also those cleared from memory (what Clear Traces'
// confirmation promises; the command itself asks in a modal dialog, which VS Code refuses to
// show while extension tests run, so the Playwright test clicks through it).
// vscode-languageclient gives up after 5 crashes in 3 minutes: the whole run kills the engine 3 times.
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { sendAiRequests, SentTrace } from '../otlpTraffic';
import { api, config, crashEngine, engineStatsAt, rowsFor, statusBarText, waitFor } from './harness';

describe('the engine process', () => {
  let sent: SentTrace[];

  before(async () => {
    sent = await sendAiRequests(config.httpPort, [{ name: 'survive-crash', durationMs: 1200, inputTokens: 640, outputTokens: 90 }]);
    await rowsFor(sent);
  });

  it('keeps received traces in the configured store', () => {
    assert.ok(readdirSync(config.storeDir).length > 0, `files in ${config.storeDir}`);
  });

  it('comes back after being killed, with the stored traces and the receiver on its port', async () => {
    const { source, tree } = await api();
    await source.clear();
    await waitFor('an empty tree', async () => (await tree.getChildren()).length === 0);
    const { killed, restarted } = await crashEngine();
    assert.throws(() => process.kill(killed, 0), 'the killed engine is gone');
    assert.doesNotThrow(() => process.kill(restarted, 0), 'the new engine is alive');
    const detail = await waitFor('the trace back from the store', () => source.trace(sent[0].traceId), 30_000);
    assert.deepEqual(detail.spans.map((s) => s.name).sort(), [...sent[0].spanNames].sort());
    await waitFor(`the receiver on ${config.httpPort} again`, () => engineStatsAt(config.httpPort), 30_000);
    await waitFor('the status bar to show the port again', async () => (await statusBarText()).includes(`:${config.httpPort}`));
    const rows = await rowsFor(sent);
    assert.equal(tree.getTreeItem(rows.get(sent[0].traceId)!).label, 'survive-crash');
  });

  it('receives new traffic after the restart', async () => {
    const more = await sendAiRequests(config.httpPort, [{ name: 'after-restart', durationMs: 300, inputTokens: 10, outputTokens: 2 }]);
    await rowsFor(more);
  });
});
