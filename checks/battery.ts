/**
 * Runs checks against one submission and turns whatever happens into a verdict per check.
 * The battery never throws because of a submission: a throw, a timeout, a crash or a lost child
 * each become that check's verdict, and the next check runs.
 */
import type { Matrix } from 'rnn-lab';
import { ExecutionAborted, StudentError, SubmissionRunner } from './runner';
import type { Executor } from './protocol/requests';
import type { ConvergenceSetting } from './catalogue/convergence-settings';
import type { CheckDefinition, CheckOutcome, CheckResult, Replay } from './types';

export interface BatteryOptions {
  /** Battery seed: each check's seed is derived from it and the check id. */
  seed: number;
  /** Random cases per property check, after the anchor cases (default DEFAULT_NUM_RUNS). */
  numRuns?: number;
  /** Loads the standardized training split (only called when a check needs it). */
  loadTrainData: () => Promise<Matrix>;
  /** Replays one check's counterexample. */
  replay?: { id: string } & Replay;
  /** train.converges' steps and pass mark, when a rubric chooses them. */
  convergence?: ConvergenceSetting;
  /** Called after each check, e.g. for progress output. */
  onResult?: (result: CheckResult) => void;
}

/**
 * Random cases per property check. Every property check first runs its fixed anchor cases, on
 * which every known mistake is caught (bench/tolerance.ts); the random cases add breadth. Twelve
 * keep a sandboxed battery near a second (each case is a round trip to the submission's process).
 */
export const DEFAULT_NUM_RUNS = 12;

/** FNV-1a over `seed:id`: a check's seed depends on nothing but these two. */
export function deriveSeed(seed: number, id: string): number {
  let hash = 0x811c9dc5;
  for (const char of `${seed}:${id}`) {
    hash ^= char.codePointAt(0)!;
    hash = Math.imul(hash, 0x01000193);
  }
  return hash | 0;
}

/**
 * A verdict, marked `cause: 'grader'` when the check could not judge the submission because of the
 * grader's own failure (a bug in the check, a runner that cannot answer): never the student's 0.
 */
export type BatteryOutcome = CheckOutcome & { cause?: 'grader' };
export type BatteryResult = CheckResult & { cause?: 'grader' };

export async function runBattery(
  executor: Executor,
  checks: readonly CheckDefinition[],
  options: BatteryOptions,
): Promise<BatteryResult[]> {
  let stored: Promise<{ matrix: Matrix; argument: { stored: string } }> | undefined;
  const trainData = () =>
    (stored ??= (async () => {
      const matrix = await options.loadTrainData();
      const result = await executor.run({ op: 'store', name: 'train', matrix }, { timeoutMs: 60_000 });
      // The submission's process failing meanwhile (its time budget running out, a crash) is its
      // verdict, as for any call; only an answer the runner itself cannot give is the grader's.
      if (!result.ok && 'failure' in result)
        throw new ExecutionAborted({ ...result, message: `while it received the training data: ${result.message}` });
      if (!result.ok)
        throw new Error(`could not send the training data to the submission's process: ${result.error.message}`);
      return { matrix, argument: { stored: 'train' } };
    })());

  const results: BatteryResult[] = [];
  for (const check of checks) {
    const seed = deriveSeed(options.seed, check.id);
    // Ending the old process is the grader's housekeeping, outside the check's time limit. Should
    // it fail, the check runs in the old process: slower, the same verdict.
    if (check.freshProcess) await executor.renew?.().catch(() => undefined);
    const started = Date.now();
    const runner = new SubmissionRunner(executor, started + check.timeoutMs);
    const replay =
      options.replay?.id === check.id ? { seed: options.replay.seed, path: options.replay.path } : undefined;
    const outcome = await runOne(check, () =>
      check.run({
        runner,
        seed: replay?.seed ?? seed,
        numRuns: options.numRuns ?? DEFAULT_NUM_RUNS,
        replay,
        trainData,
        convergence: options.convergence,
      }),
    );
    const result: BatteryResult = {
      id: check.id,
      target: check.target,
      title: check.title,
      visibility: check.visibility,
      seed,
      durationMs: Date.now() - started,
      ...outcome,
    };
    results.push(result);
    options.onResult?.(result);
  }
  return results;
}

async function runOne(check: CheckDefinition, run: () => Promise<CheckOutcome>): Promise<BatteryOutcome> {
  try {
    return await run();
  } catch (error) {
    return outcomeOfThrow(check, error);
  }
}

/** The verdict for an exception that escaped a check. */
export function outcomeOfThrow(check: CheckDefinition, error: unknown): BatteryOutcome {
  if (error instanceof ExecutionAborted) {
    const { failure, message } = error.failure;
    if (failure === 'timeout')
      return {
        status: 'timeout',
        message: `${check.target} did not finish within the time limit (${message}). Look for an endless loop or work that grows too fast.`,
      };
    if (failure === 'memory')
      return {
        status: 'memory',
        message: `${check.target} used more memory than allowed (${message}). Look for arrays that keep growing.`,
      };
    return { status: 'error', message: `The submission's process stopped while running ${check.target}: ${message}` };
  }
  if (error instanceof StudentError) {
    if (error.errorName === 'MissingExportError')
      return {
        status: 'error',
        message: `${error.errorMessage}. The lab contract asks rnn.ts to export it with exactly this name.`,
      };
    if (error.fatal) return { status: 'error', message: error.errorMessage };
    return { status: 'error', message: `${check.target} threw ${error.errorName}: ${error.errorMessage}` };
  }
  const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
  return {
    status: 'error',
    cause: 'grader',
    message: `Internal error in check ${check.id} (not your fault; please tell the course staff): ${detail}`,
  };
}
