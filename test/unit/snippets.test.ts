// The instrumentation snippets, as a user pastes them: each Node snippet goes into an empty app
// folder, its own install line runs against the npm registry, and a plain app that imports it
// calls a fake OpenAI-compatible server on loopback; the engine must receive LLM spans with the
// prompt and the answer. The Python snippets must parse and name the packages and classes the
// OpenInference instrumentations really have (read from their sources, see test/fixtures).
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { SNIPPETS, type InstrumentationSnippet } from '../../src/extension/commands/snippets';
import { CANNED } from './helpers/fakeOpenAiServer';
import { useLiveEngine } from './helpers/liveEngine';
import { FIXTURES } from './helpers/rawSpans';

const run = promisify(execFile);

/**
 * A plain app per Node stack: what the user already has, plus the one package it calls through.
 * `call` is the text of the line that makes the LLM call, where every LLM span must point; none
 * for LangChain.js, whose spans start from a callback queue where no frame of the app is on the
 * stack (the call-site processor must then record nothing rather than a library's line).
 */
const NODE_APPS: Record<string, { packages: string[]; call?: string; app: (question: string) => string }> = {
  'node-openai': {
    packages: [],
    call: 'const answer = await client.chat.completions.create({',
    app: (question) => `import './tracing.mjs';
import OpenAI from 'openai';
const client = new OpenAI();
const answer = await client.chat.completions.create({
  model: 'gpt-4o-mini',
  messages: [{ role: 'system', content: 'You answer about lighthouses.' }, { role: 'user', content: ${JSON.stringify(question)} }],
});
console.log(answer.choices[0].message.content);
`,
  },
  'node-langchain': {
    packages: ['@langchain/openai'],
    app: (question) => `import './tracing.mjs';
import { ChatOpenAI } from '@langchain/openai';
const model = new ChatOpenAI({ model: 'gpt-4o-mini', configuration: { baseURL: process.env.OPENAI_BASE_URL } });
const answer = await model.invoke([['system', 'You answer about lighthouses.'], ['user', ${JSON.stringify(question)}]]);
console.log(answer.content);
`,
  },
  'node-vercel-ai': {
    packages: ['@ai-sdk/openai'],
    call: 'const { text } = await generateText(',
    app: (question) => `import './tracing.mjs';
import { generateText } from 'ai';
import { createOpenAI } from '@ai-sdk/openai';
const openai = createOpenAI({ baseURL: process.env.OPENAI_BASE_URL });
const { text } = await generateText({ model: openai.chat('gpt-4o-mini'), system: 'You answer about lighthouses.', prompt: ${JSON.stringify(question)} });
console.log(text);
`,
  },
};

const messageText = (content: unknown): string => typeof content === 'string' ? content : JSON.stringify(content ?? '');

