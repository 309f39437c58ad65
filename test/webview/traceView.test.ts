// The trace view's real webview bundle in real headless Chromium, behind the host's real HTML
// and CSP. Only the VS Code host is stood in for (harness/webviewPage.ts).
import assert from 'node:assert/strict';
import type { TraceDetail } from '../../src/shared/spanModel';
import type { TraceViewState, WebviewMessage } from '../../src/shared/webviewProtocol';
import { agentRun, ragTrace, spanIdOf, traceOf, tutorialTraces } from './harness/traces';
import { SHOTS, viewsInSuite } from './harness/viewsInSuite';
import type { WebviewPage } from './harness/webviewPage';


/** The waterfall rows in view, top to bottom (the DOM holds them in pool order). */
async function shownRows(view: WebviewPage): Promise<{ name: string; spanId: string; classes: string; barWidth: number; level: string | null; expanded: string | null }[]> {
  return view.page.$$eval('.row:not([hidden])', (rows) => rows
    .map((row) => ({
      y: new DOMMatrix(getComputedStyle(row).transform).m42,
      name: row.querySelector('.span-name')!.textContent!,
      spanId: (row as HTMLElement).dataset.spanId!,
      classes: row.className,
      barWidth: (row.querySelector('.bar') as HTMLElement).getBoundingClientRect().width,
      level: row.getAttribute('aria-level'),
      expanded: row.getAttribute('aria-expanded'),
    }))
    .sort((a, b) => a.y - b.y)
    .map(({ y: _, ...rest }) => rest));
}

const detailText = (view: WebviewPage) => view.page.locator('.detail-pane').innerText();

