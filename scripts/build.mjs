#!/usr/bin/env node
/**
 * Builds the prebuilt grader into dist/ (plain CommonJS, no TypeScript compiler at run time):
 *
 *   dist/grader.js            grader/cli.ts and everything it imports (node_modules stay external)
 *   dist/runner.js            the sandboxed child's program (grader/sandbox/runner-entry.ts), with
 *   dist/runner.inputs.json   the sources it was bundled from (checked by grader/sandbox/runtime.ts)
 *   dist/typecheck-worker.js  the type check's worker thread
 *   dist/data-worker.js       the lab data's loader (a worker thread)
 *   dist/rnn-lab/index.js     the lab's support module as submissions see it
 *   dist/samples.js           tests/helpers/materialise.ts: the patched samples, before npm run grade
 *
 *   node scripts/build.mjs             build
 *   node scripts/build.mjs --if-stale  build only when a source is newer than dist/ (npm run grade)
 *   node scripts/build.mjs --is-fresh  build nothing; exit 0 when dist/ is built and no source is newer
 */
import fs from 'node:fs';
import path from 'node:path';
import process from 'node:process';
import { setTimeout as sleep } from 'node:timers/promises';
import { pathToFileURL } from 'node:url';

const ROOT = path.resolve(import.meta.dirname, '..');
const DIST = path.join(ROOT, 'dist');
/** Folders whose .ts files can reach the bundles, and files whose change changes them. */
const SOURCE_DIRS = ['grader', 'checks', 'lab', 'handout', 'reference'];
const SOURCE_FILES = [
  'package.json',
  'package-lock.json',
  'scripts/build.mjs',
  'tsconfig.json',
  'tests/helpers/materialise.ts',
];
/** Written last: its presence means the whole build finished. */
const STAMP = path.join(DIST, 'build-stamp.json');

function newestSourceMtime() {
  let newest = 0;
  const visit = (dir) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        if (entry.name !== 'node_modules' && !entry.name.startsWith('.')) visit(full);
      } else if (entry.isFile()) newest = Math.max(newest, fs.statSync(full).mtimeMs);
    }
  };
  for (const dir of SOURCE_DIRS) visit(path.join(ROOT, dir));
  for (const file of SOURCE_FILES) {
    try {
      newest = Math.max(newest, fs.statSync(path.join(ROOT, file)).mtimeMs);
    } catch {
      // optional file
    }
  }
  return newest;
}

export function isStale() {
  try {
    return fs.statSync(STAMP).mtimeMs < newestSourceMtime();
  } catch {
    return true;
  }
}

/**
 * esbuild gives a bundle one __dirname (dist/). The grader finds files next to its sources
 * (the default rubric, the handout, the type-check worker's entry), so each project file keeps
 * its own: `__dirname` and `__filename` become its source location, resolved from the bundle's.
 * `require.main === module` is only the entry's: other command-line modules must not start.
 */
function sourceLocations(entry) {
  return {
    name: 'source-locations',
    setup(build) {
      build.onLoad({ filter: /\.ts$/ }, (args) => {
        if (args.path.includes(`${path.sep}node_modules${path.sep}`)) return undefined;
        let text = fs.readFileSync(args.path, 'utf8');
        const relDir = path.relative(DIST, path.dirname(args.path)).split(path.sep).join('/');
        const relFile = path.relative(DIST, args.path).split(path.sep).join('/');
        text = text
          .replace(/\b__dirname\b/g, `require('node:path').join(__dirname, ${JSON.stringify(relDir)})`)
          .replace(/\b__filename\b/g, `require('node:path').join(__dirname, ${JSON.stringify(relFile)})`);
        if (args.path !== entry) text = text.replace(/\brequire\.main === module\b/g, 'false');
        return { contents: text, loader: 'ts' };
      });
    },
  };
}

const COMMON = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  logLevel: 'warning',
  legalComments: 'none',
  // require.resolve('rnn-lab') finds the lab's sources for the type check and the lab bundle: meant to stay
  logOverride: { 'require-resolve-not-external': 'silent' },
};

/**
 * Builds dist/ whole or not at all: into a folder beside it, then swapped in by two renames, so a
 * failed build leaves the last one usable and a reader never sees half a build. Builds exclude
 * each other (`dist.lock`); one that waited finds dist/ fresh and does nothing (`ifStale`).
 */
