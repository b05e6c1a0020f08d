/**
 * The lab's support module as submissions see it inside the sandbox: one CommonJS file,
 * `node_modules/rnn-lab/index.js`, bundled with esbuild from lab/index.ts (pure-rand inlined).
 * lab/data.ts (file and network access) is not part of it: a submission that imports
 * `rnn-lab/data` fails to load, which is what the contract asks.
 *
 * Built once per grader run; every prepared submission gets a hard link (or a copy) of it.
 */
import { buildSync } from 'esbuild';
import { chmodSync, copyFileSync, existsSync, linkSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { getBuildDir } from './build-dir';
import { RUNTIME_BUNDLE, freshPrebuilt } from './prebuilt';
import { labEntryPath } from './paths';

export { labEntryPath } from './paths';

export interface LabBundle {
  /** The bundled module (CommonJS). */
  indexJs: string;
  /** Its package.json (`main: index.js`). */
  packageJson: string;
  /** Source files that went into it, relative to the project root (for tests and the threat model). */
  inputs: string[];
}

let cached: LabBundle | undefined;

export function buildLabBundle(): LabBundle {
  if (cached && existsSync(cached.indexJs)) return cached;
  const entry = labEntryPath();
  const outDir = join(getBuildDir(), 'rnn-lab');
  mkdirSync(outDir, { recursive: true, mode: 0o755 });
  const indexJs = join(outDir, 'index.js');
  const root = resolve(dirname(entry), '..');
  const prebuilt = freshPrebuilt('rnn-lab/index.js');
  let inputs: string[];
  if (prebuilt) {
    // `npm run build` made it already: a copy, not an esbuild run at start-up
    copyFileSync(prebuilt.path, indexJs);
    inputs = prebuilt.inputs;
  } else inputs = bundleLab(entry, indexJs, root);
  const forbidden = inputs.filter((input) => !isAllowedLabInput(input));
  if (forbidden.length > 0) throw new Error(`the rnn-lab bundle must not contain ${forbidden.join(', ')}`);
  const packageJson = join(outDir, 'package.json');
  writeFileSync(packageJson, JSON.stringify({ name: 'rnn-lab', version: '0.0.0-sandbox', main: 'index.js' }) + '\n');
  chmodSync(indexJs, 0o644);
  chmodSync(packageJson, 0o644);
  cached = { indexJs, packageJson, inputs };
  return cached;
}

/** Bundles lab/index.ts with esbuild; the sources it took, relative to the project root. */
function bundleLab(entry: string, indexJs: string, root: string): string[] {
  const result = buildSync({
    entryPoints: [entry],
    ...RUNTIME_BUNDLE,
    outfile: indexJs,
    metafile: true,
    legalComments: 'none',
  });
  return Object.keys(result.metafile.inputs).map((input) => relative(root, resolve(input)));
}

function isAllowedLabInput(input: string): boolean {
  const path = input.split(sep).join('/');
  if (/(^|\/)lab\/data\.ts$/.test(path)) return false;
  return /(^|\/)lab\/[^/]+\.ts$/.test(path) || /(^|\/)node_modules\/pure-rand\//.test(path);
}

/** Puts the bundle at `<workDir>/node_modules/rnn-lab/` (hard links when possible). */
export function installLabBundle(workDir: string, bundle: LabBundle = buildLabBundle()): void {
  const target = join(workDir, 'node_modules', 'rnn-lab');
  mkdirSync(target, { recursive: true, mode: 0o755 });
  chmodSync(join(workDir, 'node_modules'), 0o755);
  chmodSync(target, 0o755);
  linkOrCopy(bundle.indexJs, join(target, 'index.js'));
  linkOrCopy(bundle.packageJson, join(target, 'package.json'));
}

function linkOrCopy(from: string, to: string): void {
  try {
    linkSync(from, to);
  } catch {
    copyFileSync(from, to);
    chmodSync(to, 0o644);
  }
}
