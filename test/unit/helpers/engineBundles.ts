// The same bundles `npm run build` makes in dist/ (same entry points and options), built into a
// folder of their own: another `npm run build` on this checkout wipes dist/ while tests run.
import { join } from 'node:path';
import * as esbuild from 'esbuild';

const REPO = join(__dirname, '..', '..', '..');

/**
 * Builds dist/cli.js and dist/server.js into `dir`, with the engine's worker threads beside them
 * (dist/decodeWorker.js, dist/recordWorker.js: the engine looks for them there); returns their paths.
 */
export async function buildEngineBundles(dir: string): Promise<{ cli: string; server: string }> {
  const build = { bundle: true, platform: 'node', target: 'node20', format: 'cjs', outdir: dir, sourcemap: true, logLevel: 'warning' } as const;
  await esbuild.build({ ...build, entryPoints: { cli: join(REPO, 'src/engine/cli.ts') }, banner: { js: '#!/usr/bin/env node' } });
  await esbuild.build({ ...build, entryPoints: { server: join(REPO, 'src/engine/server.ts') } });
  await esbuild.build({ ...build, entryPoints: { decodeWorker: join(REPO, 'src/engine/otlp/decodeWorker.ts'), recordWorker: join(REPO, 'src/engine/files/recordWorker.ts') } });
  return { cli: join(dir, 'cli.js'), server: join(dir, 'server.js') };
}
