/**
 * Issue 13's "done": every forgery fixture (tests/fixtures/hostile/forge-*) graded in ONE batch
 * with a correct submission, through the real command line, in both sandbox modes (bubblewrap,
 * and the fallback, which the grader refuses unless --allow-weak-sandbox is given). Each forgery
 * loses exactly the checks its underlying code fails; the correct submission keeps full marks.
 *
 * With RNN_LAB_DATA the whole default rubric is used (train.converges trains 500 steps on the real
 * data); without it, the default rubric without train.converges (a note says so).
 */
import { spawnSync } from 'child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'fs';
import os from 'os';
import path from 'path';

import { materialiseFixture } from '../fixtures/hostile/materialise';
const ROOT = path.join(__dirname, '..', '..');
const DATA = process.env.RNN_LAB_DATA ? path.resolve(process.env.RNN_LAB_DATA) : undefined;
if (!DATA)
  console.warn(
    'NOTE: forgery batch without RNN_LAB_DATA: train.converges is left out of the rubric (set RNN_LAB_DATA=/path/to/pollution.csv to include it).',
  );

/** What each forgery's own code fails, whatever it claims (see the comment at the top of each fixture). */
const EARNED_FAILURES: Record<string, string[]> = {
  'correct-loops': [],
  'forge-neighbours': [],
  'forge-fake-losses': ['train.protocol', 'train.converges'],
  'forge-ascent': ['train.protocol', 'train.converges'],
  // Echoing building blocks are never asked: what is left is what a zero getGradients earns (charged once).
  'forge-stateful': ['grad.all', 'train.converges'],
  'forge-channel-hooks': ['grad.c.value', 'train.converges'],
  'forge-holes': ['data.standardize', 'forward.shape'],
  'forge-big-answer': ['data.columnMeans'],
};

function grade(args: string[], cwd: string, env: Record<string, string | undefined> = {}) {
  const run = spawnSync(
    path.join(ROOT, 'node_modules', '.bin', 'tsx'),
    [path.join(ROOT, 'grader', 'cli.ts'), ...args],
    { cwd, encoding: 'utf8', timeout: 900_000, env: { ...process.env, CI: 'true', ...env } },
  );
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

interface CheckRow {
  id: string;
  status: string;
  message: string;
}

describe('forgeries graded in one batch with a correct submission', () => {
  let root: string;
  let rubric: string;
  beforeAll(() => {
    root = mkdtempSync(path.join(os.tmpdir(), 'rnn-forgery-batch-'));
    for (const name of Object.keys(EARNED_FAILURES)) {
      const dest = path.join(root, 'batch', name);
      if (name === 'correct-loops') cpSync(path.join(ROOT, 'submissions', name), dest, { recursive: true });
      else materialiseFixture(name, dest);
    }
    const defaults = readFileSync(path.join(ROOT, 'grader', 'rubric.default.yaml'), 'utf8');
    rubric = DATA ? defaults : defaults.replace(/^ {2}- check: train\.converges\n {4}points: \d+\n/m, '');
    writeFileSync(path.join(root, 'rubric.yaml'), rubric);
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  const modes: Array<{ name: string; env: Record<string, string>; flags: string[] }> = [
    { name: 'strongest sandbox (bubblewrap here)', env: {}, flags: [] },
    { name: 'fallback sandbox', env: { RNN_GRADER_SANDBOX: 'fallback' }, flags: ['--allow-weak-sandbox'] },
  ];

  test.each(modes)(
    '$name: every forgery earns only what its code earns; the correct one keeps full marks',
    ({ name, env, flags }) => {
      const out = `out-${name.split(' ')[0]}`;
      const run = grade(
        [
          'batch',
          '--rubric',
          'rubric.yaml',
          '--jobs',
          '2',
          '--timeout',
          '120',
          '--format',
          'json',
          '--out',
          out,
          ...(DATA ? ['--data', DATA] : []),
          ...flags,
        ],
        root,
        env,
      );
      expect({ status: run.status, stderr: run.status === 0 ? '' : run.stderr.slice(-3000) }).toEqual({
        status: 0,
        stderr: '',
      });
      expect(run.stderr).toMatch(/^sandbox: /m);
      if (env.RNN_GRADER_SANDBOX === 'fallback') expect(run.stderr).toMatch(/^sandbox: NO OS SANDBOX/m);
      const report = JSON.parse(readFileSync(path.join(root, out, 'report.json'), 'utf8'));
      const failing: Record<string, string[]> = {};
      const messages: Record<string, string[]> = {};
      for (const submission of report.submissions as Array<{ id: string; checks: CheckRow[] }>) {
        const bad = submission.checks.filter((check) => check.status !== 'passed');
        failing[submission.id] = bad.map((check) => check.id).sort();
        messages[submission.id] = bad.map((check) => `${check.id}: ${check.message.slice(0, 300)}`);
      }
      const expected = Object.fromEntries(
        Object.entries(EARNED_FAILURES).map(([id, ids]) => [
          id,
          ids.filter((check) => rubric.includes(`check: ${check}\n`)).sort(),
        ]),
      );
      // on failure, the messages say why
      expect({ failing, messages }).toEqual({ failing: expected, messages: expect.anything() });
      const correct = report.submissions.find((s: { id: string }) => s.id === 'correct-loops');
      expect(correct.score).toBe(correct.maxScore);
      expect(readdirSync(path.join(root, 'batch')).length).toBe(report.submissions.length);
    },
    900_000,
  );

  test('without bubblewrap the grader refuses unless --allow-weak-sandbox is given, and says why', () => {
    const run = grade(['batch', '--rubric', 'rubric.yaml', '--format', 'json', '--out', 'out-refused'], root, {
      RNN_GRADER_SANDBOX: 'fallback',
    });
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/no OS sandbox is available.*--allow-weak-sandbox/s);
  }, 120_000);
});
