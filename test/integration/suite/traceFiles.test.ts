// Trace files in the editor: a trace file written into the workspace is picked up by the watcher
// and tailed; Import Trace File reads a file from anywhere, and its broken lines become
// diagnostics on the file while the good lines load.
import assert from 'node:assert/strict';
import { appendFileSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { COMMANDS } from '../../../src/shared/commands';
import type { ImportResult } from '../../../src/shared/engineProtocol';
import { api, config, extension, waitFor } from './harness';

const seedShapes = () => join(extension().extensionPath, 'test', 'fixtures', 'seed-shapes');

describe('trace files', () => {
  before(() => api());

  it('picks up a DSPy step log written into the workspace, steps as child spans, and tails it', async () => {
    const { source } = await api();
    const before = (await source.query({ filter: 'trace.name = "dspy program"', limit: 100 })).length;
    mkdirSync(join(config.workspace, 'runs'), { recursive: true });
    const file = join(config.workspace, 'runs', 'steps.jsonl');
    copyFileSync(join(seedShapes(), 'step_tracer.jsonl'), file);
    const traces = await waitFor('the three requests of the step log', async () => {
      const found = await source.query({ filter: 'trace.name = "dspy program"', sort: 'duration', limit: 100 });
      return found.length >= before + 3 ? found : undefined;
    });
    const slowest = traces[0];
    assert.equal(slowest.spanCount, 3);
    assert.equal(slowest.status, 'error');
    assert.match(slowest.errorMessage ?? '', /division by zero/);

    // One more request appended: read without reading the file again.
    const line = readFileSync(file, 'utf8').trim().split('\n')[0].replace(/"trace_id": "[^"]+"/, '"trace_id": "appended-request"');
    appendFileSync(file, `${line}\n`);
    await waitFor('the appended request', async () => (await source.query({ filter: 'trace.name = "dspy program"', limit: 100 })).length >= before + 4);
  });

  it('imports a file from outside the workspace, reporting a broken line by number while the rest loads', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ati-import-'));
    const file = join(dir, 'requests.jsonl');
    const lines = readFileSync(join(seedShapes(), 'traced_program.jsonl'), 'utf8').trim().split('\n');
    lines.splice(2, 0, '{"trace_id": "torn", "inputs": {"question": "cut off');
    writeFileSync(file, `${lines.join('\n')}\n`);
    const results = await vscode.commands.executeCommand<ImportResult[]>(COMMANDS.importTraceFile, vscode.Uri.file(file));
    assert.equal(results.length, 1);
    assert.equal(results[0].shape, 'DSPy request log');
    assert.equal(results[0].traces, 4);
    assert.deepEqual(results[0].problems.map((p) => p.line), [3]);
    const [problem] = await waitFor('a diagnostic on the broken line', () => {
      const found = vscode.languages.getDiagnostics(vscode.Uri.file(file));
      return found.length ? found : undefined;
    });
    assert.equal(problem.range.start.line, 2);
    assert.match(problem.message, /JSON/i);
  });

  it('leaves a file that is not traces alone and says so', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ati-import-'));
    const file = join(dir, 'app-log.jsonl');
    writeFileSync(file, '{"level": "info", "msg": "started"}\n{"level": "warn", "msg": "slow disk"}\n');
    const [result] = await vscode.commands.executeCommand<ImportResult[]>(COMMANDS.importTraceFile, vscode.Uri.file(file));
    assert.equal(result.shape, null);
    assert.deepEqual(result.problems, []);
    assert.deepEqual(vscode.languages.getDiagnostics(vscode.Uri.file(file)), []);
  });
});
