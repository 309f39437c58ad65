// Reads the coding agents' captured log exports (test/fixtures/frameworks/*-logs.otlp.jsonl: one
// OTLP/JSON logs request per line, as the real CLI sent it) through the engine's own decoder.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RawLog } from '../../../src/engine/model/rawSpan';
import { StringTable } from '../../../src/engine/model/stringTable';
import { JsonDecoder } from '../../../src/engine/otlp/decodeJson';
import { FRAMEWORK_FIXTURES } from './frameworkFixtures';

/** Each request's log records, in the order the CLI sent them. */
export function agentLogRequests(file: 'claude-code-logs.otlp.jsonl' | 'claude-code-2.1.45-session-logs.otlp.jsonl' | 'claude-code-2.0.76-session-logs.otlp.jsonl'
  | 'gemini-cli-logs.otlp.jsonl'): RawLog[][] {
  const decoder = new JsonDecoder(new StringTable());
  return readFileSync(join(FRAMEWORK_FIXTURES, file), 'utf8').split('\n').filter((line) => line.trim())
    .map((line) => decoder.logsText(line).items);
}
