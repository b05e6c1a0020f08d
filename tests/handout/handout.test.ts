/**
 * The handout as a student gets it: generated into a temp folder, then `npm test` run there with
 * the skeleton (0 points, no crash) and with a correct sample (full public marks). No line of the
 * solution may reach it.
 */
import { spawnSync } from 'child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'fs';
import os from 'os';
import path from 'path';
import { assign, AssignError } from '../../handout/assign';
import { changedHandoutFiles } from '../../handout/files';
import { findRegions, makeSkeleton, solutionLines } from '../../handout/skeleton';

const ROOT = path.join(__dirname, '..', '..');
const DATA = process.env.RNN_LAB_DATA ? path.resolve(process.env.RNN_LAB_DATA) : undefined;
const withData = DATA ? describe : describe.skip;
if (!DATA) console.warn('tests/handout: RNN_LAB_DATA is not set, so the handout is not generated here (CI sets it).');

function listFiles(dir: string, prefix = ''): string[] {
  return readdirSync(path.join(dir, prefix), { withFileTypes: true }).flatMap((entry) => {
    const relative = path.join(prefix, entry.name);
    if (entry.name === 'node_modules') return [];
    return entry.isDirectory() ? listFiles(dir, relative) : [relative];
  });
}

/** The project's installed packages, as the handout's node_modules (rnn-lab → the handout's own lab/). */
function linkNodeModules(handout: string): void {
  mkdirSync(path.join(handout, 'node_modules'));
  for (const name of readdirSync(path.join(ROOT, 'node_modules'))) {
    if (name === 'rnn-lab') continue;
    symlinkSync(path.join(ROOT, 'node_modules', name), path.join(handout, 'node_modules', name));
  }
  symlinkSync('../lab', path.join(handout, 'node_modules', 'rnn-lab'));
}

function studentNpmTest(handout: string) {
  const run = spawnSync('npm', ['test'], { cwd: handout, encoding: 'utf8', env: { ...process.env, RNN_LAB_DATA: DATA, FORCE_COLOR: '0', CI: 'true' }, timeout: 240_000 });
  return { status: run.status, output: `${run.stdout}\n${run.stderr}` };
}

describe('skeleton generation', () => {
  const reference = readFileSync(path.join(ROOT, 'reference', 'rnn.ts'), 'utf8');

  it('names the function of every region and replaces it with its TODO and a throw', () => {
    const regions = findRegions(reference);
    expect(regions.length).toBeGreaterThanOrEqual(16);
    for (const region of regions) expect(region.owner).toBeDefined();
    const skeleton = makeSkeleton(reference);
    expect(skeleton).toContain("throw new Error('not implemented yet: computeGradB');");
    expect(skeleton).not.toMatch(/#!TAG|#!MSG/);
  });

  it('refuses unbalanced markers', () => {
    expect(() => findRegions('// #!TAG HWBEGIN\nx\n')).toThrow(/never closed/);
    expect(() => findRegions('// #!TAG HWEND\n')).toThrow(/without HWBEGIN/);
  });
});

withData('the generated handout', () => {
  let handout: string;
  let files: string[];

  beforeAll(async () => {
    handout = mkdtempSync(path.join(os.tmpdir(), 'rnn-handout-'));
    await assign({ out: handout, dataPath: DATA, lockfile: false });
    files = listFiles(handout);
    linkNodeModules(handout);
  }, 120_000);

  afterAll(() => rmSync(handout, { recursive: true, force: true }));

  it('holds the skeleton, the support module, the public checks, the README and the workflow', () => {
    for (const expected of ['rnn.ts', 'lab/index.ts', 'lab/data.ts', 'checks/public/fixtures.json', 'tests/public.test.ts', 'package.json', 'jest.config.ts', 'tsconfig.json', 'README.md', '.github/workflows/grade.yml']) {
      expect(files).toContain(expected);
    }
  });

  it('contains no line of the solution, no reference, no hidden-check code', () => {
    const solution = solutionLines(readFileSync(path.join(ROOT, 'reference', 'rnn.ts'), 'utf8'));
    expect(solution.length).toBeGreaterThan(50);
    const leaks: string[] = [];
    // Lines of our own support module (e.g. `let sum = 0;`) are not the solution, even where the solution has them too.
    for (const file of files.filter((f) => !f.startsWith('lab/'))) {
      const text = readFileSync(path.join(handout, file), 'utf8').split('\n').map((line) => line.trim().replace(/\s+/g, ' '));
      const lines = new Set(text);
      for (const line of solution) if (lines.has(line)) leaks.push(`${file}: ${line}`);
    }
    expect(leaks).toEqual([]);
    expect(files.filter((file) => /reference|diagnosis|finite-differences|numeric\/model|catalogue\/cases|model-checks|training-step-check|composition-checks|data-value-checks/.test(file))).toEqual([]);
  });

  it('runs the skeleton without crashing: 0 points, "not implemented" for each function', () => {
    const { status, output } = studentNpmTest(handout);
    expect(status).not.toBe(0);
    expect(output).toMatch(/Public checks: 0 \/ \d+ points\./);
    for (const name of ['numTrainSamples', 'columnMeans', 'forward', 'computeGradB', 'computeGradU', 'trainRnn']) expect(output).toContain(`not implemented yet: ${name}`);
    expect(output).toMatch(/hidden checks also run/);
  }, 240_000);

  it('gives a correct sample full public marks', () => {
    cpSync(path.join(ROOT, 'submissions', 'correct-loops', 'rnn.ts'), path.join(handout, 'rnn.ts'));
    const { status, output } = studentNpmTest(handout);
    expect(output).toMatch(/Public checks: (\d+) \/ \1 points\./);
    expect(output).toMatch(/Training loss/);
    expect(status).toBe(0);
  }, 240_000);

  it('names the likely mistake of a wrong sample', () => {
    cpSync(path.join(ROOT, 'submissions', 'grad-b-skip-first', 'rnn.ts'), path.join(handout, 'rnn.ts'));
    const { status, output } = studentNpmTest(handout);
    expect(status).not.toBe(0);
    expect(output).toMatch(/grad\.b\.value[\s\S]*Likely mistake: The first time step is skipped/);
  }, 240_000);

  it('lets the grader spot a handout whose checks were edited', () => {
    expect(changedHandoutFiles(handout)).toEqual([]);
    writeFileSync(path.join(handout, 'tests', 'public.test.ts'), '// all good\n');
    expect(changedHandoutFiles(handout)).toEqual(['tests/public.test.ts']);
  });

  it('refuses to generate from a solution that fails a check', async () => {
    const wrong = require(path.join(ROOT, 'submissions', 'grad-b-skip-first', 'rnn.ts')) as Record<string, unknown>;
    const out = mkdtempSync(path.join(os.tmpdir(), 'rnn-handout-refused-'));
    await expect(assign({ out, dataPath: DATA, lockfile: false, solution: wrong })).rejects.toThrow(AssignError);
    await expect(assign({ out, dataPath: DATA, lockfile: false, solution: wrong })).rejects.toThrow(/grad\.b\.value/);
    expect(readdirSync(out)).toEqual([]);
    rmSync(out, { recursive: true, force: true });
  }, 60_000);
});
