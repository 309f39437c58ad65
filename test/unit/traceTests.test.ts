// Regression tests (*.tracetest.json) end to end: a real app (the OTel SDK and OpenInference's
// openai instrumentation, test/fixtures/trace-test-app) against the fake OpenAI server. A good
// run is saved as a test with its trace as the baseline, as Save as Test does; then the CLI runs
// that test against the good app and against a regressed one, with exit codes, messages and
// JUnit XML; and the file format's problems, and commands that fail, time out or send nothing.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { startEngine, type Engine } from '../../src/engine/engine';
import { encodeTracesData } from '../../src/engine/otlp/encodeJson';
import { runEnvironment, runTraceTestFile } from '../../src/engine/traceTests/runTraceTest';
import { draftTraceTest, shellQuote } from '../../src/shared/traceTests/draftTest';
import { EXPECT_KEYS, MAX_TEST_FILE_CHARS, parseTraceTest, RUN_KEYS, TOP_KEYS } from '../../src/shared/traceTests/traceTestFormat';
import { startFakeOpenAiServer, type FakeOpenAiServer } from './helpers/fakeOpenAiServer';

const execFileAsync = promisify(execFile);
const REPO = resolve(__dirname, '..', '..');
const APP = join(REPO, 'test', 'fixtures', 'trace-test-app', 'app.cjs');
const QUESTION = 'Where is my order 1042?';
/** tsx's loader by path: the CLI runs in test folders outside the repository. */
const TSX = pathToFileURL(join(REPO, 'node_modules', 'tsx', 'dist', 'loader.mjs')).href;

