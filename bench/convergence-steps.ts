/**
 * Calibrates the convergence settings a rubric may offer (`convergence:`, checks/catalogue/convergence-settings.ts).
 *
 *   nice npx tsx bench/convergence-steps.ts [--data FILE] [--seeds N] [--slow-seeds N] [--steps 200,300,400,500] [--out FILE]
 *
 * For `seeds` seeds the reference trains once for the largest step count on the real data's
 * training split (as train.converges does, batch 32, learning rate 0.01). The learning rate does
 * not depend on the number of steps, so the losses of an n-step run are the first n losses of the
 * longer run (checked exactly for the first seed). For every step count it reports the statistic
 * train.converges judges (mean of the last 25 losses): median, 95th percentile, max, the
 * statistic at the check's own seed, and for the offered threshold the false-failure rate — the
 * share of seeds on which the correct reference would fail — with a 95 % upper bound (0 of 100
 * still allows up to 3 %) and a log-normal tail estimate. It also proposes, for every step count,
 * the threshold with the notebook's own margin: 0.075 is 1.5 × the largest statistic of 500 steps
 * over the seeds, so the proposal is that ratio × the largest statistic, rounded up to 0.005.
 *
 * train.converges also judges the network trainRnn returns: its MSE over the 2048 evaluation windows
 * of the training split (checks/catalogue/training-evaluation.ts) must be below the same threshold.
 * So for every step count the same figures are given for that model statistic, from the reference's
 * network after that many steps (the n-step network is the longest run's network after n steps,
 * also checked exactly for the first seed).
 *
 * To show that the thresholds still catch a slow trainer, it also trains `slowSeeds` seeds at half
 * the learning rate (0.005: the effect of a gradient halved by mistake) and reports the smallest
 * statistic a slow trainer reaches at each step count: a threshold below it fails every one of them.
 *
 * Writes JSON to bench/results/convergence-steps.json and prints a Markdown table for docs/rubric.md.
 * `--from FILE` re-tabulates a stored JSON for the offered settings as they are now, without training.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { createRng } from 'rnn-lab';
import { loadPollutionData } from 'rnn-lab/data';
import type { Matrix } from 'rnn-lab';
import { doTrainingStep, RNN, trainRnn } from '../reference/rnn';
import { convergenceStatistic, prepareData } from '../reference/pipeline';
import { DEFAULT_CONVERGENCE, OFFERED_CONVERGENCE } from '../checks/catalogue/convergence-settings';
import { trainingMse } from '../checks/catalogue/training-evaluation';
import { median } from './stats';

/** The seed train.converges trains with (checks/catalogue/training-spec-checks.ts). */
const CHECK_SEED = 2024;
export const DEFAULT_RESULTS_FILE = join(__dirname, 'results', 'convergence-steps.json');

export interface ConvergenceStepsOptions {
  dataPath?: string;
  /** Seeds 1..seeds (default 100). */
  seeds?: number;
  /** Seeds 1..slowSeeds of the half-learning-rate trainer (default 20). */
  slowSeeds?: number;
  /** Step counts to measure (default: 200 and every offered one). */
  steps?: number[];
  outFile?: string | null;
  log?: (line: string) => void;
  /** Re-tabulate this stored JSON instead of training. */
  from?: string;
}

export interface StepsRow {
  steps: number;
  /** The offered threshold for this step count, if it is offered. */
  threshold?: number;
  statistic: { median: number; p95: number; max: number; min: number; atCheckSeed: number };
  /** For the offered threshold: seeds at or above it, their share, a 95 % upper bound, the log-normal tail. */
  falseFailures?: { count: number; rate: number; upper95: number; logNormalTail: number };
  /** The threshold with the default setting's margin over the largest statistic, rounded up to 0.005. */
  suggestedThreshold: number;
  /** Every seed's statistic, seeds 1..n. */
  perSeed: number[];
  /** The judge's model statistic (MSE of the n-step network over the evaluation windows), the same figures. */
  model?: {
    statistic: { median: number; p95: number; max: number; min: number; atCheckSeed: number };
    falseFailures?: { count: number; rate: number; upper95: number; logNormalTail: number };
    perSeed: number[];
  };
  /** A trainer at half the learning rate: its median and smallest statistic over the slow seeds. */
  halfLearningRate: { median: number; min: number };
  /** Training time relative to the default's steps. */
  relativeTime: number;
}

