/**
 * The reference's training with the fused step's WebAssembly kernel against the same step in
 * JavaScript (the kernel switched off), alternately in one process, so both see the same load.
 *
 *   RNN_LAB_DATA=… npx tsx bench/wasm-fused-step.ts [--data FILE] [--rounds N] [--steps N] [--seed N]
 *
 * Each round trains `trainRnn(train, steps, createRng(seed))` once each way (which goes first
 * alternates) after one warm-up of each; CPU seconds (process.cpuUsage), medians, their ratio. The
 * two trainings must end on the same parameters to the bit, else it refuses to compare.
 */
import { cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { createRng } from 'rnn-lab';
import { loadPollutionData } from 'rnn-lab/data';
import { prepareData } from '../reference/pipeline';
import { setWasmFusedStep, trainRnn, wasmFusedStepAvailable } from '../reference/rnn';
import { median } from './stats';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      data: { type: 'string' },
      rounds: { type: 'string', default: '7' },
      steps: { type: 'string', default: '500' },
      seed: { type: 'string', default: '1' },
    },
  });
  const rounds = Number(values.rounds);
  const steps = Number(values.steps);
  const seed = Number(values.seed);
  if (!wasmFusedStepAvailable()) throw new Error('WebAssembly SIMD is not available here: nothing to compare');
  const { train } = prepareData(await loadPollutionData({ dataPath: values.data }));

  const run = (wasm: boolean) => {
    setWasmFusedStep(wasm);
    const before = process.cpuUsage();
    const { rnn, losses } = trainRnn(train, steps, createRng(seed));
    const used = process.cpuUsage(before);
    return {
      seconds: (used.user + used.system) / 1e6,
      result: [...rnn.u.flat(), ...rnn.w.flat(), ...rnn.v, ...rnn.b, rnn.c, ...losses],
    };
  };
  const a = run(true);
  const b = run(false);
  if (!(a.result.length === b.result.length && a.result.every((x, i) => Object.is(x, b.result[i]))))
    throw new Error('the WebAssembly and JavaScript trainings differ: not comparing their times');

  const times = { wasm: [] as number[], js: [] as number[] };
  const start = loadavg().map((x) => x.toFixed(2));
  for (let round = 0; round < rounds; round++) {
    for (const wasm of round % 2 === 0 ? [true, false] : [false, true])
      times[wasm ? 'wasm' : 'js'].push(run(wasm).seconds);
  }
  setWasmFusedStep(true);
  const format = (list: number[]) => list.map((s) => `${s.toFixed(3)} s`).join(', ');
  console.log(
    `${steps} steps of batch 32, ${rounds} rounds alternating, ${cpus().length} cores, load average ${start.join(' ')}`,
  );
  console.log(`  WebAssembly ${median(times.wasm).toFixed(3)} s median  [${format(times.wasm)}]`);
  console.log(`  JavaScript  ${median(times.js).toFixed(3)} s median  [${format(times.js)}]`);
  console.log(
    `  WebAssembly / JavaScript ${(median(times.wasm) / median(times.js)).toFixed(2)}  (load average at the end ${loadavg()
      .map((x) => x.toFixed(2))
      .join(' ')})`,
  );
}

void main();
