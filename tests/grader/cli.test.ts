/**
 * The batch grader end to end.
 *
 * In-process (gradeBatch with a fake execution backend and fake checks): every kind of
 * submission failure costs that submission only and the reports are always written; results do
 * not depend on --jobs, the order or the shard; missing data, manual scores and zips.
 *
 * As a user would (spawning `npx tsx grader/cli.ts`): --help, usage errors, merge errors, and a
 * real run through the sandbox over small submissions, graded twice to compare report.json.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import AdmZip from 'adm-zip';
import type { CheckDefinition } from '../../checks/types';
import { EXIT, gradeBatch, UsageError } from '../../grader/cli';
import type { BatchDeps, BatchOptions } from '../../grader/cli';
import type { ExecutionBackend, SandboxedExecutor } from '../../grader/execution';
import { mergeReports } from '../../grader/merge';
import type { GradeReport } from '../../grader/report-types';
import { DEFAULT_FORMATS } from '../../grader/reports';
import { RosterError } from '../../grader/reports/canvas';
import { RubricError } from '../../grader/rubric';
import { DataError } from '../../lab/data';

const PROJECT = join(__dirname, '..', '..');
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// --- fakes ---------------------------------------------------------------------------------------

/**
 * A backend whose "submissions" describe their behaviour in rnn.ts: ANSWER=n (what every call
 * returns), SYNTAX (fails to compile), HANG (every call times out), NOEXEC (the sandbox cannot
 * start), ANY (a type warning naming the file). It never runs any code from the submission.
 */
function fakeBackend(options: { jitter?: boolean } = {}): ExecutionBackend {
  return {
    async prepare(dir, workDir) {
      const source = readFileSync(join(dir, 'rnn.ts'), 'utf8');
      if (source.includes('SYNTAX')) return { ok: false, warnings: [], error: 'rnn.ts:1:1: Unexpected token' };
      mkdirSync(workDir, { recursive: true });
      writeFileSync(join(workDir, 'source'), source);
      return {
        ok: true,
        warnings: source.includes('ANY')
          ? [`type error in ${join(dir, 'rnn.ts')}: Parameter 'x' implicitly has an 'any' type.`]
          : [],
      };
    },
    async createExecutor(workDir): Promise<SandboxedExecutor> {
      const source = readFileSync(join(workDir, 'source'), 'utf8');
      if (source.includes('NOEXEC')) throw new Error('could not start the child process');
      const answer = Number(/ANSWER=(\d+)/.exec(source)?.[1] ?? -1);
      return {
        describeSandbox: () => 'fake sandbox',
        close: async () => undefined,
        async run(request) {
          if (options.jitter) await sleep(Math.random() * 15);
          if (source.includes('HANG')) return { ok: false, failure: 'timeout', message: 'no answer within 5 ms' };
          return {
            ok: true,
            value: request.op === 'store' ? null : answer,
            after: { args: [], storedChecksums: {} },
            rngLog: [],
            ms: 0,
          };
        },
      };
    },
  };
}

function answerCheck(id: string, visibility: 'public' | 'hidden', usesData = false): CheckDefinition {
  return {
    id,
    target: 'mseLoss',
    title: `${id} answers 42`,
    points: 1,
    visibility,
    timeoutMs: 1000,
    usesData,
    async run(context) {
      if (usesData) await context.trainData();
      const { value } = await context.runner.call({ op: 'call', fn: 'mseLoss', args: [] });
      if (value === 42) return { status: 'passed', message: '' };
      return {
        status: 'failed',
        message: `SECRET: expected 42, got ${String(value)} (case seed ${context.seed})`,
        diagnosis: 'off-by-one',
      };
    },
  };
}

