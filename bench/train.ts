/**
 * Training benchmark of the reference solution on the real data.
 *
 *   npx tsx bench/train.ts [--data FILE] [--seeds N] [--repeats N] [--out FILE]
 *
 * (a) Time of the reference's 500 training steps (batch 32, H = 10, F = 6, τ = 24: 16,000 forward
 *     and backward passes): one warm-up run, then the median of `repeats` runs, next to a naive
 *     but correct implementation timed in the same process (the lab's allocation-heavy linalg
 *     helpers for every product), as a ratio. Target: ≤ 0.5 s.
 * (b) Convergence over `seeds` seeds: the notebook's statistic (mean of the last 25 of 500
 *     losses) — median, max, how many reach the pass mark 0.075 or more — and the test RMSE in °C.
 * (c) Writes the figures as JSON to bench/results/train.json.
 *
 * `benchTraining(options)` does the same for a caller such as bench/run.ts.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import {
  addMatrices,
  addVectors,
  createRng,
  dot,
  HOURS_PER_DAY,
  matTVec,
  matVec,
  outer,
  scaleMatrix,
  scaleVector,
  TEMP_COLUMN,
  zerosMatrix,
  zerosVector,
} from 'rnn-lab';
import type { Matrix, Rng, Vector } from 'rnn-lab';
import { loadPollutionData } from 'rnn-lab/data';
import { trainRnn } from '../reference/rnn';
import { CONVERGENCE_THRESHOLD, convergenceStatistic, evaluateOnTestSet, prepareData } from '../reference/pipeline';
import { median } from './stats';

export const TIME_TARGET_SECONDS = 0.5;
export const DEFAULT_RESULTS_FILE = join(__dirname, 'results', 'train.json');

export interface TrainingBenchOptions {
  /** pollution.csv (else RNN_LAB_DATA, the cache, a download: see rnn-lab/data). */
  dataPath?: string;
  /** Timed runs of each implementation after the warm-up (default 5). */
  repeats?: number;
  /** Seeds of the convergence study, 1..seeds (default 100; 0 skips it). */
  seeds?: number;
  /** Training steps (default 500, the lab's). */
  steps?: number;
  /** Where to write the JSON (default bench/results/train.json; null: do not write). */
  outFile?: string | null;
  /** Progress and results, line by line (default console.log). */
  log?: (line: string) => void;
}

export interface TrainingBenchResult {
  date: string;
  machine: { node: string; cpus: number; cpuModel: string; loadAverageAtStart: number[] };
  steps: number;
  batchSize: number;
  timing: {
    repeats: number;
    /** Wall-clock seconds of each timed run. */
    referenceSeconds: number[];
    referenceMedianSeconds: number;
    /** CPU seconds of each timed run (user + system, all threads of this process, GC included). */
    referenceCpuSeconds: number[];
    referenceMedianCpuSeconds: number;
    baselineSeconds: number[];
    baselineMedianSeconds: number;
    baselineMedianCpuSeconds: number;
    /** reference / baseline (median over median) */
    ratio: number;
    targetSeconds: number;
    targetMet: boolean;
    /** Largest |loss difference| between the two implementations over the timed run: both compute the same thing. */
    baselineMaxLossDifference: number;
  };
  convergence?: {
    seeds: number[];
    statistic: { median: number; max: number; min: number; atOrAboveThreshold: number; threshold: number };
    testRmseCelsius: { median: number; max: number; min: number };
    perSeed: Array<{ seed: number; statistic: number; testRmseCelsius: number }>;
    seconds: number;
  };
}

// ---------------------------------------------------------------------------------------------
// The baseline: the same training, written the straightforward way with the lab's helpers.
// Every product allocates a new array; nothing is checked. Same draws from the rng as the
// reference, so both produce the same losses (up to rounding).

interface NaiveParams {
  u: Matrix;
  w: Matrix;
  v: Vector;
  b: Vector;
  c: number;
}