export interface ConvergenceStepsResult {
  date: string;
  machine: { node: string; cpus: number; cpuModel: string; loadAverageAtStart: number[] };
  seeds: number;
  checkSeed: number;
  /** The default setting, its log-normal tail and its margin: threshold / largest statistic. */
  default: { steps: number; threshold: number; logNormalTail: number; margin: number };
  rows: StepsRow[];
  seconds: number;
}

/** train.converges' own statistic of a network: its MSE over the evaluation windows of the training split. */
function modelStatistic(rnn: RNN, train: Matrix): number {
  return trainingMse({ u: rnn.u, w: rnn.w, v: rnn.v, b: rnn.b, c: rnn.c }, train);
}

/** Standard normal upper tail P(Z ≥ z) (Abramowitz & Stegun 7.1.26, error < 1.5e-7). */
function upperTail(z: number): number {
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * x);
  const erfc =
    t *
    (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429)))) *
    Math.exp(-x * x);
  return z >= 0 ? erfc / 2 : 1 - erfc / 2;
}

function logNormalFit(values: readonly number[]): { mu: number; sigma: number } {
  const logs = values.map(Math.log);
  const mu = logs.reduce((a, b) => a + b, 0) / logs.length;
  const sigma = Math.sqrt(logs.reduce((a, b) => a + (b - mu) ** 2, 0) / (logs.length - 1));
  return { mu, sigma };
}

/** Exact (Clopper–Pearson) one-sided 95 % upper bound on a rate with `count` of `n`, by bisection. */
function upperBound95(count: number, n: number): number {
  if (count >= n) return 1;
  const cdf = (p: number) => {
    let term = (1 - p) ** n;
    let sum = term;
    for (let k = 1; k <= count; k++) {
      term *= ((n - k + 1) / k) * (p / (1 - p));
      sum += term;
    }
    return sum;
  };
  let [lo, hi] = [count / n, 1];
  for (let i = 0; i < 60; i++) {
    const mid = (lo + hi) / 2;
    if (cdf(mid) > 0.05) lo = mid;
    else hi = mid;
  }
  return hi;
}

function quantile(values: readonly number[], q: number): number {
  const sorted = values.slice().sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
}

interface Measured {
  stepCounts: number[];
  /** Step count → the statistic of seeds 1..n. */
  statistics: Map<number, number[]>;
  atCheckSeed: Map<number, number>;
  /** Step count → the model statistic of seeds 1..n, and at the check's seed (absent in older stored runs). */
  models?: Map<number, number[]>;
  modelAtCheckSeed?: Map<number, number>;
  halfLearningRate: Map<number, { median: number; min: number }>;
}

function defaultSummary(statistics: Map<number, number[]>): ConvergenceStepsResult['default'] {
  const values = statistics.get(DEFAULT_CONVERGENCE.steps) ?? [];
  const fit = logNormalFit(values);
  const z = (Math.log(DEFAULT_CONVERGENCE.threshold) - fit.mu) / fit.sigma;
  return {
    ...DEFAULT_CONVERGENCE,
    logNormalTail: upperTail(z),
    margin: DEFAULT_CONVERGENCE.threshold / Math.max(...values),
  };
}

/** The table's rows from the measured statistics, for the offered settings as they are now. */
/** Seeds at or above the threshold, their share, a 95 % upper bound, and the log-normal tail. */
function falseFailuresOf(values: readonly number[], threshold: number): NonNullable<StepsRow['falseFailures']> {
  const fit = logNormalFit(values);
  const count = values.filter((v) => v >= threshold).length;
  return {
    count,
    rate: count / values.length,
    upper95: upperBound95(count, values.length),
    logNormalTail: upperTail((Math.log(threshold) - fit.mu) / fit.sigma),
  };
}