const FAKE_CATALOGUE = [
  answerCheck('fake.public', 'public'),
  answerCheck('fake.hidden', 'hidden'),
  answerCheck('fake.data', 'public', true),
];
const RUBRIC = [
  'name: Fake rubric',
  'items:',
  '  - check: fake.public',
  '    points: 3',
  '  - check: fake.hidden',
  '    points: 2',
  '  - check: fake.data',
  '    points: 5',
  '  - manual: ex1',
  '    points: 10',
  '',
].join('\n');

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'grader-cli-test-'));
  mkdirSync(join(root, 'tmp'));
  write('rubric.yaml', RUBRIC);
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

function write(path: string, text: string): void {
  mkdirSync(dirname(join(root, path)), { recursive: true });
  writeFileSync(join(root, path), text);
}

function makeClass(): void {
  write('class/alice/rnn.ts', '// ANSWER=42 ANY');
  write('class/bob/rnn.ts', '// ANSWER=41');
  write('class/carol/rnn.ts', '// SYNTAX');
  write('class/dave/rnn.ts', '// HANG');
  write('class/erin/rnn.ts', '// NOEXEC');
  write('class/frank/main.py', 'print(42)');
}

const lines: string[] = [];
function deps(overrides: Partial<BatchDeps> = {}): BatchDeps {
  return {
    backend: fakeBackend(),
    catalogue: FAKE_CATALOGUE,
    trainData: { get: async () => [[1, 2, 3, 4, 5, 6]] },
    progress: {
      start: () => undefined,
      done: (s) => lines.push(`${s.id} ${s.status}`),
      log: (line) => lines.push(line),
      stop: () => undefined,
    },
    cwd: root,
    tmp: join(root, 'tmp'),
    ...overrides,
  };
}

function options(overrides: Partial<BatchOptions> = {}): BatchOptions {
  return {
    inputs: ['class'],
    out: 'out',
    rubric: 'rubric.yaml',
    jobs: 2,
    seed: 8,
    timeoutSeconds: 60,
    formats: [...DEFAULT_FORMATS],
    ...overrides,
  };
}

/** report.json without its timing fields. */
function withoutTiming(report: GradeReport | string): string {
  const value = typeof report === 'string' ? JSON.parse(report) : report;
  return JSON.stringify(value, (key, field) => (key === 'durationMs' || key === 'generatedAt' ? undefined : field), 2);
}

// --- in-process ------------------------------------------------------------------------------

