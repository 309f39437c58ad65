// Reading a trace as people do (issue 17), on the real bundle in Chromium: the conversation
// first, facts under headings that fit the span's kind, hints that check before they speak,
// badges only where they tell something, and a divider that gives the detail its room.
import assert from 'node:assert/strict';
import type { Attributes, TraceDetail } from '../../src/shared/spanModel';
import { spanIdOf, traceOf } from './harness/traces';
import { SHOTS, viewsInSuite } from './harness/viewsInSuite';
import type { WebviewPage } from './harness/webviewPage';


const TOOLS = [
  { type: 'function', function: { name: 'lookup_order', description: 'Find an order by id', parameters: { type: 'object', properties: { order_id: { type: 'string' } } } } },
  { type: 'function', function: { name: 'refund', description: 'Refund an order', parameters: { type: 'object', properties: { order_id: { type: 'string' }, reason: { type: 'string' } } } } },
];

/** An OpenInference LLM span of a streamed support answer that asked for usage but recorded none. */
function supportCall(parameters: object): Attributes {
  return {
    'openinference.span.kind': 'LLM', 'llm.model_name': 'gpt-4o-mini', 'llm.provider': 'openai',
    'llm.invocation_parameters': JSON.stringify(parameters),
    'llm.input_messages.0.message.role': 'system', 'llm.input_messages.0.message.content': 'You are a support bot.',
    'llm.input_messages.1.message.role': 'user', 'llm.input_messages.1.message.content': 'Where is my refund for A-17?',
    'llm.input_messages.2.message.role': 'assistant',
    'llm.input_messages.2.message.tool_calls.0.tool_call.id': 'call_1',
    'llm.input_messages.2.message.tool_calls.0.tool_call.function.name': 'lookup_order',
    'llm.input_messages.2.message.tool_calls.0.tool_call.function.arguments': '{"order_id":"A-17"}',
    'llm.input_messages.3.message.role': 'tool', 'llm.input_messages.3.message.tool_call_id': 'call_1',
    'llm.input_messages.3.message.content': '{"order_id":"A-17","status":"refunded","amount":42}',
    'llm.output_messages.0.message.role': 'assistant', 'llm.output_messages.0.message.content': 'Your refund of $42 was sent.',
    'session.id': 'sess-9', 'user.id': 'u-1',
  };
}

function supportTrace(parameters: object = { model: 'gpt-4o-mini', stream: true, stream_options: { include_usage: true }, tools: TOOLS }): TraceDetail {
  return traceOf(0xd1, [
    { id: 1, name: 'support.answer', start: 0, end: 2000, attributes: { 'openinference.span.kind': 'CHAIN', 'input.value': 'Where is my refund for A-17?', 'session.id': 'sess-9', 'user.id': 'u-1' } },
    { id: 2, parent: 1, name: 'ChatCompletion', start: 100, end: 1900, attributes: supportCall(parameters) },
  ]);
}

/** The detail's sections, top to bottom, by their headings. */
const headings = (view: WebviewPage) => view.page.locator('.detail-pane vscode-panel-view#view-content .detail-section > h3').allTextContents();

