/**
 * All the benchmarks in one run on this machine:  npm run bench [-- --quick] [-- --data FILE]
 *
 *   1. training   the reference's 500 training steps          baseline: a naive implementation (bench/train.ts)
 *                 and against NumPy (target ≤ 0.5×)            baseline: a batch-vectorised NumPy float64 trainer on
 *                                                             the same batches, and the plain-JS arithmetic floor
 *                                                             (bench/reference-vs-numpy.ts; skipped without NumPy)
 *   2. battery    one submission's whole battery, in-process  baseline: the reference's own training (bench/battery.ts)
 *   3. start-up   spawning a submission's sandboxed child     baseline: a bare `node -e 0` (bench/startup.ts)
 *   4. throughput the real grader on N submissions, --jobs 1 and 2, and the time for 100 extrapolated
 *                 (target ≤ 60 s on 2 cores)                  baselines: --jobs 1, and the training floor:
 *                                                             the samples' own training alone (bench/throughput.ts)
 *   5. convergence of the reference over 100 seeds: median, max and failure rate of the statistic
 *
 * Run on their own (long; figures in docs/tolerances.md): bench/seeds.ts (verdicts of every sample
 * over many battery seeds), bench/tolerance.ts (float32 calibration), bench/mutation.ts (the
 * battery's kill rate over one-token mutants of a correct sample).
 *
 * Every baseline is measured in the same run, so ratios compare like with like under the same
 * load. The figures go to bench/results/run-<date>.json and bench/results/latest.json; the
 * previous latest.json, when there is one, is compared with this run.
 *
 *   --quick      fewer repeats, seeds (20) and submissions (4): about a minute
 *   --data FILE  pollution.csv (default: RNN_LAB_DATA, else the cache)
 *   --results DIR  where to write (default bench/results)
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { benchBattery } from './battery';
import { benchStartup } from './startup';
import type { StartupResult } from './startup';
import { benchThroughput } from './throughput';
import type { ThroughputResult } from './throughput';
import { benchReferenceVsNumpy } from './reference-vs-numpy';
import type { ReferenceVsNumpyResult } from './reference-vs-numpy';
import { benchTraining } from './train';
import type { TrainingBenchResult } from './train';

export interface BenchRunOptions {
  quick?: boolean;
  dataPath?: string;
  resultsDir?: string;
  log?: (line: string) => void;
}

/** The headline figures, flat, for comparing runs. */
export interface BenchFigures {
  trainingSeconds: number;
  trainingVsNaiveRatio: number;
  /** Reference / NumPy CPU time of the same 500 steps (NaN when NumPy is missing); target ≤ 0.5. */
  trainingVsNumpyRatio: number;
  /** The plain-JavaScript arithmetic floor of that training / NumPy. */
  jsFloorVsNumpyRatio: number;
  batterySeconds: number;
  batteryVsTrainingRatio: number;
  childStartupMs: number;
  bareNodeStartupMs: number;
  childStartupVsBareNodeRatio: number;
  throughputJobs1PerSecond: number;
  throughputJobs2PerSecond: number;
  throughputSpeedup: number;
  /** Fixed cost once + per-submission cost × 100 (see ThroughputResult). */
  secondsFor100Extrapolated: number;
  /** 100 / throughput: the fixed cost counted 100/N times. */
  secondsFor100Linear: number;
  graderFixedSeconds: number;
  secondsFor100Target: number;
  /** The samples' own 500-step training alone, 100 of the mix spread over the cores (bench/throughput.ts). */
  trainingFloorSecondsFor100: number;
  /** secondsFor100Extrapolated / trainingFloorSecondsFor100: what the grader adds to the students' own work. */
  secondsFor100VsFloorRatio: number;
  convergenceSeeds: number;
  convergenceMedian: number;
  convergenceMax: number;
  convergenceFailureRate: number;
}

export interface BenchRun {
  date: string;
  quick: boolean;
  machine: {
    node: string;
    cpus: number;
    cpuModel: string;
    memoryGiB: number;
    loadAverageAtStart: number[];
    loadAverageAtEnd: number[];
  };
  seconds: number;
  figures: BenchFigures;
  training: TrainingBenchResult;
  referenceVsNumpy: ReferenceVsNumpyResult;
  battery: Awaited<ReturnType<typeof benchBattery>>;
  startup: StartupResult;
  throughput: ThroughputResult;
}

const loads = () => loadavg().map((x) => Number(x.toFixed(2)));

