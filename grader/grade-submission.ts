/**
 * Grades one submission: prepare (compile) it into its own work folder, start its sandboxed child
 * process, run the rubric's checks with the battery, and turn the verdicts into points.
 *
 * It never throws and never lets a submission's behaviour reach the rest of the batch: a folder
 * without rnn.ts, a compile error, a crash, a hang or a grader bug all end up in this submission's
 * report (status 'error', or per-check verdicts), and the batch goes on.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { TEMP_COLUMN } from 'rnn-lab';
import type { Matrix } from 'rnn-lab';
import { evaluateOnTestSet } from '../reference/pipeline';
import type { PreparedData } from '../reference/pipeline';
import { RNN } from '../reference/rnn';
import { deriveSeed, runBattery } from '../checks/battery';
import type { BatteryOptions, BatteryResult } from '../checks/battery';
import type { ExecutionResult, Executor } from '../checks/protocol/requests';
import type { CheckDefinition, CheckResult } from '../checks/types';
import type { Submission } from './discover';
import type { ExecutionBackend, LimitOverrides, SandboxedExecutor } from './execution';
import type {
  CheckReport,
  CheckStatus,
  FaultCause,
  ManualItemReport,
  SubmissionReport,
  TrainingReport,
} from './report-types';
import { asGraderFault, graderFaultMessage } from './faults';
import { markStartup, noteFirstVerdict } from './startup-trace';
import { loadPreparedDataInWorker } from './data-load';
import { fileNameFor } from './reports/common';
import { changedHandoutFiles } from './handout-manifest';
import { centsToPoints, convergenceSettingOf, scoreCheck } from './rubric';
import type { ManualScores, Rubric } from './rubric';

/** The standardized training split, loaded at most once per grader process. */
export interface TrainDataSource {
  /** Resolves the matrix, or rejects with a message for people (e.g. a DataError). */
  get(): Promise<Matrix>;
  /**
   * The standardized test split and the training split's TEMP mean and std (to turn predictions
   * back into °C), from the same load; used for the report's training charts. Optional: without
   * it, reports carry the training losses only.
   */
  testSplit?(): Promise<TestSplit>;
}

export interface TestSplit {
  test: Matrix;
  tempMean: number;
  tempStd: number;
}

/**
 * Why the lab data cannot be loaded (a message for people), or undefined when it can. The source
 * loads once, so the batch's warning and each submission's data checks ask the same question.
 */
export function labDataProblem(data: TrainDataSource): Promise<string | undefined> {
  return data.get().then(
    () => undefined,
    (error: unknown) => (error instanceof Error ? error.message : String(error)),
  );
}

/**
 * Loads pollution.csv (`--data FILE`, else RNN_LAB_DATA, else the cache) once, starting at once.
 * `withTestSplit` (for the HTML report) also evaluates every trained network on the test split:
 * ~0.1 s of the grader's own time per submission, so it is only done when a report shows it.
 */
export function createTrainDataSource(dataPath?: string, options: { withTestSplit?: boolean } = {}): TrainDataSource {
  // Started now, in a worker thread: parsing the CSV (~0.5 s of CPU) runs beside the grader's own
  // start-up (rubric, discovery, the sandbox's self-test). A failure is reported by get(), when asked.
  const loading = loadPreparedDataInWorker(dataPath);
  const prepared = (): Promise<PreparedData> => {
    loading.wanted();
    return loading.data;
  };
  if (options.withTestSplit === false) return { get: async () => (await prepared()).train };
  return {
    get: async () => (await prepared()).train,
    testSplit: async () => {
      const { test, means, stds } = await prepared();
      return { test, tempMean: means[TEMP_COLUMN], tempStd: stds[TEMP_COLUMN] };
    },
  };
}

/** At most this many [true, predicted] points of the test split go into a report. */
export const MAX_TEST_POINTS = 400;

