// The regression test file (`*.tracetest.json`): what it may hold, and the check that says which
// key is wrong and why. The extension shows these problems as diagnostics while the user types;
// the engine refuses to run a file that has any. schemas/tracetest.schema.json describes the
// same keys for the JSON editor (test/unit/traceTests.test.ts checks that they agree).
import { FINDING_LABELS, type DetectorKind } from '../spanModel';

export const TEST_FILE_SUFFIX = '.tracetest.json';

/** A limit: an absolute figure, or a multiple of the baseline's ("1.2x"). */
export type Budget = number | { times: number };

export interface TraceTestExpectations {
  status?: 'ok' | 'error';
  maxDurationMs?: Budget;
  maxTokens?: Budget;
  maxCostUsd?: Budget;
  maxLlmCalls?: Budget;
  toolSequence?: string[];
  noFindings?: DetectorKind[];
  outputContains?: string[];
  outputMatches?: string;
  minRetrievalScore?: number;
}

export interface TraceTest {
  name: string;
  run: { command: string; cwd: string; timeoutMs: number; env: Record<string, string> };
  expect: TraceTestExpectations;
  /** The baseline trace file (OTLP/JSON), relative to the test file. */
  baseline?: string;
}

/** A key that is wrong, with the 1-based line where it is (when it can be found). */
export interface TestFileProblem {
  key: string;
  reason: string;
  line?: number;
}

export const DEFAULT_TIMEOUT_MS = 60_000;
/** A test file is a few hundred bytes; anything this big is not one, and is not parsed on the editor's thread. */
export const MAX_TEST_FILE_CHARS = 1024 * 1024;
export const BUDGET_KEYS = ['maxDurationMs', 'maxTokens', 'maxCostUsd', 'maxLlmCalls'] as const;
export type BudgetKey = (typeof BUDGET_KEYS)[number];
export const EXPECT_KEYS = ['status', ...BUDGET_KEYS, 'toolSequence', 'noFindings', 'outputContains', 'outputMatches', 'minRetrievalScore'] as const;
export const TOP_KEYS = ['$schema', 'name', 'run', 'expect', 'baseline'] as const;
export const RUN_KEYS = ['command', 'cwd', 'timeoutMs', 'env'] as const;

/** Finding names a test may list: the detector ids, and the labels the tree shows. */
const FINDING_NAMES = new Map<string, DetectorKind>(
  (Object.entries(FINDING_LABELS) as [DetectorKind, string][]).flatMap(([kind, label]) => [[kind, kind], [label, kind]]),
);

const RELATIVE_BUDGET = /^(\d+(?:\.\d+)?)x$/;

/** Reads a test file's text: the test, or every problem found (then no test). */
export function parseTraceTest(text: string, fileName: string): { test?: TraceTest; problems: TestFileProblem[] } {
  if (text.length > MAX_TEST_FILE_CHARS) return { problems: [{ key: '(file)', reason: `too large for a test file (over ${MAX_TEST_FILE_CHARS} characters)` }] };
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return { problems: [{ key: '(file)', reason: `not valid JSON: ${(error as Error).message}` }] };
  }
  const problems: TestFileProblem[] = [];
  const problem = (key: string, reason: string) => problems.push({ key, reason, line: lineOfKey(text, key) });
  if (!isObject(json)) return { problems: [{ key: '(file)', reason: 'must be a JSON object with "run" and "expect"' }] };
  unknownKeys(json, TOP_KEYS, '', problem);

  const name = json.name ?? nameFromFile(fileName);
  if (typeof name !== 'string' || !name.trim()) problem('name', 'must be a non-empty string');

  const run = readRun(json.run, problem);
  const expect = readExpect(json.expect, problem);
  if (json.baseline !== undefined && (typeof json.baseline !== 'string' || !json.baseline)) problem('baseline', 'must be a path (relative to this file)');
  const relative = expect && BUDGET_KEYS.find((key) => typeof expect[key] === 'object');
  if (expect && relative && json.baseline === undefined) {
    problem(`expect.${relative}`, `a budget relative to the baseline ("${budgetText(expect[relative]!)}") needs "baseline"`);
  }
  if (problems.length || !run || !expect) return { problems };
  return { test: { name: name as string, run, expect, baseline: json.baseline as string | undefined }, problems };
}

function readRun(value: unknown, problem: (key: string, reason: string) => void): TraceTest['run'] | undefined {
  if (!isObject(value)) {
    problem('run', 'must be an object with "command" (and optionally "cwd", "timeoutMs", "env")');
    return undefined;
  }
  unknownKeys(value, RUN_KEYS, 'run.', problem);
  const { command, cwd = '.', timeoutMs = DEFAULT_TIMEOUT_MS, env = {} } = value;
  let ok = true;
  const bad = (key: string, reason: string) => {
    problem(key, reason);
    ok = false;
  };
  if (typeof command !== 'string' || !command.trim()) bad('run.command', 'must be the command line that runs the app, e.g. "node app.js"');
  if (typeof cwd !== 'string') bad('run.cwd', 'must be a folder, relative to this file');
  if (typeof timeoutMs !== 'number' || !(timeoutMs > 0)) bad('run.timeoutMs', 'must be a positive number of milliseconds');
  if (!isObject(env) || Object.values(env).some((v) => typeof v !== 'string')) bad('run.env', 'must be an object of string values');
  return ok ? { command: command as string, cwd: cwd as string, timeoutMs: timeoutMs as number, env: env as Record<string, string> } : undefined;
}

