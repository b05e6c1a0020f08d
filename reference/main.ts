/**
 * Trains the reference network on the real data and prints what the notebook shows: the loss
 * curve (summarised), the convergence statistic and the test RMSE in °C.
 *
 *   npm run train -- [--data FILE] [--seed N] [--steps N]
 */
import { Command } from 'commander';
import { createRng } from 'rnn-lab';
import { loadPollutionData, DataError } from 'rnn-lab/data';
import { trainRnn } from './rnn';
import { CONVERGENCE_THRESHOLD, convergenceStatistic, evaluateOnTestSet, prepareData } from './pipeline';

async function main(): Promise<void> {
  const options = new Command()
    .name('npm run train --')
    .description('Train the reference RNN on the Beijing weather data and report its test error.')
    .option('--data <file>', 'use this pollution.csv instead of the cached download (also: RNN_LAB_DATA)')
    .option('--seed <n>', 'seed of the random generator', '0')
    .option('--steps <n>', 'training steps of batch 32', '500')
    .parse()
    .opts<{ data?: string; seed: string; steps: string }>();

  const raw = await loadPollutionData({ dataPath: options.data });
  const { train, test, stds } = prepareData(raw);
  const started = performance.now();
  const { rnn, losses } = trainRnn(train, Number(options.steps), createRng(Number(options.seed)));
  const seconds = (performance.now() - started) / 1000;
  const evaluation = evaluateOnTestSet(rnn, test, stds[1]);

  console.log(`data: ${raw.length} rows → ${train.length} train, ${test.length} test`);
  console.log(`trained ${losses.length} steps in ${seconds.toFixed(2)} s (seed ${options.seed})`);
  const marks = [0, 1, 10, 50, 100, 200, 300, 400, losses.length - 1].filter(
    (i, k, all) => i < losses.length && all.indexOf(i) === k,
  );
  console.log('loss curve: ' + marks.map((i) => `step ${i + 1}: ${losses[i].toFixed(4)}`).join(', '));
  const statistic = convergenceStatistic(losses);
  console.log(
    `mean of the last 25 losses: ${statistic.toFixed(4)} (${statistic < CONVERGENCE_THRESHOLD ? 'below' : 'NOT below'} ${CONVERGENCE_THRESHOLD})`,
  );
  console.log(
    `test set: ${evaluation.count} windows, MSE ${evaluation.mse.toFixed(4)} (standardized), RMSE ${evaluation.rmseCelsius.toFixed(2)} °C`,
  );
}

main().catch((error: unknown) => {
  console.error(error instanceof DataError ? error.message : error);
  process.exitCode = 1;
});