/**
 * The report's view of a `train.converges` result: its losses, and its trained parameters run
 * through the REFERENCE forward pass (never the submission's) on the test split, in °C.
 * Undefined without losses; without usable parameters or test data, the losses only. Never throws.
 */
export async function trainingReport(
  result: Pick<CheckResult, 'curve' | 'trainedParams'>,
  data: TrainDataSource,
): Promise<TrainingReport | undefined> {
  if (!Array.isArray(result.curve) || result.curve.length === 0 || !result.curve.every(Number.isFinite))
    return undefined;
  const training: TrainingReport = { losses: result.curve.map((loss) => Number(loss.toPrecision(5))) };
  const params = result.trainedParams;
  if (!params || !data.testSplit) return training;
  try {
    const { test, tempMean, tempStd } = await data.testSplit();
    const numFeatures = test[0]?.length ?? 0;
    const size = Array.isArray(params.v) ? params.v.length : 0;
    const finiteVector = (v: unknown, length: number): v is number[] =>
      Array.isArray(v) && v.length === length && v.every((x) => typeof x === 'number' && Number.isFinite(x));
    const finiteMatrix = (m: unknown, rows: number, cols: number): m is number[][] =>
      Array.isArray(m) && m.length === rows && m.every((row) => finiteVector(row, cols));
    // The battery has checked the shapes (10 × 6); this only guards the grader's own evaluation.
    if (size < 1 || size > 64 || numFeatures < 1) return training;
    if (
      !finiteMatrix(params.u, size, numFeatures) ||
      !finiteMatrix(params.w, size, size) ||
      !finiteVector(params.v, size) ||
      !finiteVector(params.b, size)
    )
      return training;
    if (typeof params.c !== 'number' || !Number.isFinite(params.c)) return training;
    const rnn = new RNN(size, numFeatures);
    rnn.u = params.u.map((row) => row.slice());
    rnn.w = params.w.map((row) => row.slice());
    rnn.v = params.v.slice();
    rnn.b = params.b.slice();
    rnn.c = params.c;
    const evaluation = evaluateOnTestSet(rnn, test, tempStd);
    if (!Number.isFinite(evaluation.rmseCelsius) || evaluation.count === 0) return training;
    const round4 = (x: number) => Math.round(x * 1e4) / 1e4 || 0;
    const shown = Math.min(MAX_TEST_POINTS, evaluation.count);
    const testPoints: Array<[number, number]> = [];
    for (let i = 0; i < shown; i++) {
      const k = Math.floor((i * evaluation.count) / shown);
      testPoints.push([
        round4(evaluation.yTrue[k] * tempStd + tempMean),
        round4(evaluation.yPred[k] * tempStd + tempMean),
      ]);
    }
    return { ...training, testRmseCelsius: round4(evaluation.rmseCelsius), testPoints };
  } catch {
    return training;
  }
}

export interface GradeSubmissionOptions {
  /** The checks to run, in order (the rubric's, from the catalogue; see selectChecks). */
  checks: readonly CheckDefinition[];
  rubric: Rubric;
  /** The batch seed; the submission's own seed is derived from it and the submission id. */
  seed: number;
  /** A folder private to this grading run; the submission gets a fresh sub-folder of it. */
  workDir: string;
  backend: ExecutionBackend;
  limits?: LimitOverrides;
  /** Wall-clock budget of the submission's checks, in seconds; checks still to run after it get 'timeout'. */
  timeoutSeconds?: number;
  trainData: TrainDataSource;
  manual?: ManualScores;
  /** Cases per property check (the battery's default when absent). */
  numRuns?: number;
  onCheck?: (result: CheckResult) => void;
  /** Receives the sandbox's description once an executor has been started. */
  onSandbox?: (description: string) => void;
}

/** Where a submission is compiled to, inside the batch's work folder. */
export function preparedDirOf(workDir: string, id: string): string {
  return join(workDir, 'submissions', fileNameFor(id));
}

