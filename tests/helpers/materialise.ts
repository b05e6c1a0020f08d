/**
 * Submissions the repository keeps as what they add to another, written out as whole folders
 * when something needs them (never committed: see .gitignore, submissions/.gitignore):
 *
 * - the sample submissions that differ from a correct one by a few lines are stored as a unified
 *   diff, `submissions/<name>.patch`, whose `---` header names the sample it edits
 *   (`correct-loops/rnn.ts`); `materialiseSamples()` writes `submissions/<name>/rnn.ts` from it,
 *   so the grader (`npm run grade`), the benchmarks and the tests see every sample as a folder.
 *   Run by jest's global setup (tests/helpers/global-setup.ts) and `npm run samples`;
 * - a hostile fixture (tests/fixtures/hostile/<name>) that is a sample with a few lines changed
 *   holds that edit as `rnn.patch` (same form), and the forgery fixtures (forge-*) import './base',
 *   the correct sample submissions/correct-loops/rnn.ts: `materialiseFixture` writes rnn.ts, or
 *   base.ts beside it, when a fixture is copied for a test.
 *
 * - the `skeleton` sample is the handout skeleton: `materialiseSamples()` writes it from the
 *   reference with handout/skeleton.ts (`makeSkeleton`), so it follows every change of the reference;
 *
 *   npm run samples                      write every sample stored as an edit, and the skeleton
 *                                        (also before `npm run grade` and `npm run bench`)
 *   npm run samples -- record NAME BASE  store submissions/NAME/rnn.ts as its edit of sample BASE
 */
import {
  copyFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { join, relative } from 'node:path';
import { applyPatch, createTwoFilesPatch, FILE_HEADERS_ONLY, parsePatch } from 'diff';

const ROOT = join(__dirname, '..', '..');
export const SUBMISSIONS_DIR = join(ROOT, 'submissions');
export const FIXTURES = join(ROOT, 'tests', 'fixtures', 'hostile');
/** Inside the repository (git-ignored), so that modules required in-process resolve `rnn-lab`. */
const IN_REPO = join(ROOT, 'tests', '.materialised');
const PATCH = '.patch';
const ENTRY = 'rnn.ts';

export class SampleEditError extends Error {
  override name = 'SampleEditError';
}

/** The samples stored as an edit: the names of submissions/*.patch, sorted. */
export function sampleEdits(): string[] {
  return readdirSync(SUBMISSIONS_DIR)
    .filter((file) => file.endsWith(PATCH))
    .map((file) => file.slice(0, -PATCH.length))
    .sort();
}

/** The samples generated from the project's own sources (never stored): name → its rnn.ts. */
export const GENERATED_SAMPLES: Readonly<Record<string, () => string>> = {
  // Loaded on use: the skeleton needs the TypeScript compiler, which a fresh sample never does.
  skeleton: () =>
    (require('../../handout/skeleton') as typeof import('../../handout/skeleton')).makeSkeleton(
      readFileSync(join(ROOT, 'reference', ENTRY), 'utf8'),
    ),
};

/** What each generated sample is made from (project-relative): it is fresh when newer than all of them. */
const GENERATED_FROM: Readonly<Record<string, readonly string[]>> = {
  skeleton: ['reference/rnn.ts', 'handout/skeleton.ts', 'checks/lab/definition.ts'],
};

/** Whether sample `name`'s written rnn.ts is newer than everything it is made from (its patch and base, or its sources). */
function isFresh(name: string): boolean {
  const sources = GENERATED_FROM[name] ?? [`submissions/${name}${PATCH}`];
  try {
    const written = statSync(join(SUBMISSIONS_DIR, name, ENTRY)).mtimeMs;
    const bases = GENERATED_FROM[name] ? [] : [`submissions/${baseOf(name)}/${ENTRY}`];
    return [...sources, ...bases].every((source) => statSync(join(ROOT, source)).mtimeMs < written);
  } catch {
    return false;
  }
}

/** Every sample written out rather than committed: the edits, then the generated ones. */
export function materialisedSamples(): string[] {
  return [...sampleEdits(), ...Object.keys(GENERATED_SAMPLES)];
}

/** The sample a patch edits, from its `--- <base>/rnn.ts` header. */
export function baseOf(name: string, patch = readPatch(name), where = `submissions/${name}${PATCH}`): string {
  const parsed = parsePatch(patch);
  const from = parsed.length === 1 ? /^([\w-]+)\/rnn\.ts$/.exec(parsed[0].oldFileName ?? '') : null;
  if (!from) throw new SampleEditError(`${where}: expected one file, edited from '--- <sample>/rnn.ts'`);
  return from[1];
}

/** The rnn.ts of sample `name`: its base with the patch applied (no fuzz); throws when it does not apply. */
export function applySampleEdit(name: string): string {
  return applyEditFile(join(SUBMISSIONS_DIR, `${name}${PATCH}`), name);
}

/** The patch at `path` applied to the sample kept as a file that its header names. */
function applyEditFile(path: string, name: string): string {
  const patch = readFileSync(path, 'utf8');
  const where = relative(ROOT, path);
  const base = baseOf(name, patch, where);
  const baseFile = join(SUBMISSIONS_DIR, base, ENTRY);
  if (materialisedSamples().includes(base) || !existsSync(baseFile))
    throw new SampleEditError(`${where} edits ${base}, which is not a sample kept as a file`);
  return applyEdit(where, patch, base, readFileSync(baseFile, 'utf8'));
}

/** `baseText` with the patch (at `where`) applied: every hunk's context must match exactly. */
export function applyEdit(where: string, patch: string, base: string, baseText: string): string {
  const text = applyPatch(baseText, patch);
  if (text === false)
    throw new SampleEditError(
      `${where} no longer applies to submissions/${base}/${ENTRY}: write the edited file again (a sample's ` +
        `last copy is in tests/.materialised/overwritten/) and store its edit (\`npm run samples -- record NAME ${base}\`)`,
    );
  return text;
}

/** The rnn.ts of a sample written out: a generated one's source, or its edit applied. */
function sampleText(name: string): string {
  const generate = GENERATED_SAMPLES[name];
  if (!generate) return applySampleEdit(name);
  try {
    return generate();
  } catch (error) {
    throw new SampleEditError(`submissions/${name}: cannot generate it: ${(error as Error).message}`);
  }
}

/**
 * Writes submissions/<name>/rnn.ts for every sample stored as an edit or generated, where it is missing or
 * differs. A differing file (edited by hand?) is kept in tests/.materialised/overwritten/ first;
 * one whose patch no longer applies is removed, so nothing grades a stale copy. Safe to run from
 * several processes at once: each file is replaced by a rename. Returns the problems.
 */
export function materialiseSamples(options: { skipFresh?: boolean } = {}): SampleEditError[] {
  const problems: SampleEditError[] = [];
  for (const name of materialisedSamples()) {
    if (options.skipFresh && isFresh(name)) continue;
    const entry = join(SUBMISSIONS_DIR, name, ENTRY);
    const old = existsSync(entry) ? readFileSync(entry, 'utf8') : undefined;
    let text: string | undefined;
    try {
      text = sampleText(name);
    } catch (error) {
      if (!(error instanceof SampleEditError)) throw error;
      problems.push(error);
    }
    if (old === text) {
      // Already right: dated now, so that the next run before a grade finds it fresh.
      if (options.skipFresh) utimesSync(entry, new Date(), new Date());
      continue;
    }
    if (old !== undefined) writeAtomically(join(IN_REPO, 'overwritten', `${name}-${ENTRY}`), old);
    if (text === undefined) rmSync(entry, { force: true });
    else writeAtomically(entry, text);
  }
  return problems;
}

/** Stores submissions/<name>/rnn.ts as its edit of sample `base` (submissions/<name>.patch). */
export function recordSampleEdit(name: string, base: string): string {
  const patch = createTwoFilesPatch(
    `${base}/${ENTRY}`,
    `${name}/${ENTRY}`,
    readFileSync(join(SUBMISSIONS_DIR, base, ENTRY), 'utf8'),
    readFileSync(join(SUBMISSIONS_DIR, name, ENTRY), 'utf8'),
    undefined,
    undefined,
    { headerOptions: FILE_HEADERS_ONLY },
  );
  const path = join(SUBMISSIONS_DIR, `${name}${PATCH}`);
  writeFileSync(path, patch);
  return path;
}

function readPatch(name: string): string {
  return readFileSync(join(SUBMISSIONS_DIR, `${name}${PATCH}`), 'utf8');
}

function writeAtomically(path: string, text: string): void {
  mkdirSync(join(path, '..'), { recursive: true });
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, text);
  renameSync(temporary, path);
}

