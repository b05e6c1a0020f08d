/**
 * The fused training step's WebAssembly kernel (reference/wasm/fused-step.wat) must compute exactly
 * what the JavaScript fused step computes, which computes exactly what forward + getGradients do:
 * losses, parameters and generator draws compared with Object.is, errors by their message. And the
 * committed binary must be the WAT assembled.
 */
import fc from 'fast-check';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRng } from 'rnn-lab';
import type { Matrix, Rng } from 'rnn-lab';
import { doTrainingStep, RNN, setWasmFusedStep, tanh, wasmFusedStepAvailable, wasmTanh } from '../../reference/rnn';
import { assembleFusedStep, committedBlock, generatedBlock, REFERENCE_PATH } from '../../reference/wasm/assemble';

/** A subclass takes the per-sample path: its methods could be its own. */
class PerSample extends RNN {}

type Path = 'wasm' | 'js' | 'per-sample';

function dataOf(seed: number, rows: number, features: number): Matrix {
  const rng = createRng(seed);
  return Array.from({ length: rows }, () => Array.from({ length: features }, () => rng.normal(0, 1)));
}

function paramsOf(rnn: RNN): number[] {
  return [...rnn.u.flat(), ...rnn.w.flat(), ...rnn.v, ...rnn.b, rnn.c];
}

/** An RNN whose parameters are drawn at `scale`: large ones drive tanh through all its branches. */
function modelOf(path: Path, hidden: number, features: number, seed: number, scale: number): RNN {
  const rnn = path === 'per-sample' ? new PerSample(hidden, features) : new RNN(hidden, features);
  const rng = createRng(seed);
  for (const row of [...rnn.u, ...rnn.w]) for (let k = 0; k < row.length; k++) row[k] = rng.normal(0, scale);
  for (let i = 0; i < hidden; i++) {
    rnn.v[i] = rng.normal(0, scale);
    rnn.b[i] = rng.normal(0, scale);
  }
  rnn.c = rng.normal(0, scale);
  return rnn;
}

type Outcome = { losses: number[]; params: number[]; nextDraw: number } | { error: string; params: number[] };

function train(
  path: Path,
  rnn: RNN,
  data: Matrix,
  steps: number,
  batchSize: number,
  lr: number,
  seed: number,
): Outcome {
  const previous = setWasmFusedStep(path === 'wasm');
  const rng = createRng(seed);
  const losses: number[] = [];
  try {
    for (let step = 0; step < steps; step++) losses.push(doTrainingStep(rnn, data, batchSize, lr, rng));
    return { losses, params: paramsOf(rnn), nextDraw: rng.int(1_000_000_007) };
  } catch (error) {
    return { error: (error as Error).message, params: paramsOf(rnn) };
  } finally {
    setWasmFusedStep(previous);
  }
}

const sameBits = (a: number[], b: number[]) => a.length === b.length && a.every((x, i) => Object.is(x, b[i]));

function identical(a: Outcome, b: Outcome): boolean {
  if ('error' in a || 'error' in b)
    return 'error' in a && 'error' in b && a.error === b.error && sameBits(a.params, b.params);
  return sameBits(a.losses, b.losses) && sameBits(a.params, b.params) && a.nextDraw === b.nextDraw;
}

test('the binary committed in rnn.ts is fused-step.wat assembled', async () => {
  const bytes = await assembleFusedStep();
  expect(committedBlock(readFileSync(REFERENCE_PATH, 'utf8'))).toBe(generatedBlock(bytes));
});

test('this Node runs the kernel (else every comparison below would compare JavaScript with itself)', () => {
  expect(wasmFusedStepAvailable()).toBe(true);
});

test('the kernel, the JavaScript fused step and the per-sample step agree bit for bit, on any size and batch', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 0, max: 2 ** 31 - 1 }),
      fc.integer({ min: 1, max: 13 }),
      fc.integer({ min: 1, max: 9 }),
      fc.integer({ min: 1, max: 41 }),
      fc.constantFrom(0.001, 0.1, 0.6, 3, 40),
      fc.constantFrom(0.001, 0.05),
      (seed, hidden, features, batchSize, scale, lr) => {
        const data = dataOf(seed, 70, features);
        const outcome = (path: Path) =>
          train(path, modelOf(path, hidden, features, seed + 1, scale), data, 3, batchSize, lr, seed + 2);
        const wasm = outcome('wasm');
        return identical(wasm, outcome('js')) && identical(wasm, outcome('per-sample'));
      },
    ),
    { seed: 20261201, numRuns: 150 },
  );
});

test('the lab-sized training (RNN(10, 6), batch 32) is identical over 50 steps', () => {
  const data = dataOf(7, 500, 6);
  const wasm = train('wasm', new RNN(10, 6, createRng(3)), data, 50, 32, 0.01, 11);
  const js = train('js', new RNN(10, 6, createRng(3)), data, 50, 32, 0.01, 11);
  expect('losses' in wasm).toBe(true);
  expect(identical(wasm, js)).toBe(true);
});

