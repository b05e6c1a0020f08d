/**
 * One sample's own training, run exactly as `train.converges` runs it in a batch (its compiled
 * rnn.ts in a sandboxed child, the training split stored in it, trainRnn(train, 500, rng seeded
 * 2024)), measured from outside the child: CPU seconds of the child's process tree (/proc) and
 * wall seconds of the call. Benchmarks use it as the floor a grader cannot go below.
 */
import { chmodSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Matrix } from 'rnn-lab';
import { CONVERGENCE_SEED, CONVERGENCE_STEPS } from '../checks/catalogue/training-spec-checks';
import { prepareSubmission } from '../grader/compile';
import { createSandboxExecutor } from '../grader/sandbox/executor';
import type { SandboxRuntime } from '../grader/sandbox/runtime';

export interface SandboxTraining {
  /** CPU seconds of the child during trainRnn (GC and compiler threads included). */
  cpuSeconds: number;
  wallSeconds: number;
  /** false when the sample does not compile or its trainRnn fails: nothing was measured. */
  trained: boolean;
}

export async function trainInSandbox(
  sampleDir: string,
  train: Matrix,
  runtime: SandboxRuntime,
): Promise<SandboxTraining> {
  const root = mkdtempSync(join(tmpdir(), 'rnn-bench-train-'));
  chmodSync(root, 0o755); // the sandbox may run the child as another user
  const workDir = join(root, 'work');
  mkdirSync(workDir, { mode: 0o755 });
  try {
    const prepared = prepareSubmission(sampleDir, workDir, { typeCheck: false });
    if (!prepared.ok) return { cpuSeconds: 0, wallSeconds: 0, trained: false };
    const executor = createSandboxExecutor(
      { workDir, entryRel: prepared.entryRel ?? 'submission/rnn.js' },
      {},
      runtime,
    );
    try {
      const stored = await executor.run({ op: 'store', name: 'train', matrix: train }, { timeoutMs: 60_000 });
      const loaded = await executor.run({ op: 'exports' }, { timeoutMs: 60_000 });
      if (!stored.ok || !loaded.ok) return { cpuSeconds: 0, wallSeconds: 0, trained: false };
      const cpuBefore = executor.cpuSeconds();
      const started = performance.now();
      const answer = await executor.run(
        {
          op: 'call',
          fn: 'trainRnn',
          args: [
            { stored: 'train' },
            { value: CONVERGENCE_STEPS },
            { rng: { kind: 'seeded', seed: CONVERGENCE_SEED } },
          ],
        },
        { timeoutMs: 120_000 },
      );
      const wallSeconds = (performance.now() - started) / 1000;
      const cpuAfter = executor.cpuSeconds();
      if (!answer.ok || cpuBefore === undefined || cpuAfter === undefined)
        return { cpuSeconds: 0, wallSeconds, trained: false };
      return { cpuSeconds: cpuAfter - cpuBefore, wallSeconds, trained: true };
    } finally {
      await executor.close();
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}