export async function gradeSubmission(
  submission: Submission,
  options: GradeSubmissionOptions,
): Promise<SubmissionReport> {
  const started = Date.now();
  const seed = deriveSeed(options.seed, submission.id);
  const warnings: string[] = [...(submission.warnings ?? [])];
  let preparedDir: string | undefined;
  let training: TrainingReport | undefined;
  const finish = (
    status: 'graded' | 'error',
    results: Map<string, Verdict>,
    error?: string,
    cause?: FaultCause,
  ): SubmissionReport => {
    const report = buildReport({
      submission,
      options,
      seed,
      outcome: { status, results, warnings, error, cause },
      durationMs: Date.now() - started,
    });
    return scrubPaths(training ? { ...report, training } : report, [
      ...(preparedDir ? [[preparedDir, submission.path] as [string, string]] : []),
      [submission.dir, submission.path],
      [options.workDir, '<work>'],
    ]);
  };

  const notLoaded = 'Not run: the submission could not be graded (see the error above).';
  if (submission.problem) return finish('error', skipAll(options.checks, notLoaded), submission.problem);

  let executor: SandboxedExecutor | undefined;
  let outcome: { status: 'graded' | 'error'; results: Map<string, Verdict>; error?: string; cause?: FaultCause };
  try {
    preparedDir = preparedDirOf(options.workDir, submission.id);
    mkdirSync(preparedDir, { recursive: true });
    markStartup('first preparation started');
    const prepared = await options.backend.prepare(submission.dir, preparedDir);
    markStartup('first submission prepared');
    warnings.push(...prepared.warnings);
    // Grading always uses the grader's own checks; a handout whose checks were edited is flagged.
    const changed = changedHandoutFiles(submission.dir);
    if (changed.length > 0)
      warnings.push(
        `handout files were changed (ignored for grading, which uses its own checks): ${changed.join(', ')}`,
      );
    if (!prepared.ok)
      return finish(
        'error',
        skipAll(options.checks, notLoaded),
        prepared.error ?? 'the submission could not be prepared',
      );
    executor = await options.backend.createExecutor(preparedDir, prepared, options.limits ?? {});
    options.onSandbox?.(executor.describeSandbox());
    markStartup('first executor created');

    markStartup('first battery started');
    // The budget covers running the checks (compiling, type checking and waiting for the lab data
    // are not the student's time).
    const budget = { deadline: options.timeoutSeconds ? Date.now() + options.timeoutSeconds * 1000 : Infinity };
    const budgeted = withBudget(executor, budget, options.timeoutSeconds ?? Infinity);
    const batteryOptions: BatteryOptions = {
      seed,
      numRuns: options.numRuns,
      loadTrainData: () => options.trainData.get(),
      convergence: convergenceSettingOf(options.rubric),
      onResult: (result) => {
        noteFirstVerdict();
        options.onCheck?.(result);
      },
    };
    // The checks before the first that needs the lab data run at once, while the data is still
    // loading (a worker thread started with the grader); it is awaited only then.
    const firstDataCheck = options.checks.findIndex((check) => check.usesData);
    const verdicts = await runBattery(
      budgeted,
      firstDataCheck < 0 ? options.checks : options.checks.slice(0, firstDataCheck),
      batteryOptions,
    );
    const results = new Map<string, Verdict>();
    if (firstDataCheck >= 0) {
      let rest = options.checks.slice(firstDataCheck);
      // A grader-side problem with the data (file missing, wrong checksum) costs only the checks
      // that need it; they get status 'error' with the loader's message.
      const waitStarted = Date.now();
      const dataError = await labDataProblem(options.trainData);
      budget.deadline += Date.now() - waitStarted;
      if (dataError !== undefined) {
        for (const check of rest.filter((c) => c.usesData)) {
          results.set(check.id, {
            skipped: true,
            status: 'error',
            cause: 'grader',
            message: `Not run: the grader could not load the lab data (not the submission's fault): ${dataError}`,
          });
        }
        rest = rest.filter((check) => !check.usesData);
      }
      verdicts.push(...(await runBattery(budgeted, rest, batteryOptions)));
    }
    for (const verdict of verdicts) results.set(verdict.id, verdict);
    if (prepared.typeWarnings) warnings.push(...(await prepared.typeWarnings));
    const converges = verdicts.find((verdict) => verdict.id === 'train.converges');
    if (converges) training = await trainingReport(converges, options.trainData);
    outcome = { status: 'graded', results };
  } catch (error) {
    outcome = {
      status: 'error',
      results: skipAll(options.checks, 'Not run: the grader failed on this submission'),
      error: graderFaultMessage(asGraderFault(error)),
      cause: 'grader',
    };
  }
  if (executor) {
    await executor.close().catch((error: unknown) => {
      warnings.push(`the sandbox did not close cleanly: ${error instanceof Error ? error.message : String(error)}`);
    });
  }
  return finish(outcome.status, outcome.results, outcome.error, outcome.cause);
}

