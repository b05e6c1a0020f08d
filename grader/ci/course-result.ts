/**
 * What is posted to a student's repository for one graded submission: the student-facing summary
 * of grader/ci/summary.ts (hidden checks only as the generic line, no diagnosis), a one-line
 * title, and the verdict as a check run conclusion and a commit status state.
 */
import type { GradeReport, SubmissionReport } from '../report-types';
import { formatPoints, studentReport } from '../reports/common';
import { mdInline } from '../reports/markdown';
import { judgePassMark, renderSubmissionSummary } from './summary';
import type { PassMark } from './summary';

export interface CourseResult {
  /** Check run title and commit status description (short, plain text). */
  title: string;
  /** Markdown for the check run's summary and the pull-request comment. */
  summary: string;
  conclusion: 'success' | 'failure' | 'neutral';
  state: 'success' | 'failure' | 'error';
}

/** GitHub's limits: a check run summary holds 65535 characters, a comment 65536. */
export const MAX_SUMMARY_CHARS = 60_000;

export interface ResultOptions {
  passMark?: PassMark;
  /** How the commit was chosen (plain text from pick-commit.ts; may hold a branch name). */
  how: string;
  sha: string;
}

export function courseResult(report: GradeReport, submission: SubmissionReport, options: ResultOptions): CourseResult {
  // Problems of the grading run (e.g. the data could not be loaded): the score is not final, and
  // that is never the student's fault, so the verdict stays neutral.
  const incomplete = report.warnings.length > 0;
  const score = `${formatPoints(submission.score)} / ${formatPoints(submission.maxScore)}`;
  const verdict = judgePassMark(submission, options.passMark);
  const feedbackHint = `Graded by the course at commit \`${options.sha.slice(0, 12)}\`: ${mdInline(options.how)}.`;
  const view = studentReport({ ...report, submissions: [submission] });
  let summary = renderSubmissionSummary(view, view.submissions[0], {
    passMark: options.passMark,
    incomplete,
    feedbackHint,
  });
  if (summary.length > MAX_SUMMARY_CHARS) {
    const cut = summary.slice(0, MAX_SUMMARY_CHARS);
    summary = `${cut.slice(0, cut.lastIndexOf('\n'))}\n\n*(cut: too long to show here; ask the course staff for the rest)*\n`;
  }

  if (incomplete)
    return {
      title: `Grade ${score} (not final: a grading problem, not yours)`,
      summary,
      conclusion: 'neutral',
      state: 'error',
    };
  if (submission.status === 'error')
    return { title: `Could not be graded: ${score}`, summary, conclusion: 'failure', state: 'failure' };
  if (verdict.problem)
    return {
      title: `Grade ${score} (the pass mark is set wrong: not your fault)`,
      summary,
      conclusion: 'neutral',
      state: 'error',
    };
  if (!options.passMark) return { title: `Grade ${score}`, summary, conclusion: 'neutral', state: 'success' };
  const passed = verdict.passed && !verdict.problem;
  return {
    title: `Grade ${score}: pass mark ${formatPoints(verdict.needed!)} ${passed ? 'reached' : 'not reached'}`,
    summary,
    conclusion: passed ? 'success' : 'failure',
    state: passed ? 'success' : 'failure',
  };
}
