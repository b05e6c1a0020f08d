/**
 * How long the whole battery takes on one submission, without process start-up: the checks run
 * against the reference loaded in-process (the same dispatcher the sandbox child uses), after one
 * warm-up run. Baseline in the same run: the reference's own 500-step training, the floor that the
 * convergence check cannot go below.
 *
 *   npx tsx bench/battery.ts [--data FILE] [--runs N]
 */
import path from 'path';
import { createRng } from 'rnn-lab';
import { loadPollutionData } from 'rnn-lab/data';
import { runBattery } from '../checks/battery';
import { CATALOGUE } from '../checks/catalogue';
import { loadInProcess } from '../checks/executors/in-process';
import { prepareData } from '../reference/pipeline';
import { trainRnn } from '../reference/rnn';
import { median } from './stats';

export async function benchBattery(options: { dataPath?: string; runs?: number; submission?: string } = {}) {
  const train = prepareData(await loadPollutionData({ dataPath: options.dataPath })).train;
  const submission = options.submission ?? path.join(__dirname, '..', 'reference', 'rnn.ts');
  const runs = options.runs ?? 5;
  const batteryMs: number[] = [];
  const perCheck = new Map<string, number[]>();
  for (let run = 0; run <= runs; run++) {
    const started = performance.now();
    const results = await runBattery(loadInProcess(submission), CATALOGUE, {
      seed: run,
      loadTrainData: async () => train,
    });
    const elapsed = performance.now() - started;
    if (run === 0) continue; // warm-up
    batteryMs.push(elapsed);
    for (const result of results) perCheck.set(result.id, [...(perCheck.get(result.id) ?? []), result.durationMs]);
    const failed = results.filter((result) => result.status !== 'passed');
    if (failed.length) throw new Error(`the reference failed ${failed.map((r) => r.id).join(', ')}`);
  }
  const trainingMs: number[] = [];
  for (let run = 0; run < runs; run++) {
    const started = performance.now();
    trainRnn(train, 500, createRng(run));
    trainingMs.push(performance.now() - started);
  }
  return {
    batteryMedianMs: median(batteryMs),
    trainingBaselineMedianMs: median(trainingMs),
    ratio: median(batteryMs) / median(trainingMs),
    slowestChecks: [...perCheck.entries()]
      .map(([id, ms]) => ({ id, medianMs: median(ms) }))
      .sort((a, b) => b.medianMs - a.medianMs)
      .slice(0, 5),
  };
}

if (require.main === module) {
  const args = process.argv.slice(2);
  const flag = (name: string) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
  void benchBattery({ dataPath: flag('--data'), runs: Number(flag('--runs') ?? 5) }).then((figures) => {
    console.log(
      `battery on one submission (in-process, no start-up): median ${(figures.batteryMedianMs / 1000).toFixed(2)} s (target ≤ 1.5 s)`,
    );
    console.log(
      `baseline, the reference's own 500-step training: ${(figures.trainingBaselineMedianMs / 1000).toFixed(2)} s → battery/baseline ${figures.ratio.toFixed(2)}×`,
    );
    console.log('slowest checks: ' + figures.slowestChecks.map((c) => `${c.id} ${c.medianMs} ms`).join(', '));
  });
}
