/**
 * Grades one submission folder for CI (a student's pull request or push) or for a TA, and says
 * how it went in a form people read: run through grader/ci/grade-pr.sh.
 *
 *   bash grader/ci/grade-pr.sh SUBMISSION_DIR OUT_DIR
 *
 * 1. Runs the batch grader (this checkout's grader/cli.ts, default rubric) on SUBMISSION_DIR, a
 *    folder holding rnn.ts (a student's repository: its lab/, checks/, tests/ … are the handout's);
 *    the grader's own output goes to stderr.
 * 2. Writes the reports into OUT_DIR: json, md, feedback, junit and classroom (report.json,
 *    report.md, feedback/<id>.md, junit.xml, classroom/<id>.json), and summary.md.
 *    With GRADE_AUDIENCE=student (the handout's workflow) only student-facing files are written:
 *    feedback/, classroom/, summary.md and a junit.xml without hidden checks' messages — report.json
 *    and report.md (full messages, for staff) are not.
 * 3. Prints summary.md (score table, total, pass mark, messages of failing public checks; hidden
 *    checks' messages never) on stdout and appends it to $GITHUB_STEP_SUMMARY when that is set.
 *
 * Environment:
 *   PASS_MARK       points (60) or a percentage of the maximum (60%); unset or empty: no pass mark
 *   RNN_LAB_DATA    pollution.csv, passed to the grader as --data (else the grader's cache/download)
 *   GRADE_AUDIENCE  staff (default) | student
 *   GITHUB_STEP_SUMMARY, GITHUB_ACTIONS  set by GitHub Actions
 *
 * Exit codes (grader/exit-codes.ts, the same table as every command's):
 *   0  graded; the score reaches PASS_MARK (or there is none)
 *   1  graded; the score is below PASS_MARK
 *   2  bad set-up: arguments, no rnn.ts in SUBMISSION_DIR, PASS_MARK or GRADE_AUDIENCE invalid
 *   3  no trustworthy score: the grader crashed, wrote no report, or could not run some checks
 *   4  grade-pr itself crashed (a bug)
 */
import { spawn } from 'node:child_process';
import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { EXIT } from '../exit-codes';
import type { ExitCode } from '../exit-codes';
import type { GradeReport } from '../report-types';
import { fileNameFor, formatPoints, studentReport } from '../reports/common';
import { writeOutDir } from './out-dir';
import { judgePassMark, parsePassMark, PassMarkError, renderFailureSummary, renderSummary } from './summary';
import type { PassMark } from './summary';

export { EXIT } from '../exit-codes';

/** The grader checkout this file belongs to. */
export const GRADER_ROOT = resolve(__dirname, '..', '..');

export type Audience = 'staff' | 'student';

export interface GradePrOptions {
  submissionDir: string;
  outDir: string;
  passMark?: PassMark;
  audience: Audience;
  dataFile?: string;
  /** $GITHUB_STEP_SUMMARY. */
  stepSummary?: string;
  /** Print GitHub workflow commands (::error::) for the run's annotations. */
  githubActions: boolean;
}

class SetupError extends Error {}

const USAGE =
  'usage: bash grader/ci/grade-pr.sh SUBMISSION_DIR OUT_DIR   (env: PASS_MARK, RNN_LAB_DATA, GRADE_AUDIENCE=staff|student)';