function summary(values: readonly number[], atCheckSeed: number): StepsRow['statistic'] {
  return {
    median: median(values),
    p95: quantile(values, 0.95),
    max: Math.max(...values),
    min: Math.min(...values),
    atCheckSeed,
  };
}

function tabulate({
  stepCounts,
  statistics,
  atCheckSeed,
  models,
  modelAtCheckSeed,
  halfLearningRate,
}: Measured): StepsRow[] {
  const { margin } = defaultSummary(statistics);
  return stepCounts.map((steps) => {
    const values = statistics.get(steps)!;
    const threshold = OFFERED_CONVERGENCE.find((setting) => setting.steps === steps)?.threshold;
    const row: StepsRow = {
      steps,
      threshold,
      statistic: summary(values, atCheckSeed.get(steps)!),
      suggestedThreshold: Math.ceil(margin * Math.max(...values) * 200 - 1e-6) / 200,
      perSeed: values,
      halfLearningRate: halfLearningRate.get(steps)!,
      relativeTime: steps / DEFAULT_CONVERGENCE.steps,
    };
    if (threshold !== undefined) row.falseFailures = falseFailuresOf(values, threshold);
    const modelValues = models?.get(steps);
    if (modelValues) {
      row.model = { statistic: summary(modelValues, modelAtCheckSeed?.get(steps) ?? NaN), perSeed: modelValues };
      if (threshold !== undefined) row.model.falseFailures = falseFailuresOf(modelValues, threshold);
    }
    return row;
  });
}

/** Re-tabulates a stored run for the offered settings as they are now (after a threshold changed): no training. */
export function retabulate(stored: ConvergenceStepsResult): ConvergenceStepsResult {
  const measured: Measured = {
    stepCounts: stored.rows.map((row) => row.steps),
    statistics: new Map(stored.rows.map((row) => [row.steps, row.perSeed])),
    atCheckSeed: new Map(stored.rows.map((row) => [row.steps, row.statistic.atCheckSeed])),
    models: stored.rows.every((row) => row.model)
      ? new Map(stored.rows.map((row) => [row.steps, row.model!.perSeed]))
      : undefined,
    modelAtCheckSeed: new Map(stored.rows.map((row) => [row.steps, row.model?.statistic.atCheckSeed ?? NaN])),
    halfLearningRate: new Map(stored.rows.map((row) => [row.steps, row.halfLearningRate])),
  };
  return { ...stored, default: defaultSummary(measured.statistics), rows: tabulate(measured) };
}