function readExpect(value: unknown, problem: (key: string, reason: string) => void): TraceTestExpectations | undefined {
  if (!isObject(value)) {
    problem('expect', 'must be an object of expectations, e.g. {"status": "ok", "maxTokens": 2000}');
    return undefined;
  }
  unknownKeys(value, EXPECT_KEYS, 'expect.', problem);
  const expect: TraceTestExpectations = {};
  const { status, toolSequence, noFindings, outputContains, outputMatches, minRetrievalScore } = value;
  if (status !== undefined) {
    if (status === 'ok' || status === 'error') expect.status = status;
    else problem('expect.status', `must be "ok" or "error", got ${JSON.stringify(status)}`);
  }
  for (const key of BUDGET_KEYS) {
    if (value[key] === undefined) continue;
    const budget = readBudget(value[key]);
    if (budget === undefined) problem(`expect.${key}`, `must be a number ≥ 0 or a multiple of the baseline such as "1.2x", got ${JSON.stringify(value[key])}`);
    else expect[key] = budget;
  }
  if (toolSequence !== undefined) {
    if (isStringArray(toolSequence)) expect.toolSequence = toolSequence;
    else problem('expect.toolSequence', 'must be an array of tool names');
  }
  if (noFindings !== undefined) {
    const kinds = isStringArray(noFindings) ? noFindings.map((n) => FINDING_NAMES.get(n)) : [undefined];
    if (kinds.every((k): k is DetectorKind => k !== undefined)) expect.noFindings = kinds;
    else problem('expect.noFindings', `must be an array of findings: ${Object.keys(FINDING_LABELS).join(', ')}`);
  }
  if (outputContains !== undefined) {
    const texts = typeof outputContains === 'string' ? [outputContains] : outputContains;
    if (isStringArray(texts)) expect.outputContains = texts;
    else problem('expect.outputContains', 'must be a string or an array of strings');
  }
  if (outputMatches !== undefined) {
    const reason = typeof outputMatches === 'string' ? regexProblem(outputMatches) : 'must be a regular expression (a string)';
    if (reason) problem('expect.outputMatches', reason);
    else expect.outputMatches = outputMatches as string;
  }
  if (minRetrievalScore !== undefined) {
    if (typeof minRetrievalScore === 'number' && Number.isFinite(minRetrievalScore)) expect.minRetrievalScore = minRetrievalScore;
    else problem('expect.minRetrievalScore', 'must be a number');
  }
  return expect;
}

function readBudget(value: unknown): Budget | undefined {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? value : undefined;
  const relative = typeof value === 'string' ? RELATIVE_BUDGET.exec(value.trim()) : null;
  return relative ? { times: Number(relative[1]) } : undefined;
}

/** How a budget reads in a message and in a file: 2000, "1.2x". */
export function budgetText(budget: Budget): string {
  return typeof budget === 'number' ? String(budget) : `${budget.times}x`;
}

function regexProblem(source: string): string | undefined {
  try {
    new RegExp(source);
    return undefined;
  } catch (error) {
    return `not a valid regular expression: ${(error as Error).message}`;
  }
}

function unknownKeys(object: Record<string, unknown>, known: readonly string[], prefix: string, problem: (key: string, reason: string) => void): void {
  for (const key of Object.keys(object)) {
    if (!known.includes(key)) problem(`${prefix}${key}`, `unknown key; known keys here: ${known.filter((k) => k !== '$schema').join(', ')}`);
  }
}

/** The line of a key's last segment in the text, so a diagnostic lands on it (first match wins). */
function lineOfKey(text: string, key: string): number | undefined {
  const last = key.split('.').pop() ?? key;
  const at = text.indexOf(JSON.stringify(last));
  if (at < 0) return undefined;
  let line = 1;
  for (let i = 0; i < at; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

/** A test's name when it has none (or cannot be read): its file name without `.tracetest.json`. */
export function nameFromFile(fileName: string): string {
  const base = fileName.split(/[\\/]/).pop() ?? fileName;
  return base.endsWith(TEST_FILE_SUFFIX) ? base.slice(0, -TEST_FILE_SUFFIX.length) : base;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((v) => typeof v === 'string');
}

/** What one expectation found wrong: expected vs actual, on which trace. */
export interface ExpectationFailure {
  /** The expectation's key (`maxTokens`), or `run` for a run that failed (did not start, timed out, sent nothing). */
  expectation: string;
  expected: string;
  actual: string;
  traceId?: string;
}

export interface TraceTestResult {
  file: string;
  name: string;
  outcome: 'passed' | 'failed' | 'invalid';
  durationMs: number;
  failures: ExpectationFailure[];
  /** Problems of an invalid file (then nothing ran). */
  problems: TestFileProblem[];
  /** The traces the run sent, oldest first. */
  traceIds: string[];
  /** The baseline file, absolute, when the test names one. */
  baselineFile?: string;
}

/** One line per failure: `maxTokens: expected ≤ 2000, got 3450 (trace 5b8e…)`. */
export function failureText(failure: ExpectationFailure): string {
  return `${failure.expectation}: expected ${failure.expected}, got ${failure.actual}${failure.traceId ? ` (trace ${failure.traceId})` : ''}`;
}

export function problemText(problem: TestFileProblem): string {
  return `${problem.key}: ${problem.reason}`;
}
