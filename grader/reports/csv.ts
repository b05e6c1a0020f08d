/**
 * gradebook.csv: one row per submission, one column per rubric item (in rubric order), after the
 * id, status, score and maximum. A manual item not graded yet is an empty cell. A cell that a
 * spreadsheet would take as a formula (an id starting with =, +, -, @, tab or CR) is written with a
 * leading `'` (csv-stringify's escape_formulas), so that opening the file never runs it.
 */
import { stringify } from 'csv-stringify/sync';
import type { GradeReport } from '../report-types';
import { formatPoints, gradebookScore, itemPoints } from './common';

export function renderGradebook(report: GradeReport): string {
  const items = report.rubric.items;
  const header = ['id', 'status', 'score', 'max_score', ...items.map((item) => item.id)];
  const rows = report.submissions.map((submission) => [
    submission.id,
    submission.status,
    gradebookScore(submission),
    formatPoints(submission.maxScore),
    ...items.map((item) => {
      const points = itemPoints(submission, item.id);
      return points === undefined ? '' : formatPoints(points);
    }),
  ]);
  return stringify([header, ...rows], { record_delimiter: 'unix', escape_formulas: true });
}
