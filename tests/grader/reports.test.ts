/**
 * Every report format, built from one fixed, hand-written report object: exact content
 * (snapshots plus exact assertions), hidden checks redacted in student-facing formats only, and
 * the same input always giving the same bytes.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { GradeReport } from '../../grader/report-types';
import { DEFAULT_FORMATS, parseFormats, renderReports, writeReports } from '../../grader/reports';
import { classroomBundle } from '../../grader/reports/classroom';
import { fileNameFor, formatPoints, studentReport } from '../../grader/reports/common';
import { renderGradebook } from '../../grader/reports/csv';
import { gradescopeResults } from '../../grader/reports/gradescope';
import { renderJunit } from '../../grader/reports/junit';
import { check, gradeReport, submission } from '../helpers/report-fixtures';

const SECRET = 'expected yHat = 0.123456';

/** The four checks of the fixture's rubric: what each judges, its points, and the rubric item that carries them. */
const EXPORTS = { id: 'contract.exports', target: 'rnn.ts', maxPoints: 4 };
const SHAPE = { id: 'forward.shape', target: 'RNN.forward', item: 'RNN.forward', maxPoints: 3 };
const VALUE = {
  id: 'forward.value',
  target: 'RNN.forward',
  item: 'RNN.forward',
  maxPoints: 6,
  visibility: 'hidden' as const,
};
const MSE = { id: 'loss.mse', target: 'mseLoss', maxPoints: 2 };

function fixture(): GradeReport {
  const alice = submission({
    id: 'alice',
    score: 11.5,
    maxScore: 25,
    seed: 123,
    checks: [
      check({ ...EXPORTS, status: 'passed', points: 4 }),
      check({
        ...SHAPE,
        status: 'failed',
        points: 0,
        message: 'hidden has 3 rows, expected 24 (one per time step)',
        diagnosis: 'forward.first-hidden',
        replay: { seed: 42, path: '0:1' },
      }),
      check({
        ...VALUE,
        status: 'failed',
        points: 0,
        message: `RNN.forward is wrong: ${SECRET} for x = [[1, 2]]\nyour value: 0.5`,
        diagnosis: 'forward.no-tanh',
        replay: { seed: 7, path: '3' },
      }),
      check({
        ...MSE,
        status: 'timeout',
        points: 0,
        message: 'mseLoss did not finish within the time limit (no answer within 20000 ms).',
      }),
    ],
    manual: [{ id: 'ex1', title: 'Exercise 1', points: 7.5, maxPoints: 10, graded: true }],
    warnings: ["type error in rnn.ts: Parameter 'x' implicitly has an 'any' type."],
    durationMs: 1234,
  });
  const notRun = 'Not run: the submission could not be graded (see the error above).';
  const bob = submission({
    id: 'bob',
    path: 'class.zip!/bob',
    status: 'error',
    error: 'rnn.ts:3:1: Unexpected "}"',
    score: 0,
    maxScore: 25,
    seed: 456,
    checks: [EXPORTS, SHAPE, VALUE, MSE].map((spec) =>
      check({ ...spec, status: 'skipped', points: 0, message: notRun, durationMs: 0 }),
    ),
    manual: [{ id: 'ex1', title: 'Exercise 1', points: 0, maxPoints: 10, graded: false }],
    durationMs: 20,
  });
  const carol = submission({
    id: 'carol smith',
    score: 23,
    maxScore: 25,
    seed: 789,
    checks: [
      check({ ...EXPORTS, status: 'passed', points: 4 }),
      check({ ...SHAPE, status: 'passed', points: 3 }),
      check({ ...VALUE, status: 'passed', points: 6 }),
      check({
        ...MSE,
        status: 'memory',
        points: 0,
        message: 'mseLoss used more memory than allowed (heap limit 512 MiB). Look for arrays that keep growing.',
      }),
    ],
    manual: [{ id: 'ex1', title: 'Exercise 1', points: 10, maxPoints: 10, graded: true }],
    durationMs: 3000,
  });
  return gradeReport({
    rubric: {
      source: 'rubric.yaml',
      name: 'Test rubric',
      maxScore: 25,
      items: [
        { id: 'contract.exports', kind: 'check', title: 'exports', maxPoints: 4, checks: ['contract.exports'] },
        {
          id: 'RNN.forward',
          kind: 'target',
          title: 'RNN.forward (2 checks)',
          maxPoints: 9,
          checks: ['forward.shape', 'forward.value'],
        },
        { id: 'loss.mse', kind: 'check', title: 'mse', maxPoints: 2, checks: ['loss.mse'] },
        { id: 'ex1', kind: 'manual', title: 'Exercise 1', maxPoints: 10, checks: [] },
      ],
    },
    submissions: [alice, bob, carol],
  });
}

