/**
 * GitHub Classroom: the grader's runner results read by a faithful copy of the reporter's
 * arithmetic (tests/helpers/classroom-reporter.ts). Its table and the grade it records must both
 * equal the grader's score, its log must carry no control character and no line a runner would
 * execute (`::…`).
 */
import fc from 'fast-check';
import type { GradeReport, SubmissionReport } from '../../grader/report-types';
import { runnerNames } from '../../checks/classroom/results';
import { studentReport } from '../../grader/reports/common';
import { classroomBundle, githubEnv, renderClassroom } from '../../grader/reports/classroom';
import { runReporter } from '../helpers/classroom-reporter';
import { HOSTILE_IDS, hostileReport } from '../helpers/hostile-report';

const cents = (points: number) => Math.round(points * 100);

/** The reporter run on one submission's file, through githubEnv as the workflow does. */
function report(grade: GradeReport, submission: SubmissionReport) {
  const { env, output } = githubEnv(JSON.parse(renderClassroom(studentReport(grade)).get(submission.id)!));
  const vars = Object.fromEntries(
    env
      .trim()
      .split('\n')
      .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
  );
  return runReporter(output.trim().slice('runners='.length), vars);
}

describe('the reporter reads the grade', () => {
  const grade = hostileReport();
  test.each(grade.submissions.map((s, i) => [i, JSON.stringify(s.id), s.score] as const))(
    'submission %i (%s): table and notice equal the score %d',
    (index) => {
      const submission = grade.submissions[index];
      const run = report(grade, submission);
      expect(cents(run.tableTotal.score)).toBe(cents(submission.score));
      expect(run.tableTotal.maxScore).toBe(submission.maxScore);
      expect(run.notice && { total: cents(run.notice.totalPoints), max: cents(run.notice.maxPoints) }).toEqual({
        total: cents(submission.score),
        max: cents(submission.maxScore),
      });
      // One row per check, each equal to that check's points.
      expect(run.table.map((row) => cents(row.score))).toEqual(submission.checks.map((check) => cents(check.points)));
      expect(run.failed).toEqual(submission.score === submission.maxScore ? undefined : expect.any(String));
    },
  );

  test('no log line a runner would execute, no control characters, hidden messages replaced', () => {
    for (const submission of grade.submissions) {
      const { log } = report(grade, submission);
      const commands = log.filter((line) => /^\s*::/.test(line));
      // Only the reporter's own two notices.
      expect(commands).toEqual([
        expect.stringMatching(/^::notice title=Autograding complete::Points /),
        expect.stringMatching(/^::notice title=Autograding report::\{"totalPoints":/),
      ]);
      expect(log.filter((line) => /[\u0000-\u0008\u000B-\u001F\u007F-\u009F]/.test(line))).toEqual([]);
      expect(log.join('\n')).not.toContain('expected yHat');
    }
  });

  test('a submission that could not be graded: every "not run" says why', () => {
    const view = studentReport(grade);
    const broken = view.submissions.find((s) => s.id === HOSTILE_IDS.lines)!;
    const bundle = classroomBundle(view, broken);
    const messages = Object.values(bundle.results).flatMap((result) => result.tests.map((t) => t.message));
    expect(messages).toHaveLength(broken.checks.length);
    for (const message of messages)
      expect(message).toMatch(/^Not run: your submission could not be graded: rnn\.ts:3:1: Unexpected "\}"/);
    expect(messages.join('\n')).not.toContain('see the error above');
  });

  test('partial credit of any size is exact in the table and in the notice', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1000 }), fc.integer({ min: 0, max: 1000 }), (maxCents, earnedRaw) => {
        const earnedCents = earnedRaw % (maxCents + 1);
        const base = hostileReport();
        const submission = {
          ...base.submissions[0],
          checks: [
            {
              ...base.submissions[0].checks[2],
              status: earnedCents === maxCents ? ('passed' as const) : ('failed' as const),
              points: earnedCents / 100,
              maxPoints: maxCents / 100,
            },
          ],
        };
        const one: GradeReport = {
          ...base,
          rubric: {
            ...base.rubric,
            items: [
              { id: 'grad.b.value', kind: 'check', title: 'b', maxPoints: maxCents / 100, checks: ['grad.b.value'] },
            ],
          },
          submissions: [submission],
        };
        const run = report(one, submission);
        expect(cents(run.tableTotal.score)).toBe(earnedCents);
        if (run.notice) expect(cents(run.notice.totalPoints)).toBe(earnedCents);
      }),
      { numRuns: 100 },
    );
  });

  test('graded manual items are runners too; ungraded ones are left out, and so is their maximum', () => {
    const base = hostileReport();
    const submission = {
      ...base.submissions[0],
      manual: [
        { id: 'ex1', title: 'Exercise 1', points: 7.5, maxPoints: 10, graded: true },
        { id: 'ex2', title: 'Exercise 2', points: 0, maxPoints: 5, graded: false },
      ],
    };
    submission.score += 7.5;
    const withManual: GradeReport = {
      ...base,
      rubric: {
        ...base.rubric,
        items: [
          ...base.rubric.items,
          { id: 'ex1', kind: 'manual', title: 'Exercise 1', maxPoints: 10, checks: [] },
          { id: 'ex2', kind: 'manual', title: 'Exercise 2', maxPoints: 5, checks: [] },
        ],
      },
      submissions: [submission],
    };
    const run = report(withManual, submission);
    expect(run.table.map((row) => row.runner)).toEqual([
      'contractExports',
      'forwardValue',
      'gradBValue',
      'lossMse',
      'ex1',
    ]);
    expect(cents(run.tableTotal.score)).toBe(cents(submission.score));
    expect(run.notice).toEqual({ totalPoints: expect.any(Number), maxPoints: 20 });
    expect(cents(run.notice!.totalPoints)).toBe(cents(submission.score));
  });
});

test('runner names: letters and digits only, distinct even in upper case', () => {
  expect([...runnerNames(['grad.b.value', 'gradB.value', 'GRADBVALUE', 'x', '1-2', '...']).values()]).toEqual([
    'gradBValue',
    'gradBValue2',
    'GRADBVALUE3',
    'x',
    'item12',
    'item',
  ]);
  expect(() => githubEnv({ runners: 'a,b-c', results: { a: {}, 'b-c': {} } })).toThrow('bad runner names: b-c');
  expect(() => githubEnv({})).toThrow('not a GitHub Classroom results file');
});
