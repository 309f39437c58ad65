// The layer order (README "Layout"), enforced: a module imports only from its own layer and the
// layers before it, and nothing imports in a cycle. Lower layers come first:
//   src/shared → engine/model → normalize → index → otlp → files, store, code, backends, forward → http → traceTests → engine.ts → server.ts, cli.ts
// src/extension and webview/ import only src/shared (and their own folders).
import { createNodeResolver, importX } from 'eslint-plugin-import-x';
import { defineConfig } from 'eslint/config';
import tseslint from 'typescript-eslint';

const ORDER = 'src/shared → engine/model → normalize → index → otlp → files, store, code, backends, forward → http → traceTests → engine.ts → server.ts, cli.ts';

/** Import specifiers that reach into a folder of src/engine (relative imports name the folder). */
const folder = (...names) => `(^|/)(${names.join('|')})/`;
/** ...or one of the engine's top-level modules, from a folder below them. */
const topModule = (...names) => `^(\\.\\./)+(${names.join('|')})$`;
const ENGINE_FOLDERS = ['model', 'normalize', 'index', 'otlp', 'files', 'store', 'code', 'backends', 'forward', 'http', 'traceTests'];

/** A block forbidding `regexes` to the files in `files`, with a message that names the rule. */
function layer(files, rule, regexes) {
  const message = `layer rule: ${rule} (${ORDER})`;
  return {
    files,
    rules: { 'no-restricted-imports': ['error', { patterns: regexes.map((regex) => ({ regex, message })) }] },
  };
}

/** Everything above a layer: the engine folders after it, the top-level modules, the UI. */
const above = (...folders) => [
  ...(folders.length ? [folder(...folders)] : []),
  topModule('engine', 'server', 'cli'),
  folder('extension', 'webview'),
];
const after = (name) => ENGINE_FOLDERS.slice(ENGINE_FOLDERS.indexOf(name) + 1);

export default defineConfig(
  { ignores: ['dist/**', 'node_modules/**', 'out/**'] },
  {
    files: ['src/**/*.ts', 'webview/**/*.ts'],
    languageOptions: { parser: tseslint.parser, parserOptions: { sourceType: 'module' } },
    plugins: { 'import-x': importX },
    settings: {
      'import-x/resolver-next': [createNodeResolver({ extensions: ['.ts', '.js', '.json'] })],
      'import-x/extensions': ['.ts'],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts'] },
    },
    rules: { 'import-x/no-cycle': ['error', { ignoreExternal: true }] },
  },
  layer(['src/shared/**/*.ts'], 'src/shared imports only src/shared', [folder('engine', 'extension', 'webview')]),
  layer(['src/engine/model/**/*.ts'], 'engine/model imports only src/shared', above(...after('model'))),
  layer(['src/engine/normalize/**/*.ts'], 'engine/normalize imports only src/shared and engine/model', above(...after('normalize'))),
  layer(['src/engine/index/**/*.ts'], 'engine/index imports only src/shared, engine/model and engine/normalize', above(...after('index'))),
  layer(['src/engine/otlp/**/*.ts'], 'engine/otlp imports only src/shared, model, normalize and index', above(...after('otlp'))),
  layer(['src/engine/files/**/*.ts'], 'engine/files imports only src/shared, model, normalize, index and otlp (not store or code)',
    above('store', 'code', 'backends', 'forward', 'http')),
  layer(['src/engine/store/**/*.ts'], 'engine/store imports only src/shared, model, normalize, index and otlp (not files or code)',
    above('files', 'code', 'backends', 'forward', 'http')),
  layer(['src/engine/code/**/*.ts'], 'engine/code imports only src/shared, model, normalize and index (not otlp, files or store)',
    above('otlp', 'files', 'store', 'backends', 'forward', 'http', 'traceTests')),
  layer(['src/engine/backends/**/*.ts'], 'engine/backends imports only src/shared, model, normalize, index and otlp (not files, store, code or forward)',
    above('files', 'store', 'code', 'forward', 'http', 'traceTests')),
  layer(['src/engine/forward/**/*.ts'], 'engine/forward imports only src/shared, model, normalize, index and otlp (not files, store, code or backends)',
    above('files', 'store', 'code', 'backends', 'http', 'traceTests')),
  layer(['src/engine/http/**/*.ts'], 'engine/http imports the engine folders below it, never engine.ts, server.ts or cli.ts', above('traceTests')),
  layer(['src/engine/traceTests/**/*.ts'], 'engine/traceTests imports the engine folders below it, never engine.ts, server.ts or cli.ts', above()),
  layer(['src/engine/engine.ts'], 'engine.ts imports the engine folders, never server.ts or cli.ts',
    [`^\\./(server|cli)$`, folder('extension', 'webview')]),
  layer(['src/engine/server.ts', 'src/engine/cli.ts'], 'server.ts and cli.ts are the tops: they import the engine, not each other',
    [`^\\./(server|cli)$`, folder('extension', 'webview')]),
  layer(['src/extension/**/*.ts'], 'src/extension imports only src/shared and src/extension', [folder('engine', 'webview')]),
  layer(['webview/**/*.ts'], 'webview/ imports only src/shared and webview/', [folder('engine', 'extension')]),
);
