/**
 * What one run of the public checks found, in a form every output (terminal, CI job summary and
 * annotations, `--json`) is made from.
 */
import type { CheckResult } from '../types';
import type { TypeCheckResult } from './typecheck';

export interface RunReport {
  /** When rnn.ts was read for this run (ISO), so a summary says which save it is about. */
  checkedAt: string;
  /** sha256 of the rnn.ts the checks ran on. */
  sourceHash: string;
  types: TypeCheckResult;
  /** One per public check, in the grader's order; points are the check's public points. */
  results: ReportedResult[];
  /** Set when the data set could not be loaded: the checks that need it did not run. */
  dataProblem?: string;
  /** What rnn.ts printed while it ran. */
  printed: { text: string; truncated: boolean };
  durationMs: number;
}

/** A check's result with its public points; `notRun` when the data it needs was missing. */
export type ReportedResult = CheckResult & { points: number; notRun?: boolean };

export type Standing = 'passed' | 'failed' | 'warning' | 'not-run';

/** A 0-point check that fails is a warning (it costs nothing); a check the data was missing for did not run. */
export function standingOf(result: ReportedResult): Standing {
  if (result.notRun) return 'not-run';
  if (result.status === 'passed') return 'passed';
  return result.points === 0 ? 'warning' : 'failed';
}

export interface Totals {
  earned: number;
  max: number;
  failed: number;
  warnings: number;
  notRun: number;
  /** Points of the checks that did not run. */
  notRunPoints: number;
}

export function totalsOf(report: RunReport): Totals {
  const totals: Totals = { earned: 0, max: 0, failed: 0, warnings: 0, notRun: 0, notRunPoints: 0 };
  for (const result of report.results) {
    const standing = standingOf(result);
    totals.max += result.points;
    if (standing === 'passed') totals.earned += result.points;
    else if (standing === 'failed') totals.failed++;
    else if (standing === 'warning') totals.warnings++;
    else {
      totals.notRun++;
      totals.notRunPoints += result.points;
    }
  }
  return totals;
}

/** Points per function, in the order the functions first appear. */
export function byTarget(
  report: RunReport,
): Array<{ target: string; earned: number; max: number; results: RunReport['results'] }> {
  const groups = new Map<string, { target: string; earned: number; max: number; results: RunReport['results'] }>();
  for (const result of report.results) {
    let group = groups.get(result.target);
    if (!group) groups.set(result.target, (group = { target: result.target, earned: 0, max: 0, results: [] }));
    group.max += result.points;
    if (result.status === 'passed') group.earned += result.points;
    group.results.push(result);
  }
  return [...groups.values()];
}

/** `npm test` fails when a check with points fails, or rnn.ts has type errors. */
export function runSucceeded(report: RunReport): boolean {
  const totals = totalsOf(report);
  return totals.failed === 0 && report.types.problems.length === 0;
}

/** The CHECK_REPLAY line of a failed property check. */
export function replayCommand(result: CheckResult): string | undefined {
  return result.replay ? `CHECK_REPLAY="${result.id}:${result.replay.seed}:${result.replay.path}" npm test` : undefined;
}
