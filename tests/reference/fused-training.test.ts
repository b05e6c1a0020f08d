/**
 * The reference's training step takes a fused path (four samples at a time) for a plain RNN. It
 * must compute exactly what the per-sample composition of forward and getGradients computes: the
 * same parameters and losses to the last bit, the same generator draws, the same errors.
 */
import fc from 'fast-check';
import { createRng } from 'rnn-lab';
import type { Matrix } from 'rnn-lab';
import { doTrainingStep, RNN } from '../../reference/rnn';

/** A subclass takes the per-sample path: its methods could be its own. */
class PerSample extends RNN {}

function dataOf(seed: number, rows: number, features: number): Matrix {
  const rng = createRng(seed);
  return Array.from({ length: rows }, () => Array.from({ length: features }, () => rng.normal(0, 1)));
}

function paramsOf(rnn: RNN): number[] {
  return [...rnn.u.flat(), ...rnn.w.flat(), ...rnn.v, ...rnn.b, rnn.c];
}

function train(rnn: RNN, data: Matrix, steps: number, batchSize: number, lr: number, seed: number) {
  const rng = createRng(seed);
  const losses = Array.from({ length: steps }, () => doTrainingStep(rnn, data, batchSize, lr, rng));
  return { losses, params: paramsOf(rnn), nextDraw: rng.int(1_000_000_007) };
}

const sameBits = (a: number[], b: number[]) => a.length === b.length && a.every((x, i) => Object.is(x, b[i]));

test('the fused step gives the per-sample step bit for bit, on any seed, size and batch', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 0, max: 2 ** 31 - 1 }),
      fc.integer({ min: 1, max: 12 }),
      fc.integer({ min: 1, max: 8 }), // with 1 feature there is no temperature column: both must refuse alike
      fc.integer({ min: 1, max: 37 }),
      (seed, hidden, features, batchSize) => {
        const data = dataOf(seed, 60, features);
        const fused = new RNN(hidden, features, createRng(seed + 1));
        const perSample = new PerSample(hidden, features, createRng(seed + 1));
        const attempt = (rnn: RNN) => {
          try {
            return train(rnn, data, 4, batchSize, 0.05, seed + 2);
          } catch (error) {
            return { error: (error as Error).message, params: paramsOf(rnn) };
          }
        };
        const a = attempt(fused);
        const b = attempt(perSample);
        if ('error' in a || 'error' in b)
          return 'error' in a && 'error' in b && a.error === b.error && sameBits(a.params, b.params);
        return sameBits(a.losses, b.losses) && sameBits(a.params, b.params) && a.nextDraw === b.nextDraw;
      },
    ),
    { seed: 20261130, numRuns: 60 },
  );
});

test('the lab-sized training (RNN(10, 6), batch 32) is identical over 50 steps', () => {
  const data = dataOf(7, 500, 6);
  const a = train(new RNN(10, 6, createRng(3)), data, 50, 32, 0.01, 11);
  const b = train(new PerSample(10, 6, createRng(3)), data, 50, 32, 0.01, 11);
  expect(sameBits(a.losses, b.losses)).toBe(true);
  expect(sameBits(a.params, b.params)).toBe(true);
});

test('an RNN with a shadowed method or a reshaped parameter takes the per-sample path', () => {
  const data = dataOf(5, 60, 6);
  const shadowed = new RNN(10, 6, createRng(1));
  let calls = 0;
  const forward = shadowed.forward.bind(shadowed);
  shadowed.forward = (x) => {
    calls++;
    return forward(x);
  };
  doTrainingStep(shadowed, data, 5, 0.01, createRng(2));
  expect(calls).toBe(5);
});

test('a day forward refuses is refused with forward’s own error, before any parameter moves', () => {
  const data = dataOf(5, 60, 6);
  data[30][2] = NaN;
  const fused = new RNN(10, 6, createRng(1));
  const perSample = new PerSample(10, 6, createRng(1));
  const errorOf = (rnn: RNN) => {
    try {
      for (let step = 0; step < 20; step++) doTrainingStep(rnn, data, 8, 0.01, createRng(step));
    } catch (error) {
      return (error as Error).message;
    }
    return 'no error';
  };
  const message = errorOf(fused);
  expect(message).toMatch(/x/);
  expect(message).toBe(errorOf(perSample));
  expect(sameBits(paramsOf(fused), paramsOf(perSample))).toBe(true);
});
