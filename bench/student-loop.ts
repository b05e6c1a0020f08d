/**
 * The student's loop: the wall time of `npm test` in a generated handout with a correct rnn.ts
 * (target: warm ≤ 3 s on the course machines). Measured on this machine, in one run:
 *
 *   warm          npm test again with nothing changed (caches warm, the type check's result reused)
 *   after a save  rnn.ts changed (a comment added), so the type check runs again, beside the checks
 *   baseline      a bare `node -e 0`, interleaved, so background load hits all alike
 *
 *   npx tsx bench/student-loop.ts [--runs N] [--data FILE]
 */
import { spawnSync } from 'node:child_process';
import {
  appendFileSync,
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
} from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { assign } from '../handout/assign';
import { median } from './stats';

const PROJECT = resolve(__dirname, '..');

export interface StudentLoopResult {
  runs: number;
  warmSeconds: number[];
  warmMedianSeconds: number;
  afterSaveSeconds: number[];
  afterSaveMedianSeconds: number;
  bareNodeMedianSeconds: number;
  /** CPU seconds (all processes) of a warm run: the work itself, less sensitive to the machine's load. */
  warmCpuMedianSeconds: number;
  targetSeconds: number;
  loadAverage: number;
}

/** The project's packages as the handout's node_modules (rnn-lab → the handout's own lab/), as `npm ci` would give. */
function linkNodeModules(handout: string): void {
  mkdirSync(join(handout, 'node_modules'));
  for (const name of readdirSync(join(PROJECT, 'node_modules'))) {
    if (name !== 'rnn-lab') symlinkSync(join(PROJECT, 'node_modules', name), join(handout, 'node_modules', name));
  }
  symlinkSync('../lab', join(handout, 'node_modules', 'rnn-lab'));
}

/** CPU seconds (user + system) of this process's waited-for children so far (Linux /proc; else NaN). */
function childrenCpuSeconds(): number {
  try {
    const fields = readFileSync('/proc/self/stat', 'utf8')
      .replace(/^.*\) /, '')
      .split(' ');
    return (Number(fields[13]) + Number(fields[14])) / 100; // cutime, cstime (fields 16, 17) in clock ticks
  } catch {
    return Number.NaN;
  }
}

/** Wall seconds, and CPU seconds of everything it started: the work, whatever the machine's load. */
function timed(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv, cpu: number[] = []): number {
  const cpuBefore = childrenCpuSeconds();
  const started = process.hrtime.bigint();
  const run = spawnSync(command, args, { cwd, env, encoding: 'utf8', timeout: 300_000 });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  cpu.push(childrenCpuSeconds() - cpuBefore);
  if (command === 'npm' && run.status !== 0)
    throw new Error(`npm test failed on the correct sample:\n${run.stdout}\n${run.stderr}`);
  return seconds;
}

export async function benchStudentLoop(
  options: { runs?: number; dataPath?: string; log?: (line: string) => void } = {},
): Promise<StudentLoopResult> {
  const { runs = 5, log = (line: string) => console.log(line) } = options;
  const dataPath = options.dataPath ?? process.env.RNN_LAB_DATA;
  const handout = mkdtempSync(join(tmpdir(), 'rnn-bench-student-'));
  try {
    await assign({ out: handout, dataPath, lockfile: false });
    linkNodeModules(handout);
    copyFileSync(join(PROJECT, 'submissions', 'correct-loops', 'rnn.ts'), join(handout, 'rnn.ts'));
    const env = { ...process.env, ...(dataPath ? { RNN_LAB_DATA: resolve(dataPath) } : {}), FORCE_COLOR: '0' };
    log('student loop: a first npm test to warm the caches …');
    timed('npm', ['test'], handout, env);
    const warm: number[] = [];
    const afterSave: number[] = [];
    const bare: number[] = [];
    const warmCpu: number[] = [];
    for (let i = 0; i < runs; i++) {
      bare.push(timed(process.execPath, ['-e', '0'], handout, env));
      warm.push(timed('npm', ['test'], handout, env, warmCpu));
      appendFileSync(join(handout, 'rnn.ts'), `// save ${i}\n`);
      afterSave.push(timed('npm', ['test'], handout, env));
      log(
        `  run ${i + 1}/${runs}: warm ${warm[i].toFixed(2)} s (CPU ${warmCpu[i].toFixed(2)} s), after a save ${afterSave[i].toFixed(2)} s, bare node ${bare[i].toFixed(2)} s`,
      );
    }
    const result: StudentLoopResult = {
      runs,
      warmSeconds: warm,
      warmMedianSeconds: median(warm),
      afterSaveSeconds: afterSave,
      afterSaveMedianSeconds: median(afterSave),
      bareNodeMedianSeconds: median(bare),
      warmCpuMedianSeconds: median(warmCpu),
      targetSeconds: 3,
      loadAverage: loadavg()[0],
    };
    log(
      `student loop: warm npm test ${result.warmMedianSeconds.toFixed(2)} s (median of ${runs}; target ≤ ${result.targetSeconds} s; CPU ${result.warmCpuMedianSeconds.toFixed(2)} s), after a save ${result.afterSaveMedianSeconds.toFixed(2)} s; bare node ${result.bareNodeMedianSeconds.toFixed(2)} s; load average ${result.loadAverage.toFixed(1)}`,
    );
    return result;
  } finally {
    rmSync(handout, { recursive: true, force: true });
  }
}

if (require.main === module) {
  const args = process.argv.slice(2);
  const value = (name: string) => {
    const index = args.indexOf(name);
    return index >= 0 ? args[index + 1] : undefined;
  };
  benchStudentLoop({ runs: Number(value('--runs') ?? 5), dataPath: value('--data') }).catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  });
}
