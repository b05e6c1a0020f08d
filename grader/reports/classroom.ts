/**
 * GitHub Classroom runner results, one file per submission (`classroom/<id>.json`), for
 * classroom-resources/autograding-grading-reporter (the format and why each check is a runner of
 * its own: checks/classroom/results.ts, shared with the handout's converter). A check with partial
 * credit is split into equal shares so that the reporter's table and its grade notice both give
 * exactly its points; every manual item graded so far is a runner too.
 *
 * The file holds the runners' names and their results:
 *   { "runners": "contractExports,gradBValue,…", "results": { "contractExports": {…}, … } }
 * and `githubEnv` turns it into what the reporter reads (`tsx grader/reports/classroom.ts FILE`
 * appends them to $GITHUB_ENV and $GITHUB_OUTPUT, in a workflow step before the reporter's).
 * The handout's own Classroom workflow runs the public checks only (handout/classroom-workflow.ts):
 * the reporter runs in the student's repository, where the private grader and any token for it
 * would be the student's to read (docs/ci.md).
 *
 * Student-facing: hidden checks' messages are replaced by a generic one.
 */
import { appendFileSync, readFileSync } from 'node:fs';
import type { ManualItemReport, StudentCheckReport, StudentReport, StudentSubmissionReport } from '../report-types';
import { classroomTest as test, RUNNER_NAME, runnerNames } from '../../checks/classroom/results';
import type { ClassroomResult, ClassroomTest } from '../../checks/classroom/results';
import { formatPoints, notRunMessage } from './common';

export interface ClassroomBundle {
  /** The runner names, comma-separated: the reporter's `runners` input. */
  runners: string;
  /** Runner name → its result. */
  results: Record<string, ClassroomResult>;
}

const cents = (points: number) => Math.round(points * 100);
const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));

/**
 * Tests whose pass ratio × max is exactly `points` and whose scores add up to it: one test for
 * nothing or full marks; for partial credit, n equal shares (n = max ÷ gcd) of which k pass.
 */
function scoredTests(main: ClassroomTest, points: number, maxPoints: number): ClassroomTest[] {
  const earned = cents(points);
  const max = cents(maxPoints);
  if (earned <= 0 || earned >= max) return [main];
  const share = gcd(earned, max);
  const total = max / share;
  const passing = earned / share;
  const label = main.name.split(':')[0];
  // The check itself (with its message) is one share not credited; the credited shares carry the points.
  const tests = [{ ...main, score: 0 }];
  for (let i = 1; i < total; i++) {
    const passed = i <= passing;
    tests.push(
      test(
        `${label}: partial credit, share ${i + 1} of ${total} (${formatPoints(share / 100)} points each) ${passed ? 'credited' : 'not credited'}`,
        passed ? 'pass' : 'fail',
        passed && i === 1 ? points : 0,
        '',
      ),
    );
  }
  return tests;
}

function checkResult(check: StudentCheckReport, submission: StudentSubmissionReport): ClassroomResult {
  const status: ClassroomTest['status'] =
    check.status === 'passed' ? 'pass' : check.status === 'failed' ? 'fail' : 'error';
  const credit =
    check.status !== 'passed' && check.points > 0
      ? `Partial credit: ${formatPoints(check.points)} of ${formatPoints(check.maxPoints)} points. `
      : '';
  const message = check.status === 'skipped' ? notRunMessage(check, submission) : `${credit}${check.message}`;
  const main = test(`${check.id}: ${check.title}`, status, check.points, message, check.durationMs);
  return { version: 1, status, max_score: check.maxPoints, tests: scoredTests(main, check.points, check.maxPoints) };
}

function manualResult(item: ManualItemReport): ClassroomResult {
  const status = cents(item.points) >= cents(item.maxPoints) ? 'pass' : 'fail';
  const main = test(
    `${item.id}: ${item.title}`,
    status,
    item.points,
    `Graded by hand: ${formatPoints(item.points)} of ${formatPoints(item.maxPoints)} points.`,
  );
  return { version: 1, status, max_score: item.maxPoints, tests: scoredTests(main, item.points, item.maxPoints) };
}