const STUDENT_FILES = (files: Map<string, string>) =>
  [...files.keys()].filter((file) => /^(feedback|gradescope|classroom)\//.test(file));
const STAFF_FILES = ['report.json', 'report.md', 'junit.xml'];

test('every format writes the files it promises', () => {
  const files = renderReports(fixture(), DEFAULT_FORMATS);
  expect([...files.keys()].sort()).toEqual([
    'classroom/alice.json',
    'classroom/bob.json',
    'classroom/carol_smith-1ea3d3a9.json',
    'feedback/alice.md',
    'feedback/bob.md',
    'feedback/carol_smith-1ea3d3a9.md',
    'gradebook.csv',
    'gradescope/alice/results.json',
    'gradescope/bob/results.json',
    'gradescope/carol_smith-1ea3d3a9/results.json',
    'junit.xml',
    'report.json',
    'report.md',
  ]);
});

test.each([...renderReports(fixture(), DEFAULT_FORMATS).keys()].sort())('%s matches its snapshot', (file) => {
  expect(renderReports(fixture(), DEFAULT_FORMATS).get(file)).toMatchSnapshot();
});

test('hidden checks: full message for staff, a generic one (no diagnosis, no replay) for students', () => {
  const files = renderReports(fixture(), DEFAULT_FORMATS);
  for (const file of STAFF_FILES) expect(files.get(file)).toContain(SECRET);
  expect(files.get('report.md')).toContain('forward.no-tanh');
  for (const file of STUDENT_FILES(files)) {
    expect(files.get(file)).not.toContain(SECRET);
    expect(files.get(file)).not.toContain('forward.no-tanh');
    expect(files.get(file)).not.toContain('seed 7, path');
  }
  // The public check keeps its message, diagnosis-free but with its replay, in the student's feedback.
  expect(files.get('feedback/alice.md')).toContain('hidden has 3 rows, expected 24 (one per time step)');
  expect(files.get('feedback/alice.md')).toContain('replay: seed 42, path `0:1`');
  expect(files.get('feedback/alice.md')).toContain(
    'This hidden check gave a wrong result for RNN.forward. Hidden checks do not show their inputs or expected values',
  );
});

test('the gradebook has one row per student and one column per rubric item', () => {
  expect(renderGradebook(fixture())).toBe(
    [
      'id,status,score,max_score,contract.exports,RNN.forward,loss.mse,ex1',
      'alice,graded,11.5,25,4,0,0,7.5',
      'bob,error,0,25,0,0,0,',
      'carol smith,graded,23,25,4,9,0,10',
      '',
    ].join('\n'),
  );
});

test('GitHub Classroom: one runner per check and graded manual item, per-check status, hidden message replaced', () => {
  const report = studentReport(fixture());
  const [alice, bob] = report.submissions;
  const runner = (name: string, status: string, max_score: number, tests: object[]) => [
    name,
    { version: 1, status, max_score, tests },
  ];
  const t = (name: string, status: string, score: number, message: string, duration = 10) => ({
    name,
    status,
    score,
    message,
    test_code: '',
    filename: '',
    line_no: 0,
    duration,
  });
  expect(classroomBundle(report, alice)).toEqual({
    runners: 'contractExports,forwardShape,forwardValue,lossMse,ex1',
    results: Object.fromEntries([
      runner('contractExports', 'pass', 4, [t('contract.exports: title of contract.exports', 'pass', 4, '')]),
      runner('forwardShape', 'fail', 3, [
        t('forward.shape: title of forward.shape', 'fail', 0, 'hidden has 3 rows, expected 24 (one per time step)'),
      ]),
      runner('forwardValue', 'fail', 6, [
        t(
          'forward.value: title of forward.value',
          'fail',
          0,
          'This hidden check gave a wrong result for RNN.forward. Hidden checks do not show their inputs or expected values; re-read the lab contract for RNN.forward and test it on your own cases.',
        ),
      ]),
      runner('lossMse', 'error', 2, [
        t(
          'loss.mse: title of loss.mse',
          'error',
          0,
          'mseLoss did not finish within the time limit (no answer within 20000 ms).',
        ),
      ]),
      // 7.5 of 10: four equal shares, three credited, so that the reporter's passed ÷ tests × max_score is 7.5.
      runner('ex1', 'fail', 10, [
        t('ex1: Exercise 1', 'fail', 0, 'Graded by hand: 7.5 of 10 points.', 0),
        t('ex1: partial credit, share 2 of 4 (2.5 points each) credited', 'pass', 7.5, '', 0),
        t('ex1: partial credit, share 3 of 4 (2.5 points each) credited', 'pass', 0, '', 0),
        t('ex1: partial credit, share 4 of 4 (2.5 points each) credited', 'pass', 0, '', 0),
      ]),
    ]),
  });
  // An ungraded manual item is left out, and so is its maximum; every check was not run, and says why.
  const bobs = classroomBundle(report, bob);
  expect(bobs.runners).toBe('contractExports,forwardShape,forwardValue,lossMse');
  for (const result of Object.values(bobs.results)) {
    expect(result).toMatchObject({
      status: 'error',
      tests: [
        {
          status: 'error',
          score: 0,
          message: 'Not run: your submission could not be graded: rnn.ts:3:1: Unexpected "}"',
        },
      ],
    });
  }
});

test('Gradescope: numbered tests, per-check visibility, hidden output replaced, top-level score', () => {
  const report = fixture();
  const view = studentReport(report);
  const results = gradescopeResults(view, view.submissions[0]);
  expect(results.score).toBe(11.5);
  expect(results.execution_time).toBe(1.234);
  expect(results.stdout_visibility).toBe('hidden');
  expect(results.output).toBe(
    "Autograded score: 11.5 / 25.\nSome checks are hidden: their details are not shown.\nNote: type error in rnn.ts: Parameter 'x' implicitly has an 'any' type.",
  );
  expect(
    results.tests.map((test) => [test.number, test.name, test.score, test.max_score, test.status, test.visibility]),
  ).toEqual([
    ['1', 'contract.exports: title of contract.exports', 4, 4, 'passed', 'visible'],
    ['2.1', 'forward.shape: title of forward.shape', 0, 3, 'failed', 'visible'],
    ['2.2', 'forward.value: title of forward.value', 0, 6, 'failed', 'after_due_date'],
    ['3', 'loss.mse: title of loss.mse', 0, 2, 'failed', 'visible'],
    ['4', 'ex1: Exercise 1', 7.5, 10, 'failed', 'after_published'],
  ]);
  expect(results.tests[2].output).toBe(
    'FAILED: This hidden check gave a wrong result for RNN.forward. Hidden checks do not show their inputs or expected values; re-read the lab contract for RNN.forward and test it on your own cases.',
  );
  expect(results.tests[3].output).toBe(
    'TIMEOUT: mseLoss did not finish within the time limit (no answer within 20000 ms).',
  );
  const bob = gradescopeResults(view, view.submissions[1]);
  expect(bob.output.split('\n')[0]).toBe('Your submission could not be graded: rnn.ts:3:1: Unexpected "}"');
  expect(bob.tests.map((test) => test.number)).toEqual(['1', '2.1', '2.2', '3']);
});

test('JUnit: one testcase per check; failures, errors and skips counted', () => {
  const xml = renderJunit(fixture());
  expect(xml.split('\n').slice(0, 2)).toEqual([
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<testsuites name="grading: Test rubric" tests="12" failures="2" errors="6" time="4.254">',
  ]);
  expect(xml.match(/<testcase /g)).toHaveLength(12);
  expect(xml).toContain('<testsuite name="alice" tests="4" failures="2" errors="1" skipped="0" time="1.234">');
  expect(xml).toContain('<testsuite name="bob" tests="4" failures="0" errors="4" skipped="0" time="0.020">');
  expect(xml).toContain(
    '<failure message="RNN.forward is wrong: expected yHat = 0.123456 for x = [[1, 2]]" type="failed">',
  );
  expect(xml).toContain(
    '<error message="mseLoss used more memory than allowed (heap limit 512 MiB). Look for arrays that keep growing." type="memory">',
  );
  // Characters XML cannot hold are replaced rather than breaking the file.
  const report = fixture();
  report.submissions[0].checks[1].message = 'bad \u0001 byte & <tag>';
  expect(renderJunit(report)).toContain('message="bad \uFFFD byte &amp; &lt;tag&gt;"');
  // Entity-like text is text: escaped, never passed through as an entity reference.
  report.submissions[0].checks[1].message = '&nbsp; &#1;';
  expect(renderJunit(report)).toContain('message="&amp;nbsp; &amp;#1;"');
  expect(renderJunit(report)).toContain(
    '<testcase name="forward.shape" classname="alice.RNN.forward" file="rnn.ts" time="0.010">',
  );
});

test('the same report gives the same bytes, however often it is rendered', () => {
  const first = renderReports(fixture(), DEFAULT_FORMATS);
  const second = renderReports(JSON.parse(JSON.stringify(fixture())) as GradeReport, DEFAULT_FORMATS);
  expect([...second]).toEqual([...first]);
  expect(JSON.parse(first.get('report.json')!)).toEqual(fixture());
});

test('writeReports writes the files and removes stale per-student files, nothing else', () => {
  const out = mkdtempSync(join(tmpdir(), 'reports-test-'));
  try {
    mkdirSync(join(out, 'feedback'), { recursive: true });
    mkdirSync(join(out, 'gradescope', 'gone'), { recursive: true });
    writeFileSync(join(out, 'feedback', 'gone.md'), 'old');
    writeFileSync(join(out, 'feedback', 'keep.txt'), 'not ours');
    writeFileSync(join(out, 'gradescope', 'gone', 'results.json'), '{}');
    writeFileSync(join(out, 'notes.txt'), 'mine');
    const written = writeReports(fixture(), out, ['json', 'md', 'feedback', 'gradescope']);
    expect(written).toEqual([
      'feedback/alice.md',
      'feedback/bob.md',
      'feedback/carol_smith-1ea3d3a9.md',
      'gradescope/alice/results.json',
      'gradescope/bob/results.json',
      'gradescope/carol_smith-1ea3d3a9/results.json',
      'report.json',
      'report.md',
    ]);
    expect(existsSync(join(out, 'feedback', 'gone.md'))).toBe(false);
    expect(existsSync(join(out, 'gradescope', 'gone'))).toBe(false);
    expect(readFileSync(join(out, 'feedback', 'keep.txt'), 'utf8')).toBe('not ours');
    expect(readFileSync(join(out, 'notes.txt'), 'utf8')).toBe('mine');
    expect(readFileSync(join(out, 'report.json'), 'utf8')).toBe(`${JSON.stringify(fixture(), null, 2)}\n`);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});

test('--format parsing', () => {
  expect(parseFormats('json, MD,csv,json')).toEqual(['json', 'md', 'csv']);
  expect(parseFormats('html')).toEqual(['html']);
  expect(() => parseFormats('json,pdf,xls')).toThrow(
    'unknown report formats "pdf", "xls" (known: json, md, feedback, junit, csv, gradescope, classroom, html, canvas, moodle)',
  );
  expect(() => parseFormats(' , ')).toThrow(
    '--format needs at least one of json, md, feedback, junit, csv, gradescope, classroom, html',
  );
  // html writes one page (its content: tests/grader/html.test.ts).
  expect([...renderReports(fixture(), ['html']).keys()]).toEqual(['report.html']);
});

test('file names and points for people', () => {
  expect(fileNameFor('alice')).toBe('alice');
  expect(fileNameFor('carol smith')).toBe('carol_smith-1ea3d3a9');
  expect(fileNameFor('carol_smith')).toBe('carol_smith');
  expect(fileNameFor('../etc')).toMatch(/^__etc-[0-9a-f]{8}$/);
  expect(fileNameFor('.hidden')).toMatch(/^_hidden-[0-9a-f]{8}$/);
  expect([formatPoints(6), formatPoints(2.5), formatPoints(2.666666), formatPoints(0.1 + 0.2)]).toEqual([
    '6',
    '2.5',
    '2.67',
    '0.3',
  ]);
});
