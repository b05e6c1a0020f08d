/**
 * Builders for hand-written reports, typed against grader/report-types.ts: a check, a submission and
 * a whole report, each taking the fields a test cares about and filling the rest with fixed defaults.
 * One set of builders, so that a new field of the report is added here once, not in every test.
 */
import type { CheckReport, GradeReport, SubmissionReport } from '../../grader/report-types';

/** What a check fixture must say; any other field of CheckReport replaces its default. */
export type CheckFields = Pick<CheckReport, 'id' | 'status' | 'points' | 'maxPoints'> & Partial<CheckReport>;

/** A check judging `RNN.<id>`, titled `title of <id>`, public, with no message, its own rubric item, 10 ms. */
export function check(fields: CheckFields): CheckReport {
  const { id, status, points, maxPoints, ...rest } = fields;
  // Every key is listed first in report.json's order (snapshots see it); `rest` replaces defaults and
  // appends the optional keys (diagnosis, replay, cause) in the order the test gives them.
  return {
    id,
    target: `RNN.${id}`,
    title: `title of ${id}`,
    status,
    points,
    maxPoints,
    visibility: 'public',
    message: '',
    item: id,
    durationMs: 10,
    ...rest,
  };
}

/** What a submission fixture must say; any other field of SubmissionReport replaces its default. */
export type SubmissionFields = Pick<SubmissionReport, 'id' | 'score'> & Partial<SubmissionReport>;

/** A graded submission in `submissions/<id>` out of 10, seed 1, with no checks, manual items or warnings. */
export function submission(fields: SubmissionFields): SubmissionReport {
  const { id, error, score, ...rest } = fields;
  return {
    id,
    path: `submissions/${id}`,
    status: 'graded',
    // Where report.json has it (snapshots see the key order).
    ...(error === undefined ? {} : { error }),
    score,
    maxScore: 10,
    seed: 1,
    checks: [],
    manual: [],
    warnings: [],
    durationMs: 10,
    ...rest,
  };
}

/** A report of batch seed 8 over `submissions`, with an empty rubric out of 10 and no grader warnings. */
export function gradeReport(fields: Pick<GradeReport, 'submissions'> & Partial<GradeReport>): GradeReport {
  return {
    schemaVersion: 1,
    seed: 8,
    rubric: { source: 'rubric.yaml', name: 'Test rubric', maxScore: 10, items: [] },
    sandbox: 'test sandbox',
    warnings: [],
    generatedAt: '2025-01-01T00:00:00.000Z',
    ...fields,
  };
}
