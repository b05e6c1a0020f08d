/**
 * `grade diff OLD NEW`: per student, every check whose verdict or points changed and the score
 * delta; students added and removed; Markdown or JSON on stdout; exit 0 (2 for unreadable input).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { diffReports, DiffError, readReport, renderDiffMarkdown } from '../../grader/diff';
import type { RegradeDiff } from '../../grader/diff';
import type { CheckReport, GradeReport, SubmissionReport } from '../../grader/report-types';
import { check as reportCheck, gradeReport, submission } from '../helpers/report-fixtures';
import type { CheckFields } from '../helpers/report-fixtures';

const PROJECT = join(__dirname, '..', '..');

/** A check of mseLoss or computeGradB (by its id) that took a random time: timings are never a change. */
function check(fields: CheckFields): CheckReport {
  const target = fields.id.startsWith('grad') ? 'RNN.computeGradB' : 'mseLoss';
  return reportCheck({ target, durationMs: Math.random() * 100, ...fields });
}

/** A graded student whose score is the sum of its checks' points, graded in a random time. */
function student(id: string, checks: CheckReport[], extra: Partial<SubmissionReport> = {}): SubmissionReport {
  const score = checks.reduce((sum, c) => sum + c.points, 0);
  return submission({ id, score, checks, durationMs: Math.random() * 1000, ...extra });
}

function report(submissions: SubmissionReport[], generatedAt: string, seed = 8): GradeReport {
  return gradeReport({ seed, generatedAt, submissions });
}

const OLD = report(
  [
    student('alice', [
      check({ id: 'loss.mse', status: 'passed', points: 4, maxPoints: 4 }),
      check({ id: 'grad.b.value', status: 'failed', points: 0, maxPoints: 6, message: 'wrong' }),
    ]),
    student('bob', [
      check({ id: 'loss.mse', status: 'passed', points: 4, maxPoints: 4 }),
      check({ id: 'grad.b.value', status: 'passed', points: 6, maxPoints: 6 }),
    ]),
    student('carol', [
      check({ id: 'loss.mse', status: 'timeout', points: 0, maxPoints: 4 }),
      check({ id: 'grad.b.value', status: 'passed', points: 6, maxPoints: 6 }),
    ]),
    student(
      'dave',
      [
        check({ id: 'loss.mse', status: 'skipped', points: 0, maxPoints: 4 }),
        check({ id: 'grad.b.value', status: 'skipped', points: 0, maxPoints: 6 }),
      ],
      {
        status: 'error',
        error: 'no rnn.ts',
      },
    ),
    student('zed', [check({ id: 'loss.mse', status: 'passed', points: 4, maxPoints: 4 })]),
  ],
  '2025-01-01T00:00:00.000Z',
);
const NEW = report(
  [
    // A fixed check: passes now (+6). The message of an unchanged check changing is not a change.
    student('alice', [
      check({ id: 'loss.mse', status: 'passed', points: 4, maxPoints: 4, message: 'reworded' }),
      check({ id: 'grad.b.value', status: 'passed', points: 6, maxPoints: 6 }),
    ]),
    // Nothing changed but timings.
    student('bob', [
      check({ id: 'loss.mse', status: 'passed', points: 4, maxPoints: 4 }),
      check({ id: 'grad.b.value', status: 'passed', points: 6, maxPoints: 6 }),
    ]),
    // Same verdict, partial credit given (+1.5); a new check the old report did not run.
    student('carol', [
      check({ id: 'loss.mse', status: 'timeout', points: 1.5, maxPoints: 4 }),
      check({ id: 'grad.b.value', status: 'passed', points: 6, maxPoints: 6 }),
      check({ id: 'grad.all', status: 'failed', points: 0, maxPoints: 0 }),
    ]),
    // Resubmitted: graded now.
    student('dave', [
      check({ id: 'loss.mse', status: 'passed', points: 4, maxPoints: 4 }),
      check({ id: 'grad.b.value', status: 'failed', points: 0, maxPoints: 6 }),
    ]),
    student('erin', [check({ id: 'loss.mse', status: 'passed', points: 4, maxPoints: 4 })]),
  ],
  '2025-02-01T00:00:00.000Z',
);

test('lists every changed check with old and new verdicts and the score deltas', () => {
  const diff = diffReports(OLD, NEW, { old: 'old/report.json', new: 'new' });
  const expected: RegradeDiff = {
    old: {
      source: 'old/report.json',
      generatedAt: '2025-01-01T00:00:00.000Z',
      seed: 8,
      rubric: 'rubric.yaml',
      maxScore: 10,
      submissions: 5,
    },
    new: {
      source: 'new',
      generatedAt: '2025-02-01T00:00:00.000Z',
      seed: 8,
      rubric: 'rubric.yaml',
      maxScore: 10,
      submissions: 5,
    },
    changed: [
      {
        id: 'alice',
        oldScore: 4,
        newScore: 10,
        oldMaxScore: 10,
        newMaxScore: 10,
        delta: 6,
        checks: [
          {
            id: 'grad.b.value',
            target: 'RNN.computeGradB',
            old: { status: 'failed', points: 0, maxPoints: 6 },
            new: { status: 'passed', points: 6, maxPoints: 6 },
            delta: 6,
          },
        ],
      },
      {
        id: 'carol',
        oldScore: 6,
        newScore: 7.5,
        oldMaxScore: 10,
        newMaxScore: 10,
        delta: 1.5,
        checks: [
          {
            id: 'loss.mse',
            target: 'mseLoss',
            old: { status: 'timeout', points: 0, maxPoints: 4 },
            new: { status: 'timeout', points: 1.5, maxPoints: 4 },
            delta: 1.5,
          },
          {
            id: 'grad.all',
            target: 'RNN.computeGradB',
            old: null,
            new: { status: 'failed', points: 0, maxPoints: 0 },
            delta: 0,
          },
        ],
      },
      {
        id: 'dave',
        oldScore: 0,
        newScore: 4,
        oldMaxScore: 10,
        newMaxScore: 10,
        delta: 4,
        status: { old: 'error', new: 'graded' },
        checks: [
          {
            id: 'loss.mse',
            target: 'mseLoss',
            old: { status: 'skipped', points: 0, maxPoints: 4 },
            new: { status: 'passed', points: 4, maxPoints: 4 },
            delta: 4,
          },
          {
            id: 'grad.b.value',
            target: 'RNN.computeGradB',
            old: { status: 'skipped', points: 0, maxPoints: 6 },
            new: { status: 'failed', points: 0, maxPoints: 6 },
            delta: 0,
          },
        ],
      },
    ],
    unchanged: 1,
    added: [{ id: 'erin', score: 4, maxScore: 10, status: 'graded' }],
    removed: [{ id: 'zed', score: 4, maxScore: 10, status: 'graded' }],
  };
  expect(diff).toEqual(expected);
  expect(diffReports(OLD, OLD)).toMatchObject({ changed: [], unchanged: 5, added: [], removed: [] });
});