/** Reads the arguments and the environment; throws SetupError (exit 2) for anything wrong. */
export function optionsFrom(argv: readonly string[], env: NodeJS.ProcessEnv, cwd: string): GradePrOptions {
  if (argv.length !== 2) throw new SetupError(`expected 2 arguments, got ${argv.length}.\n${USAGE}`);
  const submissionDir = resolve(cwd, argv[0]);
  const outDir = resolve(cwd, argv[1]);
  if (!existsSync(submissionDir) || !statSync(submissionDir).isDirectory())
    throw new SetupError(`SUBMISSION_DIR ${argv[0]} is not a folder.`);
  const entry = join(submissionDir, 'rnn.ts');
  if (!existsSync(entry) || !statSync(entry).isFile()) {
    throw new SetupError(
      `${argv[0]} has no rnn.ts at its top. Your solution must be in rnn.ts at the root of the repository (do not rename or move it).`,
    );
  }
  if (outDir === submissionDir || isInside(submissionDir, outDir))
    throw new SetupError(`OUT_DIR ${argv[1]} must not be SUBMISSION_DIR or a folder above it.`);
  const audience = (env.GRADE_AUDIENCE ?? '').trim() || 'staff';
  if (audience !== 'staff' && audience !== 'student')
    throw new SetupError(`GRADE_AUDIENCE is ${JSON.stringify(env.GRADE_AUDIENCE)}: expected staff or student.`);
  let passMark: PassMark | undefined;
  try {
    passMark = parsePassMark(env.PASS_MARK);
  } catch (error) {
    if (error instanceof PassMarkError) throw new SetupError(error.message);
    throw error;
  }
  return {
    submissionDir,
    outDir,
    passMark,
    audience,
    dataFile: env.RNN_LAB_DATA ? resolve(cwd, env.RNN_LAB_DATA) : undefined,
    stepSummary: env.GITHUB_STEP_SUMMARY || undefined,
    githubActions: env.GITHUB_ACTIONS === 'true',
  };
}

/** Whether `path` is strictly inside `dir`. */
function isInside(path: string, dir: string): boolean {
  const rel = relative(dir, path);
  return rel !== '' && rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel);
}

export interface GraderRun {
  /** The grader's exit code (null when it was killed by a signal). */
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Set when it could not be started at all. */
  spawnError?: Error;
}

/** Runs this checkout's batch grader on one submission, writing its reports into `reportDir`. */
export function runGrader(options: GradePrOptions, reportDir: string): Promise<GraderRun> {
  const tsx = join(GRADER_ROOT, 'node_modules', '.bin', 'tsx');
  const args = [
    '--tsconfig',
    join(GRADER_ROOT, 'tsconfig.json'),
    'grader/cli.ts',
    options.submissionDir,
    '--out',
    reportDir,
    '--format',
    'json,md,feedback,junit,classroom',
    '--jobs',
    '1',
  ];
  if (options.dataFile) args.push('--data', options.dataFile);
  return new Promise((resolvePromise) => {
    // The grader's table and progress go to our stderr: stdout is the summary only.
    const child = spawn(tsx, args, { cwd: GRADER_ROOT, stdio: ['ignore', process.stderr, process.stderr] });
    child.once('error', (spawnError) => resolvePromise({ code: null, signal: null, spawnError }));
    child.once('exit', (code, signal) => resolvePromise({ code, signal }));
  });
}

export interface Published {
  exitCode: ExitCode;
  /** What was printed (the summary, or the failure note). */
  summary: string;
  /** Why the exit code is not 0, for people. */
  problem?: string;
}

/**
 * Everything after the grader has run: reads its report from `reportDir`, writes OUT_DIR for the
 * audience, renders the summary, decides the exit code. Writes nothing to stdout/step summary
 * itself (see `announce`).
 */
