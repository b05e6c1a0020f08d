/**
 * Batch throughput of the real grader, called as a user would:
 *
 *   node dist/grader.js DIR --jobs J --out TMP --format json     (`npm run grade`, prebuilt by `npm run build`)
 *
 * on a folder of N submissions (copies of an even spread of the samples in submissions/: correct,
 * wrong and broken ones), once per --jobs value. Wall-clock time includes everything a user waits
 * for (the grader's start-up, loading the data, compiling and type checking every
 * submission, the sandboxed children). The reports of the runs must be identical apart from
 * timing fields: a regrade with another --jobs gives the same grades.
 *
 * Baseline in the same run: the training floor. Every sample of the mix trains once alone in a
 * sandboxed child, as train.converges has it train (500 steps of the sample's own code); its CPU
 * time, summed over the mix and spread over the cores, is what no grader can go below while the
 * check trains 500 steps. The run's time over the floor says what the grader adds.
 *
 *   npx tsx bench/throughput.ts [--submissions N] [--jobs 1,2] [--data FILE] [--no-floor] [--project OTHER_CHECKOUT]
 */
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { loadPollutionData } from 'rnn-lab/data';
import type { GradeReport } from '../grader/report-types';
import { TIMING_FIELDS } from '../grader/report-types';
import { getSandboxRuntime } from '../grader/sandbox/runtime';
import { prepareData } from '../reference/pipeline';
import { trainInSandbox } from './sandbox-training';
import { median } from './stats';
import { reapedSeconds, sampleTreeCpu } from './tree-cpu';

const PROJECT = resolve(__dirname, '..');
/** The target: 100 submissions graded within this many seconds on 2 cores. */
export const TARGET_SECONDS_FOR_100 = 60;

export interface ThroughputOptions {
  /** Submissions in the batch (default 10). */
  submissions?: number;
  /** --jobs values, each graded once, in this order (default [1, 2]). */
  jobs?: number[];
  dataPath?: string;
  /** The sample folders to spread over (default: every folder of submissions/ with an rnn.ts). */
  samplesDir?: string;
  /** Measure the training floor (default true). */
  floor?: boolean;
  /**
   * Another checkout to grade with (e.g. an older commit, for a before/after figure), run from its
   * sources under tsx (`node --import tsx grader/cli.ts`); default: this one, prebuilt.
   */
  project?: string;
  log?: (line: string) => void;
}

export interface TrainingFloor {
  /** CPU seconds of each distinct sample's own 500 training steps in its sandboxed child (0: it does not train). */
  cpuSecondsBySample: Record<string, number>;
  /** Their mean over the batch's mix (samples counted as often as the batch copies them). */
  meanCpuSecondsPerSubmission: number;
  /** Cores the floor is spread over: the largest --jobs, at most the machine's. */
  cores: number;
  /** 100 submissions of the mix: their training CPU / cores. */
  secondsFor100: number;
}

export interface ThroughputRun {
  jobs: number;
  wallSeconds: number;
  submissionsPerSecond: number;
  /** Median of the report's per-submission durationMs (compile + checks, as the grader timed them). */
  medianSubmissionSeconds: number;
  /** Their sum. */
  sumSubmissionSeconds: number;
  exitCode: number;
  /** CPU of the grader process with what it reaped (type-check threads included), seconds. */
  graderCpuSeconds: number;
  /** CPU of its long-lived helpers, which it never reaps (the launcher, the transpiler's), seconds. */
  helperCpuSeconds: number;
  /** CPU of the sandboxed children (sampled from /proc), seconds. */
  sandboxCpuSeconds: number;
}

export interface ThroughputResult {
  submissions: number;
  /** The samples the batch copies, in order (the batch's folder names are NN-<sample>). */
  mix: string[];
  runs: ThroughputRun[];
  /** Throughput of the last --jobs value over the first's (the baseline, normally --jobs 1). */
  speedup: number;
  /**
   * The grader's fixed cost per batch (start-up, loading the data, writing reports):
   * the --jobs 1 run's wall time minus the sum of its submissions' durations (0 without such a run).
   */
  fixedSeconds: number;
  /** 100 submissions at the largest --jobs: fixed cost once, plus 100/N times the rest of the run's wall time. */
  extrapolatedSecondsFor100: number;
  /** 100 / throughput at the largest --jobs: the fixed cost counted 100/N times (an upper bound). */
  linearSecondsFor100: number;
  extrapolatedAtJobs: number;
  targetSeconds: number;
  targetMet: boolean;
  /** report.json of every run is the same once timing fields are removed. */
  reportsIdentical: boolean;
  /** The training floor (undefined with floor: false). */
  floor?: TrainingFloor;
  /** extrapolatedSecondsFor100 / floor.secondsFor100. */
  ratioToFloor?: number;
}