test('the Markdown report', () => {
  expect(renderDiffMarkdown(diffReports(OLD, { ...NEW, seed: 9 }, { old: 'old/report.json', new: 'new' }))).toBe(
    [
      '# Regrade diff',
      '',
      '- old: `old/report.json` — 5 submissions, graded 2025-01-01T00:00:00.000Z, seed 8, rubric rubric.yaml (10 points)',
      '- new: `new` — 5 submissions, graded 2025-02-01T00:00:00.000Z, seed 9, rubric rubric.yaml (10 points)',
      '',
      '> The two reports were graded with different seeds (8, 9): property checks drew different cases.',
      '',
      '**3** changed, 1 unchanged, 1 added, 1 removed; net change +11.5 points over the changed students.',
      '',
      '## Changed',
      '',
      '| student | old score | new score | delta |',
      '|---|---:|---:|---:|',
      '| alice | 4/10 | 10/10 | +6 |',
      '| carol | 6/10 | 7.5/10 | +1.5 |',
      '| dave | 0/10 | 4/10 | +4 |',
      '',
      '### alice: 4 → 10 (+6)',
      '',
      '| check | target | old | new | delta |',
      '|---|---|---|---|---:|',
      '| grad.b.value | RNN.computeGradB | failed 0/6 | passed 6/6 | +6 |',
      '',
      '### carol: 6 → 7.5 (+1.5)',
      '',
      '| check | target | old | new | delta |',
      '|---|---|---|---|---:|',
      '| loss.mse | mseLoss | timeout 0/4 | timeout 1.5/4 | +1.5 |',
      '| grad.all | RNN.computeGradB | — | failed 0/0 | ±0 |',
      '',
      '### dave: 0 → 4 (+4)',
      '',
      'Submission status: error → graded.',
      '',
      '| check | target | old | new | delta |',
      '|---|---|---|---|---:|',
      '| loss.mse | mseLoss | skipped 0/4 | passed 4/4 | +4 |',
      '| grad.b.value | RNN.computeGradB | skipped 0/6 | failed 0/6 | ±0 |',
      '',
      '## Added (only in the new report)',
      '',
      '| student | status | score |',
      '|---|---|---:|',
      '| erin | graded | 4/10 |',
      '',
      '## Removed (only in the old report)',
      '',
      '| student | status | score |',
      '|---|---|---:|',
      '| zed | graded | 4/10 |',
      '',
    ].join('\n'),
  );
});

describe('from files, and through the CLI', () => {
  let root: string;
  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'diff-test-'));
    mkdirSync(join(root, 'old'));
    writeFileSync(join(root, 'old', 'report.json'), JSON.stringify(OLD));
    writeFileSync(join(root, 'new.json'), JSON.stringify(NEW));
    writeFileSync(join(root, 'bad.json'), JSON.stringify({ schemaVersion: 2 }));
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  test('readReport takes a report.json or its folder; anything else is a DiffError', () => {
    expect(readReport(join(root, 'old'))).toEqual(OLD);
    expect(readReport(join(root, 'new.json'))).toEqual(NEW);
    expect(() => readReport(join(root, 'nothing'))).toThrow(new DiffError(`${join(root, 'nothing')} does not exist`));
    expect(() => readReport(join(root, 'bad.json'))).toThrow(
      `${join(root, 'bad.json')} is not a grade report of schemaVersion 1`,
    );
    expect(() => readReport(root)).toThrow(`${join(root, 'report.json')} does not exist`);
  });

  test('npm run grade -- diff: md by default, --format json; exit 0 with changes, 2 for a bad report', () => {
    const cli = (args: string[]) =>
      spawnSync(join(PROJECT, 'node_modules', '.bin', 'tsx'), [join(PROJECT, 'grader', 'cli.ts'), 'diff', ...args], {
        cwd: root,
        encoding: 'utf8',
      });
    const md = cli(['old', 'new.json']);
    expect(md.stderr).toBe('');
    expect(md.status).toBe(0);
    expect(md.stdout).toBe(renderDiffMarkdown(diffReports(OLD, NEW, { old: 'old', new: 'new.json' })));
    const json = cli(['old', 'new.json', '--format', 'json']);
    expect(json.status).toBe(0);
    expect(JSON.parse(json.stdout)).toEqual(diffReports(OLD, NEW, { old: 'old', new: 'new.json' }));
    const bad = cli(['old', 'bad.json']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toBe('error: bad.json is not a grade report of schemaVersion 1\n');
  }, 60_000);
});