export async function build({ ifStale = false } = {}) {
  await withBuildLock(async () => {
    if (ifStale && !isStale()) return;
    removeLeftovers(); // of builds killed mid-way: no other build runs while we hold the lock
    const staging = `${DIST}.staging-${process.pid}`;
    try {
      await buildInto(staging);
      const old = `${DIST}.old-${process.pid}`;
      if (fs.existsSync(DIST)) fs.renameSync(DIST, old);
      fs.renameSync(staging, DIST);
      fs.rmSync(old, { recursive: true, force: true });
    } finally {
      fs.rmSync(staging, { recursive: true, force: true });
    }
  });
}

function removeLeftovers() {
  for (const name of fs.readdirSync(ROOT))
    if (/^dist\.(staging|old)-\d+$/.test(name)) fs.rmSync(path.join(ROOT, name), { recursive: true, force: true });
}

const LOCK = `${DIST}.lock`;
const LOCK_WAIT_MS = 5 * 60_000;

/** Runs `work` holding dist.lock (a folder: mkdir is atomic); a lock whose builder died is taken over. */
async function withBuildLock(work) {
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (;;) {
    try {
      fs.mkdirSync(LOCK);
      fs.writeFileSync(path.join(LOCK, 'pid'), String(process.pid));
      break;
    } catch (error) {
      if (error.code !== 'EEXIST') throw error;
      if (lockHolderIsGone()) {
        fs.rmSync(LOCK, { recursive: true, force: true });
        continue;
      }
      if (Date.now() > deadline)
        throw new Error(`another build has held ${LOCK} for ${LOCK_WAIT_MS / 1000} s`, { cause: error });
      await sleep(100);
    }
  }
  try {
    await work();
  } finally {
    fs.rmSync(LOCK, { recursive: true, force: true });
  }
}

function lockHolderIsGone() {
  let pid;
  try {
    pid = Number(fs.readFileSync(path.join(LOCK, 'pid'), 'utf8'));
  } catch {
    // Just created, pid not written yet: give it a moment, unless the folder is old.
    try {
      return Date.now() - fs.statSync(LOCK).mtimeMs > 10_000;
    } catch {
      return false; // released meanwhile
    }
  }
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    return error.code === 'ESRCH';
  }
}

async function buildInto(out) {
  const { build: esbuild } = await import('esbuild'); // not loaded when --if-stale finds dist/ fresh
  fs.mkdirSync(out, { recursive: true });
  const entry = path.join(ROOT, 'grader', 'cli.ts');
  await esbuild({
    ...COMMON,
    absWorkingDir: ROOT,
    entryPoints: [entry],
    outfile: path.join(out, 'grader.js'),
    // Dependencies load from node_modules as under tsx; typescript and esbuild are large and resolved by path.
    packages: 'external',
    // rnn-lab is the project's own lab/ folder (a file: dependency): bundled like the rest of the project.
    plugins: [sourceLocations(entry), { name: 'lab-inline', setup: labInline }, { name: 'lazy', setup: lazyPackages }],
    sourcemap: 'linked',
  });
  checkLazyImports(path.join(out, 'grader.js'));
  await bundleWithInputs(esbuild, out, 'runner.js', path.join(ROOT, 'grader', 'sandbox', 'runner-entry.ts'));
  await bundleWithInputs(
    esbuild,
    out,
    'typecheck-worker.js',
    path.join(ROOT, 'grader', 'compile', 'typecheck-worker.ts'),
    {
      external: ['typescript', 'esbuild'],
    },
  );
  await bundleWithInputs(esbuild, out, 'data-worker.js', path.join(ROOT, 'grader', 'data-worker.ts'));
  await bundleWithInputs(esbuild, out, 'rnn-lab/index.js', path.join(ROOT, 'lab', 'index.ts'));
  // The samples stored as patches, written out before `npm run grade` without tsx's start-up.
  await esbuild({
    ...COMMON,
    absWorkingDir: ROOT,
    entryPoints: [path.join(ROOT, 'tests', 'helpers', 'materialise.ts')],
    outfile: path.join(out, 'samples.js'),
    packages: 'external',
    plugins: [sourceLocations(path.join(ROOT, 'tests', 'helpers', 'materialise.ts'))],
  });
  fs.chmodSync(path.join(out, 'grader.js'), 0o644);
  fs.writeFileSync(path.join(out, path.basename(STAMP)), JSON.stringify({ builtAt: new Date().toISOString() }) + '\n');
}