/** N sample names spread evenly over the sorted samples (so the batch mixes correct, wrong and broken ones). */
export function pickMix(samples: readonly string[], count: number): string[] {
  if (samples.length === 0) throw new Error('no samples to copy');
  return Array.from({ length: count }, (_, i) => samples[Math.floor((i * samples.length) / count) % samples.length]);
}

function listSamples(dir: string): string[] {
  return readdirSync(dir)
    .filter((name) => statSync(join(dir, name)).isDirectory())
    .filter((name) => {
      try {
        return statSync(join(dir, name, 'rnn.ts')).isFile();
      } catch {
        return false;
      }
    })
    .sort();
}

interface Ran {
  code: number;
  stdout: string;
  stderr: string;
  /** CPU seconds of the grader with everything it reaped, of its helper processes (never reaped), and of its sandboxed children. */
  graderCpuSeconds: number;
  helperCpuSeconds: number;
  sandboxCpuSeconds: number;
}

function run(command: string, args: string[], cwd: string): Promise<Ran> {
  return new Promise((done, fail) => {
    const reapedBefore = reapedSeconds();
    const child = spawn(command, args, {
      cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, NO_COLOR: '1' },
    });
    const sampler = sampleTreeCpu(child.pid!);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', fail);
    child.on('close', (code) => {
      const sampled = sampler.stop();
      done({
        code: code ?? -1,
        stdout,
        stderr,
        graderCpuSeconds: reapedSeconds() - reapedBefore,
        helperCpuSeconds: sampled.helpers,
        sandboxCpuSeconds: sampled.sandboxed,
      });
    });
  });
}

const withoutTiming = (text: string) =>
  JSON.stringify(JSON.parse(text), (key, value: unknown) => (TIMING_FIELDS.includes(key) ? undefined : value));

