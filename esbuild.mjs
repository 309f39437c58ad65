// Bundles each entry point into dist/ so the packaged extension carries no node_modules.
import * as esbuild from 'esbuild';
import { rmSync } from 'node:fs';

const production = process.argv.includes('--production');

// Stale files (a dev build's source maps) must not end up in a package.
rmSync('dist', { recursive: true, force: true });

const node = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  outdir: 'dist',
  sourcemap: !production,
  minify: production,
  logLevel: 'warning',
};

await Promise.all([
  // The headless engine.
  esbuild.build({ ...node, entryPoints: { cli: 'src/engine/cli.ts' }, banner: { js: '#!/usr/bin/env node' } }),
  // The engine's worker thread that decodes large requests (src/engine/otlp/offThreadDecode.ts).
  esbuild.build({ ...node, entryPoints: { decodeWorker: 'src/engine/otlp/decodeWorker.ts' } }),
  // The engine's worker thread that converts large trace file records (src/engine/files/offThreadRecords.ts).
  esbuild.build({ ...node, entryPoints: { recordWorker: 'src/engine/files/recordWorker.ts' } }),
  // The engine as the extension starts it, in its own process.
  esbuild.build({ ...node, entryPoints: { server: 'src/engine/server.ts' } }),
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
    outdir: 'dist',
    sourcemap: !production,
    minify: production,
    logLevel: 'warning',
  }),
]);