/** The CLI as CI runs it (from source through tsx, so no build is needed): exit code and output. */
async function cli(args: string[], cwd: string): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await execFileAsync(process.execPath, ['--import', TSX, join(REPO, 'src', 'engine', 'cli.ts'), ...args], { cwd, timeout: 120_000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

describe('regression tests from traces', function () {
  this.timeout(120_000);
  let fakeApi: FakeOpenAiServer;
  let engine: Engine;
  let folder: string;
  let appEnv: Record<string, string>;

  const writeTest = (name: string, test: unknown) => {
    const file = join(folder, `${name}.tracetest.json`);
    writeFileSync(file, typeof test === 'string' ? test : JSON.stringify(test, null, 2));
    return file;
  };
  const target = () => engine.testTarget;

  before(async () => {
    fakeApi = await startFakeOpenAiServer();
    engine = await startEngine({ host: '127.0.0.1', httpPort: 0, grpcPort: null });
    folder = mkdtempSync(join(tmpdir(), 'ati-tracetests-'));
    appEnv = { OPENAI_BASE_URL: fakeApi.baseURL, OPENAI_API_KEY: 'not-a-key' };
  });

  after(async () => {
    await engine?.close();
    await fakeApi?.close();
    rmSync(folder, { recursive: true, force: true });
  });

  describe('a good run saved as a test', () => {
    let good: string;
    let regressed: string;

    before(async () => {
      // The user's good run: the app traced into this engine, found by its marker.
      const first = join(folder, 'first-run.tracetest.json');
      writeFileSync(first, JSON.stringify({ run: { command: `node "${APP}" "${QUESTION}"`, env: appEnv }, expect: {} }));
      const firstRun = await runTraceTestFile(first, target());
      assert.equal(firstRun.outcome, 'passed', JSON.stringify(firstRun));
      assert.equal(firstRun.traceIds.length, 1);
      const trace = engine.index.trace(firstRun.traceIds[0])!;

      // Save as Test: the drafted file, and the trace as its baseline.
      mkdirSync(join(folder, 'baselines'));
      writeFileSync(join(folder, 'baselines', 'support-agent.otlp.json'), JSON.stringify(encodeTracesData(engine.index.rawSpans(trace.summary.traceId)!)));
      const draft = draftTraceTest(trace, 'baselines/support-agent.otlp.json') as { run: { command: string }; expect: Record<string, unknown> };
      assert.equal(draft.run.command, `node app.js '${QUESTION}'`, 'the command carries the trace\'s input');
      assert.deepEqual(draft.expect, {
        status: 'ok', maxDurationMs: Math.ceil(trace.summary.durationMs * 1.5), maxTokens: Math.ceil(142 * 1.5),
        maxCostUsd: Number((trace.summary.costUsd * 1.5).toPrecision(3)), maxLlmCalls: 3,
        toolSequence: ['get_weather'], noFindings: ['loop'],
      });
      // The user points the command at their app, as the saved file asks them to.
      const saved = { ...draft, run: { ...draft.run, command: `node "${APP}" '${QUESTION}'`, env: appEnv } };
      good = writeTest('support-agent', { ...saved, expect: { ...draft.expect, maxDurationMs: 30_000, outputContains: ['lighthouse'], outputMatches: '\\d+ metres' } });
      regressed = writeTest('support-agent-regressed', { ...saved, name: 'support agent (broken prompt)', run: { ...saved.run, env: { ...appEnv, APP_VARIANT: 'regressed' } },
        expect: { ...draft.expect, maxDurationMs: 30_000, maxTokens: '1.2x' } });
    });

    it('passes through the CLI against the good app: one line, the summary, exit 0, JUnit XML', async () => {
      const junit = join(folder, 'good.xml');
      const { code, stdout } = await cli(['test', good, '--junit', junit], folder);
      assert.equal(code, 0, stdout);
      assert.match(stdout, /^PASS Support-agent|^PASS support-agent/m);
      assert.match(stdout, /^1 passed, 0 failed$/m);
      const xml = readFileSync(junit, 'utf8');
      assert.match(xml, /<testsuites name="AI Trace Inspector" tests="1" failures="0" errors="0"/);
      assert.match(xml, /<testcase name="support-agent" classname="[^"]*support-agent\.tracetest\.json" time="[\d.]+"\/>/);
    });

    it('fails against the regressed app, naming each expectation, expected vs actual and the trace: exit 1', async () => {
      const junit = join(folder, 'both.xml');
      const { code, stdout } = await cli(['test', '.', '--junit', junit], folder);
      assert.equal(code, 1, stdout);
      assert.match(stdout, /^FAIL support agent \(broken prompt\) \(support-agent-regressed\.tracetest\.json, /m);
      assert.match(stdout, /^ {2}maxTokens: expected ≤ 170 tokens \(1\.2x the baseline's 142 tokens\), got 627 tokens \(trace [0-9a-f]{32}\)$/m);
      assert.match(stdout, /^ {2}maxCostUsd: expected ≤ \$0\.0000\d+, got \$0\.000\d+ \(trace [0-9a-f]{32}\)$/m);
      assert.match(stdout, /^ {2}maxLlmCalls: expected ≤ 3 LLM call\(s\), got 7 LLM call\(s\) \(trace [0-9a-f]{32}\)$/m);
      assert.match(stdout, /^ {2}noFindings: expected no loop finding, got a loop finding \(trace [0-9a-f]{32}\)$/m);
      assert.doesNotMatch(stdout, /toolSequence/, 'the tool is still called, just too often');
      assert.match(stdout, /^PASS support-agent /m);
      assert.match(stdout, /^2 passed, 1 failed$/m, 'the first run\'s file passes too');
      const xml = readFileSync(junit, 'utf8');
      assert.match(xml, /tests="3" failures="1" errors="0"/);
      assert.match(xml, /<failure message="maxTokens: expected ≤ 170 tokens[^"]*" type="maxTokens">/);
    });

    it('checks the output, the tool order and the status of the run', async () => {
      const expectations = (expect: object) => writeTest('variations', { run: { command: `node "${APP}" "${QUESTION}"`, env: appEnv }, expect });
      const passed = await runTraceTestFile(expectations({ status: 'ok', toolSequence: ['get_weather'], outputContains: 'HORNBJARGSVITI' }), target());
      assert.deepEqual(passed.failures, []);
      const failed = await runTraceTestFile(expectations({
        status: 'error', toolSequence: ['lookup_order', 'get_weather'], outputMatches: 'refund', minRetrievalScore: 0.5, maxCostUsd: 0,
      }), target());
      assert.equal(failed.outcome, 'failed');
      const [traceId] = failed.traceIds;
      assert.deepEqual(failed.failures.map((f) => [f.expectation, f.actual, f.traceId]), [
        ['status', '"ok"', traceId],
        ['maxCostUsd', failed.failures[1].actual, traceId],
        ['toolSequence', 'get_weather', traceId],
        ['outputMatches', '"The Hornbjargsviti lighthouse stands about 10 metres tall."', traceId],
        ['minRetrievalScore', 'no retrieval with scores', traceId],
      ]);
      assert.equal(failed.failures[2].expected, 'tool calls in this order: lookup_order → get_weather');
    });
  });

  describe('runs that go wrong fail with the reason, and nothing hangs', () => {
    const run = (command: string, extra: object = {}) => runTraceTestFile(writeTest('broken', { run: { command, ...extra }, expect: { status: 'ok' } }), target());

    it('a command that does not exist', async () => {
      const result = await run('no-such-command-ati --flag');
      assert.equal(result.outcome, 'failed');
      assert.equal(result.failures[0].expectation, 'run');
      assert.match(result.failures[0].actual, /^exit 127; its output ended with:\n.*no-such-command-ati.*not found/s);
    });

    it('a command that runs past its timeout is stopped', async () => {
      const result = await run(`node -e "setTimeout(() => {}, 60000)"`, { timeoutMs: 1000 });
      assert.match(result.failures[0].actual, /^timed out after 1000 ms \(run\.timeoutMs\) and was stopped/);
      assert.ok(result.durationMs < 30_000);
    });

    it('a command that sends no traces', async () => {
      const result = await run('node -e "console.log(1)"');
      assert.match(result.failures[0].actual, /^no traces arrived within the quiet period after "node -e "console.log\(1\)"" exited/);
    });

    it('a run cancelled from Test Explorer stops its command', async () => {
      const stop = new AbortController();
      setTimeout(() => stop.abort(), 500);
      const file = writeTest('cancelled', { run: { command: 'node -e "setTimeout(() => {}, 60000)"' }, expect: {} });
      const result = await runTraceTestFile(file, target(), stop.signal);
      assert.deepEqual(result.failures.map((f) => f.actual), ['cancelled']);
      assert.ok(result.durationMs < 30_000);
    });

    it('an app told to export over gRPC gets the gRPC receiver', () => {
      const test = parseTraceTest('{"run": {"command": "x", "env": {"OTEL_EXPORTER_OTLP_PROTOCOL": "grpc"}}, "expect": {}}', 'a').test!;
      const env = runEnvironment(test, { ...target(), grpcPort: 4317 }, 'abc');
      assert.equal(env.OTEL_EXPORTER_OTLP_ENDPOINT, 'http://127.0.0.1:4317');
      assert.equal(env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT, 'http://127.0.0.1:4317');
    });

    it('a cwd that is not there', async () => {
      const result = await run('true', { cwd: 'missing-folder' });
      assert.match(result.failures[0].actual, /^run\.cwd .*missing-folder is not a folder$/);
    });

    it('a command started with the engine\'s OTLP endpoint and the run\'s mark merged into the user\'s resource attributes', async () => {
      const result = await runTraceTestFile(writeTest('env', {
        run: { command: 'node -e "console.log(process.env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT, process.env.OTEL_RESOURCE_ATTRIBUTES); process.exit(4)"', env: { OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment=ci' } },
        expect: {},
      }), target());
      assert.match(result.failures[0].actual, new RegExp(`^exit 4; its output ended with:\nhttp://127\\.0\\.0\\.1:${engine.httpPort}/v1/traces deployment\\.environment=ci,ai_trace_inspector\\.test_run=[a-z]{20}$`));
    });
  });

  describe('test files', () => {
    it('take the keys of the issue\'s example exactly as written', () => {
      const { test, problems } = parseTraceTest(JSON.stringify({
        name: 'refund question',
        run: { command: 'node app.js "Where is my order 1042?"', cwd: '.', timeoutMs: 60000 },
        expect: {
          status: 'ok', maxDurationMs: 5000, maxTokens: 2000, maxCostUsd: 0.01, maxLlmCalls: 6,
          toolSequence: ['lookup_order', 'issue_refund'], noFindings: ['loop'],
          outputContains: ['refund'], outputMatches: 'order \\d+', minRetrievalScore: 0.5,
        },
        baseline: 'baselines/refund-question.otlp.json',
      }), 'x.tracetest.json');
      assert.deepEqual(problems, []);
      assert.equal(test?.run.timeoutMs, 60000);
      assert.deepEqual(parseTraceTest('{"run": {"command": "x"}, "expect": {"maxTokens": "1.2x"}, "baseline": "b.json"}', 'a.tracetest.json').test?.expect,
        { maxTokens: { times: 1.2 } });
    });

    it('say which key is wrong, why, and on which line', () => {
      const text = '{\n  "run": {"command": ""},\n  "expect": {\n    "maxTokens": "lots",\n    "noFindings": ["loops"],\n    "outputMatches": "(",\n    "maxCost": 1,\n    "maxLlmCalls": "2x"\n  }\n}';
      assert.deepEqual(parseTraceTest(text, 'a.tracetest.json').problems.map((p) => `${p.line}:${p.key}`), [
        '2:run.command', '7:expect.maxCost', '4:expect.maxTokens', '5:expect.noFindings', '6:expect.outputMatches', '8:expect.maxLlmCalls',
      ]);
      assert.match(parseTraceTest(text, 'a.tracetest.json').problems[5].reason, /^a budget relative to the baseline \("2x"\) needs "baseline"$/);
      assert.match(parseTraceTest('{"run": {"command": "x"}, "expect": {}, "baseline": 3}', 'a').problems[0].reason, /must be a path/);
      assert.match(parseTraceTest('{"run": ', 'a').problems[0].reason, /^not valid JSON: /);
      assert.match(parseTraceTest(`{"name": "${'x'.repeat(MAX_TEST_FILE_CHARS)}"}`, 'a').problems[0].reason, /^too large for a test file/);
    });

    it('get the trace\'s input into the drafted command as one shell word, whatever it holds', async () => {
      const input = 'It\'s "urgent": $HOME `id` \\ order #1042;\nsecond line';
      const { stdout } = await execFileAsync('sh', ['-c', `printf %s ${shellQuote(input)}`]);
      assert.equal(stdout, input);
    });

    it('agree with the JSON schema the extension contributes', () => {
      const schema = JSON.parse(readFileSync(join(REPO, 'schemas', 'tracetest.schema.json'), 'utf8'));
      assert.deepEqual(Object.keys(schema.properties).sort(), [...TOP_KEYS].sort());
      assert.deepEqual(Object.keys(schema.properties.run.properties).sort(), [...RUN_KEYS].sort());
      assert.deepEqual(Object.keys(schema.properties.expect.properties).sort(), [...EXPECT_KEYS].sort());
      const manifest = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8'));
      const tracetest = manifest.contributes.jsonValidation.filter((v: { fileMatch: string }) => v.fileMatch === '*.tracetest.json');
      assert.deepEqual(tracetest, [{ fileMatch: '*.tracetest.json', url: './schemas/tracetest.schema.json' }]);
    });

    it('an invalid one stops the CLI with exit 2, naming the file, the key and why', async () => {
      const invalidFolder = join(folder, 'invalid');
      mkdirSync(invalidFolder);
      writeFileSync(join(invalidFolder, 'bad.tracetest.json'), '{\n  "run": {"command": "true"},\n  "expect": {"maxTokens": -1}\n}');
      const { code, stdout } = await cli(['test', 'invalid'], folder);
      assert.equal(code, 2, stdout);
      assert.match(stdout, /^INVALID invalid\/bad\.tracetest\.json\n {2}invalid\/bad\.tracetest\.json:3: expect\.maxTokens: must be a number ≥ 0 or a multiple of the baseline such as "1\.2x", got -1$/m);
      assert.match(stdout, /^0 passed, 0 failed\n1 invalid test file\(s\)$/m);
      const { stdout: withJunit } = await cli(['test', 'invalid', '--junit', 'invalid.xml'], folder);
      assert.match(withJunit, /^INVALID /m);
      assert.match(readFileSync(join(folder, 'invalid.xml'), 'utf8'), /<testcase name="bad" [^>]*>\n\s*<error message="expect\.maxTokens: must be a number ≥ 0[^"]*" type="invalid test file">/);
    });
  });
});
