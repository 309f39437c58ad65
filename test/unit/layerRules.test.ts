import assert from 'node:assert/strict';
import { join } from 'node:path';
import { ESLint } from 'eslint';

const ROOT = join(__dirname, '..', '..');

/** The layer-rule messages `npm run lint` gives an import written in a file at `file` (relative to the repository). */
async function layerErrors(file: string, specifier: string): Promise<string[]> {
  const eslint = new ESLint({ cwd: ROOT });
  const [result] = await eslint.lintText(`import { x } from '${specifier}';\nexport const y = x;\n`, { filePath: join(ROOT, file) });
  return result.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

describe('layer rules (eslint.config.mjs)', function () {
  // ESLint loads its parser and resolver on the first file: about 15 s on a busy 2-core machine.
  this.timeout(60_000);

  it('refuse an import down the wrong way, naming the rule it breaks', async () => {
    const [message] = await layerErrors('src/engine/model/newModule.ts', '../normalize/normalizeSpan');
    assert.match(message, /layer rule: engine\/model imports only src\/shared/);
    assert.match((await layerErrors('src/engine/normalize/newModule.ts', '../index/traceIndex'))[0], /layer rule: engine\/normalize/);
    assert.match((await layerErrors('src/engine/index/newModule.ts', '../otlp/ingest'))[0], /layer rule: engine\/index/);
    assert.match((await layerErrors('src/engine/otlp/newModule.ts', '../files/recordSink'))[0], /layer rule: engine\/otlp/);
    assert.match((await layerErrors('src/engine/code/newModule.ts', '../store/traceStore'))[0], /layer rule: engine\/code/);
    assert.match((await layerErrors('src/engine/http/newModule.ts', '../engine'))[0], /layer rule: engine\/http/);
    assert.match((await layerErrors('src/engine/traceTests/newModule.ts', '../engine'))[0], /layer rule: engine\/traceTests/);
    assert.match((await layerErrors('src/engine/index/newModule.ts', '../traceTests/runTraceTest'))[0], /layer rule: engine\/index/);
    assert.match((await layerErrors('src/engine/backends/newModule.ts', '../forward/forwarder'))[0], /layer rule: engine\/backends/);
    assert.match((await layerErrors('src/engine/forward/newModule.ts', '../http/api'))[0], /layer rule: engine\/forward/);
    assert.match((await layerErrors('src/engine/otlp/newModule.ts', '../backends/teamBackends'))[0], /layer rule: engine\/otlp/);
    assert.match((await layerErrors('src/engine/engine.ts', './server'))[0], /layer rule: engine\.ts/);
    assert.match((await layerErrors('src/shared/newModule.ts', '../engine/model/rawSpan'))[0], /layer rule: src\/shared/);
    assert.match((await layerErrors('src/extension/views/newModule.ts', '../../engine/engine'))[0], /layer rule: src\/extension/);
    assert.match((await layerErrors('webview/newModule.ts', '../src/extension/extension'))[0], /layer rule: webview\//);
  });

  it('let each layer import the ones before it', async () => {
    assert.deepEqual(await layerErrors('src/engine/index/newModule.ts', '../model/traceSummary'), []);
    assert.deepEqual(await layerErrors('src/engine/files/newModule.ts', '../otlp/decoders'), []);
    assert.deepEqual(await layerErrors('src/engine/http/newModule.ts', '../index/traceIndex'), []);
    assert.deepEqual(await layerErrors('src/engine/traceTests/newModule.ts', '../files/traceFiles'), []);
    assert.deepEqual(await layerErrors('src/engine/backends/newModule.ts', '../otlp/ingest'), []);
    assert.deepEqual(await layerErrors('src/engine/http/newModule.ts', '../backends/teamBackends'), []);
    assert.deepEqual(await layerErrors('src/engine/cli.ts', './engine'), []);
    assert.deepEqual(await layerErrors('src/extension/views/newModule.ts', '../../shared/spanModel'), []);
    assert.deepEqual(await layerErrors('webview/newModule.ts', '../src/shared/spanModel'), []);
  });
});