export async function runBenchmarks(options: BenchRunOptions = {}): Promise<BenchRun> {
  const {
    quick = false,
    dataPath,
    resultsDir = join(__dirname, 'results'),
    log = (line: string) => console.log(line),
  } = options;
  const started = Date.now();
  const loadAverageAtStart = loads();
  const machine = {
    node: process.version,
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    memoryGiB: Number((totalmem() / 2 ** 30).toFixed(1)),
    loadAverageAtStart,
    loadAverageAtEnd: [] as number[],
  };
  log(
    `bench${quick ? ' --quick' : ''}: node ${machine.node}, ${machine.cpus} × ${machine.cpuModel}, load average ${loadAverageAtStart.join(' ')}`,
  );

  log('\n== 1. training (and 5. convergence) ==');
  const training = await benchTraining({
    dataPath,
    repeats: quick ? 3 : 5,
    seeds: quick ? 20 : 100,
    outFile: null,
    log: (line) => log(`  ${line}`),
  });
  const referenceVsNumpy = await benchReferenceVsNumpy({
    dataPath,
    repeats: quick ? 3 : 7,
    log: (line) => log(`  ${line}`),
  });
  log('\n== 2. battery ==');
  const battery = await benchBattery({ dataPath, runs: quick ? 2 : 5 });
  log(
    `  one submission's battery (reference, in-process, no start-up): median ${(battery.batteryMedianMs / 1000).toFixed(2)} s; the reference's 500-step training ${(battery.trainingBaselineMedianMs / 1000).toFixed(2)} s → ×${battery.ratio.toFixed(2)}`,
  );
  log(`  slowest checks: ${battery.slowestChecks.map((c) => `${c.id} ${c.medianMs.toFixed(0)} ms`).join(', ')}`);
  log('\n== 3. child start-up ==');
  const startup = await benchStartup({ runs: quick ? 5 : 10, log: (line) => log(`  ${line}`) });
  log('\n== 4. batch throughput (npx tsx grader/cli.ts DIR --jobs J --format json) ==');
  const throughput = await benchThroughput({
    submissions: quick ? 4 : 10,
    jobs: [1, 2],
    dataPath,
    log: (line) => log(`  ${line}`),
  });
  log(
    `  speed-up --jobs 2 / --jobs 1: ×${throughput.speedup.toFixed(2)}; reports identical: ${throughput.reportsIdentical ? 'yes' : 'NO'}`,
  );

  const convergence = training.convergence;
  const jobs = (j: number) => throughput.runs.find((r) => r.jobs === j)?.submissionsPerSecond ?? NaN;
  const figures: BenchFigures = {
    trainingSeconds: training.timing.referenceMedianSeconds,
    trainingVsNaiveRatio: training.timing.ratio,
    trainingVsNumpyRatio: referenceVsNumpy.skipped === undefined ? referenceVsNumpy.ratio : NaN,
    jsFloorVsNumpyRatio:
      referenceVsNumpy.skipped === undefined
        ? referenceVsNumpy.floorMedianCpuSeconds / referenceVsNumpy.numpyMedianCpuSeconds
        : NaN,
    batterySeconds: battery.batteryMedianMs / 1000,
    batteryVsTrainingRatio: battery.ratio,
    childStartupMs: startup.sandboxFirstAnswerMedianMs,
    bareNodeStartupMs: startup.bareNodeMedianMs,
    childStartupVsBareNodeRatio: startup.ratio,
    throughputJobs1PerSecond: jobs(1),
    throughputJobs2PerSecond: jobs(2),
    throughputSpeedup: throughput.speedup,
    secondsFor100Extrapolated: throughput.extrapolatedSecondsFor100,
    secondsFor100Linear: throughput.linearSecondsFor100,
    graderFixedSeconds: throughput.fixedSeconds,
    secondsFor100Target: throughput.targetSeconds,
    trainingFloorSecondsFor100: throughput.floor?.secondsFor100 ?? NaN,
    secondsFor100VsFloorRatio: throughput.ratioToFloor ?? NaN,
    convergenceSeeds: convergence?.seeds.length ?? 0,
    convergenceMedian: convergence?.statistic.median ?? NaN,
    convergenceMax: convergence?.statistic.max ?? NaN,
    convergenceFailureRate: convergence ? convergence.statistic.atOrAboveThreshold / convergence.seeds.length : NaN,
  };
  machine.loadAverageAtEnd = loads();
  const result: BenchRun = {
    date: new Date(started).toISOString(),
    quick,
    machine,
    seconds: (Date.now() - started) / 1000,
    figures,
    training,
    referenceVsNumpy,
    battery,
    startup,
    throughput,
  };

  log('\n== summary ==');
  for (const line of summaryLines(result)) log(line);
  mkdirSync(resultsDir, { recursive: true });
  const latest = join(resultsDir, 'latest.json');
  if (existsSync(latest)) {
    try {
      const previous = JSON.parse(readFileSync(latest, 'utf8')) as Partial<BenchRun>;
      if (previous.figures) {
        log(
          `\n== compared with the previous run (${previous.date}${previous.quick ? ', quick' : ''}, load ${previous.machine?.loadAverageAtStart?.join(' ') ?? '?'}) ==`,
        );
        for (const line of comparisonLines(previous.figures, figures)) log(line);
      }
    } catch {
      log(`(${latest} is not a bench result; not compared)`);
    }
  }
  const text = `${JSON.stringify(result, null, 2)}\n`;
  const dated = join(resultsDir, `run-${result.date.replace(/:/g, '-').replace(/\.\d+Z$/, 'Z')}.json`);
  writeFileSync(dated, text);
  writeFileSync(latest, text);
  log(`\nwritten to ${dated} and ${latest}`);
  return result;
}

