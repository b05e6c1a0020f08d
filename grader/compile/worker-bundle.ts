/**
 * The bundle a worker thread of the grader runs (the type check's, the lab data's loader):
 * dist/<name>.js while it is fresh (`npm run build`: no esbuild run at start-up), else bundled now
 * into the build folder. Made once per process, again only if the file has gone.
 */
import { buildSync } from 'esbuild';
import { chmodSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { getBuildDir } from './build-dir';
import { RUNTIME_BUNDLE, freshPrebuilt } from './prebuilt';

const bundles = new Map<string, string>();

/**
 * `name`: the worker's file name without extension. `dir`: the caller's __dirname, which holds
 * <name>.ts in the sources (or <name>.js beside a bundled caller). `external`: packages the
 * worker resolves at run time instead of bundling them.
 */
export function workerBundle(name: string, dir: string, options: { external?: string[] } = {}): string {
  const made = bundles.get(name);
  if (made && existsSync(made)) return made;
  const file = `${name}.js`;
  const prebuilt = freshPrebuilt(file);
  if (prebuilt) {
    bundles.set(name, prebuilt.path);
    return prebuilt.path;
  }
  const outfile = join(getBuildDir(), file);
  const entry = join(dir, existsSync(join(dir, `${name}.ts`)) ? `${name}.ts` : file);
  buildSync({ entryPoints: [entry], ...RUNTIME_BUNDLE, outfile, ...options });
  chmodSync(outfile, 0o644);
  bundles.set(name, outfile);
  return outfile;
}
