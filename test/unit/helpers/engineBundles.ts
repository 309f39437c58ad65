// The engine's bundles as `npm run build` makes them in dist/ (esbuild.mjs, its engine part), built
// into a folder of their own: another `npm run build` on this checkout wipes dist/ while tests run.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';

const REPO = join(__dirname, '..', '..', '..');

/**
 * Builds cli.js and server.js into `dir`, with the engine's worker threads beside them
 * (decodeWorker.js, recordWorker.js: the engine looks for them there); returns their paths.
 */
export async function buildEngineBundles(dir: string): Promise<{ cli: string; server: string }> {
  await promisify(execFile)(process.execPath, ['esbuild.mjs', '--engine-only', '--outdir', dir], { cwd: REPO });
  return { cli: join(dir, 'cli.js'), server: join(dir, 'server.js') };
}
