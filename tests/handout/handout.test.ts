/**
 * The handout as a student gets it: generated into a temp folder, then `npm test` run there with
 * the skeleton (0 points, no crash) and with a correct sample (full public marks). No line of the
 * solution may reach it.
 */
import { spawn, spawnSync } from 'child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'fs';
import os from 'os';
import path from 'path';
import { assign, AssignError } from '../../handout/assign';
import { changedHandoutFiles } from '../../grader/handout-manifest';
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

function studentNpmTest(handout: string, env: NodeJS.ProcessEnv = {}, args: string[] = []) {
  const started = Date.now();
  const run = spawnSync('npm', ['test', ...(args.length ? ['--', ...args] : [])], {
    cwd: handout,
    encoding: 'utf8',
    env: { ...process.env, RNN_LAB_DATA: DATA, FORCE_COLOR: '0', CI: 'true', ...env },
    timeout: 240_000,
  });
  return {
    status: run.status,
    output: `${run.stdout}\n${run.stderr}`,
    stdout: run.stdout,
    seconds: (Date.now() - started) / 1000,
  };
}

/** The correct sample with one change (the `from` text must occur once). */
function correctWith(from: string, to: string): string {
  const correct = readFileSync(path.join(ROOT, 'submissions', 'correct-loops', 'rnn.ts'), 'utf8');
  if (correct.split(from).length !== 2) throw new Error(`the sample does not contain exactly one ${from}`);
  return correct.replace(from, to);
}

/** 1-based line of the first line of `source` containing `text`. */
const lineOf = (source: string, text: string) => source.split('\n').findIndex((line) => line.includes(text)) + 1;

const GRAD_B_LOOP =
  '      for (let t = 0; t < hidden.length; t++) sum += (1 - hidden[t][i] * hidden[t][i]) * gradH[t][i];';
const GRAD_V_HEAD = '  computeGradV(yTrue: number, yPred: number, hidden: Matrix): Vector {\n';