describe('instrumentation snippets, installed and run as a user would', function () {
  this.timeout(300_000);
  const live = useLiveEngine();
  const folders: string[] = [];
  after(() => {
    for (const folder of folders) rmSync(folder, { recursive: true, force: true });
  });

  it('offers every stack the welcome view names', () => {
    assert.deepEqual(SNIPPETS.map((s) => s.id), [
      'python-openai', 'python-anthropic', 'python-langchain', 'python-llamaindex', 'python-dspy',
      'node-openai', 'node-langchain', 'node-vercel-ai',
    ]);
  });

  for (const snippet of SNIPPETS.filter((s) => s.language === 'node')) {
    it(`${snippet.label}: the snippet's install line and code trace a plain app's LLM call with its prompt`, async () => {
      const folder = mkdtempSync(join(tmpdir(), `ati-snippet-${snippet.id}-`));
      folders.push(folder);
      const question = `How tall is the lighthouse at Hornbjarg? (ref zq${snippet.id.replace(/[^a-z]/g, '')})`;
      writeFileSync(join(folder, 'package.json'), JSON.stringify({ name: 'plain-app', private: true, type: 'module' }));
      writeFileSync(join(folder, 'tracing.mjs'), snippet.code(live.engine.httpPort));
      writeFileSync(join(folder, 'app.mjs'), NODE_APPS[snippet.id].app(question));

      const installLine = snippet.code(live.engine.httpPort).split('\n')[0];
      assert.match(installLine, /^\/\/ npm i /, 'the snippet starts with its install line');
      const packages = installLine.replace(/^\/\/ npm i /, '').split(' ');
      await run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', ...packages, ...NODE_APPS[snippet.id].packages], { cwd: folder, timeout: 240_000 });

      const { stdout } = await run(process.execPath, ['app.mjs'], {
        cwd: folder, timeout: 60_000,
        env: { ...process.env, OPENAI_API_KEY: 'sk-test-not-a-real-key', OPENAI_BASE_URL: live.fakeApi.baseURL },
      });
      assert.match(stdout, new RegExp(CANNED.text.content.slice(0, 20)), 'the app got the fake model\'s answer');

      // The process flushed before exiting, so the spans are already in the engine.
      const trace = await live.api.onlyTrace({ q: question.slice(-12, -1) });
      const llm = trace.spans.filter((s) => s.kind === 'LLM');
      assert.ok(llm.length >= 1, `an LLM span arrived; spans: ${trace.spans.map((s) => `${s.name} (${s.kind})`).join(', ')}`);
      const withPrompt = llm.find((s) => s.inputMessages?.some((m) => m.role === 'user' && messageText(m.content).includes(question)));
      assert.ok(withPrompt, `an LLM span carries the user's prompt; got ${JSON.stringify(llm.map((s) => s.inputMessages))}`);
      assert.ok(withPrompt.outputMessages?.some((m) => messageText(m.content).includes(CANNED.text.content)), 'and the answer');
      assert.equal(trace.summary.service, 'my-ai-app');

      // The snippet's call-site processor: every LLM span points at the app's line that called.
      const { call, app } = NODE_APPS[snippet.id];
      if (call) {
        const appFile = join(realpathSync(folder), 'app.mjs');
        const callLine = app(question).split('\n').findIndex((line) => line.startsWith(call)) + 1;
        for (const span of llm) {
          assert.deepEqual([span.attributes['code.file.path'], span.attributes['code.line.number']], [appFile, callLine], `${span.name} records the app's call line`);
          assert.deepEqual([span.source?.file, span.source?.line], [appFile, callLine], 'and the engine reads it as the span\'s source');
        }
      } else {
        for (const span of trace.spans) assert.equal(span.attributes['code.file.path'], undefined, `${span.name} records no call site, not a library's`);
      }
    });
  }

  describe('Python snippets', () => {
    const facts = JSON.parse(readFileSync(join(FIXTURES, 'openinference-python', 'instrumentors.json'), 'utf8')) as {
      instrumentors: { pip: string; module: string; class: string }[];
    };
    const python = SNIPPETS.filter((s) => s.language === 'python');

    for (const snippet of python) {
      it(`${snippet.label}: parses, and names a real OpenInference package, module and class`, () => {
        const code = snippet.code(4318);
        const [, module, instrumentor] = /^from (openinference\.instrumentation\.\w+) import (\w+)$/m.exec(code) ?? [];
        const fact = facts.instrumentors.find((f) => f.module === module);
        assert.ok(fact, `${module} is an OpenInference instrumentation module`);
        assert.equal(instrumentor, fact.class);
        assert.ok(snippet.packages.includes(fact.pip), `the install line installs ${fact.pip}`);
        assert.match(code.split('\n')[0], new RegExp(`^# pip install .*\\b${fact.pip}\\b`));
        assert.match(code, new RegExp(`^${fact.class}\\(\\)\\.instrument\\(tracer_provider=provider\\)$`, 'm'));
        assert.match(code, /OTLPSpanExporter\(endpoint="http:\/\/127\.0\.0\.1:4318\/v1\/traces"\)/);
        pythonParses(code, snippet);
      });
    }

    it('the call-site processor stamps a span with the first frame of the app, past the SDK in site-packages', () => {
      // No OTel Python here: the processor's class runs as written, with the SDK's base class
      // stubbed, called the way the SDK calls it (from site-packages) under an app's function.
      const code = python[0].code(4318);
      const processor = /^class CallSiteProcessor\(SpanProcessor\):\n(?: {4}.*\n|\n)+/m.exec(code)?.[0];
      assert.ok(processor, 'the snippet defines CallSiteProcessor');
      assert.match(code, /^provider\.add_span_processor\(CallSiteProcessor\(\)\)$/m);
      const folder = mkdtempSync(join(tmpdir(), 'ati-python-call-site-'));
      folders.push(folder);
      mkdirSync(join(folder, 'site-packages'));
      writeFileSync(join(folder, 'site-packages', 'fake_sdk.py'), 'def start_span(processor, span):\n    processor.on_start(span, None)\n    return span\n');
      writeFileSync(join(folder, 'processor.py'), `import sys\nimport sysconfig\n\nclass SpanProcessor:\n    pass\n\n${processor}`);
      writeFileSync(join(folder, 'app.py'), [
        'import sys', 'sys.path[:0] = ["site-packages", "."]', 'import fake_sdk', 'from processor import CallSiteProcessor', '',
        'class Span:', '    def set_attributes(self, attributes):', '        self.attributes = attributes', '',
        'def answer():', '    return fake_sdk.start_span(CallSiteProcessor(), Span())  # line 11', '',
        'print(answer().attributes)', '',
      ].join('\n'));
      const printed = execFileSync('python3', ['app.py'], { cwd: folder, encoding: 'utf8' });
      assert.equal(printed.trim(), `{'code.file.path': '${join(folder, 'app.py')}', 'code.line.number': 11, 'code.function.name': 'answer'}`);
    });
  });
});

function pythonParses(code: string, snippet: InstrumentationSnippet): void {
  try {
    execFileSync('python3', ['-c', 'import ast, sys; ast.parse(sys.stdin.read())'], { input: code, stdio: ['pipe', 'pipe', 'pipe'] });
  } catch (error) {
    assert.fail(`the ${snippet.label} snippet is not valid Python: ${(error as { stderr?: Buffer }).stderr ?? error}`);
  }
}
