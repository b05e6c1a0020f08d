/**
 * What starting a submission's sandboxed child costs, measured the way the grader starts one
 * (grader/execution.ts createDefaultBackend: the same runtime, sandbox and limits): from creating
 * the executor to the first answer (the child is spawned, loads the runner and the compiled
 * rnn.ts, answers `exports`), then closing it. Baseline, interleaved with it so that background
 * load hits both alike: a bare `node -e 0` spawn, Node's own start-up.
 * (bench/sandbox-measure.ts measures more: warm requests, restarts, each sandbox mode.)
 *
 *   npx tsx bench/startup.ts [--runs N]
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
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

if (require.main === module) {
  const args = process.argv.slice(2);
  const runs = args.includes('--runs') ? Number(args[args.indexOf('--runs') + 1]) : 10;
  benchStartup({ runs }).catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  });
}