describe('gradeBatch (fake sandbox)', () => {
  test('each failure costs only its submission; the reports are always written', async () => {
    makeClass();
    write('manual.csv', 'id,ex1\nalice,8\nzoe,3\n');
    const { report, exitCode, written } = await gradeBatch(options({ manual: 'manual.csv' }), deps());
    const summary = report.submissions.map((s) => ({
      id: s.id,
      status: s.status,
      score: s.score,
      error: s.error,
      checks: s.checks.map((c) => `${c.id}:${c.status}:${c.points}`),
    }));
    expect(summary).toEqual([
      {
        id: 'alice',
        status: 'graded',
        score: 18,
        error: undefined,
        checks: ['fake.public:passed:3', 'fake.hidden:passed:2', 'fake.data:passed:5'],
      },
      {
        id: 'bob',
        status: 'graded',
        score: 0,
        error: undefined,
        checks: ['fake.public:failed:0', 'fake.hidden:failed:0', 'fake.data:failed:0'],
      },
      {
        id: 'carol',
        status: 'error',
        score: 0,
        error: 'rnn.ts:1:1: Unexpected token',
        checks: ['fake.public:skipped:0', 'fake.hidden:skipped:0', 'fake.data:skipped:0'],
      },
      // The battery cannot even send dave's process the data: that check is an error, the others time out.
      {
        id: 'dave',
        status: 'graded',
        score: 0,
        error: undefined,
        checks: ['fake.public:timeout:0', 'fake.hidden:timeout:0', 'fake.data:timeout:0'],
      },
      {
        id: 'erin',
        status: 'error',
        score: 0,
        error:
          "Internal grader error (not the submission's fault; please tell the course staff): could not start the child process",
        checks: ['fake.public:skipped:0', 'fake.hidden:skipped:0', 'fake.data:skipped:0'],
      },
      {
        id: 'frank',
        status: 'error',
        score: 0,
        error: 'no rnn.ts found (it holds main.py). The lab contract asks for a folder holding rnn.ts.',
        checks: ['fake.public:skipped:0', 'fake.hidden:skipped:0', 'fake.data:skipped:0'],
      },
    ]);
    // The grader's own failure (erin) is typed in its row and reported by the exit code; the batch still finished.
    expect(report.submissions.map((s) => [s.id, s.cause])).toEqual([
      ['alice', undefined],
      ['bob', undefined],
      ['carol', undefined],
      ['dave', undefined],
      ['erin', 'grader'],
      ['frank', undefined],
    ]);
    expect(exitCode).toBe(EXIT.incomplete);
    expect(report.warnings).toEqual(['manual.csv: scores for submissions that were not found: zoe']);
    expect(report.sandbox).toBe('fake sandbox');
    expect(report.rubric).toMatchObject({ source: 'rubric.yaml', name: 'Fake rubric', maxScore: 20 });
    // Machine-specific folders never reach the report.
    expect(report.submissions[0].warnings).toEqual([
      "type error in class/alice/rnn.ts: Parameter 'x' implicitly has an 'any' type.",
    ]);
    expect(report.submissions[0].manual).toEqual([{ id: 'ex1', title: 'ex1', points: 8, maxPoints: 10, graded: true }]);
    expect(report.submissions[1].manual).toEqual([
      { id: 'ex1', title: 'ex1', points: 0, maxPoints: 10, graded: false },
    ]);
    // Every submission's messages carry its own, id-derived seed.
    expect(report.submissions[1].checks[0].message).toMatch(/^SECRET: expected 42, got 41 \(case seed -?\d+\)$/);
    expect(written).toContain('gradebook.csv');
    expect(readFileSync(join(root, 'out', 'report.json'), 'utf8')).toBe(`${JSON.stringify(report, null, 2)}\n`);
    expect(readFileSync(join(root, 'out', 'gradebook.csv'), 'utf8')).toBe(
      'id,status,score,max_score,fake.public,fake.hidden,fake.data,ex1\nalice,graded,18,20,3,2,5,8\nbob,graded,0,20,0,0,0,\ncarol,error,0,20,0,0,0,\ndave,graded,0,20,0,0,0,\nerin,error,,20,0,0,0,\nfrank,error,0,20,0,0,0,\n',
    );
    // The hidden check's message is in the staff report only.
    expect(readFileSync(join(root, 'out', 'report.md'), 'utf8')).toContain('SECRET');
    const bobFeedback = readFileSync(join(root, 'out', 'feedback', 'bob.md'), 'utf8');
    expect(bobFeedback.match(/SECRET/g)).toHaveLength(2); // fake.public and fake.data, not fake.hidden
    expect(readFileSync(join(root, 'out', 'gradescope', 'bob', 'results.json'), 'utf8').match(/SECRET/g)).toHaveLength(
      2,
    );
    expect(readFileSync(join(root, 'out', 'classroom', 'bob.json'), 'utf8').match(/SECRET/g)).toHaveLength(2);
    // The work folder is gone.
    expect(readdirNames(join(root, 'tmp'))).toEqual([]);
  });

  test('results do not depend on --jobs, the order things finish in, or sharding', async () => {
    for (let i = 0; i < 12; i++) write(`class/s${i}/rnn.ts`, `// ANSWER=${40 + (i % 3)}`);
    const one = await gradeBatch(options({ jobs: 1, out: 'one' }), deps({ backend: fakeBackend({ jitter: true }) }));
    const four = await gradeBatch(options({ jobs: 4, out: 'four' }), deps({ backend: fakeBackend({ jitter: true }) }));
    expect(withoutTiming(four.report)).toBe(withoutTiming(one.report));
    expect(withoutTiming(readFileSync(join(root, 'four', 'report.json'), 'utf8'))).toBe(
      withoutTiming(readFileSync(join(root, 'one', 'report.json'), 'utf8')),
    );
    const shards = [];
    for (const index of [2, 1, 3])
      shards.push(
        await gradeBatch(
          options({ jobs: 3, out: `shard${index}`, shard: { index, count: 3 } }),
          deps({ backend: fakeBackend({ jitter: true }) }),
        ),
      );
    expect(shards.map((s) => s.report.submissions.length)).toEqual([4, 4, 4]);
    expect(shards[0].report.shard).toEqual({ index: 2, count: 3, totalSubmissions: 12 });
    const merged = mergeReports(shards.map((s, i) => ({ source: `shard${i}`, report: s.report })));
    expect(withoutTiming(merged)).toBe(withoutTiming(one.report));
    // Another seed gives other cases (and says so).
    const reseeded = await gradeBatch(options({ seed: 9, out: 'nine' }), deps());
    expect(reseeded.report.seed).toBe(9);
    expect(reseeded.report.submissions[1].seed).not.toBe(one.report.submissions[1].seed);
  });

  test('without the lab data, the checks that need it are errors and the rest are graded', async () => {
    write('class/alice/rnn.ts', '// ANSWER=42');
    const message =
      'RNN_LAB_DATA points to /nowhere/pollution.csv, which does not exist. Point RNN_LAB_DATA at a good copy of pollution.csv.';
    const { report, exitCode } = await gradeBatch(
      options(),
      deps({ trainData: { get: () => Promise.reject(new DataError(message)) } }),
    );
    expect(exitCode).toBe(EXIT.incomplete);
    expect(report.warnings).toEqual([
      `The lab data could not be loaded, so the check that needs it (fake.data) is marked 'error' for every submission: ${message}`,
    ]);
    expect(report.submissions[0].checks.map((c) => [c.id, c.status, c.points, c.message])).toEqual([
      ['fake.public', 'passed', 3, ''],
      ['fake.hidden', 'passed', 2, ''],
      [
        'fake.data',
        'error',
        0,
        `Not run: the grader could not load the lab data (not the submission's fault): ${message}`,
      ],
    ]);
    // Typed, not told by its message: the check and its row are the grader's fault.
    expect(report.submissions[0].checks.map((c) => c.cause)).toEqual([undefined, undefined, 'grader']);
    expect(report.submissions[0].cause).toBe('grader');
    expect(existsSync(join(root, 'out', 'report.json'))).toBe(true);
  });

  test('grading does not wait for the lab data until a check needs it, and that wait is not the budget', async () => {
    write('class/alice/rnn.ts', '// ANSWER=42');
    write('class/bob/rnn.ts', '// ANSWER=41');
    const events: string[] = [];
    let loaded!: () => void;
    const data = new Promise<number[][]>((resolve) => (loaded = () => resolve([[1]])));
    void data.then(() => events.push('data'));
    const fake = fakeBackend();
    const backend: ExecutionBackend = {
      prepare: (dir, workDir) => fake.prepare(dir, workDir),
      async createExecutor(workDir, prepared, limits) {
        const executor = await fake.createExecutor(workDir, prepared, limits);
        return {
          ...executor,
          run: (request, runOptions) => (events.push(request.op), executor.run(request, runOptions)),
        };
      },
    };
    const run = gradeBatch(
      // a budget shorter than the wait for the data
      options({ jobs: 1, timeoutSeconds: 0.4 }),
      deps({
        backend,
        trainData: { get: () => data },
        progress: { ...deps().progress, done: (row) => events.push(`done ${row.id}`) },
      }),
    );
    await sleep(600);
    // The first submission's checks before the data check ran; it is held at its data check…
    expect(events).toEqual(['call', 'call']);
    loaded();
    const { report, exitCode } = await run;
    expect(events).toEqual([
      'call',
      'call',
      'data',
      'store',
      'call',
      'done alice',
      'call',
      'call',
      'store',
      'call',
      'done bob',
    ]);
    expect(exitCode).toBe(EXIT.ok);
    // …and every verdict is what it is with the data at hand from the start.
    expect(report.submissions.map((row) => [row.id, row.checks.map((c) => c.status)])).toEqual([
      ['alice', ['passed', 'passed', 'passed']],
      ['bob', ['failed', 'failed', 'failed']],
    ]);
  });

  test('a roster names students in the Canvas and Moodle exports only, and both gaps are warned about', async () => {
    makeClass();
    write(
      'roster.csv',
      'id,name,sis_login_id,idnumber\nalice,"Smith, Alice",asmith,20250001\nbob,Bob,bjones,20250002\nzoe,Zoe,zoe1,20250003\n',
    );
    lines.length = 0;
    const plain = await gradeBatch(options({ out: 'plain', formats: ['json', 'canvas', 'moodle'] }), deps());
    const named = await gradeBatch(
      options({
        out: 'named',
        formats: ['json', 'canvas', 'moodle'],
        roster: 'roster.csv',
        lms: { allowSubmissionIds: true },
      }),
      deps(),
    );
    const verdicts = (report: GradeReport) =>
      report.submissions.map((s) => [s.id, s.score, s.checks.map((c) => c.status)]);
    expect(verdicts(named.report)).toEqual(verdicts(plain.report));
    expect(readFileSync(join(root, 'named', 'report.json'), 'utf8')).not.toContain('Smith');
    const canvas = readFileSync(join(root, 'named', 'canvas.csv'), 'utf8').split('\n');
    expect(canvas[2]).toMatch(/^"Smith, Alice",,,asmith,,\d/);
    expect(canvas[3]).toMatch(/^Bob,,,bjones,,\d/);
    expect(canvas[4]).toMatch(/^carol,,,carol,,0$/); // not in the roster: its submission id
    expect(readFileSync(join(root, 'named', 'moodle.csv'), 'utf8').split('\n')[1]).toMatch(/^20250001,/);
    expect(readFileSync(join(root, 'plain', 'moodle.csv'), 'utf8').split('\n')[1]).toMatch(/^alice,/);
    expect(lines).toContain(
      'warning: roster.csv does not name 4 graded submission(s), exported under their submission id: carol, dave, erin, frank',
    );
    expect(lines).toContain('warning: roster.csv lists 1 id(s) with no graded submission (not in the exports): zoe');
    // a shard holds part of the class: the roster's other students are not missing from it
    lines.length = 0;
    await gradeBatch(
      options({
        out: 'shard',
        formats: ['canvas'],
        roster: 'roster.csv',
        shard: { index: 1, count: 2 },
        lms: { allowSubmissionIds: true },
      }),
      deps(),
    );
    expect(lines.filter((line) => line.includes('no graded submission'))).toEqual([]);
  });

  test('a missing or malformed roster stops before anything is graded or written', async () => {
    makeClass();
    await expect(gradeBatch(options({ roster: 'nope.csv', formats: ['canvas'] }), deps())).rejects.toThrow(
      new RosterError('the roster nope.csv does not exist'),
    );
    write('bad.csv', 'name,email\nA,a@x\n');
    await expect(gradeBatch(options({ roster: 'bad.csv', formats: ['canvas'] }), deps())).rejects.toThrow(
      'bad.csv has no "id" column (the submission id); its columns: name, email',
    );
    expect(existsSync(join(root, 'out'))).toBe(false);
  });

  test('a zip of submissions named on the command line is graded like a folder; a zip inside a folder is one submission', async () => {
    const archive = new AdmZip();
    archive.addFile('alice/rnn.ts', Buffer.from('// ANSWER=42'));
    archive.addFile('bob/rnn.ts', Buffer.from('// ANSWER=1'));
    mkdirSync(join(root, 'class'));
    archive.writeZip(join(root, 'export.zip'));
    const { report, exitCode } = await gradeBatch(options({ inputs: ['export.zip'], formats: ['json'] }), deps());
    expect(exitCode).toBe(EXIT.ok);
    expect(report.submissions.map((s) => [s.id, s.path, s.score])).toEqual([
      ['alice', 'export.zip!/alice', 10],
      ['bob', 'export.zip!/bob', 0],
    ]);
    // The same zip handed in by one student cannot speak for two.
    archive.writeZip(join(root, 'class', 'mallory.zip'));
    const inFolder = await gradeBatch(options({ formats: ['json'] }), deps());
    expect(inFolder.exitCode).toBe(EXIT.ok);
    expect(inFolder.report.submissions.map((s) => [s.id, s.path, s.status, s.error])).toEqual([
      [
        'mallory',
        'class/mallory.zip!',
        'error',
        'the zip holds 2 files named rnn.ts (alice/rnn.ts, bob/rnn.ts); a zip is one submission and must hold exactly one.',
      ],
    ]);
  });

  test('work folders of grader processes that died are removed; others are left alone', async () => {
    write('class/alice/rnn.ts', '// ANSWER=42');
    for (const name of [
      'rnn-grader-work-999999999-dead',
      `rnn-grader-work-${process.ppid}-alive`,
      'rnn-grader-build-x',
      'other',
    ])
      mkdirSync(join(root, 'tmp', name));
    await gradeBatch(options({ formats: ['json'] }), deps());
    expect(readdirNames(join(root, 'tmp')).sort()).toEqual([
      'other',
      'rnn-grader-build-x',
      `rnn-grader-work-${process.ppid}-alive`,
    ]);
  });

  test('a bad rubric, manual CSV or folder stops before anything is graded or written', async () => {
    makeClass();
    write('bad.yaml', 'items:\n  - check: fake.publik\n    points: 3\n');
    await expect(gradeBatch(options({ rubric: 'bad.yaml' }), deps())).rejects.toThrow(
      new RubricError('bad.yaml', [
        'bad.yaml:2:12: item 1 (check: fake.publik): unknown check id "fake.publik" (did you mean "fake.public"?)',
      ]),
    );
    write('manual.csv', 'id,ex1\nalice,11\n');
    await expect(gradeBatch(options({ manual: 'manual.csv' }), deps())).rejects.toThrow(
      'manual.csv:2: alice, ex1: 11 is outside 0..10',
    );
    await expect(gradeBatch(options({ inputs: ['nope'] }), deps())).rejects.toThrow(
      new UsageError('nope does not exist (expected a submission folder, a folder of submissions, or a .zip).'),
    );
    expect(existsSync(join(root, 'out'))).toBe(false);
  });
});

