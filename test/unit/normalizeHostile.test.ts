// Normalization of hostile content: the frameworks' readers join lists from trace content, which
// may be longer than a function call takes arguments (a spread into push throws a RangeError).
import assert from 'node:assert/strict';
import { normalizeAttributes } from './helpers/rawSpans';

const MANY = 250_000;

describe('normalize, hostile input', () => {
  it(`reads a Gemini CLI answer of ${MANY.toLocaleString('en')} parts (was a RangeError)`, () => {
    const parts = Array.from({ length: MANY }, () => ({ x: 1 }));
    const span = normalizeAttributes({
      'gen_ai.agent.name': 'gemini-cli', 'gen_ai.operation.name': 'llm_call',
      'gen_ai.output.messages': JSON.stringify([{ role: 'model', parts: [{ text: 'hi' }, ...parts] }]),
    });
    assert.equal(span.outputMessages?.[0].content, 'hi');
    assert.equal(span.outputMessages?.[0].parts?.length, MANY);
  });

  it(`reads a Responses API output item with ${MANY.toLocaleString('en')} tool calls (was a RangeError)`, () => {
    const calls = Array.from({ length: MANY }, () => ({ name: 'f' }));
    const span = normalizeAttributes({
      'gen_ai.system': 'openai',
      response: JSON.stringify({ output: [{ role: 'assistant', content: 'ok', tool_calls: calls }] }),
    });
    assert.equal(span.outputMessages?.[0].content, 'ok');
    assert.equal(span.outputMessages?.[0].toolCalls?.length, MANY);
  });
});
