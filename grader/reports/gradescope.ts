/**
 * Gradescope autograder results, one `gradescope/<id>/results.json` per submission (the format of
 * gradescope/autograder_samples docs/specs.md): top-level `score`, `execution_time`, `output`,
 * `visibility`, `stdout_visibility` and `tests`, each test with `name`, `number`, `score`,
 * `max_score`, `status`, `output`, `tags` and `visibility`. Hidden checks are `after_due_date` and
 * their output is the generic hidden-check message. Inside a Gradescope container, copy the
 * submission's file to /autograder/results/results.json.
 *
 * Every name and output is declared plain text (`output_format`, `test_output_format`,
 * `test_name_format` and each test's `output_format` / `name_format`): Gradescope's default,
 * simple_format, renders HTML, so a compile error quoting `<img onerror=…>` would be markup.
 * Control characters and terminal escapes are taken out (./plain-text).
 */
import type { StudentReport, StudentSubmissionReport } from '../report-types';
import { formatPoints, notRunMessage } from './common';
import { plainLine, plainText } from './plain-text';

/** Gradescope's "Output String Formatting": text is shown as written. */
export const GRADESCOPE_FORMAT = 'text';

export interface GradescopeTest {
  name: string;
  name_format: typeof GRADESCOPE_FORMAT;
  number: string;
  score: number;
  max_score: number;
  status: 'passed' | 'failed';
  output: string;
  output_format: typeof GRADESCOPE_FORMAT;
  tags: string[];
  visibility: 'visible' | 'hidden' | 'after_due_date' | 'after_published';
}

export interface GradescopeResults {
  score: number;
  execution_time: number;
  output: string;
  output_format: typeof GRADESCOPE_FORMAT;
  test_output_format: typeof GRADESCOPE_FORMAT;
  test_name_format: typeof GRADESCOPE_FORMAT;
  visibility: 'visible';
  stdout_visibility: 'hidden';
  tests: GradescopeTest[];
}

/** Visibility on Gradescope of a check the rubric hides from students. */
export const HIDDEN_VISIBILITY = 'after_due_date';

export function gradescopeResults(report: StudentReport, submission: StudentSubmissionReport): GradescopeResults {
  const tests: GradescopeTest[] = [];
  report.rubric.items.forEach((item, index) => {
    if (item.kind === 'manual') {
      const manual = submission.manual.find((entry) => entry.id === item.id);
      if (!manual?.graded) return;
      tests.push({
        name: plainLine(`${item.id}: ${item.title}`),
        name_format: GRADESCOPE_FORMAT,
        number: String(index + 1),
        score: manual.points,
        max_score: manual.maxPoints,
        status: manual.points === manual.maxPoints ? 'passed' : 'failed',
        output: 'Graded by hand.',
        output_format: GRADESCOPE_FORMAT,
        tags: ['manual'],
        visibility: 'after_published',
      });
      return;
    }
    const checks = submission.checks.filter((check) => check.item === item.id);
    checks.forEach((check, j) => {
      const message = check.status === 'skipped' ? notRunMessage(check, submission) : check.message;
      const output = check.status === 'passed' ? '' : plainText(`${check.status.toUpperCase()}: ${message}`);
      tests.push({
        name: plainLine(`${check.id}: ${check.title}`),
        name_format: GRADESCOPE_FORMAT,
        number: checks.length === 1 && item.kind === 'check' ? String(index + 1) : `${index + 1}.${j + 1}`,
        score: check.points,
        max_score: check.maxPoints,
        status: check.status === 'passed' ? 'passed' : 'failed',
        output,
        output_format: GRADESCOPE_FORMAT,
        tags: [check.target],
        visibility: check.visibility === 'hidden' ? HIDDEN_VISIBILITY : 'visible',
      });
    });
  });
  const lines = [];
  if (submission.status === 'error')
    lines.push(`Your submission could not be graded: ${submission.error ?? 'unknown error'}`);
  lines.push(`Autograded score: ${formatPoints(submission.score)} / ${formatPoints(submission.maxScore)}.`);
  if (submission.checks.some((check) => check.visibility === 'hidden'))
    lines.push('Some checks are hidden: their details are not shown.');
  for (const warning of submission.warnings) lines.push(`Note: ${warning}`);
  return {
    score: submission.score,
    execution_time: Math.round(submission.durationMs) / 1000,
    output: plainText(lines.join('\n')),
    output_format: GRADESCOPE_FORMAT,
    test_output_format: GRADESCOPE_FORMAT,
    test_name_format: GRADESCOPE_FORMAT,
    visibility: 'visible',
    stdout_visibility: 'hidden',
    tests,
  };
}

export function renderGradescope(report: StudentReport): Map<string, string> {
  return new Map(
    report.submissions.map((submission) => [
      submission.id,
      `${JSON.stringify(gradescopeResults(report, submission), null, 2)}\n`,
    ]),
  );
}