function readdirNames(dir: string): string[] {
  return (require('node:fs') as typeof import('node:fs')).readdirSync(dir);
}

// --- as a user would -------------------------------------------------------------------------

function cli(args: string[], cwd = PROJECT): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(join(PROJECT, 'node_modules', '.bin', 'tsx'), [join(PROJECT, 'grader', 'cli.ts'), ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1' },
    timeout: 170_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('the command line', () => {
  test('npx tsx grader/cli.ts --help documents every option, format, merge and the exit codes', () => {
    const result = spawnSync('npx', ['tsx', 'grader/cli.ts', '--help'], { cwd: PROJECT, encoding: 'utf8' });
    expect(result.status).toBe(0);
    for (const text of [
      'Usage: grade [options] [SUBMISSION_DIR ...]',
      '--out <DIR>',
      '--rubric <FILE>',
      '--jobs <N>',
      '--seed <N>',
      '--timeout <SECONDS>',
      '--format <LIST>',
      '--shard <I/N>',
      '--data <FILE>',
      '--manual <FILE>',
      '--roster <FILE>',
      'merge [options] <DIR...>',
      'gradescope/<id>/results.json',
      'classroom/<id>.json',
      'gradebook.csv',
      'junit.xml',
      'feedback/<id>.md',
      'html*       report.html',
      'canvas*     canvas.csv',
      'moodle*     moodle.csv',
      'Exit codes',
    ]) {
      expect(result.stdout).toContain(text);
    }
    const merge = cli(['merge', '--help']);
    expect(merge.status).toBe(0);
    expect(merge.stdout).toContain('Usage: grade merge [options] <DIR...>');
  });

  test('usage errors exit with 2 and say what is wrong', () => {
    write('bad.yaml', 'items:\n  - check: grad.b.valeu\n    points: -6\n');
    expect(cli(['--rubric', join(root, 'bad.yaml'), join(root, 'class')])).toEqual({
      status: 2,
      stdout: '',
      stderr: `error: The rubric ${join(root, 'bad.yaml')} is not valid:\n  - ${join(root, 'bad.yaml')}:2:12: item 1 (check: grad.b.valeu): unknown check id "grad.b.valeu" (did you mean "grad.b.value"?)\n`,
    });
    const jobs = cli(['--jobs', '0']);
    expect(jobs.status).toBe(2);
    expect(jobs.stderr).toBe("error: option '--jobs <N>' argument '0' is invalid. --jobs must be at least 1.\n");
    const format = cli(['--format', 'json,pdf']);
    expect(format.status).toBe(2);
    expect(format.stderr).toBe(
      "error: option '--format <LIST>' argument 'json,pdf' is invalid. unknown report format \"pdf\" (known: json, md, feedback, junit, csv, gradescope, classroom, html, canvas, moodle)\n",
    );
    const missing = cli([join(root, 'nothing-here')]);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain(`error: ${join(root, 'nothing-here')} does not exist`);
  });

  test('merge refuses a missing shard, merges complete ones, and names students in LMS exports with --roster', async () => {
    for (let i = 0; i < 5; i++) write(`class/s${i}/rnn.ts`, `// ANSWER=${40 + i}`);
    for (const index of [1, 2]) await gradeBatch(options({ out: `shard${index}`, shard: { index, count: 2 } }), deps());
    const missing = cli(['merge', join(root, 'shard1'), '--out', join(root, 'merged')]);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toBe(`error: shard 2/2 is missing (given: 1/2 (${join(root, 'shard1')}))\n`);
    expect(existsSync(join(root, 'merged'))).toBe(false);
    const ok = cli([
      'merge',
      join(root, 'shard1'),
      join(root, 'shard2'),
      '--out',
      join(root, 'merged'),
      '--format',
      'json,csv',
    ]);
    expect(ok.status).toBe(0);
    expect(ok.stdout).toContain(`reports written to ${join(root, 'merged')}/: gradebook.csv, report.json`);
    const merged = JSON.parse(readFileSync(join(root, 'merged', 'report.json'), 'utf8')) as GradeReport;
    expect(merged.submissions.map((s) => s.id)).toEqual(['s0', 's1', 's2', 's3', 's4']);
    expect(merged.shard).toBeUndefined();
    // the LMS exports of the whole class, with a roster
    write('roster.csv', 'id,sis_login_id,idnumber\ns0,login0,100\ns1,login1,101\ns2,login2,102\ns3,login3,103\n');
    const lms = cli([
      'merge',
      join(root, 'shard1'),
      join(root, 'shard2'),
      '--out',
      join(root, 'lms'),
      '--format',
      'canvas,moodle',
      '--roster',
      join(root, 'roster.csv'),
      '--allow-submission-ids',
    ]);
    expect(lms.status).toBe(0);
    expect(lms.stderr).toBe(
      `warning: ${join(root, 'roster.csv')} does not name 1 graded submission(s), exported under their submission id: s4\n`,
    );
    expect(
      readFileSync(join(root, 'lms', 'canvas.csv'), 'utf8')
        .split('\n')
        .slice(2, 7)
        .map((row) => row.split(',')[3]),
    ).toEqual(['login0', 'login1', 'login2', 'login3', 's4']);
    expect(
      readFileSync(join(root, 'lms', 'moodle.csv'), 'utf8')
        .split('\n')
        .slice(1, 6)
        .map((row) => row.split(',')[0]),
    ).toEqual(['100', '101', '102', '103', 's4']);
    const badRoster = cli([
      'merge',
      join(root, 'shard1'),
      join(root, 'shard2'),
      '--out',
      join(root, 'lms2'),
      '--format',
      'json',
      '--roster',
      join(root, 'missing.csv'),
    ]);
    expect(badRoster.status).toBe(2);
    expect(badRoster.stderr).toBe(
      `note: --roster only changes the canvas and moodle formats, and --format has neither\nerror: the roster ${join(root, 'missing.csv')} does not exist\n`,
    );
    expect(existsSync(join(root, 'lms2'))).toBe(false);
  });

  test('a real run through the sandbox: crashes and syntax errors cost one submission; a regrade is identical', () => {
    copyFileSync(join(PROJECT, 'reference', 'rnn.ts'), ensureDir(join(root, 'submissions', 'good')) + '/rnn.ts');
    write('submissions/syntax/rnn.ts', 'export function mseLoss(a: number, b: number {\n  return 1;\n}\n');
    write('submissions/crash/rnn.ts', "throw new Error('boom while loading');\nexport {};\n");
    write('submissions/hang/rnn.ts', 'export function mseLoss(a: number, b: number): number {\n  for (;;) {}\n}\n');
    write('submissions/empty/README.md', 'forgot to upload\n');
    write(
      'small.yaml',
      'items:\n  - check: contract.exports\n    points: 4\n  - check: data.columnMeans\n    points: 3\n  - check: loss.mse\n    points: 2\n  - check: forward.shape\n    points: 3\n',
    );
    // From inside the folder, with no SUBMISSION_DIR: grades submissions/ into grade-report/.
    const first = cli(
      ['--rubric', 'small.yaml', '--format', 'json,md,feedback,csv,html', '--jobs', '2', '--timeout', '5'],
      root,
    );
    expect(first.stderr).not.toContain('note: --format');
    expect(first.status).toBe(0);
    expect(first.stdout).toMatch(
      /reports written to grade-report\/: feedback\/, gradebook\.csv, report\.html, report\.json, report\.md\n$/,
    );
    const report = JSON.parse(readFileSync(join(root, 'grade-report', 'report.json'), 'utf8')) as GradeReport;
    expect(report.submissions.map((s) => [s.id, s.status, s.score, s.checks.map((c) => c.status).join(',')])).toEqual([
      ['crash', 'graded', 0, 'error,error,error,error'],
      ['empty', 'error', 0, 'skipped,skipped,skipped,skipped'],
      ['good', 'graded', 12, 'passed,passed,passed,passed'],
      ['hang', 'graded', 0, 'failed,error,timeout,timeout'],
      ['syntax', 'error', 0, 'skipped,skipped,skipped,skipped'],
    ]);
    expect(report.submissions[0].checks[0].message).toContain('boom while loading');
    expect(report.submissions[4].error).toMatch(/^rnn\.ts:1:\d+: /);

    const second = cli(
      ['--rubric', 'small.yaml', '--format', 'json', '--jobs', '1', '--timeout', '5', '--out', 'again'],
      root,
    );
    expect(second.status).toBe(0);
    expect(withoutTiming(readFileSync(join(root, 'again', 'report.json'), 'utf8'))).toBe(
      withoutTiming(readFileSync(join(root, 'grade-report', 'report.json'), 'utf8')),
    );
  }, 180_000);
});

function ensureDir(dir: string): string {
  mkdirSync(dir, { recursive: true });
  return dir;
}