function naiveTrain(
  data: Matrix,
  numSteps: number,
  rng: Rng,
  hiddenSize = 10,
  numFeatures = 6,
  batchSize = 32,
  lr = 0.01,
): number[] {
  const draw = () => rng.normal(0, 0.001);
  const p: NaiveParams = {
    u: Array.from({ length: hiddenSize }, () => Array.from({ length: numFeatures }, draw)),
    w: Array.from({ length: hiddenSize }, () => Array.from({ length: hiddenSize }, draw)),
    v: Array.from({ length: hiddenSize }, draw),
    b: zerosVector(hiddenSize),
    c: 0,
  };
  const losses: number[] = [];
  for (let step = 0; step < numSteps; step++) {
    let sum = {
      u: zerosMatrix(hiddenSize, numFeatures),
      w: zerosMatrix(hiddenSize, hiddenSize),
      v: zerosVector(hiddenSize),
      b: zerosVector(hiddenSize),
      c: 0,
    };
    let totalLoss = 0;
    for (let k = 0; k < batchSize; k++) {
      const start = rng.int(data.length - HOURS_PER_DAY);
      const x = data.slice(start, start + HOURS_PER_DAY);
      const y = data[start + HOURS_PER_DAY][TEMP_COLUMN];
      // forward
      const hidden: Matrix = [];
      let previous = zerosVector(hiddenSize);
      for (const input of x) {
        previous = addVectors(addVectors(matVec(p.u, input), matVec(p.w, previous)), p.b).map(Math.tanh);
        hidden.push(previous);
      }
      const yHat = dot(p.v, previous) + p.c;
      totalLoss += (y - yHat) ** 2;
      // backward
      const outputGrad = 2 * (yHat - y);
      const gradH: Matrix = new Array(hidden.length);
      gradH[hidden.length - 1] = scaleVector(p.v, outputGrad);
      for (let t = hidden.length - 2; t >= 0; t--) {
        const local = hidden[t + 1].map((h, i) => (1 - h * h) * gradH[t + 1][i]);
        gradH[t] = matTVec(p.w, local);
      }
      let gradB = zerosVector(hiddenSize);
      let gradW = zerosMatrix(hiddenSize, hiddenSize);
      let gradU = zerosMatrix(hiddenSize, numFeatures);
      hidden.forEach((h, t) => {
        const local = h.map((hi, i) => (1 - hi * hi) * gradH[t][i]);
        gradB = addVectors(gradB, local);
        if (t > 0) gradW = addMatrices(gradW, outer(local, hidden[t - 1]));
        gradU = addMatrices(gradU, outer(local, x[t]));
      });
      sum = {
        u: addMatrices(sum.u, gradU),
        w: addMatrices(sum.w, gradW),
        v: addVectors(sum.v, scaleVector(previous, outputGrad)),
        b: addVectors(sum.b, gradB),
        c: sum.c + outputGrad,
      };
    }
    const s = -lr / batchSize;
    p.u = addMatrices(p.u, scaleMatrix(sum.u, s));
    p.w = addMatrices(p.w, scaleMatrix(sum.w, s));
    p.v = addVectors(p.v, scaleVector(sum.v, s));
    p.b = addVectors(p.b, scaleVector(sum.b, s));
    p.c += s * sum.c;
    losses.push(totalLoss / batchSize);
  }
  return losses;
}

// ---------------------------------------------------------------------------------------------

/** Wall-clock and CPU seconds of f() (CPU time: this process only, so other jobs on the machine inflate it less). */
function seconds<T>(f: () => T): { value: T; seconds: number; cpuSeconds: number } {
  const cpu = process.cpuUsage();
  const start = process.hrtime.bigint();
  const value = f();
  const elapsed = Number(process.hrtime.bigint() - start) / 1e9;
  const used = process.cpuUsage(cpu);
  return { value, seconds: elapsed, cpuSeconds: (used.user + used.system) / 1e6 };
}

