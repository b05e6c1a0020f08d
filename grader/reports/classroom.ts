/**
 * GitHub Classroom runner results, one file per submission (`classroom/<id>.json`), in the format
 * of classroom-resources/autograding-command-grader:
 * `{ version: 1, status: "pass"|"fail"|"error", max_score, tests: [{ name, status, score, message,
 * test_code, filename, line_no, duration }] }`. The reporter action reads it base64-encoded from a
 * step output (`base64 -w0 classroom/<id>.json`). Student-facing: hidden checks' messages are
 * replaced by a generic one.
 */
import type { GradeReport, SubmissionReport } from '../report-types';
import { studentView } from './common';

export interface ClassroomTest {
  name: string;
  status: 'pass' | 'fail' | 'error';
  score: number;
  message: string;
  test_code: string;
  filename: string;
  line_no: number;
  duration: number;
}

export interface ClassroomResult {
  version: 1;
  status: 'pass' | 'fail' | 'error';
  max_score: number;
  tests: ClassroomTest[];
}

export function classroomResult(submission: SubmissionReport): ClassroomResult {
  const tests: ClassroomTest[] = submission.checks.map((raw) => {
    const check = studentView(raw);
    return {
      name: `${check.id}: ${check.title}`,
      status: check.status === 'passed' ? 'pass' : check.status === 'failed' ? 'fail' : 'error',
      score: check.points,
      message: check.message,
      test_code: '',
      filename: '',
      line_no: 0,
      duration: check.durationMs,
    };
  });
  for (const item of submission.manual) {
    if (!item.graded) continue;
    tests.push({ name: `${item.id}: ${item.title}`, status: item.points === item.maxPoints ? 'pass' : 'fail', score: item.points, message: 'Graded by hand.', test_code: '', filename: '', line_no: 0, duration: 0 });
  }
  const maxCents = submission.checks.reduce((sum, check) => sum + Math.round(check.maxPoints * 100), 0) + submission.manual.filter((item) => item.graded).reduce((sum, item) => sum + Math.round(item.maxPoints * 100), 0);
  const status = submission.status === 'error' ? 'error' : tests.every((test) => test.status === 'pass') ? 'pass' : 'fail';
  return { version: 1, status, max_score: maxCents / 100, tests };
}

export function renderClassroom(report: GradeReport): Map<string, string> {
  return new Map(report.submissions.map((submission) => [submission.id, `${JSON.stringify(classroomResult(submission), null, 2)}\n`]));
}