export async function benchConvergenceSteps(options: ConvergenceStepsOptions = {}): Promise<ConvergenceStepsResult> {
  const {
    dataPath,
    seeds = 100,
    slowSeeds = 20,
    outFile = DEFAULT_RESULTS_FILE,
    log = (line: string) => console.log(line),
  } = options;
  const stepCounts = [...new Set(options.steps ?? [200, ...OFFERED_CONVERGENCE.map((s) => s.steps)])].sort(
    (a, b) => a - b,
  );
  const longest = stepCounts[stepCounts.length - 1];
  const loadAverageAtStart = loadavg().map((x) => Number(x.toFixed(2)));
  const { train } = prepareData(await loadPollutionData({ dataPath, log }));
  const started = Date.now();

  // trainRnn's training (RNN(10, 6, rng), then steps of batch 32 at learning rate 0.01), with the
  // curve statistic and the judge's model statistic of the network after each step count.
  const counted = new Set(stepCounts);
  const runSeed = (seed: number) => {
    const rng = createRng(seed);
    const rnn = new RNN(10, 6, rng);
    const losses: number[] = [];
    const curve = new Map<number, number>();
    const model = new Map<number, number>();
    for (let step = 1; step <= longest; step++) {
      losses.push(doTrainingStep(rnn, train, 32, 0.01, rng));
      if (!counted.has(step)) continue;
      curve.set(step, convergenceStatistic(losses));
      model.set(step, modelStatistic(rnn, train));
    }
    return { curve, model, losses };
  };

  // The n-step run is the prefix of the longest run, and the loop above is trainRnn: check both once, exactly.
  const first = runSeed(1);
  for (const steps of stepCounts) {
    const short = trainRnn(train, steps, createRng(1));
    if (
      short.losses.some((loss, i) => loss !== first.losses[i]) ||
      modelStatistic(short.rnn, train) !== first.model.get(steps)
    )
      throw new Error(`trainRnn's ${steps}-step run is not the first ${steps} steps of the ${longest}-step run`);
  }

  const statistics = new Map<number, number[]>(stepCounts.map((steps) => [steps, []]));
  const models = new Map<number, number[]>(stepCounts.map((steps) => [steps, []]));
  for (let seed = 1; seed <= seeds; seed++) {
    const { curve, model } = seed === 1 ? first : runSeed(seed);
    for (const steps of stepCounts) {
      statistics.get(steps)!.push(curve.get(steps)!);
      models.get(steps)!.push(model.get(steps)!);
    }
    if (seed % 10 === 0) log(`  ${seed}/${seeds} seeds (${((Date.now() - started) / 1000).toFixed(0)} s)`);
  }
  const checkRun = runSeed(CHECK_SEED);
  const atCheckSeed = checkRun.curve;
  const modelAtCheckSeed = checkRun.model;
  const slow = new Map<number, number[]>(stepCounts.map((steps) => [steps, []]));
  for (let seed = 1; seed <= slowSeeds; seed++) {
    const rng = createRng(seed);
    const rnn = new RNN(10, 6, rng);
    const losses = Array.from({ length: longest }, () => doTrainingStep(rnn, train, 32, 0.005, rng));
    for (const steps of stepCounts) slow.get(steps)!.push(convergenceStatistic(losses.slice(0, steps)));
  }
  log(`  ${slowSeeds} seeds at half the learning rate (${((Date.now() - started) / 1000).toFixed(0)} s)`);

  const halfLearningRate = new Map(
    stepCounts.map((steps) => [steps, { median: median(slow.get(steps)!), min: Math.min(...slow.get(steps)!) }]),
  );
  const rows = tabulate({ stepCounts, statistics, atCheckSeed, models, modelAtCheckSeed, halfLearningRate });

  const result: ConvergenceStepsResult = {
    date: new Date().toISOString(),
    machine: {
      node: process.version,
      cpus: cpus().length,
      cpuModel: cpus()[0]?.model ?? 'unknown',
      loadAverageAtStart,
    },
    seeds,
    checkSeed: CHECK_SEED,
    default: defaultSummary(statistics),
    rows,
    seconds: (Date.now() - started) / 1000,
  };
  log('');
  for (const line of markdownTable(result)) log(line);
  log('');
  for (const line of bothStatisticsTable(result)) log(line);
  if (outFile) {
    mkdirSync(dirname(outFile), { recursive: true });
    writeFileSync(outFile, JSON.stringify(result, null, 2) + '\n');
    log(`\nwritten to ${outFile} (${result.seconds.toFixed(0)} s)`);
  }
  return result;
}

/** The table for docs/rubric.md. */
export function markdownTable(result: ConvergenceStepsResult): string[] {
  const f = (x: number) => x.toFixed(4);
  const pct = (x: number) => `${(100 * x).toFixed(x < 0.001 ? 3 : 1)} %`;
  const lines = [
    `| steps | time | threshold | median | 95th pct | max | seed ${result.checkSeed} | false failures (of ${result.seeds}) | 95 % upper bound | log-normal tail | threshold with the default's margin (×${result.default.margin.toFixed(2)} max) | half learning rate: min (median) |`,
    '|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const row of result.rows) {
    const s = row.statistic;
    const ff = row.falseFailures;
    lines.push(
      `| ${row.steps} | ×${row.relativeTime.toFixed(1)} | ${row.threshold ?? 'not offered'} | ${f(s.median)} | ${f(s.p95)} | ${f(s.max)} | ${f(s.atCheckSeed)} | ` +
        `${ff ? ff.count : '—'} | ${ff ? pct(ff.upper95) : '—'} | ${ff ? (ff.logNormalTail < 1e-12 ? '< 1e-12' : ff.logNormalTail.toExponential(1)) : '—'} | ${row.suggestedThreshold} | ` +
        `${f(row.halfLearningRate.min)} (${f(row.halfLearningRate.median)}) |`,
    );
  }
  return lines;
}

