// A conversation whose content was not recorded, in the real webview bundle: spans made by
// @opentelemetry/instrumentation-openai (captureMessageContent: false, logs exported) against the
// fake OpenAI server, exported over OTLP into a running engine, read back from its query API.
// Capture off still records each message's role: those must read as one muted line saying the
// content was not recorded and what to set, not as empty bubbles.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as path from 'node:path';
import { promisify } from 'node:util';
import type { TraceDetail } from '../../src/shared/spanModel';
import type { WebviewMessage } from '../../src/shared/webviewProtocol';
import { SHOTS, viewsInSuite } from './harness/viewsInSuite';

const TRACED_CHAT_CALL = path.join(__dirname, '..', 'unit', 'helpers', 'tracedChatCall.ts');
/** What the detail's copy and Replay… buttons asked the host for. */
const copiedAndReplayed = (posted: WebviewMessage[]) => posted.filter((m) => m.type === 'copyText' || m.type === 'replaySpan');

describe('Messages whose content was not recorded', function () {
  this.timeout(60_000);
  const { show } = viewsInSuite();

  /** One chat call through the real instrumentation, its logs exported; the trace as the engine serves it. */
  async function tracedCall(service: string, captureMessageContent: boolean, messages: { role: string; content: string }[]): Promise<TraceDetail> {
    const request = JSON.stringify({ service, captureMessageContent, messages });
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', TRACED_CHAT_CALL, request], { maxBuffer: 64 * 1024 * 1024 });
    return JSON.parse(stdout) as TraceDetail;
  }

  it('shows one muted line per run of content-less messages, naming the setting, instead of empty bubbles', async () => {
    const trace = await tracedCall('capture-off-app', false, [
      { role: 'system', content: 'You are a lighthouse guide.' },
      { role: 'user', content: 'How tall is Hornbjargsviti?' },
      { role: 'assistant', content: 'Which one?' },
      { role: 'user', content: 'The one in Iceland.' },
    ]);
    const llm = trace.spans.find((s) => s.kind === 'LLM')!;
    // The shape capture off leaves: every role, no text.
    assert.deepEqual(llm.inputMessages?.map((m) => [m.role, m.content]), [['system', ''], ['user', ''], ['assistant', ''], ['user', '']]);
    assert.deepEqual(llm.outputMessages?.map((m) => [m.role, m.content]), [['assistant', '']]);

    const view = await show(trace, { select: llm.spanId, height: 900 });
    const detail = view.page.locator('.span-detail');
    assert.equal(await detail.locator('.message').count(), 0, 'no empty bubbles');
    const lines = detail.locator('.message-not-recorded');
    assert.deepEqual(await lines.allInnerTexts(), [
      '4 messages (system, user, assistant, user) — content not recorded (capture is off for this instrumentation; the note above says what to set)',
      'Assistant message — content not recorded (capture is off for this instrumentation; the note above says what to set)',
    ]);
    const setting = /OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT=true .*\{ captureMessageContent: true \}/;
    assert.match(await lines.first().getAttribute('title') ?? '', setting, 'the setting, a hover away');
    assert.match(await detail.locator('.notice-banner').innerText(), setting, 'and in the note above');
    // Muted, in the theme's colours: not the text colour of a message.
    const colors = await lines.first().evaluate((el) => [getComputedStyle(el).color, getComputedStyle(document.body).color]);
    assert.notEqual(colors[0], colors[1], 'muted');
    // The logs did arrive (they carry the roles): the note above must not blame a missing log exporter.
    assert.doesNotMatch(await detail.locator('.notice-banner').innerText(), /never arrived/);
    await view.page.screenshot({ path: `${SHOTS}/content-not-recorded.png` });

    // Copy whole prompt says so too, rather than "user:" and nothing.
    await detail.locator('vscode-button', { hasText: 'Copy whole prompt' }).click();
    // Nothing to replay: Replay… is there, disabled, its tooltip saying why.
    const replay = view.page.locator('vscode-button', { hasText: 'Replay…' });
    assert.equal(await replay.getAttribute('disabled'), '');
    assert.match(await replay.getAttribute('title') ?? '', /recorded without its content .*nothing to replay/);
    await replay.click({ force: true });
    const notRecorded = '[content not recorded]';
    assert.deepEqual(copiedAndReplayed((await view.host()).posted), [
      { type: 'copyText', what: 'prompt', text: `system:\n${notRecorded}\n\nuser:\n${notRecorded}\n\nassistant:\n${notRecorded}\n\nuser:\n${notRecorded}` },
    ] satisfies WebviewMessage[]);
    await replay.hover({ force: true });
    await view.page.screenshot({ path: `${SHOTS}/content-not-recorded-replay-disabled.png` });
  });

  it('tells a message recorded as an empty string from one not recorded', async () => {
    const trace = await tracedCall('capture-on-app', true, [
      { role: 'user', content: 'How tall is Hornbjargsviti?' },
      { role: 'assistant', content: '' },
      { role: 'user', content: 'The one in Iceland.' },
    ]);
    const llm = trace.spans.find((s) => s.kind === 'LLM')!;
    const view = await show(trace, { select: llm.spanId, theme: 'light' });
    const detail = view.page.locator('.span-detail');
    assert.equal(await detail.locator('.message-not-recorded').count(), 0);
    assert.deepEqual(await detail.locator('.message-empty').allInnerTexts(), ['Assistant message — empty (recorded as "")']);
    assert.equal(await detail.locator('.message').count(), 3, 'the others as they were');
    assert.equal(await detail.locator('.notice-banner').count(), 0, 'nothing is missing');
    await view.page.screenshot({ path: `${SHOTS}/content-recorded-empty.png` });
    await detail.locator('vscode-button', { hasText: 'Copy whole prompt' }).click();
    await view.page.locator('vscode-button', { hasText: 'Replay…' }).click();
    assert.deepEqual(copiedAndReplayed((await view.host()).posted), [
      { type: 'copyText', what: 'prompt', text: 'user:\nHow tall is Hornbjargsviti?\n\nassistant:\n[empty: recorded as ""]\n\nuser:\nThe one in Iceland.' },
      { type: 'replaySpan', traceId: trace.summary.traceId, spanId: llm.spanId },
    ] satisfies WebviewMessage[]);
  });
});
