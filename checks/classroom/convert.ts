/**
 * A run of the public checks (`npm test -- --json FILE`) as GitHub Classroom runner results: one
 * runner per public check, max_score = its points, named by runnerNames, so that the reporter's
 * table and the grade it records both equal the public checks' total. The handout's Classroom
 * workflow lists the same runners (generated from the same catalogue by handout/classroom-workflow.ts).
 *
 * The checks, their titles and points come from the catalogue, never from the file: the file only
 * says how each check went. A check the file has no result for is "not run", with the reason.
 */
import { readFileSync } from 'fs';
import type { ReportedResult, RunReport } from '../student/report';
import { replayCommand } from '../student/report';
import type { ClassroomResult, ClassroomTest } from './results';
import { classroomTest, runnerNames } from './results';

/** What the converter needs of a public check. */
export interface PublicCheck {
  id: string;
  title: string;
  points: number;
}

/** The run of a results file, or why there is none to read. */
export type RunFile = { run: RunReport } | { problem: string };

export interface RunnerResults {
  /** Runner names in check order: the reporter's `runners` input. */
  runners: string[];
  /** Runner name → its result. */
  results: Record<string, ClassroomResult>;
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function isResult(value: unknown): value is ReportedResult {
  return isRecord(value) && typeof value.id === 'string' && typeof value.status === 'string';
}

/**
 * Reads a results file of `npm test -- --json FILE`. `sourceHash` (sha256 of the rnn.ts being
 * graded) refuses a file left over from another rnn.ts.
 */
export function readRunFile(file: string, sourceHash?: string): RunFile {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return {
      problem: `npm test wrote no results (${file} is missing): it stopped before the checks finished, and its own output says why.`,
    };
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    return { problem: `${file} is not the JSON that npm test writes (${(error as Error).message}).` };
  }
  if (isRecord(data) && typeof data.error === 'string')
    return { problem: `npm test could not run the checks: ${data.error}` };
  if (!isRecord(data) || !Array.isArray(data.results) || !data.results.every(isResult))
    return { problem: `${file} is not the JSON that npm test writes (it has no list of results).` };
  if (sourceHash !== undefined && data.sourceHash !== sourceHash)
    return { problem: `${file} holds the results of another version of rnn.ts, not of this one.` };
  return { run: data as unknown as RunReport };
}

function messageOf(result: ReportedResult, run: RunReport): string {
  if (result.notRun) {
    const why = typeof run.dataProblem === 'string' ? run.dataProblem : 'no reason was recorded.';
    return `Not run: this check needs the data set, which could not be loaded: ${why}`;
  }
  const message = typeof result.message === 'string' ? result.message.trim() : '';
  const replay = replayCommand(result);
  return replay ? `${message}\nreplay: ${replay}` : message;
}

/**
 * One check's runner result. A 0-point check that fails or throws is a warning, as in npm test:
 * shown as such, but it does not fail the run.
 */
function checkResult(check: PublicCheck, file: RunFile): ClassroomResult {
  const name = `${check.id}: ${check.title}`;
  const notRun = (why: string): ClassroomResult => ({
    version: 1,
    status: 'error',
    max_score: check.points,
    tests: [classroomTest(name, 'error', 0, `Not run: ${why}`)],
  });
  if ('problem' in file) return notRun(file.problem);
  const result = file.run.results.find((entry) => entry.id === check.id);
  if (!result) return notRun('npm test recorded no result for this check (were the files in checks/ changed?).');
  const duration = typeof result.durationMs === 'number' ? result.durationMs : 0;
  const message = messageOf(result, file.run);
  let test: ClassroomTest;
  if (result.notRun) test = classroomTest(name, 'error', 0, message, duration);
  else if (result.status === 'passed') test = classroomTest(name, 'pass', check.points, '', duration);
  else if (result.status === 'failed') test = classroomTest(name, 'fail', 0, message, duration);
  else test = classroomTest(name, 'error', 0, message, duration);
  const warning = check.points === 0 && !result.notRun && test.status !== 'pass';
  if (warning) test.name += ' (a warning: 0 points, it costs nothing)';
  return { version: 1, status: warning ? 'pass' : test.status, max_score: check.points, tests: [test] };
}

/** Every public check's runner result, in check order. */
export function classroomResults(checks: readonly PublicCheck[], file: RunFile): RunnerResults {
  const names = runnerNames(checks.map((check) => check.id));
  const results: Record<string, ClassroomResult> = {};
  for (const check of checks) results[names.get(check.id)!] = checkResult(check, file);
  return { runners: Object.keys(results), results };
}

/** `<runner>=<base64 result>` lines for $GITHUB_OUTPUT: the step outputs the reporter's env reads. */
export function githubOutput({ runners, results }: RunnerResults): string {
  return runners.map((name) => `${name}=${Buffer.from(JSON.stringify(results[name])).toString('base64')}\n`).join('');
}
