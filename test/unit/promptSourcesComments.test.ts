// Which text is a comment depends on the language: `#` starts a Python comment but a private
// name in JavaScript and TypeScript; `//` starts a JS/TS comment but is floor division in Python.
import assert from 'node:assert/strict';
import { PromptSources } from '../../src/engine/code/promptSources';

const SYSTEM = 'You are a careful support agent for Acme routers, answer briefly and politely.';
const only = (message: string) => ({ messages: [message], attributed: [] });

describe('prompt templates beside comment-like syntax', () => {
  it('finds a template in a TypeScript private field (#system), on its line', () => {
    const prompts = new PromptSources();
    prompts.setFile('/ws/agent.ts', `export class Agent {\n  #system = '${SYSTEM}';\n}\n`);
    const match = prompts.match(only(SYSTEM));
    assert.deepEqual([match?.file, match?.line], ['/ws/agent.ts', 2]);
  });

  it('finds a Python template after a floor division on its line', () => {
    const prompts = new PromptSources();
    prompts.setFile('/ws/agent.py', `half = len(items) // 2; SYSTEM = "${SYSTEM}"\n`);
    const match = prompts.match(only(SYSTEM));
    assert.deepEqual([match?.file, match?.line], ['/ws/agent.py', 1]);
  });

  it('still skips comments: an apostrophe in a Python # comment or a JS // comment opens no string', () => {
    const prompts = new PromptSources();
    prompts.setFile('/ws/a.py', `# don't "\nSYSTEM = "${SYSTEM}"\n`);
    prompts.setFile('/ws/b.js', `// it's "\nconst SYSTEM = "${SYSTEM}";\n`);
    const match = prompts.match(only(SYSTEM));
    assert.deepEqual([match?.line, match?.runnerUp?.line], [2, 2]);
  });
});
