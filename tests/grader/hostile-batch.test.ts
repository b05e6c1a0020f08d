/**
 * Every hostile fixture in ONE batch with a correct submission, through the real command line:
 * the batch finishes in bounded time and writes its reports, the correct submission is graded
 * exactly as when it is graded alone, and nothing appears outside the output folder.
 */
import { spawnSync } from 'child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'fs';
import os from 'os';
import path from 'path';

import { materialiseFixture } from '../fixtures/hostile/materialise';
const ROOT = path.join(__dirname, '..', '..');
const HOSTILE = path.join(ROOT, 'tests', 'fixtures', 'hostile');
const RUBRIC =
  'items:\n' +
  ['contract.exports', 'data.columnMeans', 'loss.mse', 'forward.shape', 'grad.c.value', 'grad.b.value']
    .map((id) => `  - check: ${id}\n    points: 1\n`)
    .join('');

/** The lab data, when this run has it (as in CI); without it the data checks are grader faults. */
const LAB_DATA = process.env.RNN_LAB_DATA ? path.resolve(process.env.RNN_LAB_DATA) : undefined;

function grade(args: string[], cwd: string, env: NodeJS.ProcessEnv = {}) {
  const run = spawnSync(
    path.join(ROOT, 'node_modules', '.bin', 'tsx'),
    [path.join(ROOT, 'grader', 'cli.ts'), ...args],
    { cwd, encoding: 'utf8', timeout: 540_000, env: { ...process.env, CI: 'true', ...env } },
  );
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

const withoutTiming = (submission: Record<string, unknown>) =>
  JSON.stringify(submission, (key, value) => (key === 'durationMs' || key === 'path' ? undefined : value));

describe('a batch of hostile submissions', () => {
  let root: string;
  beforeAll(() => {
    root = mkdtempSync(path.join(os.tmpdir(), 'rnn-hostile-batch-'));
    writeFileSync(path.join(root, 'rubric.yaml'), RUBRIC);
    for (const name of readdirSync(HOSTILE, { withFileTypes: true }).filter((entry) => entry.isDirectory())) {
      materialiseFixture(name.name, path.join(root, 'batch', name.name));
    }
    cpSync(path.join(ROOT, 'submissions', 'correct-loops'), path.join(root, 'batch', 'correct-loops'), {
      recursive: true,
    });
    cpSync(path.join(ROOT, 'submissions', 'correct-loops'), path.join(root, 'alone', 'correct-loops'), {
      recursive: true,
    });
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  test('finishes, reports every submission, and grades the correct one exactly as alone', () => {
    const before = new Set(readdirSync(root));
    const started = Date.now();
    const batch = grade(
      ['batch', '--rubric', 'rubric.yaml', '--jobs', '2', '--timeout', '8', '--format', 'json', '--out', 'out-batch'],
      root,
    );
    const seconds = (Date.now() - started) / 1000;
    expect(batch.status).toBe(0);
    const report = JSON.parse(readFileSync(path.join(root, 'out-batch', 'report.json'), 'utf8'));
    const ids = report.submissions.map((s: { id: string }) => s.id);
    expect(ids).toContain('correct-loops');
    expect(ids.length).toBe(readdirSync(path.join(root, 'batch')).length);
    // Bounded: each submission has an 8 s budget for its checks (+ start-up), two at a time
    // (311 s was measured at load average 25 on 2 cores: generous, as the point is that nothing hangs).
    expect(seconds).toBeLessThan(480);

    const alone = grade(
      ['alone', '--rubric', 'rubric.yaml', '--jobs', '1', '--timeout', '8', '--format', 'json', '--out', 'out-alone'],
      root,
    );
    expect(alone.status).toBe(0);
    const aloneReport = JSON.parse(readFileSync(path.join(root, 'out-alone', 'report.json'), 'utf8'));
    const inBatch = report.submissions.find((s: { id: string }) => s.id === 'correct-loops');
    expect(inBatch.score).toBe(inBatch.maxScore);
    expect(withoutTiming(inBatch)).toBe(withoutTiming(aloneReport.submissions[0]));

    // Nothing was written beside the output folders (e.g. a forged report.json).
    const after = readdirSync(root).filter((name) => !before.has(name));
    expect(after.sort()).toEqual(['out-alone', 'out-batch']);
    expect(existsSync(path.join(root, 'report.json'))).toBe(false);
    expect(existsSync('/tmp/rnn-hostile-write-files.txt')).toBe(false);
    // No hostile submission got full marks by faking its result.
    // (slow-training is correct but slow: this rubric has no training check; see the next test.
    // The forge-* fixtures attacking checks outside this rubric earn its full marks honestly:
    // tests/grader/forgery-batch.test.ts grades them with the whole rubric.)
    const earnFullMarks = [
      'correct-loops',
      'well-behaved',
      'slow-training',
      'forge-ascent',
      'forge-fake-losses',
      'forge-neighbours',
      'forge-stateful',
    ];
    for (const submission of report.submissions.filter((s: { id: string }) => !earnFullMarks.includes(s.id))) {
      expect([submission.id, submission.score < submission.maxScore]).toEqual([submission.id, true]);
    }
  }, 1_200_000);

  (LAB_DATA ? test : test.skip)(
    'very slow training ends as a timeout within the submission budget, not a hang',
    () => {
      writeFileSync(
        path.join(root, 'training.yaml'),
        'items:\n  - check: loss.mse\n    points: 1\n  - check: train.converges\n    points: 1\n',
      );
      materialiseFixture('slow-training', path.join(root, 'slow', 'slow-training'));
      const started = Date.now();
      const run = grade(
        ['slow', '--rubric', 'training.yaml', '--timeout', '6', '--format', 'json', '--out', 'out-slow'],
        root,
      );
      // on failure, show what the grader said and what it reported
      const written = existsSync(path.join(root, 'out-slow', 'report.json'))
        ? readFileSync(path.join(root, 'out-slow', 'report.json'), 'utf8')
        : 'no report';
      expect({ status: run.status, stderr: run.stderr.slice(-3000), report: run.status === 0 ? '' : written }).toEqual({
        status: 0,
        stderr: expect.any(String),
        report: '',
      });
      expect((Date.now() - started) / 1000).toBeLessThan(120);
      const [submission] = JSON.parse(readFileSync(path.join(root, 'out-slow', 'report.json'), 'utf8')).submissions;
      expect(submission.error).toBeUndefined();
      const statuses = Object.fromEntries(
        submission.checks.map((c: { id: string; status: string }) => [c.id, c.status]),
      );
      expect(statuses).toEqual({ 'loss.mse': 'passed', 'train.converges': 'timeout' });
    },
    300_000,
  );

  // Without the data (a fresh clone): the training check is the grader's fault, never a 0 of the student's.
  (LAB_DATA ? test.skip : test)(
    'without the lab data, the training check is a grader fault and the batch exits 3',
    () => {
      writeFileSync(
        path.join(root, 'training.yaml'),
        'items:\n  - check: loss.mse\n    points: 1\n  - check: train.converges\n    points: 1\n',
      );
      cpSync(path.join(ROOT, 'submissions', 'correct-loops'), path.join(root, 'nodata', 'correct-loops'), {
        recursive: true,
      });
      // A path that does not exist, so that no cached copy or download decides the outcome.
      const run = grade(
        ['nodata', '--rubric', 'training.yaml', '--timeout', '60', '--format', 'json', '--out', 'out-nodata'],
        root,
        { RNN_LAB_DATA: path.join(root, 'no-such-dir', 'pollution.csv') },
      );
      expect({ status: run.status, stderr: run.stderr.slice(-3000) }).toEqual({
        status: 3,
        stderr: expect.stringContaining('lab data could not be loaded'),
      });
      const [submission] = JSON.parse(readFileSync(path.join(root, 'out-nodata', 'report.json'), 'utf8')).submissions;
      expect(submission.cause).toBe('grader');
      const byId = Object.fromEntries(submission.checks.map((c: { id: string }) => [c.id, c]));
      expect(byId['loss.mse']).toMatchObject({ status: 'passed', points: 1 });
      expect(byId['loss.mse'].cause).toBeUndefined();
      expect(byId['train.converges']).toMatchObject({ status: 'error', cause: 'grader', points: 0 });
    },
    300_000,
  );
});