/** The report of a submission the grader gave up on for a reason of its own (e.g. a watchdog). */
export function internalErrorReport(
  submission: Submission,
  options: GradeSubmissionOptions,
  error: unknown,
): SubmissionReport {
  const seed = deriveSeed(options.seed, submission.id);
  const results = skipAll(options.checks, 'Not run: the grader failed on this submission');
  return buildReport({
    submission,
    options,
    seed,
    outcome: {
      status: 'error',
      results,
      warnings: [],
      error: graderFaultMessage(asGraderFault(error)),
      cause: 'grader',
    },
    durationMs: 0,
  });
}

/** A check that produced no battery result (not run, or not runnable). */
interface Skip {
  skipped: true;
  status: CheckStatus;
  message: string;
  /** 'grader' when it could not run for a reason of the grader's (e.g. no lab data). */
  cause?: 'grader';
}

/** What is known of one check: the battery's verdict, or why it produced none. */
type Verdict = BatteryResult | Skip;

function skipAll(checks: readonly CheckDefinition[], message: string): Map<string, Skip> {
  return new Map(checks.map((check) => [check.id, { skipped: true, status: 'skipped', message }]));
}

interface Outcome {
  status: 'graded' | 'error';
  results: Map<string, Verdict>;
  warnings: string[];
  error?: string;
  /** Whose fault the row's `error` is (absent: the submission's). */
  cause?: FaultCause;
}

/** One submission's row: every rubric check's verdict scored, the manual items, the total. */
function buildReport({
  submission,
  options,
  seed,
  outcome,
  durationMs,
}: {
  submission: Submission;
  options: Pick<GradeSubmissionOptions, 'checks' | 'rubric' | 'manual'>;
  seed: number;
  outcome: Outcome;
  durationMs: number;
}): SubmissionReport {
  const { status, results, warnings, error } = outcome;
  let graderFault = outcome.cause === 'grader';
  const rules = new Map(options.rubric.checks.map((rule) => [rule.id, rule]));
  let cents = 0;
  const checks: CheckReport[] = options.checks.map((definition) => {
    const rule = rules.get(definition.id);
    if (!rule) throw new Error(`the rubric does not grade the check ${definition.id}`);
    const result = results.get(definition.id) ?? {
      skipped: true as const,
      status: 'skipped' as const,
      message: 'Not run.',
    };
    // A check the grader could not judge earns nothing, not even partial credit for 'error'.
    const earned = result.cause === 'grader' ? 0 : scoreCheck(rule, result);
    if (result.cause === 'grader') graderFault = true;
    cents += earned;
    const check: CheckReport = {
      id: definition.id,
      target: definition.target,
      title: definition.title,
      status: result.status,
      points: centsToPoints(earned),
      maxPoints: centsToPoints(rule.maxCents),
      visibility: rule.visibility,
      message: result.message,
      item: rule.item,
      durationMs: 'skipped' in result ? 0 : result.durationMs,
    };
    if (result.cause === 'grader') check.cause = 'grader';
    if (!('skipped' in result)) {
      if (result.diagnosis !== undefined) check.diagnosis = result.diagnosis;
      if (result.replay !== undefined) check.replay = { seed: result.replay.seed, path: result.replay.path };
    }
    return check;
  });
  const manual: ManualItemReport[] = options.rubric.items
    .filter((item) => item.kind === 'manual')
    .map((item) => {
      const score = options.manual?.get(submission.id)?.get(item.id);
      cents += score ?? 0;
      return {
        id: item.id,
        title: item.title,
        points: centsToPoints(score ?? 0),
        maxPoints: centsToPoints(item.maxCents),
        graded: score !== undefined,
      };
    });
  return {
    id: submission.id,
    path: submission.path,
    status,
    ...(error !== undefined ? { error } : {}),
    ...(graderFault ? { cause: 'grader' as const } : {}),
    score: centsToPoints(cents),
    maxScore: centsToPoints(options.rubric.maxCents),
    seed,
    checks,
    manual,
    warnings: [...warnings],
    durationMs,
  };
}