export function publishResults(options: GradePrOptions, reportDir: string, run: GraderRun): Published {
  const reportFile = join(reportDir, 'report.json');
  const how = run.spawnError
    ? `could not be started (${run.spawnError.message}; was \`npm ci\` run in ${GRADER_ROOT}?)`
    : run.signal
      ? `was killed by ${run.signal}`
      : `exited with code ${run.code}`;
  if (run.code !== EXIT.ok && run.code !== EXIT.incomplete) {
    const written = existsSync(reportFile)
      ? ' It wrote a report, which is not trusted after a crash.'
      : ' It wrote no report.';
    return noScore(
      `The grader failed: it ${how}.${written} See the log of this step above; this is not a problem with the submission.`,
    );
  }
  let report: GradeReport;
  try {
    report = JSON.parse(readFileSync(reportFile, 'utf8')) as GradeReport;
  } catch (error) {
    return noScore(`The grader ${how} but its report ${reportFile} could not be read (${(error as Error).message}).`);
  }
  if (report.submissions.length !== 1)
    return noScore(`The grader's report has ${report.submissions.length} submissions, expected exactly 1.`);
  const submission = report.submissions[0];
  const incomplete = run.code === EXIT.incomplete;

  writeOutDir(options.outDir, reportDir, options.audience, report);
  const feedbackFile = `feedback/${fileNameFor(submission.id)}.md`;
  const shownOut = relative(process.cwd(), options.outDir) || '.';
  const feedbackHint = options.githubActions
    ? `Detailed feedback: \`${feedbackFile}\` in the \`${basename(options.outDir)}\` artifact of this run.`
    : `Detailed feedback: \`${join(shownOut.startsWith('..') ? options.outDir : shownOut, feedbackFile)}\`.`;
  const summary = renderSummary(studentReport(report), { passMark: options.passMark, incomplete, feedbackHint });
  writeFileSync(join(options.outDir, 'summary.md'), summary);

  const verdict = judgePassMark(submission, options.passMark);
  const score = `${formatPoints(submission.score)}/${formatPoints(submission.maxScore)}`;
  if (incomplete)
    return {
      exitCode: EXIT.incomplete,
      summary,
      problem: `The grader could not run every check, so the score ${score} is not final: ${report.warnings.join(' ') || 'see the log above.'}`,
    };
  if (verdict.problem) return { exitCode: EXIT.usage, summary, problem: verdict.problem };
  if (!verdict.passed) {
    const needed = options.passMark!.kind === 'percent' ? ` (${formatPoints(verdict.needed!)} points)` : '';
    return {
      exitCode: EXIT.belowPassMark,
      summary,
      problem: `The score ${score} is below the pass mark ${options.passMark!.text}${needed}.`,
    };
  }
  return { exitCode: EXIT.ok, summary };
}

function noScore(problem: string): Published {
  return { exitCode: EXIT.incomplete, summary: renderFailureSummary(problem), problem };
}

/** Prints the summary on stdout, appends it to the step summary, reports the problem on stderr. */
export function announce(published: Published, options: Pick<GradePrOptions, 'stepSummary' | 'githubActions'>): void {
  process.stdout.write(published.summary);
  if (options.stepSummary) {
    try {
      appendFileSync(options.stepSummary, `${published.summary}\n`);
    } catch (error) {
      process.stderr.write(
        `grade-pr: could not append to GITHUB_STEP_SUMMARY ${options.stepSummary}: ${(error as Error).message}\n`,
      );
    }
  }
  if (published.problem) {
    process.stderr.write(`grade-pr: ${published.problem}\n`);
    // One line, escaped as GitHub's workflow commands want: it becomes an annotation of the run.
    if (options.githubActions)
      process.stdout.write(
        `::error title=Grading::${published.problem.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A')}\n`,
      );
  }
}

export async function main(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  if (argv.length === 1 && (argv[0] === '-h' || argv[0] === '--help')) {
    process.stdout.write(`${USAGE}\nSee docs/ci.md and the top of grader/ci/grade-pr.ts.\n`);
    return EXIT.ok;
  }
  let options: GradePrOptions;
  try {
    options = optionsFrom(argv, env, process.cwd());
  } catch (error) {
    if (!(error instanceof SetupError)) throw error;
    const published: Published = {
      exitCode: EXIT.usage,
      summary: renderFailureSummary(error.message),
      problem: error.message,
    };
    announce(published, {
      stepSummary: env.GITHUB_STEP_SUMMARY || undefined,
      githubActions: env.GITHUB_ACTIONS === 'true',
    });
    return published.exitCode;
  }
  const work = mkdtempSync(join(tmpdir(), 'rnn-grade-pr-'));
  const cleanUp = () => rmSync(work, { recursive: true, force: true });
  process.once('exit', cleanUp);
  try {
    const reportDir = join(work, 'report');
    process.stderr.write(
      `grade-pr: grading ${options.submissionDir}${options.dataFile ? ` with --data ${options.dataFile}` : ''}\n`,
    );
    const run = await runGrader(options, reportDir);
    const published = publishResults(options, reportDir, run);
    announce(published, options);
    return published.exitCode;
  } finally {
    cleanUp();
    process.removeListener('exit', cleanUp);
  }
}

if (require.main === module) {
  // Ctrl-C or a cancelled CI job: the grader (same process group) gets the signal too; clean up and stop.
  for (const signal of ['SIGINT', 'SIGTERM'] as const)
    process.once(signal, () => process.exit(signal === 'SIGINT' ? 130 : 143));
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(
        `grade-pr: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
      );
      process.exitCode = EXIT.crash;
    },
  );
}
