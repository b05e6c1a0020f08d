/**
 * What starting a submission's sandboxed child costs, measured the way the grader starts one
 * (grader/execution.ts createDefaultBackend: the same runtime, sandbox and limits): from creating
 * the executor to the first answer (the child is spawned, loads the runner and the compiled
 * rnn.ts, answers `exports`), then closing it. Baseline, interleaved with it so that background
 * load hits both alike: a bare `node -e 0` spawn, Node's own start-up.
 * (bench/sandbox-measure.ts measures more: warm requests, restarts, each sandbox mode.)
 *
 * `--grader`: the grader's own start-up, as a TA meets it: a fresh grader process on one sample
 * with the default rubric, from spawning it to its first check verdict (the grader writes the
 * moment, RNN_GRADER_TRACE_FIRST_VERDICT, grader/startup-trace.ts), wall time and the grader's
 * CPU up to then; the process is then stopped. The prebuilt grader (`node dist/grader.js`, as
 * `npm run grade` runs it) and the sources under tsx (`npx tsx grader/cli.ts`) alternate.
 *
 *   npx tsx bench/startup.ts [--runs N] [--grader [--prebuilt-only] [--before OTHER_CHECKOUT]]
 *
 * `--before` runs the other checkout's dist/grader.js when it has one (else its sources under
 * tsx); `--prebuilt-only` leaves out this checkout's sources under tsx.
 */
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createDefaultBackend } from '../grader/execution';
import { median } from './stats';

const PROJECT = resolve(__dirname, '..');

export interface StartupResult {
  runs: number;
  sandbox: string;
  /** Spawn → rnn.ts loaded → first answer, per run (ms). */
  sandboxFirstAnswerMs: number[];
  sandboxFirstAnswerMedianMs: number;
  /** close(): the child and its process group gone (ms). */
  sandboxCloseMedianMs: number;
  bareNodeMs: number[];
  bareNodeMedianMs: number;
  /** sandbox first answer / bare node (median over median). */
  ratio: number;
}