/** Copies hostile fixture `name` to `dest` (created): rnn.ts written from its rnn.patch, base.ts where rnn.ts imports one; returns `dest`. */
export function materialiseFixture(name: string, dest: string): string {
  cpSync(join(FIXTURES, name), dest, { recursive: true });
  const entry = join(dest, ENTRY);
  const edit = join(dest, 'rnn.patch');
  if (existsSync(edit)) {
    writeFileSync(entry, applyEditFile(join(FIXTURES, name, 'rnn.patch'), name));
    rmSync(edit);
  }
  if (existsSync(entry) && readFileSync(entry, 'utf8').includes("from './base'"))
    copyFileSync(join(SUBMISSIONS_DIR, 'correct-loops', ENTRY), join(dest, 'base.ts'));
  return dest;
}

/** The fixture materialised inside the repository, for loading in-process (`require`); returns its rnn.ts. */
export function materialisedEntry(name: string): string {
  const dest = join(IN_REPO, name);
  rmSync(dest, { recursive: true, force: true });
  mkdirSync(IN_REPO, { recursive: true });
  return join(materialiseFixture(name, dest), ENTRY);
}

if (require.main === module) {
  const [command, name, base] = process.argv.slice(2);
  if (command === 'record' && name && base) console.log(`wrote ${recordSampleEdit(name, base)}`);
  else if (command === undefined || command === '--before-run') {
    // Before `npm run grade` or `npm run bench` (--before-run): only problems are printed, and they
    // do not stop a run that may not even grade the samples (the tests fail on them instead).
    // Before a run, a sample already written after its sources is left as it is (no compiler loaded).
    const problems = materialiseSamples({ skipFresh: command === '--before-run' });
    for (const problem of problems) console.error(problem.message);
    if (command === undefined)
      console.log(`${materialisedSamples().length - problems.length} samples written from their .patch or generated`);
    if (problems.length > 0 && command === undefined) process.exitCode = 1;
  } else {
    console.error('usage: npm run samples [-- record NAME BASE]');
    process.exitCode = 2;
  }
}
