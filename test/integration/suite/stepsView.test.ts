// The Steps view: every step across the loaded traces with its numbers, sortable, and a click
// that lists the step's slowest and failed traces.
import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { sendAiRequests } from '../otlpTraffic';
import { api, config, rowsFor, runAndAccept, waitFor, waitForTraceEditor } from './harness';

describe('the Steps view', () => {
  const run = Date.now().toString(36);
  let failedTraceId = '';

  before(async () => {
    await api();
    const sent = await sendAiRequests(config.httpPort, [
      { name: `steps-fast-${run}`, durationMs: 500, inputTokens: 100, outputTokens: 10, model: `model-${run}` },
      { name: `steps-failed-${run}`, durationMs: 900, inputTokens: 100, outputTokens: 10, model: `model-${run}`, error: `Timeout ${run}` },
    ]);
    await rowsFor(sent);
    failedTraceId = sent[1].traceId;
  });

  it('lists each step with its count, failures and latency', async () => {
    const { steps } = await api();
    const step = await waitFor('the step of this run', async () => (await steps.getChildren()).find((s) => s.name === `chat model-${run}`));
    assert.equal(step.kind, 'LLM');
    assert.equal(step.count, 2);
    assert.equal(step.errors, 1);
    assert.equal(step.slowestInFailed, 1);
    const item = steps.getTreeItem(step);
    assert.match(String(item.description), /^2× · p50 \d+ ms · p95 \d+ ms · \d+% of time · 1 failed · slowest in 1 failed/);
  });

  it('sorts by error rate, failing steps first', async () => {
    const { steps } = await api();
    steps.sort = 'errors';
    const listed = await steps.getChildren();
    const rates = listed.map((s) => s.errors / s.count);
    assert.deepEqual(rates, [...rates].sort((a, b) => b - a));
    steps.sort = 'share';
  });

  it('opens a failed trace of the step from its row', async () => {
    const { steps } = await api();
    const step = (await steps.getChildren()).find((s) => s.name === `chat model-${run}`)!;
    const item = steps.getTreeItem(step);
    await runAndAccept(Promise.resolve(vscode.commands.executeCommand(item.command!.command, ...(item.command!.arguments ?? []))));
    // The failed trace is listed first, so accepting the pick opens it.
    await waitForTraceEditor({ traceId: failedTraceId, name: `steps-failed-${run}` });
  });
});