export async function benchStartup(
  options: { runs?: number; log?: (line: string) => void } = {},
): Promise<StartupResult> {
  const { runs = 10, log = (line: string) => console.log(line) } = options;
  const root = mkdtempSync(join(tmpdir(), 'rnn-bench-startup-'));
  try {
    // As in the grader: the sandbox may run the child as another user, who must reach the files.
    chmodSync(root, 0o755);
    const source = join(root, 'source');
    const workDir = join(root, 'work');
    mkdirSync(source);
    mkdirSync(workDir, { mode: 0o755 });
    chmodSync(workDir, 0o755);
    copyFileSync(join(PROJECT, 'reference', 'rnn.ts'), join(source, 'rnn.ts'));
    const backend = createDefaultBackend();
    const prepared = await backend.prepare(source, workDir);
    if (!prepared.ok) throw new Error(`the reference could not be prepared: ${prepared.error}`);

    const once = async () => {
      const started = performance.now();
      const executor = await backend.createExecutor(workDir, prepared, {});
      const answer = await executor.run({ op: 'exports' }, { timeoutMs: 30_000 });
      const firstAnswer = performance.now() - started;
      if (!answer.ok) throw new Error(`the sandboxed reference did not answer: ${JSON.stringify(answer)}`);
      const closing = performance.now();
      await executor.close();
      return { firstAnswer, close: performance.now() - closing, sandbox: executor.describeSandbox() };
    };
    const warm = await once(); // the runtime's one-off set-up (runner bundle, self-tests) is not start-up
    spawnSync(process.execPath, ['-e', '0']);
    const sandboxFirstAnswerMs: number[] = [];
    const closeMs: number[] = [];
    const bareNodeMs: number[] = [];
    for (let i = 0; i < runs; i++) {
      const started = performance.now();
      const bare = spawnSync(process.execPath, ['-e', '0']);
      bareNodeMs.push(performance.now() - started);
      if (bare.status !== 0) throw new Error(`node -e 0 exited with ${bare.status}`);
      const measured = await once();
      sandboxFirstAnswerMs.push(measured.firstAnswer);
      closeMs.push(measured.close);
    }
    const result: StartupResult = {
      runs,
      sandbox: warm.sandbox,
      sandboxFirstAnswerMs: sandboxFirstAnswerMs.map((ms) => Math.round(ms * 10) / 10),
      sandboxFirstAnswerMedianMs: median(sandboxFirstAnswerMs),
      sandboxCloseMedianMs: median(closeMs),
      bareNodeMs: bareNodeMs.map((ms) => Math.round(ms * 10) / 10),
      bareNodeMedianMs: median(bareNodeMs),
      ratio: median(sandboxFirstAnswerMs) / median(bareNodeMs),
    };
    log(`sandbox: ${result.sandbox}`);
    log(
      `child start-up (spawn → rnn.ts loaded → first answer), median of ${runs}: ${result.sandboxFirstAnswerMedianMs.toFixed(0)} ms (close ${result.sandboxCloseMedianMs.toFixed(0)} ms); bare node -e 0: ${result.bareNodeMedianMs.toFixed(0)} ms → ×${result.ratio.toFixed(2)}`,
    );
    return result;
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

export interface GraderStartup {
  /** Spawn → first verdict (ms). */
  wallMs: number;
  /** The grader's CPU up to its first verdict: its threads, and the children it had reaped (ms). */
  cpuMs: number;
  childrenCpuMs: number;
  /** Of cpuMs, its main thread's (the critical path; the type check's worker thread runs beside it). */
  mainThreadCpuMs: number;
  /** When each step of its start-up was reached, ms after the process started (grader/startup-trace.ts). */
  marks: Record<string, number>;
}

export interface GraderStartupResult {
  runs: number;
  loadAverage: number[];
  /** Per way of starting the grader: its runs and their medians. */
  byCommand: Record<
    string,
    { runs: GraderStartup[]; medianWallMs: number; medianCpuMs: number; medianMainThreadCpuMs: number }
  >;
}

/** The ways of starting the grader compared (the prebuilt one is built first if stale). */
const GRADER_COMMANDS: Record<string, { command: string[]; cwd?: string }> = {
  'node dist/grader.js': { command: [process.execPath, join(PROJECT, 'dist', 'grader.js')] },
  'tsx grader/cli.ts': { command: tsxCommand(PROJECT) },
};

/** The grader of checkout `project`: its prebuilt dist/grader.js when built, else its sources under tsx. */
function otherCheckout(project: string): { command: string[]; cwd: string } {
  const prebuilt = join(project, 'dist', 'grader.js');
  return { command: existsSync(prebuilt) ? [process.execPath, prebuilt] : tsxCommand(project), cwd: project };
}

/** The grader of checkout `project` from its sources, under tsx. */
function tsxCommand(project: string): string[] {
  return [process.execPath, '--import', 'tsx', join(project, 'grader', 'cli.ts')];
}

/** One grader process on `submission`: spawn → its first verdict, then it is stopped. */
async function graderUntilFirstVerdict(
  { command, cwd = PROJECT }: { command: string[]; cwd?: string },
  submission: string,
  scratch: string,
): Promise<GraderStartup> {
  const trace = join(scratch, `first-verdict-${process.hrtime.bigint()}.json`);
  const started = performance.now();
  const child = spawn(
    command[0],
    [...command.slice(1), submission, '--jobs', '1', '--out', join(scratch, 'out'), '--format', 'json'],
    {
      cwd,
      env: { ...process.env, RNN_GRADER_TRACE_FIRST_VERDICT: trace },
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let wallMs: number | undefined;
  while (wallMs === undefined) {
    if (existsSync(trace) && readFileSync(trace, 'utf8').endsWith('\n')) wallMs = performance.now() - started;
    else if (child.exitCode !== null) throw new Error(`the grader ended before its first verdict:\n${stderr}`);
    else await new Promise((resolve) => setTimeout(resolve, 2));
  }
  child.kill('SIGTERM');
  await exited;
  const noted = JSON.parse(readFileSync(trace, 'utf8')) as {
    cpuMs: number;
    childrenCpuMs?: number;
    mainThreadCpuMs?: number;
    marks?: Record<string, number>;
  };
  return {
    marks: noted.marks ?? {},
    wallMs,
    cpuMs: noted.cpuMs,
    childrenCpuMs: noted.childrenCpuMs ?? 0,
    mainThreadCpuMs: noted.mainThreadCpuMs ?? noted.cpuMs,
  };
}

export async function benchGraderStartup(
  options: {
    runs?: number;
    log?: (line: string) => void;
    sample?: string;
    before?: string;
    /** Only the prebuilt grader (and `before`), not the sources under tsx. */
    prebuiltOnly?: boolean;
  } = {},
): Promise<GraderStartupResult> {
  const { runs = 5, log = (line: string) => console.log(line), sample = 'correct-loops', before } = options;
  const own = options.prebuiltOnly
    ? { 'node dist/grader.js': GRADER_COMMANDS['node dist/grader.js'] }
    : GRADER_COMMANDS;
  // Another checkout (e.g. the commit before a change), with the same first-verdict hook: its
  // prebuilt grader when it has one, else under tsx.
  const commands = before ? { ...own, [`before: ${before}`]: otherCheckout(before) } : own;
  const built = spawnSync(process.execPath, [join(PROJECT, 'scripts', 'build.mjs'), '--if-stale'], {
    stdio: 'inherit',
  });
  if (built.status !== 0) throw new Error('npm run build failed');
  const scratch = mkdtempSync(join(tmpdir(), 'rnn-bench-grader-startup-'));
  try {
    const submission = join(scratch, sample);
    mkdirSync(submission);
    copyFileSync(join(PROJECT, 'submissions', sample, 'rnn.ts'), join(submission, 'rnn.ts'));
    const byCommand: GraderStartupResult['byCommand'] = {};
    for (const name of Object.keys(commands))
      byCommand[name] = { runs: [], medianWallMs: 0, medianCpuMs: 0, medianMainThreadCpuMs: 0 };
    const loads: number[][] = [];
    for (let i = 0; i < runs; i++) {
      // alternating, so that background load hits both alike
      for (const [name, command] of Object.entries(commands)) {
        loads.push(loadavg());
        byCommand[name].runs.push(await graderUntilFirstVerdict(command, submission, scratch));
      }
    }
    for (const [name, entry] of Object.entries(byCommand)) {
      entry.medianWallMs = median(entry.runs.map((run) => run.wallMs));
      entry.medianCpuMs = median(entry.runs.map((run) => run.cpuMs + run.childrenCpuMs));
      entry.medianMainThreadCpuMs = median(entry.runs.map((run) => run.mainThreadCpuMs));
      log(
        `${name}: spawn → first verdict, median of ${runs}: ${entry.medianWallMs.toFixed(0)} ms wall, ${entry.medianCpuMs.toFixed(0)} ms CPU (grader + reaped children), of which ${entry.medianMainThreadCpuMs.toFixed(0)} ms on its main thread; runs: ${entry.runs.map((run) => run.wallMs.toFixed(0)).join(', ')} ms`,
      );
      const steps = [...new Set(entry.runs.flatMap((run) => Object.keys(run.marks)))];
      const at = (step: string) => median(entry.runs.flatMap((run) => (step in run.marks ? [run.marks[step]] : [])));
      if (steps.length > 0)
        log(
          `  its steps (median ms after the process started): ${steps
            .sort((a, b) => at(a) - at(b))
            .map((step) => `${step} ${at(step).toFixed(0)}`)
            .join(', ')}`,
        );
    }
    const loadAverage = [0, 1, 2].map((k) => median(loads.map((load) => load[k])));
    log(`load average during the runs (median): ${loadAverage.map((x) => x.toFixed(2)).join(', ')}`);
    return { runs, loadAverage, byCommand };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

if (require.main === module) {
  const args = process.argv.slice(2);
  const runs = args.includes('--runs') ? Number(args[args.indexOf('--runs') + 1]) : args.includes('--grader') ? 5 : 10;
  const before = args.includes('--before') ? args[args.indexOf('--before') + 1] : undefined;
  const prebuiltOnly = args.includes('--prebuilt-only');
  (args.includes('--grader') ? benchGraderStartup({ runs, before, prebuiltOnly }) : benchStartup({ runs })).catch(
    (error: unknown) => {
      console.error(error instanceof Error ? error.message : error);
      process.exitCode = 1;
    },
  );
}
