/**
 * `grade`: a batch in named steps: load the inputs (rubric, manual scores, roster), discover the
 * submissions, refuse what an LMS export could not match, collect the batch's warnings, grade
 * every submission in parallel, assemble the report, write its formats, decide the exit code.
 * Everything refused is refused before anything is graded.
 */
import { rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { CheckDefinition } from '../../checks/types';
import { discoverSubmissions, DiscoveryError } from '../discover';
import type { Submission } from '../discover';
import type { ExecutionBackend, LimitOverrides } from '../execution';
import { EXIT } from '../exit-codes';
import type { ExitCode } from '../exit-codes';
import { gradeSubmission, internalErrorReport, labDataProblem } from '../grade-submission';
import type { GradeSubmissionOptions, TrainDataSource } from '../grade-submission';
import type { Progress } from '../progress';
import type { GradeReport, SubmissionReport } from '../report-types';
import { writeReports } from '../reports';
import type { Format } from '../reports';
import type { Roster } from '../reports/canvas';
import { fileNameFor } from '../reports/common';
import { checkRosterIdentifiers, formulaIdentifierWarnings, loadRoster, rosterWarnings } from '../roster-file';
import type { LmsExportOptions } from '../roster-file';
import { convergenceSettingOf, loadManualScores, loadRubric, rubricItemsForReport, selectChecks } from '../rubric';
import type { ManualScores, Rubric } from '../rubric';
import { runPool, selectShard } from '../scheduler';
import type { Shard } from '../scheduler';
import { shownPath } from '../shown-path';
import { markStartup } from '../startup-trace';
import { prepareAhead } from './prepare-ahead';
import type { PreparingAhead } from './prepare-ahead';
import { WATCHDOG_GRACE_MS, withWatchdog } from './watchdog';
import { createWorkDir } from './work-dir';

export const DEFAULT_SUBMISSIONS = 'submissions';

export type LmsCliOptions = Pick<LmsExportOptions, 'moodleIdentifier' | 'allowSubmissionIds'> & {
  canvasAssignmentId?: string;
};

export interface BatchOptions {
  inputs: string[];
  out: string;
  rubric: string;
  jobs: number;
  seed: number;
  timeoutSeconds: number;
  formats: Format[];
  shard?: Shard;
  data?: string;
  manual?: string;
  /** Roster CSV for the canvas and moodle formats. */
  roster?: string;
  /** The LMS exports' other options (--canvas-assignment-id, --moodle-identifier, --allow-submission-ids). */
  lms?: LmsCliOptions;
  /** Cases per property check (tests use fewer). */
  numRuns?: number;
  limits?: LimitOverrides;
  /** Grade even without an OS sandbox (the fallback); refused otherwise. */
  allowWeakSandbox?: boolean;
}

export interface BatchDeps {
  /** Called once the inputs are valid, before anything is graded (the CLI checks and names the sandbox). */
  beforeGrading?: () => void | Promise<void>;
  backend: ExecutionBackend;
  catalogue: readonly CheckDefinition[];
  trainData: TrainDataSource;
  progress: Progress;
  cwd: string;
  /** Where the work folder (prepared submissions, unpacked zips) is created. */
  tmp: string;
}

export interface BatchResult {
  report: GradeReport;
  written: string[];
  exitCode: ExitCode;
}

/** Refused input (exit 2). */
export class UsageError extends Error {}

/** Grades a batch and writes its reports. Throws UsageError/RubricError/… before grading anything. */
export async function gradeBatch(options: BatchOptions, deps: BatchDeps): Promise<BatchResult> {
  markStartup('batch started');
  const inputs = loadInputs(options, deps);
  markStartup('inputs loaded');
  const workDir = createWorkDir(deps.tmp);
  let ahead: PreparingAhead | undefined;
  try {
    const all = discover(options, deps, join(workDir.path, 'zips'));
    const selected = options.shard ? selectShard(all, options.shard) : all;
    // Before grading: an export the LMS cannot match is refused now, not after an hour of grading.
    checkRosterIdentifiers(
      selected.map((submission) => submission.id),
      options.formats,
      { roster: inputs.roster, rosterShown: options.roster, ...options.lms },
    );
    markStartup('submissions discovered');
    // The first submissions compile while the sandbox's choice (begun with the backend) finishes.
    ahead = prepareAhead(deps.backend, selected.slice(0, options.jobs), workDir.path);
    await deps.beforeGrading?.();
    markStartup('sandbox chosen (self-test)');
    const batch = batchWarnings(all, inputs, options);
    for (const warning of batch.warnings) deps.progress.log(`warning: ${warning}`);
    // The lab data is still loading (a worker thread): grading starts now, and only the checks
    // that need the data wait for it. Its warning, if any, is said as soon as it is known.
    const dataWarning = labDataWarning(inputs, deps).then((warning) => {
      if (warning !== undefined) deps.progress.log(`warning: ${warning}`);
      return warning;
    });

    const { submissions, sandbox } = await gradeAll(
      selected,
      inputs,
      options,
      { ...deps, backend: ahead.backend },
      workDir,
    );
    const labWarning = await dataWarning;
    const labDataMissing = labWarning !== undefined;
    const warnings = labWarning === undefined ? batch.warnings : [...batch.warnings, labWarning];
    const report = assembleReport({ options, rubric: inputs.rubric, all, warnings, submissions, sandbox });
    warnBeforeWriting(report, inputs.roster, options, deps.progress);
    const written = writeReports(report, resolve(deps.cwd, options.out), options.formats, {
      roster: inputs.roster,
      canvasAssignmentId: options.lms?.canvasAssignmentId,
      moodleIdentifier: options.lms?.moodleIdentifier,
    });
    // Missing lab data leaves the batch incomplete even when no row reached a data check.
    return { report, written, exitCode: labDataMissing ? EXIT.incomplete : exitCodeOf(report) };
  } finally {
    // A refused batch may still be compiling its first submissions: let them finish writing first.
    await ahead?.settled();
    workDir.remove();
  }
}

interface BatchInputs {
  rubric: Rubric;
  checks: readonly CheckDefinition[];
  manual?: ManualScores;
  roster?: Roster;
}

/** The rubric (and the checks it grades), the manual scores and the roster; each refuses a bad file. */
function loadInputs(options: BatchOptions, deps: BatchDeps): BatchInputs {
  const rubricPath = resolve(deps.cwd, options.rubric);
  const rubric = loadRubric(rubricPath, deps.catalogue, shownPath(deps.cwd, rubricPath));
  return {
    rubric,
    checks: selectChecks(deps.catalogue, rubric),
    manual: options.manual ? loadManualScores(resolve(deps.cwd, options.manual), rubric, options.manual) : undefined,
    roster: options.roster ? loadRoster(resolve(deps.cwd, options.roster), options.roster) : undefined,
  };
}

/** Every submission of the inputs (default: submissions/), zips unpacked into `extractDir`. */
function discover(options: BatchOptions, deps: BatchDeps, extractDir: string): Submission[] {
  const inputs = options.inputs.length > 0 ? options.inputs : [DEFAULT_SUBMISSIONS];
  try {
    return discoverSubmissions(inputs, { extractDir, cwd: deps.cwd });
  } catch (error) {
    if (error instanceof DiscoveryError) throw new UsageError(error.message);
    throw error;
  }
}

/** Problems of the batch, not of one submission: odd inputs, manual scores for nobody (the lab data: labDataWarning). */
function batchWarnings(all: readonly Submission[], inputs: BatchInputs, options: BatchOptions): { warnings: string[] } {
  // Odd names, duplicate ids, links where a submission was expected: each keeps its own row.
  const warnings: string[] = [...new Set(all.flatMap((submission) => submission.warnings ?? []))];
  if (inputs.manual) {
    const known = new Set(all.map((submission) => submission.id));
    const unknown = [...inputs.manual.keys()].filter((id) => !known.has(id));
    if (unknown.length > 0)
      warnings.push(`${options.manual}: scores for submissions that were not found: ${unknown.join(', ')}`);
  }
  return { warnings };
}

/** The batch's warning when the rubric's data checks cannot run because the lab data did not load. */
async function labDataWarning(inputs: BatchInputs, deps: BatchDeps): Promise<string | undefined> {
  const dataChecks = inputs.checks.filter((check) => check.usesData);
  const problem = dataChecks.length > 0 ? await labDataProblem(deps.trainData) : undefined;
  if (problem === undefined) return undefined;
  const one = dataChecks.length === 1;
  return (
    `The lab data could not be loaded, so ${one ? 'the check' : `the ${dataChecks.length} checks`} that need${one ? 's' : ''} it (${dataChecks.map((c) => c.id).join(', ')}) ` +
    `${one ? 'is' : 'are'} marked 'error' for every submission: ${problem}`
  );
}

/**
 * Grades the submissions `--jobs` at a time, each under a watchdog; a submission the grader gives
 * up on becomes a grader-fault row. Returns the rows in input order and how the first was contained.
 */
async function gradeAll(
  selected: readonly Submission[],
  inputs: BatchInputs,
  options: BatchOptions,
  deps: BatchDeps,
  workDir: { path: string; submissions: string },
): Promise<{ submissions: SubmissionReport[]; sandbox?: string }> {
  /** How each submission was contained; the report names the one of the first id (not of whichever started first). */
  const sandboxes = new Map<string, string>();
  const gradeOptions: GradeSubmissionOptions = {
    checks: inputs.checks,
    rubric: inputs.rubric,
    seed: options.seed,
    workDir: workDir.path,
    backend: deps.backend,
    limits: options.limits,
    timeoutSeconds: options.timeoutSeconds,
    trainData: deps.trainData,
    manual: inputs.manual,
    numRuns: options.numRuns,
  };
  const grade = (submission: Submission) =>
    withWatchdog(
      options.timeoutSeconds * 1000 + WATCHDOG_GRACE_MS,
      gradeSubmission(submission, {
        ...gradeOptions,
        onSandbox: (description) => sandboxes.set(submission.id, description),
      }),
    );
  deps.progress.start(selected.length);
  const submissions = await runPool(selected, grade, {
    jobs: options.jobs,
    onDone: (report) => {
      // Its prepared copy is no longer needed (the whole work folder goes at the end).
      rmSync(join(workDir.submissions, fileNameFor(report.id)), { recursive: true, force: true });
      deps.progress.done(report);
    },
    onError: (error, submission) => internalErrorReport(submission, gradeOptions, error),
  });
  deps.progress.stop();
  const faulted = submissions.filter((submission) => submission.cause === 'grader').map((submission) => submission.id);
  if (faulted.length > 0)
    deps.progress.log(
      `warning: ${faulted.length} row(s) are grader faults, not grades (cause "grader" in report.json; regrade them once fixed): ${faulted.join(', ')}`,
    );
  const sandbox = submissions
    .map((submission) => sandboxes.get(submission.id))
    .find((description) => description !== undefined);
  return { submissions, sandbox };
}

/** The GradeReport of the batch (or of its shard). */
function assembleReport(parts: {
  options: Pick<BatchOptions, 'seed' | 'shard'>;
  rubric: Rubric;
  all: readonly Submission[];
  warnings: string[];
  submissions: SubmissionReport[];
  sandbox?: string;
}): GradeReport {
  const { options, rubric } = parts;
  return {
    schemaVersion: 1,
    seed: options.seed,
    rubric: {
      source: rubric.source,
      name: rubric.name,
      maxScore: rubric.maxCents / 100,
      items: rubricItemsForReport(rubric),
    },
    convergence: { ...convergenceSettingOf(rubric) },
    sandbox: parts.sandbox ?? 'not started (no submission reached the sandbox)',
    ...(options.shard
      ? { shard: { index: options.shard.index, count: options.shard.count, totalSubmissions: parts.all.length } }
      : {}),
    warnings: parts.warnings,
    generatedAt: new Date().toISOString(),
    submissions: parts.submissions,
  };
}

/** Roster and formula warnings, only for the TA's eyes on the terminal: report.json does not depend on the roster. */
function warnBeforeWriting(
  report: GradeReport,
  roster: Roster | undefined,
  options: BatchOptions,
  progress: Pick<Progress, 'log'>,
): void {
  if (roster && options.roster)
    for (const warning of rosterWarnings(
      roster,
      report.submissions.map((s) => s.id),
      options.roster,
      { wholeClass: !options.shard },
    ))
      progress.log(`warning: ${warning}`);
  for (const warning of formulaIdentifierWarnings(report, options.formats, { roster, ...options.lms }))
    progress.log(`WARNING: ${warning}`);
}

/**
 * ok, or incomplete when some row is a grader fault (a per-check one such as missing lab data
 * marks its row too). The same rule for a merged report: a fault in any shard stays one.
 */
export function exitCodeOf(report: GradeReport): ExitCode {
  return report.submissions.some((submission) => submission.cause === 'grader') ? EXIT.incomplete : EXIT.ok;
}
