/**
 * One run of the public checks on the student's rnn.ts: the type check (in a worker) and the
 * checks (rnn.ts in a child process with per-call limits) at the same time; the data set loads
 * meanwhile, and when it cannot be had, only the checks that need it are left out.
 */
import { createHash } from 'crypto';
import { readFileSync } from 'fs';
import path from 'path';
import type { Matrix } from 'rnn-lab';
import { DataError, loadPollutionData } from 'rnn-lab/data';
import { runBattery } from '../battery';
import { createChildProcessExecutor, EndlessRegistry } from '../executors/child-process';
import type { ChildExecutorOptions } from '../executors/child-process';
import { publicCatalogue } from '../public';
import type { Fixtures } from '../public';
import type { CheckResult } from '../types';
import type { ReportedResult, RunReport } from './report';
import type { TypeChecker } from './typecheck';

export interface RunOptions {
  root: string;
  fixtures: Fixtures;
  typeChecker: TypeChecker;
  seed?: number;
  replay?: { id: string; seed: number; path: string };
  /** Stops the run (watch mode, on a new save): run() then resolves to undefined. */
  signal?: AbortSignal;
  /** Called after each check (progress). */
  onResult?: (result: CheckResult, done: number, total: number) => void;
  executor?: ChildExecutorOptions;
}

/** `<id>:<seed>:<path>` of CHECK_REPLAY. */
export function parseReplay(text: string | undefined): RunOptions['replay'] {
  const match = text ? /^([^:]+):(-?\d+):(.*)$/.exec(text) : null;
  return match ? { id: match[1], seed: Number(match[2]), path: match[3] } : undefined;
}

/** The training split, standardized with the statistics stored with the fixtures. */
function trainSplit(fixtures: Fixtures, raw: Matrix): Matrix {
  const { rows, means, stds } = fixtures.trainSplit;
  return raw.slice(0, rows).map((row) => row.map((value, j) => (value - means[j]) / stds[j]));
}

/** The data set's problem in the handout's words: there is no `--data` CLI here. */
function dataProblemText(error: DataError): string {
  return error.message.replace(/ \(or pass --data FILE to the CLIs\)/g, '');
}

export async function runPublicChecks(options: RunOptions): Promise<RunReport | undefined> {
  const started = Date.now();
  const file = path.join(options.root, 'rnn.ts');
  let sourceHash = '';
  try {
    sourceHash = createHash('sha256').update(readFileSync(file)).digest('hex');
  } catch {
    // a missing rnn.ts: the checks say so
  }
  const checkedAt = new Date().toISOString();
  const checks = publicCatalogue(options.fixtures);
  const points = new Map(checks.map((check) => [check.id, check.points]));
  const types = options.typeChecker.check();
  // Load the data meanwhile; a failure is a result, never a crash.
  const data: Promise<{ matrix: Matrix } | { problem: string }> = loadPollutionData().then(
    (raw) => ({ matrix: trainSplit(options.fixtures, raw) }),
    (error: unknown) => ({
      problem:
        error instanceof DataError
          ? dataProblemText(error)
          : `the data set could not be loaded: ${error instanceof Error ? error.message : String(error)}`,
    }),
  );
  data.catch(() => undefined);

  // Two child processes side by side: one trains on the real data (the longest check) while the
  // other runs the rest. What one finds endless, the other stops too.
  const endless = new EndlessRegistry();
  const executor = createChildProcessExecutor(file, { ...options.executor, endless });
  const trainer = createChildProcessExecutor(file, { ...options.executor, endless });
  const abort = () => void Promise.all([executor.close(), trainer.close()]);
  options.signal?.addEventListener('abort', abort);
  const results: CheckResult[] = [];
  let dataProblem: string | undefined;
  try {
    let done = 0;
    const battery = (runOn: typeof executor, subset: typeof checks) =>
      runBattery(runOn, subset, {
        seed: options.seed ?? 1,
        replay: options.replay,
        loadTrainData: async () => {
          const loaded = await data;
          if ('problem' in loaded) throw new Error(loaded.problem);
          return loaded.matrix;
        },
        onResult: (result) => options.onResult?.(result, ++done, checks.length),
      });
    const training = (async () => {
      const loaded = await data;
      if ('problem' in loaded) {
        dataProblem = loaded.problem;
        return [];
      }
      return options.signal?.aborted
        ? []
        : battery(
            trainer,
            checks.filter((check) => check.usesData),
          );
    })();
    const [rest, trained] = await Promise.all([
      battery(
        executor,
        checks.filter((check) => !check.usesData),
      ),
      training,
    ]);
    results.push(...rest, ...trained);
  } finally {
    options.signal?.removeEventListener('abort', abort);
    await Promise.all([executor.close(), trainer.close()]);
  }
  const typeResult = await types;
  if (options.signal?.aborted) return undefined;

  const byId = new Map(results.map((result) => [result.id, result]));
  const reported: ReportedResult[] = checks.map((check) => {
    const result = byId.get(check.id);
    if (result) return { ...result, points: points.get(check.id) ?? 0 };
    return {
      id: check.id,
      target: check.target,
      title: check.title,
      visibility: check.visibility,
      seed: 0,
      durationMs: 0,
      status: 'error',
      message: 'Not run: the data set is not available.',
      points: check.points,
      notRun: true,
    };
  });
  const printed = [executor.printed(), trainer.printed()];
  return {
    checkedAt,
    sourceHash,
    types: typeResult,
    results: reported,
    dataProblem,
    printed: { text: printed.map((p) => p.text).join(''), truncated: printed.some((p) => p.truncated) },
    durationMs: Date.now() - started,
  };
}