/**
 * For the offered settings: both statistics train.converges judges, the reported curve's and the
 * judge's own of the returned network, with the false failures the threshold implies for each.
 */
export function bothStatisticsTable(result: ConvergenceStepsResult): string[] {
  const f = (x: number) => x.toFixed(4);
  const tail = (x: number) => (x < 1e-12 ? '< 1e-12' : x.toExponential(1));
  const lines = [
    `| steps | threshold | statistic | median | 95th pct | max | seed ${result.checkSeed} | threshold / max | false failures (of ${result.seeds}) | 95 % upper bound | log-normal tail |`,
    '|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const row of result.rows) {
    if (row.threshold === undefined) continue;
    const threshold = row.threshold;
    const kinds = [
      { name: 'reported curve (mean of the last 25 losses)', statistic: row.statistic, ff: row.falseFailures },
      ...(row.model
        ? [{ name: 'judge: MSE of the returned network', statistic: row.model.statistic, ff: row.model.falseFailures }]
        : []),
    ];
    for (const { name, statistic: s, ff } of kinds) {
      lines.push(
        `| ${row.steps} | ${threshold} | ${name} | ${f(s.median)} | ${f(s.p95)} | ${f(s.max)} | ${f(s.atCheckSeed)} | ×${(threshold / s.max).toFixed(2)} | ` +
          `${ff ? `${ff.count} (${(100 * ff.rate).toFixed(0)} %)` : '—'} | ${ff ? `${(100 * ff.upper95).toFixed(1)} %` : '—'} | ${ff ? tail(ff.logNormalTail) : '—'} |`,
      );
    }
  }
  return lines;
}

function parseArgs(argv: string[]): ConvergenceStepsOptions {
  const options: ConvergenceStepsOptions = {};
  const usage =
    'usage: npx tsx bench/convergence-steps.ts [--data FILE] [--seeds N] [--slow-seeds N] [--steps 200,300,400,500] [--out FILE] [--from FILE]';
  for (let i = 0; i < argv.length; i += 2) {
    const [flag, value] = [argv[i], argv[i + 1]];
    const integer = (text: string, min: number) => {
      const n = Number(text);
      if (!Number.isSafeInteger(n) || n < min)
        throw new Error(`${flag}: expected an integer ≥ ${min}, got ${text}; ${usage}`);
      return n;
    };
    if (flag === '--data') options.dataPath = value;
    else if (flag === '--seeds') options.seeds = integer(value, 2);
    else if (flag === '--slow-seeds') options.slowSeeds = integer(value, 0);
    else if (flag === '--steps') options.steps = (value ?? '').split(',').map((text) => integer(text, 25));
    else if (flag === '--out') options.outFile = value;
    else if (flag === '--from') options.from = value;
    else throw new Error(`unknown argument ${flag}; ${usage}`);
  }
  return options;
}

function main(options: ConvergenceStepsOptions): Promise<unknown> {
  if (!options.from) return benchConvergenceSteps(options);
  const result = retabulate(JSON.parse(readFileSync(options.from, 'utf8')) as ConvergenceStepsResult);
  for (const line of markdownTable(result)) console.log(line);
  console.log('');
  for (const line of bothStatisticsTable(result)) console.log(line);
  return Promise.resolve(result);
}

if (require.main === module) {
  main(parseArgs(process.argv.slice(2))).catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  });
}