test('tanh is the reference’s in every branch: tiny, ±0, the polynomial, the exponential, ±1 beyond 19.1, huge', () => {
  // h_t = tanh(x_t[0]) exactly (u = e_0, w = 0, b = 0), and every h_t feeds the gradients.
  const special = [
    0,
    -0,
    1e-300,
    -5e-324,
    2 ** -28,
    -(2 ** -27),
    1e-9,
    0.3,
    -0.549,
    0.55,
    -0.5500001,
    0.7,
    1.3,
    -4,
    9.5,
    19.0999,
    -19.1,
    19.2,
    25,
    -300,
    1e155,
    -1e200,
  ];
  const rng = createRng(4);
  const data: Matrix = Array.from({ length: 200 }, (_, r) => [
    r % 3 === 0 ? special[r % special.length] : rng.normal(0, 8),
    rng.normal(0, 1),
    rng.normal(0, 1),
  ]);
  const outcome = (path: Path) => {
    const rnn = path === 'per-sample' ? new PerSample(4, 3) : new RNN(4, 3);
    rnn.u = [
      [1, 0, 0],
      [0.5, 1, 0],
      [-1, 0, 0],
      [1e-3, 0, 1],
    ];
    rnn.w = rnn.w.map((row) => row.map(() => 0));
    return train(path, rnn, data, 5, 23, 1e-6, 9);
  };
  const wasm = outcome('wasm');
  expect('losses' in wasm).toBe(true);
  expect(identical(wasm, outcome('js'))).toBe(true);
  expect(identical(wasm, outcome('per-sample'))).toBe(true);
});

test('the kernel’s tanh is the reference’s, bit for bit, on special values and a million others', () => {
  const special = [0, -0, 5e-324, -5e-324, 2.2e-308, 2 ** -27, -(2 ** -27), 2 ** -26, 0.55, -0.55, 19.1, -19.1];
  const extremes = [Infinity, -Infinity, NaN, 1e308, -1e308, 1e154, 1.5e154];
  const rng = createRng(6);
  const bits = new Uint32Array(2);
  const asDouble = new Float64Array(bits.buffer);
  const random = Array.from({ length: 1_000_000 }, (_, n) => {
    if (n % 4 === 0) {
      // any bit pattern: mostly huge or tiny magnitudes
      bits[0] = rng.int(2 ** 32);
      bits[1] = rng.int(2 ** 32);
      return asDouble[0];
    }
    return rng.normal(0, [0.3, 2, 12][n % 3]);
  });
  // each branch boundary and its neighbours one ulp either side
  const around = special.flatMap((x) => [x, x * (1 + 2 ** -52), x * (1 - 2 ** -53)]);
  const xs = Float64Array.from([...around, ...extremes, ...random]);
  const kernel = wasmTanh(xs)!;
  const mismatches = Array.from(xs).filter((x, n) => !Object.is(kernel[n], tanh(x)));
  expect(mismatches).toEqual([]);
});

/** The lab-sized training's parameters and losses, as the bits of their doubles (hex). */
const LAB_TRAINING = `
  const { createRng } = require('rnn-lab');
  const { trainRnn, wasmFusedStepAvailable } = require(${JSON.stringify(join(__dirname, '..', '..', 'reference', 'rnn.ts'))});
  const rng = createRng(5);
  const data = Array.from({ length: 300 }, () => Array.from({ length: 6 }, () => rng.normal(0, 1)));
  const { rnn, losses } = trainRnn(data, 20, createRng(8));
  const values = [...rnn.u.flat(), ...rnn.w.flat(), ...rnn.v, ...rnn.b, rnn.c, ...losses];
  console.log(JSON.stringify({ wasm: wasmFusedStepAvailable(), bits: Buffer.from(Float64Array.from(values).buffer).toString('hex') }));
`;

test('without WebAssembly (node --no-expose-wasm) the step falls back to JavaScript, with the same results', () => {
  const run = (flags: string[]) => {
    const child = spawnSync(process.execPath, [...flags, '--require', require.resolve('tsx/cjs'), '-e', LAB_TRAINING], {
      encoding: 'utf8',
      cwd: join(__dirname, '..', '..'),
    });
    expect(child.stderr).toBe('');
    return JSON.parse(child.stdout) as { wasm: boolean; bits: string };
  };
  const without = run(['--no-expose-wasm']);
  const withKernel = run([]);
  expect(without.wasm).toBe(false);
  expect(withKernel.wasm).toBe(true);
  expect(without.bits).toBe(withKernel.bits);
});

test('a step nested in another’s draws (an rng that trains) leaves the outer step’s kernel memory alone', () => {
  const data = dataOf(3, 80, 6);
  const outcome = (path: Path) => {
    const inner = new RNN(10, 6, createRng(4));
    const innerRng = createRng(6);
    const rng = createRng(5);
    const training: Rng = {
      uniform: () => rng.uniform(),
      normal: (mean, std) => rng.normal(mean, std),
      int: (n) => {
        doTrainingStep(inner, data, 9, 0.01, innerRng);
        return rng.int(n);
      },
    };
    const previous = setWasmFusedStep(path === 'wasm');
    try {
      const outer = new RNN(10, 6, createRng(7));
      const losses = [0, 1, 2].map(() => doTrainingStep(outer, data, 17, 0.01, training));
      return [...losses, ...paramsOf(outer), ...paramsOf(inner)];
    } finally {
      setWasmFusedStep(previous);
    }
  };
  expect(sameBits(outcome('wasm'), outcome('js'))).toBe(true);
});