describe('trace view webview in Chromium', function () {
  const { open, show } = viewsInSuite();

  it('asks the host for its trace when it starts', async () => {
    const view = await open();
    assert.deepEqual(await view.posted('ready'), [{ type: 'ready' }]);
    assert.match(await view.page.locator('#app').innerText(), /Loading the trace/);
  });

  it('draws one row per span in tree order with bars on a shared axis, kinds and services', async () => {
    const view = await show(ragTrace(), { theme: 'dark' });
    const rows = await shownRows(view);
    assert.deepEqual(rows.map((r) => [r.name, r.level]), [
      ['answer', '1'], ['retrieve', '2'], ['rerank', '2'], ['ChatCompletion', '2'], ['http POST', '3'], ['execute_tool get_weather', '2'],
    ]);
    const ratio = rows[2].barWidth / rows[0].barWidth;
    assert.ok(Math.abs(ratio - 4200 / 5300) < 0.02, `rerank's bar is 79% of the root's (${ratio})`);
    const ticks = await view.page.locator('.axis .tick').allInnerTexts();
    assert.equal(ticks[0], '0');
    const seconds = ticks.slice(1).map((t) => Number(/^(\d) s$/.exec(t)?.[1]));
    assert.ok(seconds.length >= 2 && seconds.every((n, i) => n > (seconds[i - 1] ?? 0) && n <= 5), `whole seconds up to 5.3 s: ${ticks}`);
    const legend = await view.page.locator('.legend').innerText();
    for (const kind of ['Chain', 'Retriever', 'Reranker', 'LLM', 'Tool', 'critical path']) assert.ok(legend.includes(kind), kind);
    assert.equal(await view.page.locator('.row:not([hidden]) .service-tag', { hasText: 'search-service' }).count(), 1, 'two services: each row names its own');
    const rerank = view.page.locator('.row', { hasText: 'rerank' });
    assert.deepEqual(await rerank.locator('.col-num').allInnerTexts(), ['4.20 s', '4.20 s', '79%']);
    await view.page.screenshot({ path: `${SHOTS}/rag-dark.png` });
  });

  it('makes the bottleneck obvious: the slowest step and the critical path', async () => {
    const view = await show(ragTrace());
    assert.match(await view.page.locator('.bottleneck').innerText(), /rerank took 4\.20 s of 5\.30 s \(79%\)/);
    assert.match(await view.page.locator('.row', { hasText: 'rerank' }).locator('.slowest-tag').innerText(), /^slowest$/);
    // The engine's detectors: their findings head the view and mark the span's row.
    const finding = view.page.locator('.trace-header .finding-banner');
    assert.match(await finding.innerText(), /Weak retrieval: the best of 2 documents scores 0\.42/);
    assert.equal(await view.page.locator('.row', { hasText: 'retrieve' }).locator('.finding-tag').isVisible(), true);
    assert.equal(await view.page.locator('.row', { hasText: 'rerank' }).locator('.finding-tag').isVisible(), false);
    await finding.locator('a').click();
    assert.equal(await view.page.locator('.span-title').innerText(), 'retrieve');
    const parallel = traceOf(0xc2, [
      { id: 1, name: 'root', start: 0, end: 1000 },
      { id: 2, parent: 1, name: 'cache lookup', start: 10, end: 300 },
      { id: 3, parent: 1, name: 'vector search', start: 10, end: 950 },
    ]);
    await view.sendTrace({ trace: parallel });
    const rows = await shownRows(view);
    assert.deepEqual(rows.map((r) => [r.name, r.classes.includes('critical')]), [['root', true], ['cache lookup', false], ['vector search', true]]);
    await view.page.locator('.bottleneck-link').click();
    assert.match(await view.page.locator('.span-title').innerText(), /vector search/);
  });

  it('moves with the keyboard: arrows, Enter opens the detail, left and right fold', async () => {
    const view = await show(ragTrace());
    await view.page.locator('.waterfall-body').focus();
    await view.page.keyboard.press('ArrowDown');
    await view.page.keyboard.press('ArrowDown');
    await view.page.keyboard.press('ArrowDown');
    await view.page.keyboard.press('Enter');
    assert.equal(await view.page.locator('.span-title').innerText(), 'ChatCompletion');
    assert.equal((await view.host()).state?.selectedSpanId, spanIdOf(4));
    await view.page.keyboard.press('ArrowLeft');
    let rows = await shownRows(view);
    assert.equal(rows.length, 5, 'ChatCompletion folded: its HTTP child is hidden');
    assert.equal(rows.find((r) => r.name === 'ChatCompletion')!.expanded, 'false');
    await view.page.keyboard.press('ArrowLeft');
    await view.page.keyboard.press('Enter');
    assert.equal(await view.page.locator('.span-title').innerText(), 'answer', 'left on a folded row goes to the parent');
    await view.page.keyboard.press('ArrowLeft');
    assert.equal((await shownRows(view)).length, 1);
    await view.page.keyboard.press('ArrowRight');
    await view.page.keyboard.press('End');
    await view.page.keyboard.press('Enter');
    assert.equal(await view.page.locator('.span-title').innerText(), 'execute_tool get_weather');
    assert.equal(await view.page.locator('.waterfall-body').getAttribute('aria-activedescendant'), 'span-row-5');
    await view.page.locator('.row', { hasText: 'ChatCompletion' }).locator('.twisty').click();
    rows = await shownRows(view);
    assert.equal(rows.length, 6, 'the twisty unfolds');
  });

  it('zooms into a time range by keys, buttons and dragging on the axis, and resets', async () => {
    const view = await show(ragTrace());
    const ticksBefore = await view.page.locator('.axis .tick').allInnerTexts();
    await view.page.locator('.waterfall-body').focus();
    await view.page.keyboard.press('+');
    assert.notDeepEqual(await view.page.locator('.axis .tick').allInnerTexts(), ticksBefore);
    await view.page.locator('vscode-button', { hasText: 'Reset zoom' }).click();
    assert.deepEqual(await view.page.locator('.axis .tick').allInnerTexts(), ticksBefore);
    const axis = (await view.page.locator('.axis').boundingBox())!;
    await view.page.mouse.move(axis.x + axis.width * 0.8, axis.y + 10);
    await view.page.mouse.down();
    await view.page.mouse.move(axis.x + axis.width * 0.9, axis.y + 10, { steps: 4 });
    await view.page.mouse.up();
    const ticks = await view.page.locator('.axis .tick').allInnerTexts();
    assert.ok(ticks.length >= 2 && ticks.every((t) => /^4\.[3-7] s$/.test(t)), `ticks within 4.24–4.77 s: ${ticks}`);
    const rows = await shownRows(view);
    assert.equal(rows.find((r) => r.name === 'retrieve')!.barWidth, 0, 'spans outside the range have no bar');
    await view.page.screenshot({ path: `${SHOTS}/rag-zoomed.png` });
  });

  it('shows an LLM call as a conversation with tool calls, model, parameters, tokens and cost; copies through the host', async () => {
    const view = await show(ragTrace(), { select: spanIdOf(4), theme: 'light' });
    const text = await detailText(view);
    for (const expected of ['gpt-4-0613', 'openai', '97 tok', '52 tok', '149 tok', 'temperature', '0.5', 'max_completion_tokens', 'Weather in Paris?',
      'get_weather', '"location": "Paris"', 'rainy, 57°F', 'The weather in Paris is currently rainy with a temperature of 57°F.']) {
      assert.ok(text.includes(expected), `detail shows ${expected}`);
    }
    assert.deepEqual(await view.page.locator('.message .role').allInnerTexts(), ['User', 'Assistant', 'Tool', 'Assistant']);
    assert.match(text, /Cost\s+\$0\.\d+ \(from the price table\)/);
    await view.page.screenshot({ path: `${SHOTS}/llm-light.png` });
    await view.page.locator('.message', { hasText: 'Absolutely!' }).locator('vscode-button', { hasText: 'Copy' }).click();
    await view.page.locator('vscode-button', { hasText: 'Copy whole prompt' }).click();
    await view.page.locator('vscode-button', { hasText: 'Copy span JSON' }).click();
    await view.page.locator('vscode-button', { hasText: 'Copy trace for AI' }).click();
    const posted = (await view.host()).posted.filter((m) => m.type !== 'ready');
    assert.deepEqual(posted, [
      { type: 'copyText', text: 'Absolutely! Let me check the weather for you.\nget_weather({\n  "location": "Paris"\n})', what: 'assistant message' },
      { type: 'copyText', what: 'prompt', text: 'user:\nWeather in Paris?\n\nassistant:\nAbsolutely! Let me check the weather for you.\nget_weather({\n  "location": "Paris"\n})\n\ntool:\nrainy, 57°F' },
      { type: 'copySpanJson', traceId: ragTrace().summary.traceId, spanId: spanIdOf(4) },
      { type: 'copyTraceForAi', traceId: ragTrace().summary.traceId },
    ] satisfies WebviewMessage[]);
  });

  it('offers Replay… on an LLM call (and not on other spans), asking the host to open it', async () => {
    const view = await show(ragTrace(), { select: spanIdOf(4) });
    await view.page.locator('vscode-button', { hasText: 'Replay…' }).click();
    const posted = (await view.host()).posted.filter((m) => m.type !== 'ready');
    assert.deepEqual(posted, [{ type: 'replaySpan', traceId: ragTrace().summary.traceId, spanId: spanIdOf(4) }] satisfies WebviewMessage[]);
    const tool = await show(ragTrace(), { select: spanIdOf(5) });
    assert.equal(await tool.page.locator('vscode-button', { hasText: 'Replay…' }).count(), 0);
  });

  it('shows retrieved documents by rank with a low-score warning, by the threshold setting', async () => {
    let view = await show(ragTrace(), { select: spanIdOf(2) });
    assert.match(await view.page.locator('.warning-banner').innerText(), /below 0\.5 \(best 0\.42\).*had to guess/);
    const documents = await view.page.locator('.document').allInnerTexts();
    assert.match(documents[0], /#1\s+score 0\.42\s+low score\s+id doc-17\s+Paris climate/);
    assert.match(documents[1], /#2\s+score 0\.31/);
    await view.page.screenshot({ path: `${SHOTS}/retriever-dark.png` });
    view = await show(ragTrace(), { select: spanIdOf(2), threshold: 0.3 });
    assert.equal(await view.page.locator('.warning-banner').count(), 0);
  });

  it('shows a tool call: name, arguments, result', async () => {
    const view = await show(ragTrace(), { select: spanIdOf(5) });
    const tool = await view.page.locator('.detail-section', { hasText: 'Tool: get_weather' }).innerText();
    assert.match(tool, /Arguments\s+\{\s+"city": "New York"\s+\}/);
    assert.match(tool, /Result\s+\{[\s\S]*"status": "success"/);
  });

  it('names the MCP server a tool ran on', async () => {
    const mcp = traceOf(0xb7, [{ id: 1, name: 'tools/call get-weather', start: 0, end: 90, attributes: {
      'mcp.method.name': 'tools/call', 'gen_ai.tool.name': 'get-weather', 'server.address': 'weather.example.local',
      'gen_ai.tool.call.arguments': '{"city":"Oslo"}',
    } }]);
    const view = await show(mcp, { select: spanIdOf(1) });
    const tool = await view.page.locator('.detail-section', { hasText: 'Tool: get-weather' }).innerText();
    assert.match(tool, /on MCP server weather\.example\.local/);
    assert.match(tool, /"city": "Oslo"/);
  });

  it('shows exceptions with linked stack frames, events, a source link, and filterable attributes', async () => {
    const failed = tutorialTraces().find((t) => t.summary.status === 'error')!;
    const llm = failed.spans.find((s) => s.name === 'openai_chat_completion')!;
    llm.exceptions![0].stacktrace = 'Traceback (most recent call last):\n  File "/app/llm_app_manual_trace.py", line 41, in generate_story\n    raise RateLimitError()';
    const view = await show(failed, { select: llm.spanId });
    const content = await detailText(view);
    assert.match(content, /Rate limit reached for gpt-3\.5-turbo/);
    assert.doesNotMatch(content, /No response was recorded/, 'a failed call is not blamed on content capture');
    await view.page.locator('#view-content .stack .source-link').click();
    await view.page.locator('.go-to-source').click();
    const opens = await view.posted('openSource');
    assert.deepEqual(opens, [
      { type: 'openSource', location: { file: '/app/llm_app_manual_trace.py', line: 41, function: 'generate_story' } },
      { type: 'openSource', location: llm.source },
    ]);
    assert.equal(llm.source?.file, 'llm_app_manual_trace.py');
    await view.page.locator('vscode-panel-tab#tab-events').click();
    assert.match(await view.page.locator('vscode-panel-view#view-events').innerText(), /exception/);
    await view.page.locator('vscode-panel-tab#tab-attributes').click();
    const attributeRows = view.page.locator('table.attributes tr:not(.group-row):not([hidden])');
    const all = await attributeRows.count();
    await view.page.locator('.attribute-filter input').fill('code.');
    assert.deepEqual(await attributeRows.locator('th').allInnerTexts(), ['code.filepath', 'code.function', 'code.lineno']);
    assert.ok(all > 3);
    assert.match(await view.page.locator('.filter-count').innerText(), new RegExp(`3 of ${all}`));
    assert.deepEqual(await view.page.locator('table.attributes tr.group-row:not([hidden])').allInnerTexts(), ['SPAN'], 'a group with no match hides its title');
    await view.page.screenshot({ path: `${SHOTS}/exception-attributes-dark.png` });
  });

  it('offers Go to source for the call site and the prompt template (and a close runner-up), each saying which', async () => {
    const trace = ragTrace();
    const llm = trace.spans.find((s) => s.spanId === spanIdOf(4))!;
    // As the engine sends a span it linked to the workspace: the call site, and the prompt's template.
    llm.source = { file: '/ws/app/rag.py', line: 58, function: 'answer', how: 'attribute' };
    llm.promptSource = { file: '/ws/app/prompts.py', line: 3, how: 'prompt', confidence: 0.92, runnerUp: { file: '/ws/old/prompts.py', line: 7, confidence: 0.88 } };
    const view = await show(trace, { select: spanIdOf(4) });
    const links = view.page.locator('.detail-actions .go-to-source');
    assert.deepEqual(await links.allInnerTexts(), [
      'Go to source: /ws/app/rag.py:58 (answer) · call site',
      'Go to source: /ws/app/prompts.py:3 · prompt template, 92% match',
      'or /ws/old/prompts.py:7 · prompt template, 88% match',
    ]);
    await links.nth(1).click();
    await links.nth(0).click();
    assert.deepEqual((await view.posted('openSource')).map((m) => (m as { location: { file: string; line: number } }).location).map((l) => [l.file, l.line]),
      [['/ws/app/prompts.py', 3], ['/ws/app/rag.py', 58]]);
    await view.page.screenshot({ path: `${SHOTS}/source-links-dark.png` });
    // An error's stack as the only route.
    llm.source = { file: '/ws/app/rag.py', line: 61, how: 'stack' };
    delete llm.promptSource;
    const failed = await show(trace, { select: spanIdOf(4) });
    assert.deepEqual(await failed.page.locator('.detail-actions .go-to-source').allInnerTexts(), ["Go to source: /ws/app/rag.py:61 · from the error's stack"]);
  });

  it('says why an LLM span has no prompt or response', async () => {
    const trace = traceOf(0xd1, [{ id: 1, name: 'chat gpt-4o', start: 0, end: 800, attributes: { 'gen_ai.system': 'openai', 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'gpt-4o', 'gen_ai.usage.input_tokens': 12, 'gen_ai.usage.output_tokens': 40 } }]);
    const view = await show(trace);
    const notice = await view.page.locator('.notice-banner').innerText();
    assert.match(notice, /OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT=true/);
    assert.match(notice, /\/v1\/logs/);
  });

  it('shows the time to first token of a streamed call beside its duration, and marks it on the bar', async () => {
    const trace = traceOf(0xd3, [{ id: 1, name: 'chat gpt-4o', start: 0, end: 2000, attributes: {
      'gen_ai.operation.name': 'chat', 'gen_ai.provider.name': 'openai', 'gen_ai.request.model': 'gpt-4o', 'gen_ai.response.time_to_first_chunk': 0.35,
      'gen_ai.request.stream': true,
      'gen_ai.input.messages': JSON.stringify([{ role: 'user', parts: [{ type: 'text', content: 'hi' }] }]),
      'gen_ai.output.messages': JSON.stringify([{ role: 'assistant', parts: [{ type: 'text', content: 'hello' }] }]),
    } }]);
    const view = await show(trace);
    assert.match(await view.page.locator('.detail-facts').innerText(), /^2\.00 s · first token 350 ms/);
    assert.match(await view.page.locator('.detail-pane').innerText(), /Time to first token\s+350 ms of 2\.00 s/);
    assert.match(await view.page.locator('.notice-banner').innerText(), /include_usage/, 'a stream without usage is explained');
    const mark = await view.page.locator('.row .ttft-mark').evaluate((el) => (el as HTMLElement).style.left);
    assert.equal(Math.round(parseFloat(mark)), Math.round((350 / 2000) * 100));
  });

  it('cuts a 200 KB value with "Show all" and shows all of it on demand', async () => {
    const huge = 'context line\n'.repeat(16_000);
    const trace = traceOf(0xd2, [{ id: 1, name: 'llm', start: 0, end: 100, attributes: { 'openinference.span.kind': 'LLM', 'llm.input_messages.0.message.role': 'user', 'llm.input_messages.0.message.content': huge } }]);
    const view = await show(trace);
    const message = view.page.locator('.message pre.message-content');
    assert.ok((await message.textContent())!.length <= 4000);
    await view.page.locator('vscode-button', { hasText: /Show all \(203 KB\)/ }).first().click();
    assert.equal((await message.textContent())!.length, huge.length);
  });

  it('keeps a 10,000-span trace to a bounded number of DOM rows and still reaches every span', async () => {
    const trace = agentRun(10_000);
    const view = await show(trace, { height: 800 });
    const domRows = await view.page.locator('.row').count();
    assert.ok(domRows < 80, `${domRows} DOM rows for 10,000 spans`);
    await view.page.locator('.waterfall-body').focus();
    await view.page.keyboard.press('End');
    await view.page.keyboard.press('Enter');
    const last = buildOrderLast(trace);
    assert.equal(await view.page.locator('.span-title').innerText(), last);
    assert.ok(await view.page.locator('.row').count() < 80, 'scrolling reuses rows');
    await view.page.screenshot({ path: `${SHOTS}/agent-10k-dark.png` });
  });

  it('restores selection, folds, zoom, tab and scroll from its saved state (hidden and shown, or a window reload)', async () => {
    const trace = ragTrace();
    const first = await show(trace);
    await first.page.locator('.row', { hasText: 'ChatCompletion' }).click();
    await first.page.locator('.waterfall-body').focus();
    await first.page.keyboard.press('ArrowLeft');
    await first.page.keyboard.press('+');
    await first.page.locator('vscode-panel-tab#tab-attributes').click();
    await first.page.waitForFunction(() => (window as unknown as { __host: { state?: TraceViewState } }).__host.state?.zoom?.start === 0.25);
    const saved = (await first.host()).state!;
    assert.deepEqual({ ...saved, scrollTop: undefined }, {
      traceId: trace.summary.traceId, selectedSpanId: spanIdOf(4), collapsed: [spanIdOf(4)], zoom: { start: 0.25, end: 0.75 }, detailTab: 'attributes', scrollTop: undefined,
    });
    // A new webview (what VS Code creates when the panel is shown again or the window reloads).
    const second = await open({ state: saved });
    assert.deepEqual(await second.posted('ready'), [{ type: 'ready', traceId: trace.summary.traceId }]);
    await second.sendTrace({ trace });
    assert.equal(await second.page.locator('.span-title').innerText(), 'ChatCompletion');
    assert.equal((await shownRows(second)).length, 5);
    assert.equal(await second.page.locator('vscode-panels').getAttribute('activeid'), 'tab-attributes');
    assert.deepEqual(await second.page.locator('.axis .tick').allInnerTexts(), await first.page.locator('.axis .tick').allInnerTexts());
  });

  it('says so when the trace is gone', async () => {
    const view = await open({ state: { traceId: 'ab'.repeat(16) } });
    await view.send({ type: 'traceMissing', traceId: 'ab'.repeat(16), message: 'Trace abab is not loaded: it may have been cleared.' });
    assert.match(await view.page.locator('#app').innerText(), /not loaded: it may have been cleared/);
  });
});

/** The name of the last span in tree order. */
function buildOrderLast(trace: TraceDetail): string {
  const last = trace.spans.filter((s) => s.parentSpanId === spanIdOf(1)).sort((a, b) => b.startMs - a.startMs)[0];
  const children = trace.spans.filter((s) => s.parentSpanId === last.spanId).sort((a, b) => b.startMs - a.startMs);
  return (children[0] ?? last).name;
}
