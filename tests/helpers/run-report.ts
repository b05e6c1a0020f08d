/**
 * A student-side run (what `npm test` writes to public-results.json, checks/student/report.ts) built
 * around the given results, every other field fixed, for the tests of what is made from one.
 */
import type { ReportedResult, RunReport } from '../../checks/student/report';

export function runReport(results: ReportedResult[], extra: Partial<RunReport> = {}): RunReport {
  return {
    checkedAt: new Date(0).toISOString(),
    sourceHash: 'x',
    types: { problems: [], cached: true },
    results,
    printed: { text: '', truncated: false },
    durationMs: 1,
    ...extra,
  };
}
