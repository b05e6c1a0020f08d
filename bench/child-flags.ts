/**
 * Which V8 flags the sandboxed child should run with. Each sample trains in its own child twice
 * per round, once with V8's defaults (the baseline) and once with the grader's DEFAULT_NODE_FLAGS,
 * alternating the order between rounds so that background load hits both alike; the figure is
 * the child's CPU time (what a full batch is short of: every core already runs a submission).
 *
 *   npx tsx bench/child-flags.ts [--rounds N] [--samples a,b,c] [--data FILE]
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadPollutionData } from 'rnn-lab/data';
import { DEFAULT_NODE_FLAGS, getSandboxRuntime } from '../grader/sandbox/runtime';
import type { SandboxRuntime } from '../grader/sandbox/runtime';
import { prepareData } from '../reference/pipeline';
import { loadManifest } from '../tests/checks/helpers';
import { trainInSandbox } from './sandbox-training';
import { median } from './stats';

const SAMPLES_DIR = resolve(__dirname, '..', 'submissions');

/**
 * Every sample of the manifest stored whole that trains (not the broken ones, not the one-mistake
 * patches over another sample): the ways of writing the lab that the samples cover.
 */
function defaultSamples(): string[] {
  return loadManifest()
    .filter((spec) => spec.kind !== 'broken' && !existsSync(join(SAMPLES_DIR, `${spec.name}.patch`)))
    .map((spec) => spec.name);
}

export interface ChildFlagsResult {
  flags: readonly string[];
  rounds: number;
  samples: Array<{
    sample: string;
    baselineCpuSeconds: number;
    flagsCpuSeconds: number;
    baselineWallSeconds: number;
    flagsWallSeconds: number;
    cpuRatio: number;
  }>;
  /** Σ CPU with the flags / Σ CPU with V8's defaults. */
  cpuRatio: number;
  wallRatio: number;
}

export async function benchChildFlags(
  options: { rounds?: number; samples?: string[]; dataPath?: string; log?: (line: string) => void } = {},
): Promise<ChildFlagsResult> {
  const { rounds = 3, samples = defaultSamples(), log = (line: string) => console.log(line) } = options;
  const { train } = prepareData(await loadPollutionData({ dataPath: options.dataPath }));
  const candidate = getSandboxRuntime();
  const baseline: SandboxRuntime = { ...candidate, nodeFlags: [] };
  const rows: ChildFlagsResult['samples'] = [];
  for (const sample of samples) {
    const runs = {
      baseline: [] as Array<{ cpu: number; wall: number }>,
      flags: [] as Array<{ cpu: number; wall: number }>,
    };
    let trains = true;
    for (let round = 0; round < rounds && trains; round++) {
      const order = round % 2 === 0 ? (['baseline', 'flags'] as const) : (['flags', 'baseline'] as const);
      for (const which of order) {
        const result = await trainInSandbox(
          join(SAMPLES_DIR, sample),
          train,
          which === 'baseline' ? baseline : candidate,
        );
        trains = result.trained;
        if (!trains) break;
        runs[which].push({ cpu: result.cpuSeconds, wall: result.wallSeconds });
      }
    }
    if (!trains) {
      log(`${sample.padEnd(22)} does not train (it does not compile, or its trainRnn fails): left out`);
      continue;
    }
    const row = {
      sample,
      baselineCpuSeconds: median(runs.baseline.map((r) => r.cpu)),
      flagsCpuSeconds: median(runs.flags.map((r) => r.cpu)),
      baselineWallSeconds: median(runs.baseline.map((r) => r.wall)),
      flagsWallSeconds: median(runs.flags.map((r) => r.wall)),
      cpuRatio: 0,
    };
    row.cpuRatio = row.flagsCpuSeconds / row.baselineCpuSeconds;
    rows.push(row);
    log(
      `${sample.padEnd(22)} CPU ${row.baselineCpuSeconds.toFixed(2)} s → ${row.flagsCpuSeconds.toFixed(2)} s (×${row.cpuRatio.toFixed(2)}); wall ${row.baselineWallSeconds.toFixed(2)} s → ${row.flagsWallSeconds.toFixed(2)} s`,
    );
  }
  const sum = (pick: (row: ChildFlagsResult['samples'][number]) => number) =>
    rows.reduce((total, row) => total + pick(row), 0);
  return {
    flags: DEFAULT_NODE_FLAGS,
    rounds,
    samples: rows,
    cpuRatio: sum((r) => r.flagsCpuSeconds) / sum((r) => r.baselineCpuSeconds),
    wallRatio: sum((r) => r.flagsWallSeconds) / sum((r) => r.baselineWallSeconds),
  };
}

function listTrainingSamples(): string[] {
  return readdirSync(SAMPLES_DIR)
    .filter((name) => statSync(join(SAMPLES_DIR, name)).isDirectory())
    .sort();
}

if (require.main === module) {
  const args = process.argv.slice(2);
  const flag = (name: string) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
  const samples = flag('--samples') === 'all' ? listTrainingSamples() : flag('--samples')?.split(',');
  benchChildFlags({ rounds: Number(flag('--rounds') ?? 3), samples, dataPath: flag('--data') }).then(
    (result) =>
      console.log(
        `${result.flags.join(' ')} vs V8's defaults: CPU ×${result.cpuRatio.toFixed(2)}, wall ×${result.wallRatio.toFixed(2)} (sum over ${result.samples.length} samples, median of ${result.rounds} rounds each)`,
      ),
    (error: unknown) => {
      console.error(error instanceof Error ? error.message : error);
      process.exitCode = 1;
    },
  );
}