/** A check the rubric lists but the report has no result for: the grader's fault, worth nothing here. */
function missingResult(id: string): ClassroomResult {
  return {
    version: 1,
    status: 'error',
    max_score: 0,
    tests: [
      test(
        id,
        'error',
        0,
        `Not run: the grader has no result for ${id} (a grader problem, not yours: tell the course staff).`,
      ),
    ],
  };
}

/** Every runner of one submission, in rubric order. Manual items not graded yet are left out (and so is their maximum). */
export function classroomBundle(report: StudentReport, submission: StudentSubmissionReport): ClassroomBundle {
  const entries: Array<[string, () => ClassroomResult]> = [];
  for (const item of report.rubric.items) {
    if (item.kind === 'manual') {
      const manual = submission.manual.find((entry) => entry.id === item.id);
      if (manual?.graded) entries.push([item.id, () => manualResult(manual)]);
      continue;
    }
    for (const id of item.checks) {
      const check = submission.checks.find((entry) => entry.id === id);
      entries.push([id, () => (check ? checkResult(check, submission) : missingResult(id))]);
    }
  }
  // Checks of the submission that no rubric item lists (an older report): still shown and counted.
  for (const check of submission.checks)
    if (!entries.some(([id]) => id === check.id)) entries.push([check.id, () => checkResult(check, submission)]);
  const names = runnerNames(entries.map(([id]) => id));
  const results: Record<string, ClassroomResult> = {};
  for (const [id, result] of entries) results[names.get(id)!] = result();
  return { runners: Object.keys(results).join(','), results };
}

export function renderClassroom(report: StudentReport): Map<string, string> {
  return new Map(
    report.submissions.map((submission) => [
      submission.id,
      `${JSON.stringify(classroomBundle(report, submission), null, 2)}\n`,
    ]),
  );
}

/**
 * What the reporter step needs, from a bundle: `<RUNNER>_RESULTS=<base64 JSON>` lines for
 * $GITHUB_ENV and `runners=<names>` for $GITHUB_OUTPUT. Throws if the bundle is not one.
 */
export function githubEnv(bundle: unknown): { env: string; output: string } {
  const { runners, results } = (bundle ?? {}) as Partial<ClassroomBundle>;
  if (typeof runners !== 'string' || typeof results !== 'object' || results === null)
    throw new Error('not a GitHub Classroom results file (no "runners" and "results")');
  const names = runners.split(',');
  const bad = names.filter((name) => !RUNNER_NAME.test(name) || !(name in results));
  if (bad.length > 0 || names.length === 0) throw new Error(`bad runner names: ${bad.join(', ') || '(none)'}`);
  const env = names
    .map((name) => `${name.toUpperCase()}_RESULTS=${Buffer.from(JSON.stringify(results[name])).toString('base64')}\n`)
    .join('');
  return { env, output: `runners=${runners}\n` };
}

/** CLI: `tsx grader/reports/classroom.ts FILE` appends githubEnv(FILE) to $GITHUB_ENV and $GITHUB_OUTPUT. */
function main(argv: string[]): number {
  const { GITHUB_ENV, GITHUB_OUTPUT } = process.env;
  if (argv.length !== 1 || !GITHUB_ENV || !GITHUB_OUTPUT) {
    process.stderr.write('usage: GITHUB_ENV=… GITHUB_OUTPUT=… tsx grader/reports/classroom.ts classroom/<id>.json\n');
    return 2;
  }
  try {
    const { env, output } = githubEnv(JSON.parse(readFileSync(argv[0], 'utf8')));
    appendFileSync(GITHUB_ENV, env);
    appendFileSync(GITHUB_OUTPUT, output);
    process.stdout.write(`GitHub Classroom runners: ${output.slice('runners='.length)}`);
    return 0;
  } catch (error) {
    process.stderr.write(`classroom: ${argv[0]}: ${(error as Error).message}\n`);
    return 1;
  }
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
