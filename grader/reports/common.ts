/**
 * Helpers shared by the report writers: file names for ids, number formatting, and the
 * student-facing view of a check (hidden checks' messages replaced by a generic one).
 */
import type {
  CheckReport,
  CheckStatus,
  GradeReport,
  StudentCheckReport,
  StudentReport,
  SubmissionReport,
} from '../report-types';
import { fnv1a } from '../fnv1a';

/**
 * A file name for a submission id: the id itself when it is already safe, otherwise the id with
 * unsafe characters replaced and a short hash of the original appended (so two ids never collide).
 */
export function fileNameFor(id: string): string {
  const safe = id.replace(/[^A-Za-z0-9._-]/g, '_');
  if (safe === id && !id.startsWith('.') && id !== '') return id;
  const hash = fnv1a(Array.from(id, (char) => char.codePointAt(0)!));
  return `${safe.replace(/^\.+/, '_')}-${hash.toString(16).padStart(8, '0')}`;
}

/** Points for people: at most two decimals, no trailing zeros (6, 2.5, 2.67). */
export function formatPoints(points: number): string {
  return String(Math.round(points * 100) / 100);
}

/**
 * A submission's score cell in a gradebook import: empty when the grader failed on it
 * (`cause: 'grader'`), so that an import leaves the student's grade alone instead of recording
 * a number the student did not earn; the batch exited 3 and the row waits for a regrade.
 */
export function gradebookScore(submission: Pick<SubmissionReport, 'score' | 'cause'>): string {
  return submission.cause === 'grader' ? '' : formatPoints(submission.score);
}

/** The generic text shown to students instead of a hidden check's message. */
export function hiddenMessage(check: Pick<CheckReport, 'status' | 'target'>): string {
  if (check.status === 'passed') return '';
  const what: Record<CheckStatus, string> = {
    passed: '',
    failed: 'gave a wrong result',
    error: 'stopped with an error',
    timeout: 'did not finish within the time limit',
    memory: 'used more memory than allowed',
    skipped: 'was not run',
  };
  return `This hidden check ${what[check.status]} for ${check.target}. Hidden checks do not show their inputs or expected values; re-read the lab contract for ${check.target} and test it on your own cases.`;
}

/**
 * A check as a student may see it: no diagnosis, and for hidden checks the message replaced by a
 * generic one and no replay (which could hint at the hidden cases).
 */
export function studentView(check: CheckReport): StudentCheckReport {
  const { diagnosis: _diagnosis, ...shown } = check;
  if (check.visibility !== 'hidden') return shown;
  const { replay: _replay, ...rest } = shown;
  return { ...rest, message: hiddenMessage(check) };
}

/** The report with every check in its student view: the only way to make a StudentReport. */
export function studentReport(report: GradeReport): StudentReport {
  return {
    ...report,
    audience: 'student',
    submissions: report.submissions.map((submission) => ({
      ...submission,
      checks: submission.checks.map(studentView),
    })),
  };
}

/**
 * Why a check was not run, for a student reading it on its own (one test of many in a CI log or
 * on Gradescope): the submission's error when it could not be graded, never "see above".
 */
export function notRunMessage(
  check: Pick<CheckReport, 'message'>,
  submission: Pick<SubmissionReport, 'status' | 'error'>,
): string {
  if (submission.status === 'error')
    return `Not run: your submission could not be graded: ${submission.error ?? 'no reason was recorded (a grader problem: tell the course staff)'}`;
  return check.message !== ''
    ? check.message
    : 'Not run, and the grader recorded no reason (a grader problem: tell the course staff).';
}

/** Counts of statuses over a submission's checks. */
export function countStatuses(submission: {
  checks: ReadonlyArray<Pick<CheckReport, 'status'>>;
}): Record<CheckStatus, number> {
  const counts: Record<CheckStatus, number> = { passed: 0, failed: 0, error: 0, timeout: 0, memory: 0, skipped: 0 };
  for (const check of submission.checks) counts[check.status]++;
  return counts;
}

/** Points a submission earned for one rubric item. */
export function itemPoints(
  submission: { checks: ReadonlyArray<Pick<CheckReport, 'item' | 'points'>>; manual: SubmissionReport['manual'] },
  itemId: string,
): number | undefined {
  const manual = submission.manual.find((item) => item.id === itemId);
  if (manual) return manual.graded ? manual.points : undefined;
  let cents = 0;
  for (const check of submission.checks) if (check.item === itemId) cents += Math.round(check.points * 100);
  return cents / 100;
}

/** Class statistics of the scores. */
export function scoreStats(report: GradeReport): {
  count: number;
  mean: number;
  median: number;
  min: number;
  max: number;
} {
  const scores = report.submissions.map((submission) => submission.score).sort((a, b) => a - b);
  if (scores.length === 0) return { count: 0, mean: 0, median: 0, min: 0, max: 0 };
  const mean = scores.reduce((a, b) => a + b, 0) / scores.length;
  const middle = Math.floor(scores.length / 2);
  const median = scores.length % 2 === 1 ? scores[middle] : (scores[middle - 1] + scores[middle]) / 2;
  return { count: scores.length, mean, median, min: scores[0], max: scores[scores.length - 1] };
}
