/** report.json: the report object itself, pretty-printed (two spaces, trailing newline). */
import type { GradeReport } from '../report-types';

export function renderJson(report: GradeReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}