/**
 * An executor whose calls share one deadline (--timeout, moved on by the grader's own waits): once
 * it has passed, every call is a timeout. Timeout messages are made independent of the clock (the sandbox reports the
 * milliseconds a call was given, which vary from run to run), so that a regrade is identical.
 */
function withBudget(executor: Executor, budget: { readonly deadline: number }, seconds: number): Executor {
  const budgetMessage = `the submission's time budget of ${seconds} s (--timeout) ran out`;
  const budgeted = (runOptions: { timeoutMs?: number } | undefined) => {
    const left = budget.deadline - Date.now();
    const requested = runOptions?.timeoutMs;
    const clamped = Number.isFinite(left) && (requested === undefined || left < requested);
    return { left, clamped, options: { ...runOptions, timeoutMs: clamped ? left : requested } };
  };
  const explained = (result: ExecutionResult, clamped: boolean): ExecutionResult => {
    if (result.ok || !('failure' in result) || result.failure !== 'timeout') return result;
    if (clamped && Date.now() >= budget.deadline)
      return { ...result, message: `${budgetMessage}; its process was killed` };
    return {
      ...result,
      message: result.message.replace(/\bno answer within \d+ ms\b/, 'no answer within the time limit'),
    };
  };
  const outOfBudget: ExecutionResult = { ok: false, failure: 'timeout', message: budgetMessage };
  const sequence = executor.runSequence?.bind(executor);
  const renew = executor.renew?.bind(executor);
  return {
    ...(renew && { renew }),
    async run(request, runOptions): Promise<ExecutionResult> {
      const { left, clamped, options } = budgeted(runOptions);
      if (left <= 0) return outOfBudget;
      return explained(await executor.run(request, options), clamped);
    },
    ...(sequence && {
      runSequence(requests, runOptions) {
        const { left, clamped, options } = budgeted(runOptions);
        if (left <= 0) return requests.map(() => Promise.resolve(outOfBudget));
        return sequence(requests, options).map((result) => result.then((answer) => explained(answer, clamped)));
      },
    }),
  };
}

/** Replaces machine-specific folders in every text of a report, so that reports do not depend on where grading ran. */
function scrubPaths(report: SubmissionReport, replacements: Array<[string, string]>): SubmissionReport {
  const sorted = replacements.filter(([from]) => from.length > 1).sort((a, b) => b[0].length - a[0].length);
  const scrub = (text: string) => sorted.reduce((acc, [from, to]) => acc.split(from).join(to), text);
  const result: SubmissionReport = {
    ...report,
    warnings: report.warnings.map(scrub),
    checks: report.checks.map((check) => ({ ...check, message: scrub(check.message) })),
  };
  if (report.error !== undefined) result.error = scrub(report.error);
  return result;
}