describe('reading a trace (issue 17)', function () {
  const { show } = viewsInSuite();

  it('puts the conversation first, then tokens and cost, then parameters with tools folded', async () => {
    const view = await show(supportTrace(), { select: spanIdOf(2), theme: 'light' });
    assert.deepEqual(await headings(view), ['Prompt', 'Response', 'Tokens and cost', 'Parameters', 'Session']);
    const tools = view.page.locator('.folded-parameter');
    assert.equal(await tools.count(), 1, 'tools are folded');
    assert.equal(await tools.evaluate((d) => (d as HTMLDetailsElement).open), false);
    assert.match(await tools.locator('summary').innerText(), /2 entries/);
    assert.equal(await view.page.locator('.facts.params').getByText('lookup_order').isVisible(), false, 'the tool definitions are not shown until unfolded');
    await view.page.screenshot({ path: `${SHOTS}/reading-llm-light.png` });
  });

  it('pretty-prints tool results in the conversation as it does arguments', async () => {
    const view = await show(supportTrace(), { select: spanIdOf(2) });
    const result = await view.page.locator('.message[data-role="tool"] .message-content').innerText();
    assert.equal(result, JSON.stringify({ order_id: 'A-17', status: 'refunded', amount: 42 }, null, 2));
  });

  it('gives a chain span a Session heading, never a Model one', async () => {
    const view = await show(supportTrace(), { select: spanIdOf(1) });
    const shown = await headings(view);
    assert.ok(shown.includes('Session'), `headings: ${shown}`);
    assert.ok(!shown.some((h) => /model|tokens/i.test(h)), `no model heading on a chain: ${shown}`);
  });

  it('says the instrumentation lost the usage when the stream asked for it, and asks for it only when it did not', async () => {
    const asked = await show(supportTrace(), { select: spanIdOf(2) });
    const said = await asked.page.locator('.notice-banner').innerText();
    assert.match(said, /did not record it/);
    assert.doesNotMatch(said, /pass stream_options/);
    const notAsked = await show(supportTrace({ model: 'gpt-4o-mini', stream: true }), { select: spanIdOf(2) });
    assert.match(await notAsked.page.locator('.notice-banner').innerText(), /pass stream_options: \{ include_usage: true \}/);
  });

  it('puts rank badges only in traces of three or more steps, on steps with a notable share', async () => {
    const small = await show(supportTrace());
    assert.equal(await small.page.locator('.row:not([hidden]) .slowest-tag:not([hidden])').count(), 0, 'one step: no badges');
    const single = await show(traceOf(0xd2, [{ id: 1, name: 'only', start: 0, end: 100 }]));
    assert.equal(await single.page.locator('.row:not([hidden]) .slowest-tag:not([hidden])').count(), 0, 'one span: no badges');
    const steps = [{ id: 1, name: 'root', start: 0, end: 1000 },
      { id: 2, parent: 1, name: 'big', start: 0, end: 700 },
      { id: 3, parent: 1, name: 'medium', start: 700, end: 950 },
      { id: 4, parent: 1, name: 'tiny a', start: 950, end: 960 },
      { id: 5, parent: 1, name: 'tiny b', start: 960, end: 970 }];
    const ranked = await show(traceOf(0xd3, steps));
    const badges = await ranked.page.locator('.row:not([hidden])', { has: ranked.page.locator('.slowest-tag:not([hidden])') }).locator('.span-name').allInnerTexts();
    assert.deepEqual(badges.sort(), ['big', 'medium'], 'tiny steps (1%) get none');
  });

  it('warns about a retrieval only when its best document scores under the threshold', async () => {
    const docs = (best: number) => traceOf(0xd4, [{ id: 1, name: 'retrieve', start: 0, end: 100, attributes: {
      'openinference.span.kind': 'RETRIEVER',
      'retrieval.documents.0.document.id': 'a', 'retrieval.documents.0.document.score': best, 'retrieval.documents.0.document.content': 'Refunds take 5 days.',
      'retrieval.documents.1.document.id': 'b', 'retrieval.documents.1.document.score': 0.2, 'retrieval.documents.1.document.content': 'Shipping rates.',
    } }]);
    const strong = await show(docs(0.97));
    assert.equal(await strong.page.locator('.warning-banner').count(), 0, 'best 0.97: no warning');
    assert.equal(await strong.page.locator('.low-score-tag').count(), 1, 'the weak document keeps its own tag');
    const weak = await show(docs(0.3));
    assert.match(await weak.page.locator('.warning-banner').innerText(), /best 0\.3/);
  });

  it('counts an exception once in the Events tab', async () => {
    const failed = traceOf(0xd5, [{ id: 1, name: 'call', start: 0, end: 100, error: 'rate limited', events: [
      { name: 'exception', timeMs: 1_780_000_000_050, attributes: { 'exception.type': 'RateLimitError', 'exception.message': '429' } },
      { name: 'retry', timeMs: 1_780_000_000_060, attributes: {} },
    ] }]);
    const view = await show(failed);
    assert.equal(await view.page.locator('#tab-events .count-badge').innerText(), '2', 'two events, the exception among them once');
  });

  it('lays the panes side by side when wide enough, with a divider that is dragged and remembered', async () => {
    const view = await show(supportTrace(), { width: 760, select: spanIdOf(2), detailShare: 0.5 });
    const split = view.page.locator('.split');
    assert.equal(await split.evaluate((e) => e.classList.contains('stacked')), false, '760 px: side by side');
    const handle = view.page.locator('.splitter');
    const box = (await handle.boundingBox())!;
    const before = (await view.page.locator('.detail-pane').boundingBox())!.width;
    await view.page.mouse.move(box.x + 2, box.y + 100);
    await view.page.mouse.down();
    await view.page.mouse.move(box.x - 150, box.y + 100, { steps: 5 });
    await view.page.mouse.up();
    const after = (await view.page.locator('.detail-pane').boundingBox())!.width;
    assert.ok(after > before + 100, `dragging left widens the detail (${before} → ${after})`);
    const layout = await view.posted('layout');
    assert.equal(layout.length, 1, 'one message when the drag ends');
    const share = (layout[0] as { detailShare: number }).detailShare;
    assert.ok(share > 0.6 && share < 0.85, `share ${share}`);
    await view.page.screenshot({ path: `${SHOTS}/reading-split-dark.png` });
    // A new view starts where the host says the divider was left.
    const next = await show(supportTrace(), { width: 760, detailShare: share });
    const width = (await next.page.locator('.detail-pane').boundingBox())!.width;
    assert.ok(Math.abs(width - after) < 12, `remembered: ${width} vs ${after}`);
    const narrow = await show(supportTrace(), { width: 480 });
    assert.equal(await narrow.page.locator('.split').evaluate((e) => e.classList.contains('stacked')), true, '480 px: stacked');
  });

  it('asks to keep a preview panel once the user works in it, not before', async () => {
    const view = await show(supportTrace());
    assert.deepEqual(await view.posted('pin'), [], 'showing a trace is not working in it');
    await view.page.locator('.row', { hasText: 'ChatCompletion' }).click();
    assert.deepEqual(await view.posted('pin'), [{ type: 'pin' }]);
  });
});