/**
 * A bundle the grader uses instead of building it at run time, with the sources it came from
 * (`<name>.inputs.json`): grader/compile/prebuilt.ts uses it only while no input is newer, and the
 * runtime checks that list against what the bundle may contain.
 */
async function bundleWithInputs(esbuild, out, name, entry, extra = {}) {
  const outfile = path.join(out, name);
  const result = await esbuild({
    ...COMMON,
    ...extra,
    absWorkingDir: ROOT,
    entryPoints: [entry],
    outfile,
    metafile: true,
  });
  const inputs = Object.keys(result.metafile.inputs).map((input) =>
    path.relative(ROOT, path.resolve(ROOT, input)).split(path.sep).join('/'),
  );
  fs.chmodSync(outfile, 0o644);
  fs.writeFileSync(`${outfile}.inputs.json`, JSON.stringify(inputs, null, 2) + '\n');
}

/**
 * Packages only some commands need, loaded on first use instead of at start-up (typescript alone
 * is ~0.25 s of CPU; the type check loads its own copy in its worker). `'default'`: imported as a
 * default (`import ts from`), served by a proxy; a list: the named imports used, served by getters.
 * checkLazyImports fails the build when the bundle uses a name the list does not have.
 */
const LAZY_PACKAGES = { typescript: 'default', xmlbuilder2: ['create'], esbuild: ['buildSync'] };

function lazyPackages(build) {
  const filter = new RegExp(`^(${Object.keys(LAZY_PACKAGES).join('|')})$`);
  build.onResolve({ filter }, (args) =>
    args.namespace === 'lazy' ? { path: args.path, external: true } : { path: args.path, namespace: 'lazy' },
  );
  build.onLoad({ filter: /.*/, namespace: 'lazy' }, (args) => {
    const names = LAZY_PACKAGES[args.path];
    const load = `let loaded;\nconst load = () => (loaded ??= require(${JSON.stringify(args.path)}));\n`;
    const contents =
      names === 'default'
        ? `${load}module.exports = new Proxy({}, { get: (_, key) => (key === '__esModule' ? undefined : load()[key]), has: (_, key) => key in load(), ownKeys: () => [] });\n`
        : `${load}Object.defineProperty(exports, '__esModule', { value: true });\n` +
          names
            .map(
              (name) =>
                `Object.defineProperty(exports, ${JSON.stringify(name)}, { enumerable: true, get: () => load()[${JSON.stringify(name)}] });\n`,
            )
            .join('');
    return { contents, loader: 'js' };
  });
}

/** Every `import_<package>N.<name>` the bundle uses must be served by its lazy module. */
function checkLazyImports(file) {
  const text = fs.readFileSync(file, 'utf8');
  for (const [pkg, names] of Object.entries(LAZY_PACKAGES)) {
    const id = pkg.replace(/[^a-zA-Z0-9]/g, '_');
    for (const match of text.matchAll(new RegExp(`\\bimport_${id}\\d*\\.(\\w+)`, 'g'))) {
      const allowed = names === 'default' ? ['default'] : names;
      if (!allowed.includes(match[1]))
        throw new Error(`dist/grader.js uses ${pkg}.${match[1]}: add it to LAZY_PACKAGES in scripts/build.mjs`);
    }
  }
}

/** `rnn-lab` and `rnn-lab/data` resolve to lab/*.ts and are bundled (they are project sources). */
function labInline(build) {
  build.onResolve({ filter: /^rnn-lab(\/.*)?$/ }, (args) => ({
    path: path.join(ROOT, 'lab', args.path === 'rnn-lab' ? 'index.ts' : `${args.path.slice('rnn-lab/'.length)}.ts`),
  }));
}

const isMain = import.meta.url === pathToFileURL(process.argv[1]).href;
if (isMain && process.argv.includes('--is-fresh')) {
  // For scripts that must not build (several may start at once): exit 0 when dist/ can be used as it is.
  process.exitCode = isStale() ? 1 : 0;
} else if (isMain && !(process.argv.includes('--if-stale') && !isStale())) {
  build({ ifStale: process.argv.includes('--if-stale') }).catch((error) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  });
}
