// Bundles each entry point into dist/ so the packaged extension carries no node_modules.
// `--outdir DIR --engine-only`: the engine's bundles alone, elsewhere (tests that run the CLI or
// the LSP server build them so, while `npm run build` may wipe dist/).
import * as esbuild from 'esbuild';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';

const production = process.argv.includes('--production');
const engineOnly = process.argv.includes('--engine-only');
const outdir = process.argv.includes('--outdir') ? process.argv[process.argv.indexOf('--outdir') + 1] : 'dist';

// Stale files (a dev build's source maps) must not end up in a package.
rmSync(outdir, { recursive: true, force: true });

const node = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  outdir,
  sourcemap: !production,
  minify: production,
  logLevel: 'warning',
};

/**
 * V8 keeps a script's source in the heap, as two bytes a character if a single one is not ASCII:
 * an arrow in a comment doubled the engine bundle's 8 MB there. Strings, names and patterns are
 * already escaped (esbuild's ASCII charset); what is left is in comments, and gets a '?' (one
 * character for one, so the source maps still point right).
 */
const asciiComments = {
  name: 'ascii-comments',
  setup(build) {
    build.onEnd((result) => {
      if (result.errors.length) return;
      for (const file of Object.keys(result.metafile.outputs).filter((f) => f.endsWith('.js'))) {
        const text = readFileSync(file, 'utf8');
        if (/[^\x00-\x7f]/.test(text)) writeFileSync(file, text.replace(/[^\x00-\x7f]/g, '?'));
      }
    });
  },
};
const engine = { ...node, metafile: true, plugins: [asciiComments] };

const engineBuilds = [
  // The headless engine.
  esbuild.build({ ...engine, entryPoints: { cli: 'src/engine/cli.ts' }, banner: { js: '#!/usr/bin/env node' } }),
  // The engine's worker thread that decodes large requests (src/engine/otlp/offThreadDecode.ts).
  esbuild.build({ ...engine, entryPoints: { decodeWorker: 'src/engine/otlp/decodeWorker.ts' } }),
  // The engine's worker thread that converts large trace file records (src/engine/files/offThreadRecords.ts).
  esbuild.build({ ...engine, entryPoints: { recordWorker: 'src/engine/files/recordWorker.ts' } }),
  // The engine as the extension starts it, in its own process.
  esbuild.build({ ...engine, entryPoints: { server: 'src/engine/server.ts' } }),
];

await Promise.all(engineOnly ? engineBuilds : [
  ...engineBuilds,
  // The extension host side; `vscode` is provided by the editor.
  esbuild.build({ ...node, entryPoints: { extension: 'src/extension/extension.ts' }, external: ['vscode'] }),
  // The trace view's webview: a browser script and its CSS (dist/webview.js, dist/webview.css).
  esbuild.build({
    bundle: true,
    platform: 'browser',
    target: 'chrome120',
    format: 'iife',
    // The insights panel (sessions, the LLM calls table, the context window): dist/insights.js and .css.
    entryPoints: { webview: 'webview/main.ts', insights: 'webview/insights/main.ts' },
    outdir,
    sourcemap: !production,
    minify: production,
    logLevel: 'warning',
  }),
]);