describe('skeleton generation', () => {
  const reference = readFileSync(path.join(ROOT, 'reference', 'rnn.ts'), 'utf8');

  it('names the function of every region and replaces it with its TODO and a throw', () => {
    const regions = findRegions(reference);
    expect(regions.length).toBeGreaterThanOrEqual(16);
    // A region outside every function is the reference's own (its tanh, its fused training
    // step): the skeleton drops it whole.
    expect(regions.filter((region) => region.owner !== undefined).length).toBeGreaterThanOrEqual(16);
    const skeleton = makeSkeleton(reference);
    expect(reference).toContain('function fusedTrainingStep(');
    expect(reference).toContain('export function tanh(');
    expect(skeleton).not.toMatch(/fusedTrainingStep|isFusable|LANES|function tanh|tanhFromExp|POWERS_OF_TWO/);
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
    for (const expected of [
      'rnn.ts',
      'lab/index.ts',
      'lab/data.ts',
      'checks/public/fixtures.json',
      'checks/student/main.ts',
      'checks/executors/child-entry.ts',
      'package.json',
      'tsconfig.json',
      'README.md',
      '.github/workflows/grade.yml',
    ]) {
      expect(files).toContain(expected);
    }
  });

  it('contains no line of the solution, no reference, no hidden-check code', () => {
    const solution = solutionLines(readFileSync(path.join(ROOT, 'reference', 'rnn.ts'), 'utf8'));
    expect(solution.length).toBeGreaterThan(50);
    const leaks: string[] = [];
    // Lines of our own support module (e.g. `let sum = 0;`) are not the solution, even where the solution has them too.
    for (const file of files.filter((f) => !f.startsWith('lab/'))) {
      const text = readFileSync(path.join(handout, file), 'utf8')
        .split('\n')
        .map((line) => line.trim().replace(/\s+/g, ' '));
      const lines = new Set(text);
      for (const line of solution) if (lines.has(line)) leaks.push(`${file}: ${line}`);
    }
    expect(leaks).toEqual([]);
    expect(
      files.filter((file) =>
        /reference|diagnosis|finite-differences|numeric\/model|catalogue\/cases|model-checks|training-step-check|composition-checks|data-value-checks/.test(
          file,
        ),
      ),
    ).toEqual([]);
  });

  it('runs the skeleton without crashing: 0 points, "not implemented" for each function', () => {
    const { status, output } = studentNpmTest(handout);
    expect(status).not.toBe(0);
    expect(output).toMatch(/Public checks: 0 \/ \d+ points\./);
    for (const name of ['numTrainSamples', 'columnMeans', 'forward', 'computeGradB', 'computeGradU', 'trainRnn'])
      expect(output).toContain(`not implemented yet: ${name}`);
    expect(output).toMatch(/hidden checks also run/);
  }, 240_000);

  it('gives a correct sample full public marks, with the statistic and the chart, and lists passing checks only on demand', () => {
    cpSync(path.join(ROOT, 'submissions', 'correct-loops', 'rnn.ts'), path.join(handout, 'rnn.ts'));
    const { status, output } = studentNpmTest(handout);
    expect(output).toMatch(/Public checks: (\d+) \/ \1 points\./);
    expect(output).toMatch(/Mean of the last 25 losses: 0\.0\d{3} \(it must be below 0\.075\) ✓/);
    expect(output).toMatch(/0\.075 ┤.*← threshold/);
    expect(output).toMatch(/\(loss, log scale/);
    expect(output).not.toMatch(/Failing checks|Type errors/);
    expect(output).not.toContain('computes the right values'); // passing checks are not listed by default
    expect(status).toBe(0);
    const verbose = studentNpmTest(handout, {}, ['--verbose']);
    expect(verbose.output).toContain('✓ RNN.computeGradB computes the right values');
  }, 240_000);

  it('stops an endless loop in one function, names it and still grades the others', () => {
    writeFileSync(path.join(handout, 'rnn.ts'), correctWith(GRAD_B_LOOP, GRAD_B_LOOP.replace('t++', 'i++')));
    const { status, output, seconds } = studentNpmTest(handout);
    expect(status).toBe(1);
    expect(output).toContain('computeGradB did not return within 10 s: an endless loop?');
    expect(output).toMatch(/RNN\.computeGradB +0 \/ 8/);
    // the other functions are graded as usual; those calling computeGradB say why they fail
    expect(output).toMatch(/RNN\.computeGradW +10 \/ 10/);
    expect(output).toMatch(/RNN\.forward +10 \/ 10/);
    // (shown in full on the first check it reaches — getGradients' — and as "the same error as above" after it)
    expect(output).toMatch(/getGradients threw SkippedCallError: computeGradB did not return in an earlier check/);
    expect(output).toMatch(
      /doTrainingStep moves every parameter[^\n]*\n *the same error as above: SkippedCallError: computeGradB did not return in an earlier check/,
    );
    expect(output).toMatch(
      /trainRnn returns one finite loss per step[^\n]*\n *the same error as above: SkippedCallError: computeGradB did not return in an earlier check/,
    );
    // one limit for the loop, not one per check that reaches it
    expect(seconds).toBeLessThan(120);
  }, 240_000);

  it('shows where a runtime error happened: rnn.ts:LINE:COL and the line', () => {
    const source = correctWith(GRAD_B_LOOP, GRAD_B_LOOP.replace('t < hidden.length', 't <= hidden.length'));
    writeFileSync(path.join(handout, 'rnn.ts'), source);
    const { status, output } = studentNpmTest(handout);
    expect(status).toBe(1);
    const line = lineOf(source, 't <= hidden.length');
    expect(output).toContain("RNN.computeGradB threw TypeError: Cannot read properties of undefined (reading '0')");
    expect(output).toMatch(
      new RegExp(`at rnn\\.ts:${line}:\\d+\\n +${line} \\| +for \\(let t = 0; t <= hidden\\.length`),
    );
  }, 240_000);

  it('reports a type error with its line and still runs every check', () => {
    const source = correctWith(GRAD_V_HEAD, `${GRAD_V_HEAD}    const scale: number = 'one';\n`);
    writeFileSync(path.join(handout, 'rnn.ts'), source);
    const { status, output } = studentNpmTest(handout);
    expect(status).toBe(1);
    const line = lineOf(source, "const scale: number = 'one'");
    expect(output).toMatch(
      new RegExp(
        `Type errors in rnn\\.ts \\(1\\);[\\s\\S]*rnn\\.ts:${line}:11 +error TS2322: Type 'string' is not assignable to type 'number'`,
      ),
    );
    expect(output.indexOf('Type errors in rnn.ts')).toBeLessThan(output.indexOf('Points per function'));
    expect(output).toMatch(/Public checks: (\d+) \/ \1 points\./);
  }, 240_000);

  it('tells an offline student how to give the data, without a stack trace or blame', () => {
    cpSync(path.join(ROOT, 'submissions', 'correct-loops', 'rnn.ts'), path.join(handout, 'rnn.ts'));
    const offline = path.join(handout, 'offline.js');
    writeFileSync(offline, "globalThis.fetch = () => Promise.reject(new TypeError('fetch failed'));\n");
    const cache = mkdtempSync(path.join(os.tmpdir(), 'rnn-handout-cache-'));
    try {
      const { output } = studentNpmTest(handout, {
        RNN_LAB_DATA: '',
        RNN_LAB_CACHE_DIR: cache,
        NODE_OPTIONS: `--require ${offline}`,
      });
      expect(output).toContain('The training check did not run: the data set (pollution.csv) is not available.');
      expect(output).toContain('Could not download the lab data');
      expect(output).toContain('RNN_LAB_DATA=/path/to/pollution.csv npm test');
      expect(output).toMatch(/trainRnn +3 \/ 10 +\(not run: no data\)/);
      expect(output).not.toMatch(/--data|Internal error|course staff|\n\s+at .*\.(ts|js):\d+/);
    } finally {
      rmSync(offline, { force: true });
      rmSync(cache, { recursive: true, force: true });
    }
  }, 240_000);

  it('writes annotations at rnn.ts lines and a job summary for GitHub, with submission text made inert', () => {
    const source = correctWith(
      GRAD_B_LOOP,
      `${GRAD_B_LOOP}\n      if (i === 0) throw new Error('bad%0A::error::forged\\n::warning file=x::y');`,
    );
    writeFileSync(path.join(handout, 'rnn.ts'), source);
    const summary = path.join(handout, 'step-summary.md');
    try {
      const { stdout } = studentNpmTest(handout, { GITHUB_STEP_SUMMARY: summary }, ['--github']);
      const line = lineOf(source, "throw new Error('bad");
      const lines = stdout.split('\n');
      // Annotations, then the summary text with workflow commands stopped by a fresh token, then resumed.
      const stop = lines.findIndex((text) => /^::stop-commands::[0-9a-f]{32}$/.test(text));
      expect(stop).toBeGreaterThan(0);
      const token = lines[stop].slice('::stop-commands::'.length);
      const resume = lines.indexOf(`::${token}::`);
      expect(resume).toBeGreaterThan(stop);
      const annotations = lines.slice(0, stop).filter((text) => text.trimStart().startsWith('::'));
      expect(annotations.length).toBeGreaterThan(0);
      for (const text of annotations)
        expect(text).toMatch(/^::(error|warning) file=rnn\.ts,(line=\d+,)?(col=\d+,)?title=[^:]*::/);
      expect(annotations.some((text) => text.startsWith(`::error file=rnn.ts,line=${line},`))).toBe(true);
      // the thrown message's own "::" and newline cannot start a command: it stays inside one annotation's data
      expect(annotations.some((text) => text.includes('bad%250A::error::forged%0A::warning file=x::y'))).toBe(true);
      expect(
        [...lines.slice(0, stop), ...lines.slice(resume + 1)].filter(
          (text) => text.trimStart().startsWith('::') && !annotations.includes(text),
        ),
      ).toEqual([]);
      const markdown = readFileSync(summary, 'utf8');
      expect(markdown).toMatch(/^## Public checks: \d+ \/ \d+ points/);
      expect(markdown).toContain('| `RNN.computeGradB` | 0 / 8 |');
    } finally {
      rmSync(summary, { force: true });
    }
  }, 240_000);

  it('npm run watch re-runs on every save of rnn.ts and shows only the latest results', async () => {
    cpSync(path.join(ROOT, 'submissions', 'correct-loops', 'rnn.ts'), path.join(handout, 'rnn.ts'));
    const watcher = spawn('npm', ['run', 'watch'], {
      cwd: handout,
      env: { ...process.env, RNN_LAB_DATA: DATA, FORCE_COLOR: '0' },
      detached: true,
    });
    let output = '';
    watcher.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    watcher.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const waitFor = async (count: number) => {
      const until = Date.now() + 150_000;
      while (output.split('Waiting for the next save').length - 1 < count) {
        if (Date.now() > until) throw new Error(`watch mode printed no summary number ${count}:\n${output}`);
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    };
    try {
      await waitFor(1);
      expect(output).toMatch(/Public checks: (\d+) \/ \1 points\./);
      writeFileSync(
        path.join(handout, 'rnn.ts'),
        correctWith(GRAD_B_LOOP, GRAD_B_LOOP.replace('t < hidden.length', 't <= hidden.length')),
      );
      await waitFor(2);
      const latest = output.slice(output.lastIndexOf('[watch] checking rnn.ts'));
      expect(latest).toContain('RNN.computeGradB threw TypeError');
      expect(latest).toMatch(/Public checks: \d+ \/ \d+ points\. \(\d+ failing\)/);
    } finally {
      process.kill(-watcher.pid!, 'SIGKILL');
    }
  }, 360_000);

  it('names the likely mistake of a wrong sample', () => {
    cpSync(path.join(ROOT, 'submissions', 'grad-b-skip-first', 'rnn.ts'), path.join(handout, 'rnn.ts'));
    const { status, output } = studentNpmTest(handout);
    expect(status).not.toBe(0);
    expect(output).toMatch(/grad\.b\.value[\s\S]*Likely mistake: The first time step is skipped/);
  }, 240_000);

  it('lets the grader spot a handout whose checks were edited', () => {
    expect(changedHandoutFiles(handout)).toEqual([]);
    writeFileSync(path.join(handout, 'checks', 'student', 'main.ts'), '// all good\n');
    expect(changedHandoutFiles(handout)).toEqual(['checks/student/main.ts']);
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
