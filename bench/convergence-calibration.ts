/**
 * Calibrates train.converges' model statistic: trains the reference over many seeds and reports,
 * per seed, the notebook's curve statistic (mean of the last 25 of 500 losses) and the judge's
 * own statistic of the returned model (checks/catalogue/training-evaluation.ts), plus the whole
 * split's MSE, to show how well the 2048 windows estimate it.
 *
 *   RNN_LAB_DATA=… npx tsx bench/convergence-calibration.ts [seeds]
 */
import { createRng } from 'rnn-lab';
import { loadPollutionData } from 'rnn-lab/data';
import { trainRnn } from '../reference/rnn';
import { prepareData } from '../reference/pipeline';
import { trainingMse } from '../checks/catalogue/training-evaluation';

async function main(): Promise<void> {
  const seeds = Number(process.argv[2] ?? 50);
  const train = prepareData(await loadPollutionData({ log: () => undefined })).train;
  const rows: Array<{ seed: number; curve: number; model: number; whole: number; untrained: number }> = [];
  for (let seed = 1; seed <= seeds; seed++) {
    const { rnn, losses } = trainRnn(train, 500, createRng(seed));
    const params = { u: rnn.u, w: rnn.w, v: rnn.v, b: rnn.b, c: rnn.c };
    const curve = losses.slice(-25).reduce((a, b) => a + b, 0) / 25;
    const fresh = trainRnn(train, 0, createRng(seed)).rnn;
    rows.push({
      seed,
      curve,
      model: trainingMse(params, train),
      whole: seed <= 5 ? trainingMse(params, train, Infinity) : NaN,
      untrained: trainingMse({ u: fresh.u, w: fresh.w, v: fresh.v, b: fresh.b, c: fresh.c }, train),
    });
    console.log(JSON.stringify(rows[rows.length - 1]));
  }
  const sorted = (key: 'curve' | 'model') => rows.map((r) => r[key]).sort((a, b) => a - b);
  for (const key of ['curve', 'model'] as const) {
    const values = sorted(key);
    console.log(
      `${key}: min ${values[0].toFixed(4)} median ${values[Math.floor(values.length / 2)].toFixed(4)} max ${values[values.length - 1].toFixed(4)}`,
    );
  }
}

void main();
