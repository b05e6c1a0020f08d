/**
 * The bundles `npm run build` (scripts/build.mjs) puts in dist/: the sandbox runner, the type
 * check's worker, the lab's support module. A grader run uses a prebuilt bundle instead of
 * running esbuild at start-up (~0.3 s of wall time each), but only while it is fresh: every
 * source it was built from is older than it, so an edited source is never graded with a stale
 * bundle (the caller then builds it as before).
 */
import { readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** The project folder (grader/compile/ is two levels below it, in the sources and in dist/grader.js alike). */
export const PROJECT_ROOT = resolve(__dirname, '..', '..');
export const DIST_DIR = join(PROJECT_ROOT, 'dist');

/** esbuild's options for a bundle built at run time when no fresh prebuilt one exists (as scripts/build.mjs builds them). */
export const RUNTIME_BUNDLE = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  logLevel: 'silent',
} as const;

export interface Prebuilt {
  /** Absolute path of the bundle. */
  path: string;
  /** Project-relative sources it was bundled from (forward slashes). */
  inputs: string[];
}

/** `dist/<name>` with its `dist/<name>.inputs.json`, if both exist and no input is newer; else undefined. */
export function freshPrebuilt(name: string, dist = DIST_DIR, root = PROJECT_ROOT): Prebuilt | undefined {
  const path = join(dist, name);
  try {
    const built = statSync(path).mtimeMs;
    const inputs = JSON.parse(readFileSync(`${path}.inputs.json`, 'utf8')) as unknown;
    if (!Array.isArray(inputs) || !inputs.every((input) => typeof input === 'string')) return undefined;
    for (const input of inputs as string[]) if (statSync(join(root, input)).mtimeMs > built) return undefined;
    return { path, inputs: inputs as string[] };
  } catch {
    return undefined; // not built, or an input is gone: build at run time
  }
}
