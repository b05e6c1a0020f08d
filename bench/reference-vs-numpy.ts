/**
 * The reference's training against a batch-vectorised NumPy float64 trainer (issue 18's target:
 * the reference's 500 steps of batch 32 take ≤ 0.5 × NumPy's time).
 *
 *   RNN_LAB_DATA=… npx tsx bench/reference-vs-numpy.ts [--data FILE] [--repeats N] [--steps N] [--seed N]
 *
 * Equal work: the reference trains `trainRnn(train, steps, createRng(seed))` on the real data's
 * training split; the window starts its rng drew and the network it started from go to
 * bench/numpy_trainer.py through a temporary file, so NumPy trains the same network on the same
 * batches. Its losses must match the reference's to 1e-9 relative, else the comparison is refused.
 * Timing: a warm-up of each, then `repeats` rounds alternating reference and NumPy (one Python process
 * per round, which runs the training twice and reports the second: the first warms its caches),
 * CPU seconds of the training alone (process.cpuUsage here, time.process_time there), medians and
 * their ratio. Without python3 or NumPy (Debian: python3-numpy) it says so and skips.
 *
 * A third figure in the same rounds, the arithmetic floor: the training's multiply-adds (~160
 * million for 500 steps) in their simplest JavaScript form, dot products of length F + H over
 * Float64Arrays with one accumulator, plus its 3.84 million Math.tanh calls, and nothing else. No
 * JavaScript trainer can be much faster than that; if the floor alone is above the target, only
 * another instruction set (WebAssembly SIMD) or less arithmetic can meet it.
 *
 * `benchReferenceVsNumpy(options)` does the same for bench/run.ts.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRng, HOURS_PER_DAY, TEMP_COLUMN } from 'rnn-lab';
import type { Rng } from 'rnn-lab';
import { loadPollutionData } from 'rnn-lab/data';
import { trainRnn } from '../reference/rnn';
import { prepareData } from '../reference/pipeline';
import { median } from './stats';

export const RATIO_TARGET = 0.5;
/** Losses of the two trainers may differ by rounding only (summation order), never by an algorithm. */
export const AGREEMENT_TOLERANCE = 1e-9;
// Debian's python3 and python3-numpy (the opponent), unless PYTHON names another interpreter.
const PYTHON = process.env.PYTHON ?? (existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3');
const TRAINER = join(__dirname, 'numpy_trainer.py');

export interface ReferenceVsNumpyOptions {
  dataPath?: string;
  /** Alternating rounds after the warm-up (default 7). */
  repeats?: number;
  steps?: number;
  seed?: number;
  log?: (line: string) => void;
}

export type ReferenceVsNumpyResult =
  | { skipped: string; loadAverage: number[] }
  | {
      skipped?: undefined;
      numpy: string;
      steps: number;
      batchSize: number;
      repeats: number;
      loadAverage: { start: number[]; end: number[] };
      /** CPU seconds of each round's training. */
      referenceCpuSeconds: number[];
      numpyCpuSeconds: number[];
      floorCpuSeconds: number[];
      referenceMedianCpuSeconds: number;
      numpyMedianCpuSeconds: number;
      floorMedianCpuSeconds: number;
      /** Multiply-adds and tanh calls of the training (and of the floor). */
      multiplyAdds: number;
      tanhCalls: number;
      /** reference / NumPy, median over median. */
      ratio: number;
      target: number;
      targetMet: boolean;
      /** Largest |loss difference| / |loss| over the steps (equal work check). */
      maxRelativeLossDifference: number;
    };

interface NumpyAnswer {
  numpy: string;
  cpuSeconds: number[];
  losses: number[];
  error?: string;
}

/** An Rng that records the results of int(): the reference's window starts, in order. */
function recording(rng: Rng, ints: number[]): Rng {
  return {
    uniform: () => rng.uniform(),
    normal: (mean, std) => rng.normal(mean, std),
    int: (n) => {
      const value = rng.int(n);
      ints.push(value);
      return value;
    },
  };
}

/** Why NumPy cannot run here, or undefined when it can. */
export function numpyUnavailable(): string | undefined {
  const probe = spawnSync(PYTHON, ['-c', 'import numpy'], { encoding: 'utf8' });
  if (probe.error) return `${PYTHON} not found (${probe.error.message})`;
  if (probe.status !== 0)
    return `NumPy is not importable by ${PYTHON} (Debian: apt-get install python3-numpy): ${probe.stderr.trim().split('\n').pop()}`;
  return undefined;
}

function runNumpy(jobFile: string): NumpyAnswer {
  const run = spawnSync(PYTHON, [TRAINER, jobFile], { encoding: 'utf8', maxBuffer: 64 * 2 ** 20 });
  if (run.status !== 0) throw new Error(`${TRAINER} exited with ${run.status}: ${run.stderr || run.stdout}`);
  let answer: NumpyAnswer;
  try {
    answer = JSON.parse(run.stdout) as NumpyAnswer;
  } catch {
    throw new Error(`${PYTHON} ${TRAINER} printed no result (stdout: ${JSON.stringify(run.stdout.slice(0, 200))})`);
  }
  if (answer.error) throw new Error(answer.error);
  return answer;
}

function cpuSecondsOf(f: () => void): number {
  const before = process.cpuUsage();
  f();
  const used = process.cpuUsage(before);
  return (used.user + used.system) / 1e6;
}

/** Multiply-adds of one sample: forward (U x_t, W h_{t-1}), ∂L/∂h, ∂L/∂W, ∂L/∂U, ∂L/∂b, ŷ. */
export function multiplyAddsPerSample(size: number, features: number, steps: number): number {
  return 2 * steps * size * features + 3 * (steps - 1) * size * size + steps * size + size;
}

/** CPU seconds of `multiplyAdds` multiply-adds as dot products of length `length`, and `tanhCalls` Math.tanh. */
export function arithmeticFloor(multiplyAdds: number, tanhCalls: number, length: number): number {
  const a = Float64Array.from({ length: 64 * length }, (_, i) => Math.sin(i) * 0.1);
  const b = Float64Array.from({ length: 64 * length }, (_, i) => Math.cos(i) * 0.1);
  const { tanh } = Math;
  const dots = Math.round(multiplyAdds / length);
  const results = new Float64Array(64);
  let check = 0;
  return cpuSecondsOf(() => {
    for (let d = 0; d < dots; d++) {
      const offset = (d & 63) * length;
      let sum = 0;
      for (let k = 0; k < length; k++) sum += a[offset + k] * b[offset + k];
      results[d & 63] = sum;
    }
    for (let call = 0; call < tanhCalls; call++) check += tanh(results[call & 63] + call * 1e-9);
    if (Number.isNaN(check)) throw new Error('unreachable: the floor loop produced NaN');
  });
}

const loads = () => loadavg().map((x) => Number(x.toFixed(2)));

export async function benchReferenceVsNumpy(options: ReferenceVsNumpyOptions = {}): Promise<ReferenceVsNumpyResult> {
  const { dataPath, repeats = 7, steps = 500, seed = 1, log = (line: string) => console.log(line) } = options;
  const unavailable = numpyUnavailable();
  if (unavailable) {
    log(`reference vs NumPy: skipped: ${unavailable}`);
    return { skipped: unavailable, loadAverage: loads() };
  }
  const start = loads();
  const { train } = prepareData(await loadPollutionData({ dataPath, log }));

  // The reference's own run, recording the starts its rng drew; the network it started from.
  const ints: number[] = [];
  const reference = trainRnn(train, steps, recording(createRng(seed), ints));
  const initial = trainRnn(train, 0, createRng(seed)).rnn;
  const batchSize = ints.length / Math.max(steps, 1);
  const starts = Array.from({ length: steps }, (_, step) => ints.slice(step * batchSize, (step + 1) * batchSize));
  const dir = mkdtempSync(join(tmpdir(), 'reference-vs-numpy-'));
  try {
    const jobFile = join(dir, 'job.json');
    const job = { data: train, starts, lr: 0.01, tau: HOURS_PER_DAY, tempColumn: TEMP_COLUMN, runs: 2 };
    const { u, w, v, b, c } = initial;
    writeFileSync(jobFile, JSON.stringify({ ...job, u, w, v, b, c }));

    // Equal work, checked once; also the warm-up of both.
    const check = runNumpy(jobFile);
    let maxRelativeLossDifference = 0;
    reference.losses.forEach((loss, i) => {
      const difference = Math.abs(loss - check.losses[i]) / Math.abs(loss);
      maxRelativeLossDifference = Math.max(maxRelativeLossDifference, difference || 0);
    });
    if (check.losses.length !== steps || !(maxRelativeLossDifference <= AGREEMENT_TOLERANCE))
      throw new Error(
        `NumPy and the reference do not train alike (largest relative loss difference ${maxRelativeLossDifference}): not comparing their times`,
      );
    log(
      `reference vs NumPy ${check.numpy}: ${steps} steps of batch ${batchSize}, same network and batches (losses agree to ${maxRelativeLossDifference.toExponential(1)} relative); load average ${start.join(' ')}`,
    );

    const size = initial.hiddenStateSize;
    const features = initial.numFeatures;
    const multiplyAdds = steps * batchSize * multiplyAddsPerSample(size, features, HOURS_PER_DAY);
    const tanhCalls = steps * batchSize * HOURS_PER_DAY * size;
    arithmeticFloor(multiplyAdds, tanhCalls, size + features); // warm-up
    const referenceCpuSeconds: number[] = [];
    const numpyCpuSeconds: number[] = [];
    const floorCpuSeconds: number[] = [];
    for (let round = 0; round < repeats; round++) {
      referenceCpuSeconds.push(cpuSecondsOf(() => trainRnn(train, steps, createRng(seed))));
      numpyCpuSeconds.push(runNumpy(jobFile).cpuSeconds[1]);
      floorCpuSeconds.push(arithmeticFloor(multiplyAdds, tanhCalls, size + features));
    }
    const referenceMedianCpuSeconds = median(referenceCpuSeconds);
    const numpyMedianCpuSeconds = median(numpyCpuSeconds);
    const floorMedianCpuSeconds = median(floorCpuSeconds);
    const ratio = referenceMedianCpuSeconds / numpyMedianCpuSeconds;
    const s = (x: number) => `${x.toFixed(3)} s`;
    log(`  reference CPU ${s(referenceMedianCpuSeconds)} median  [${referenceCpuSeconds.map(s).join(', ')}]`);
    log(`  NumPy     CPU ${s(numpyMedianCpuSeconds)} median  [${numpyCpuSeconds.map(s).join(', ')}]`);
    log(
      `  floor     CPU ${s(floorMedianCpuSeconds)} median  [${floorCpuSeconds.map(s).join(', ')}]  (${(multiplyAdds / 1e6).toFixed(0)} M multiply-adds + ${(tanhCalls / 1e6).toFixed(2)} M Math.tanh in plain loops)`,
    );
    const end = loads();
    log(
      `  ratio reference / NumPy ${ratio.toFixed(2)}; target ≤ ${RATIO_TARGET}: ${ratio <= RATIO_TARGET ? 'met' : 'NOT met'}; floor / NumPy ${(floorMedianCpuSeconds / numpyMedianCpuSeconds).toFixed(2)}, reference / floor ${(referenceMedianCpuSeconds / floorMedianCpuSeconds).toFixed(2)}  (load average at the end ${end.join(' ')})`,
    );
    return {
      numpy: check.numpy,
      steps,
      batchSize,
      repeats,
      loadAverage: { start, end },
      referenceCpuSeconds,
      numpyCpuSeconds,
      floorCpuSeconds,
      referenceMedianCpuSeconds,
      numpyMedianCpuSeconds,
      floorMedianCpuSeconds,
      multiplyAdds,
      tanhCalls,
      ratio,
      target: RATIO_TARGET,
      targetMet: ratio <= RATIO_TARGET,
      maxRelativeLossDifference,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function parseArgs(argv: string[]): ReferenceVsNumpyOptions {
  const usage =
    'usage: npx tsx bench/reference-vs-numpy.ts [--data FILE] [--repeats N] [--steps N] [--seed N] (N a positive integer)';
  const options: ReferenceVsNumpyOptions = {};
  for (let i = 0; i < argv.length; i += 2) {
    const [flag, value] = [argv[i], argv[i + 1]];
    const n = Number(value);
    if (flag === '--data' && value !== undefined) options.dataPath = value;
    else if (!Number.isSafeInteger(n) || n < 1) throw new Error(usage);
    else if (flag === '--repeats') options.repeats = n;
    else if (flag === '--steps') options.steps = n;
    else if (flag === '--seed') options.seed = n;
    else throw new Error(usage);
  }
  return options;
}

if (require.main === module) {
  benchReferenceVsNumpy(parseArgs(process.argv.slice(2))).catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  });
}