export function summaryLines(run: BenchRun): string[] {
  const f = run.figures;
  const s = (x: number, digits = 2) => x.toFixed(digits);
  return [
    `load average ${run.machine.loadAverageAtStart.join(' ')} at the start, ${run.machine.loadAverageAtEnd.join(' ')} at the end (${run.machine.cpus} cores); ${s(run.seconds, 0)} s in all`,
    `training, 500 steps              ${s(f.trainingSeconds, 3)} s      naive baseline ×${s(f.trainingVsNaiveRatio)}   (target ≤ 0.5 s: ${f.trainingSeconds <= 0.5 ? 'met' : 'NOT met'})`,
    `training vs NumPy (CPU)          ×${s(f.trainingVsNumpyRatio)}   (target ≤ 0.5: ${f.trainingVsNumpyRatio <= 0.5 ? 'met' : 'NOT met'}; the plain-JS arithmetic floor ×${s(f.jsFloorVsNumpyRatio)})`,
    `battery, one submission          ${s(f.batterySeconds)} s       ×${s(f.batteryVsTrainingRatio)} the reference's training`,
    `child start-up (sandbox)         ${s(f.childStartupMs, 0)} ms      ×${s(f.childStartupVsBareNodeRatio)} a bare node -e 0 (${s(f.bareNodeStartupMs, 0)} ms)`,
    `throughput --jobs 1 / --jobs 2   ${s(f.throughputJobs1PerSecond, 3)} / ${s(f.throughputJobs2PerSecond, 3)} submissions/s   speed-up ×${s(f.throughputSpeedup)} (${run.throughput.submissions} submissions)`,
    `100 submissions at --jobs 2      ~${s(f.secondsFor100Extrapolated, 0)} s (fixed ${s(f.graderFixedSeconds, 1)} s once + per-submission cost; plain 100/throughput: ${s(f.secondsFor100Linear, 0)} s); target ≤ ${f.secondsFor100Target} s: ${f.secondsFor100Extrapolated <= f.secondsFor100Target ? 'met' : 'NOT met'}`,
    `training floor for 100           ${s(f.trainingFloorSecondsFor100, 0)} s (the mix's own 500 training steps alone, on ${run.throughput.floor?.cores ?? '?'} cores): the grader takes ×${s(f.secondsFor100VsFloorRatio)} that`,
    `convergence, ${f.convergenceSeeds} seeds             median ${s(f.convergenceMedian, 4)}, max ${s(f.convergenceMax, 4)}, failure rate ${s(100 * f.convergenceFailureRate, 1)} % (statistic ≥ 0.075)`,
  ];
}

/** One line per figure: previous → now, and the ratio. */
export function comparisonLines(previous: Partial<BenchFigures>, now: BenchFigures): string[] {
  return (Object.keys(now) as Array<keyof BenchFigures>).map((key) => {
    const before = previous[key];
    const after = now[key];
    if (typeof before !== 'number' || !Number.isFinite(before)) return `  ${key.padEnd(30)} ${fmt(after)} (new)`;
    const ratio = before !== 0 ? ` ×${(after / before).toFixed(2)}` : '';
    return `  ${key.padEnd(30)} ${fmt(before)} → ${fmt(after)}${ratio}`;
  });
}

const fmt = (x: number) => (Number.isInteger(x) ? String(x) : Math.abs(x) >= 100 ? x.toFixed(0) : x.toPrecision(4));

function parseArgs(argv: string[]): BenchRunOptions {
  const options: BenchRunOptions = {};
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    if (flag === '--quick') options.quick = true;
    else if (flag === '--data' || flag === '--results') {
      const value = argv[++i];
      if (value === undefined) throw new Error(`${flag} needs a value`);
      if (flag === '--data') options.dataPath = value;
      else options.resultsDir = value;
    } else
      throw new Error(
        `unknown argument ${flag}; usage: npm run bench [-- --quick] [-- --data FILE] [-- --results DIR]`,
      );
  }
  return options;
}

if (require.main === module) {
  let options: BenchRunOptions;
  try {
    options = parseArgs(process.argv.slice(2));
  } catch (error) {
    console.error((error as Error).message);
    process.exit(2);
  }
  runBenchmarks(options).catch((error: unknown) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : error);
    process.exitCode = 1;
  });
}