export async function benchTraining(options: TrainingBenchOptions = {}): Promise<TrainingBenchResult> {
  const {
    dataPath,
    repeats = 5,
    seeds = 100,
    steps = 500,
    outFile = DEFAULT_RESULTS_FILE,
    log = (line: string) => console.log(line),
  } = options;
  const loadAverageAtStart = loadavg().map((x) => Number(x.toFixed(2)));
  const raw = await loadPollutionData({ dataPath, log });
  const { train, test, stds } = prepareData(raw);
  const machine = {
    node: process.version,
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    loadAverageAtStart,
  };
  log(`node ${machine.node}, ${machine.cpus} × ${machine.cpuModel}, load average ${loadAverageAtStart.join(' ')}`);

  // (a) timing: warm up both, then alternate, so that a busy moment hits both alike.
  const TIMING_SEED = 1;
  trainRnn(train, steps, createRng(TIMING_SEED));
  naiveTrain(train, steps, createRng(TIMING_SEED));
  const referenceSeconds: number[] = [];
  const referenceCpuSeconds: number[] = [];
  const baselineSeconds: number[] = [];
  const baselineCpuSeconds: number[] = [];
  let baselineMaxLossDifference = 0;
  for (let r = 0; r < repeats; r++) {
    const reference = seconds(() => trainRnn(train, steps, createRng(TIMING_SEED)));
    const baseline = seconds(() => naiveTrain(train, steps, createRng(TIMING_SEED)));
    referenceSeconds.push(reference.seconds);
    referenceCpuSeconds.push(reference.cpuSeconds);
    baselineSeconds.push(baseline.seconds);
    baselineCpuSeconds.push(baseline.cpuSeconds);
    reference.value.losses.forEach(
      (loss, i) =>
        (baselineMaxLossDifference = Math.max(baselineMaxLossDifference, Math.abs(loss - baseline.value[i]))),
    );
  }
  const referenceMedianSeconds = median(referenceSeconds);
  const baselineMedianSeconds = median(baselineSeconds);
  const timing = {
    repeats,
    referenceSeconds,
    referenceMedianSeconds,
    referenceCpuSeconds,
    referenceMedianCpuSeconds: median(referenceCpuSeconds),
    baselineSeconds,
    baselineMedianSeconds,
    baselineMedianCpuSeconds: median(baselineCpuSeconds),
    ratio: referenceMedianSeconds / baselineMedianSeconds,
    targetSeconds: TIME_TARGET_SECONDS,
    targetMet: referenceMedianSeconds <= TIME_TARGET_SECONDS,
    baselineMaxLossDifference,
  };
  const fmt = (s: number) => `${s.toFixed(3)} s`;
  log(`(a) ${steps} training steps (batch 32, H 10, F 6, τ 24), median of ${repeats} after a warm-up:`);
  log(
    `    reference ${fmt(referenceMedianSeconds)}  [${referenceSeconds.map(fmt).join(', ')}]  target ≤ ${TIME_TARGET_SECONDS} s: ${timing.targetMet ? 'met' : 'NOT met'}`,
  );
  log(
    `    (CPU time of this process: median ${fmt(timing.referenceMedianCpuSeconds)}  [${referenceCpuSeconds.map(fmt).join(', ')}])`,
  );
  log(
    `    naive baseline ${fmt(baselineMedianSeconds)}  [${baselineSeconds.map(fmt).join(', ')}]  (CPU ${fmt(timing.baselineMedianCpuSeconds)})`,
  );
  log(
    `    ratio reference / baseline ${timing.ratio.toFixed(2)} (same losses to ${baselineMaxLossDifference.toExponential(1)})`,
  );

  const result: TrainingBenchResult = { date: new Date().toISOString(), machine, steps, batchSize: 32, timing };

  // (b) convergence over seeds 1..seeds
  if (seeds > 0) {
    const started = Date.now();
    const perSeed: Array<{ seed: number; statistic: number; testRmseCelsius: number }> = [];
    for (let seed = 1; seed <= seeds; seed++) {
      const { rnn, losses } = trainRnn(train, steps, createRng(seed));
      perSeed.push({
        seed,
        statistic: convergenceStatistic(losses),
        testRmseCelsius: evaluateOnTestSet(rnn, test, stds[TEMP_COLUMN]).rmseCelsius,
      });
    }
    const statistics = perSeed.map((s) => s.statistic);
    const rmses = perSeed.map((s) => s.testRmseCelsius);
    result.convergence = {
      seeds: perSeed.map((s) => s.seed),
      statistic: {
        median: median(statistics),
        max: Math.max(...statistics),
        min: Math.min(...statistics),
        atOrAboveThreshold: statistics.filter((s) => s >= CONVERGENCE_THRESHOLD).length,
        threshold: CONVERGENCE_THRESHOLD,
      },
      testRmseCelsius: { median: median(rmses), max: Math.max(...rmses), min: Math.min(...rmses) },
      perSeed,
      seconds: (Date.now() - started) / 1000,
    };
    const c = result.convergence;
    log(
      `(b) ${seeds} seeds: mean of the last 25 of ${steps} losses — median ${c.statistic.median.toFixed(4)}, min ${c.statistic.min.toFixed(4)}, max ${c.statistic.max.toFixed(4)}, ${c.statistic.atOrAboveThreshold} at or above ${CONVERGENCE_THRESHOLD}`,
    );
    log(
      `    test RMSE — median ${c.testRmseCelsius.median.toFixed(2)} °C (min ${c.testRmseCelsius.min.toFixed(2)}, max ${c.testRmseCelsius.max.toFixed(2)})  [${c.seconds.toFixed(0)} s]`,
    );
  }

  if (outFile) {
    mkdirSync(dirname(outFile), { recursive: true });
    writeFileSync(outFile, JSON.stringify(result, null, 2) + '\n');
    log(`(c) written to ${outFile}`);
  }
  return result;
}

function parseArgs(argv: string[]): TrainingBenchOptions {
  const options: TrainingBenchOptions = {};
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = argv[i + 1];
    const number = () => {
      const n = Number(value);
      if (!Number.isSafeInteger(n) || n < 0) throw new Error(`${flag}: expected a non-negative integer, got ${value}`);
      return n;
    };
    if (flag === '--data') options.dataPath = value;
    else if (flag === '--seeds') options.seeds = number();
    else if (flag === '--repeats') options.repeats = Math.max(1, number());
    else if (flag === '--out') options.outFile = value;
    else
      throw new Error(
        `unknown argument ${flag}; usage: npx tsx bench/train.ts [--data FILE] [--seeds N] [--repeats N] [--out FILE]`,
      );
    i++;
  }
  return options;
}

if (require.main === module) {
  benchTraining(parseArgs(process.argv.slice(2))).catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  });
}