export async function benchThroughput(options: ThroughputOptions = {}): Promise<ThroughputResult> {
  const {
    submissions = 10,
    jobs = [1, 2],
    dataPath,
    samplesDir = join(PROJECT, 'submissions'),
    floor: measureFloor = true,
    project,
    log = (line: string) => console.log(line),
  } = options;
  const mix = pickMix(listSamples(samplesDir), submissions);
  const root = mkdtempSync(join(tmpdir(), 'rnn-bench-throughput-'));
  try {
    const batch = join(root, 'batch');
    mkdirSync(batch);
    mix.forEach((sample, i) =>
      cpSync(join(samplesDir, sample), join(batch, `${String(i + 1).padStart(2, '0')}-${sample}`), { recursive: true }),
    );
    log(`batch of ${submissions}: ${mix.join(', ')}`);
    if (!project) {
      const built = spawnSync(process.execPath, [join(PROJECT, 'scripts', 'build.mjs'), '--if-stale'], {
        stdio: 'inherit',
      });
      if (built.status !== 0) throw new Error('npm run build failed');
    }
    const grader = project
      ? ['--import', 'tsx', join(project, 'grader', 'cli.ts')]
      : [join(PROJECT, 'dist', 'grader.js')];
    const runs: ThroughputRun[] = [];
    const reports: string[] = [];
    for (const j of jobs) {
      const out = join(root, `out-jobs${j}`);
      // As `npm run grade` runs it: the prebuilt grader (built first when a source is newer).
      const args = [
        ...grader,
        batch,
        '--jobs',
        String(j),
        '--out',
        out,
        '--format',
        'json',
        ...(dataPath ? ['--data', dataPath] : []),
      ];
      const started = performance.now();
      const result = await run(process.execPath, args, project ?? PROJECT);
      const wallSeconds = (performance.now() - started) / 1000;
      if (result.code !== 0)
        throw new Error(`node ${args.join(' ')} exited with ${result.code}:\n${result.stderr.slice(-2000)}`);
      const text = readFileSync(join(out, 'report.json'), 'utf8');
      reports.push(withoutTiming(text));
      const report = JSON.parse(text) as GradeReport;
      const entry: ThroughputRun = {
        jobs: j,
        wallSeconds,
        sumSubmissionSeconds: report.submissions.reduce((sum, s) => sum + s.durationMs, 0) / 1000,
        submissionsPerSecond: submissions / wallSeconds,
        medianSubmissionSeconds: median(report.submissions.map((s) => s.durationMs)) / 1000,
        exitCode: result.code,
        graderCpuSeconds: result.graderCpuSeconds,
        helperCpuSeconds: result.helperCpuSeconds,
        sandboxCpuSeconds: result.sandboxCpuSeconds,
      };
      runs.push(entry);
      log(
        `--jobs ${j}: ${wallSeconds.toFixed(1)} s for ${submissions} → ${entry.submissionsPerSecond.toFixed(3)} submissions/s (median ${entry.medianSubmissionSeconds.toFixed(2)} s per submission); CPU ${entry.graderCpuSeconds.toFixed(1)} s grader + ${entry.helperCpuSeconds.toFixed(1)} s its helpers + ${entry.sandboxCpuSeconds.toFixed(1)} s sandboxed children (load average ${loadavg()
          .map((x) => x.toFixed(1))
          .join(', ')})`,
      );
    }
    const floor = measureFloor
      ? await trainingFloor(mix, samplesDir, Math.min(Math.max(...jobs), availableParallelism()), dataPath, log)
      : undefined;
    const first = runs[0];
    const last = runs[runs.length - 1];
    const sequential = runs.find((r) => r.jobs === 1);
    const fixedSeconds = sequential ? Math.max(0, sequential.wallSeconds - sequential.sumSubmissionSeconds) : 0;
    const extrapolatedSecondsFor100 =
      fixedSeconds + ((last.wallSeconds - Math.min(fixedSeconds, last.wallSeconds)) * 100) / submissions;
    return {
      submissions,
      mix,
      runs,
      speedup: last.submissionsPerSecond / first.submissionsPerSecond,
      fixedSeconds,
      extrapolatedSecondsFor100,
      linearSecondsFor100: 100 / last.submissionsPerSecond,
      extrapolatedAtJobs: last.jobs,
      targetSeconds: TARGET_SECONDS_FOR_100,
      targetMet: extrapolatedSecondsFor100 <= TARGET_SECONDS_FOR_100,
      reportsIdentical: reports.every((text) => text === reports[0]),
      floor,
      ratioToFloor: floor ? extrapolatedSecondsFor100 / floor.secondsFor100 : undefined,
    };
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

async function trainingFloor(
  mix: string[],
  samplesDir: string,
  cores: number,
  dataPath: string | undefined,
  log: (line: string) => void,
): Promise<TrainingFloor> {
  const { train } = prepareData(await loadPollutionData({ dataPath }));
  const runtime = getSandboxRuntime();
  const cpuSecondsBySample: Record<string, number> = {};
  for (const sample of [...new Set(mix)]) {
    const result = await trainInSandbox(join(samplesDir, sample), train, runtime);
    cpuSecondsBySample[sample] = result.trained ? result.cpuSeconds : 0;
  }
  const meanCpuSecondsPerSubmission = mix.reduce((sum, sample) => sum + cpuSecondsBySample[sample], 0) / mix.length;
  const floor = {
    cpuSecondsBySample,
    meanCpuSecondsPerSubmission,
    cores,
    secondsFor100: (100 * meanCpuSecondsPerSubmission) / cores,
  };
  log(
    `training floor: the mix's own 500-step training alone, ${meanCpuSecondsPerSubmission.toFixed(2)} CPU-s per submission → ${floor.secondsFor100.toFixed(0)} s for 100 on ${cores} cores`,
  );
  return floor;
}

if (require.main === module) {
  const args = process.argv.slice(2);
  const flag = (name: string) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
  benchThroughput({
    submissions: Number(flag('--submissions') ?? 10),
    jobs: (flag('--jobs') ?? '1,2').split(',').map(Number),
    dataPath: flag('--data'),
    floor: !args.includes('--no-floor'),
    project: flag('--project'),
  }).then(
    (result) => {
      console.log(
        `speed-up ×${result.speedup.toFixed(2)}; fixed cost ${result.fixedSeconds.toFixed(1)} s; 100 submissions at --jobs ${result.extrapolatedAtJobs}: ~${result.extrapolatedSecondsFor100.toFixed(0)} s (linear: ${result.linearSecondsFor100.toFixed(0)} s; target ≤ ${result.targetSeconds} s: ${result.targetMet ? 'met' : 'NOT met'}); reports identical: ${result.reportsIdentical}`,
      );
      if (result.floor)
        console.log(
          `training floor for 100: ${result.floor.secondsFor100.toFixed(0)} s → the grader takes ×${result.ratioToFloor!.toFixed(2)} the students' own training time`,
        );
    },
    (error: unknown) => {
      console.error(error instanceof Error ? error.message : error);
      process.exitCode = 1;
    },
  );
}
