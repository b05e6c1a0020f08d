/**
 * The reference against the lab contract (/work/shared/lab-contract.md) apart from the numbers of
 * the gradients (tests/reference/gradients.test.ts): shapes, untouched inputs and parameters, the
 * constructor's draws, argument checks that name the argument and the expected shape, and the
 * small functions around the network.
 */
import fc from 'fast-check';
import { createRng } from 'rnn-lab';
import type { Matrix, Rng } from 'rnn-lab';
import { doTrainingStep, getRandomDay, mseLoss, RNN, trainRnn } from '../../reference/rnn';
import { deepCopy, deepFreeze, fcOptions, materialize, rnnCase, setParams, shapeOf } from '../helpers/rnn-cases';

const RUNS = 100;

/** A network with a case's parameters, its inputs and everything computed from them. */
function run(c: Parameters<typeof materialize>[0]) {
  const { params, x, yTrue } = materialize(c);
  const rnn = setParams(new RNN(c.hiddenSize, c.numFeatures), params);
  const { hidden, yHat } = rnn.forward(x);
  const gradH = rnn.computeGradH(yTrue, yHat, hidden);
  return { rnn, x, yTrue, hidden, yHat, gradH };
}

describe('shapes', () => {
  it('forward and every gradient have the contract shapes for any τ, H, F', () => {
    fc.assert(
      fc.property(rnnCase(), (c) => {
        const { rnn, x, yTrue, hidden, yHat, gradH } = run(c);
        const { tau, hiddenSize: H, numFeatures: F } = c;
        expect(shapeOf(hidden)).toEqual([tau, H]);
        expect(typeof yHat).toBe('number');
        expect(shapeOf(gradH)).toEqual([tau, H]);
        expect(typeof rnn.computeGradC(yTrue, yHat)).toBe('number');
        expect(shapeOf(rnn.computeGradB(hidden, gradH))).toEqual([H]);
        expect(shapeOf(rnn.computeGradV(yTrue, yHat, hidden))).toEqual([H]);
        expect(shapeOf(rnn.computeGradW(hidden, gradH))).toEqual([H, H]);
        expect(shapeOf(rnn.computeGradU(hidden, gradH, x))).toEqual([H, F]);
        const all = rnn.getGradients(x, yTrue, yHat, hidden);
        expect([typeof all.c, shapeOf(all.b), shapeOf(all.v), shapeOf(all.w), shapeOf(all.u)]).toEqual([
          'number',
          [H],
          [H],
          [H, H],
          [H, F],
        ]);
        // Plain arrays, as the contract says (not typed arrays).
        for (const m of [hidden, gradH, all.w, all.u]) expect(m.every((row) => Array.isArray(row))).toBe(true);
        for (const vec of [all.b, all.v]) expect(Array.isArray(vec)).toBe(true);
      }),
      fcOptions(RUNS),
    );
  });

  it('the lab sizes: hidden 24×10, gradients 10, 10, 10×10, 10×6', () => {
    const rnn = new RNN(10, 6, createRng(1));
    const x = Array.from({ length: 24 }, (_, t) => Array.from({ length: 6 }, (_, j) => Math.sin(t + j)));
    const { hidden, yHat } = rnn.forward(x);
    const g = rnn.getGradients(x, 0.5, yHat, hidden);
    expect([shapeOf(hidden), shapeOf(g.b), shapeOf(g.v), shapeOf(g.w), shapeOf(g.u)]).toEqual([
      [24, 10],
      [10],
      [10],
      [10, 10],
      [10, 6],
    ]);
  });
});

describe('no method changes its inputs or the parameters', () => {
  it('holds with every input and parameter deep-frozen, and values unchanged', () => {
    fc.assert(
      fc.property(rnnCase({ maxTau: 12 }), (c) => {
        const { params, x, yTrue } = materialize(c);
        const rnn = setParams(new RNN(c.hiddenSize, c.numFeatures), params);
        const before = deepCopy({ u: rnn.u, w: rnn.w, v: rnn.v, b: rnn.b, c: rnn.c, x });
        deepFreeze([rnn.u, rnn.w, rnn.v, rnn.b, x]);
        const { hidden, yHat } = rnn.forward(x);
        const hiddenCopy = deepCopy(hidden);
        deepFreeze(hidden);
        const gradH = deepFreeze(rnn.computeGradH(yTrue, yHat, hidden));
        const gradHCopy = deepCopy(gradH);
        rnn.computeGradC(yTrue, yHat);
        rnn.computeGradB(hidden, gradH);
        rnn.computeGradV(yTrue, yHat, hidden);
        rnn.computeGradW(hidden, gradH);
        rnn.computeGradU(hidden, gradH, x);
        rnn.getGradients(x, yTrue, yHat, hidden);
        expect({ u: rnn.u, w: rnn.w, v: rnn.v, b: rnn.b, c: rnn.c, x }).toEqual(before);
        expect(hidden).toEqual(hiddenCopy);
        expect(gradH).toEqual(gradHCopy);
      }),
      fcOptions(RUNS),
    );
  });

  it('results are fresh arrays: changing one does not change the network or a later result', () => {
    const rnn = new RNN(3, 2, createRng(5));
    const x = [
      [1, 2],
      [3, 4],
    ];
    const first = rnn.forward(x);
    const g = rnn.getGradients(x, 1, first.yHat, first.hidden);
    const vBefore = rnn.v.slice();
    g.v[0] = 99;
    g.b[0] = 99;
    first.hidden[1][0] = 0.5;
    expect(rnn.v).toEqual(vBefore);
    expect(rnn.forward(x).hidden[1][0]).not.toBe(0.5);
  });
});

describe('constructor', () => {
  it('has the contract shapes, b = 0 and c = 0', () => {
    for (const [H, F] of [
      [10, 6],
      [1, 1],
      [7, 3],
      [12, 8],
    ]) {
      const rnn = new RNN(H, F, createRng(H * 100 + F));
      expect([shapeOf(rnn.u), shapeOf(rnn.w), shapeOf(rnn.v), shapeOf(rnn.b)]).toEqual([[H, F], [H, H], [H], [H]]);
      expect(rnn.b).toEqual(new Array(H).fill(0));
      expect(rnn.c).toBe(0);
    }
  });

  it('defaults to H = 10, F = 6 and a fixed seed', () => {
    const a = new RNN();
    expect([shapeOf(a.u), shapeOf(a.w), shapeOf(a.v)]).toEqual([[10, 6], [10, 10], [10]]);
    expect(new RNN().u).toEqual(a.u);
  });

  it('draws U, then W, then v, row by row, with rng.normal(0, 0.001) and nothing else', () => {
    const calls: string[] = [];
    let counter = 0;
    const rng: Rng = {
      uniform: () => {
        calls.push('uniform');
        return 0.5;
      },
      int: (n) => {
        calls.push(`int(${n})`);
        return 0;
      },
      normal: (mean, std) => {
        calls.push(`normal(${mean}, ${std})`);
        return ++counter;
      },
    };
    const rnn = new RNN(2, 3, rng);
    expect(calls).toEqual(new Array(2 * 3 + 2 * 2 + 2).fill('normal(0, 0.001)'));
    expect(rnn.u).toEqual([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    expect(rnn.w).toEqual([
      [7, 8],
      [9, 10],
    ]);
    expect(rnn.v).toEqual([11, 12]);
  });

  it('same seed, same parameters; another seed, other parameters', () => {
    const params = (seed: number) => {
      const rnn = new RNN(10, 6, createRng(seed));
      return { u: rnn.u, w: rnn.w, v: rnn.v };
    };
    expect(params(3)).toEqual(params(3));
    expect(params(3)).not.toEqual(params(4));
  });

  it('draws from Normal(0, 0.001): mean ≈ 0, std ≈ 0.001', () => {
    const rnn = new RNN(60, 40, createRng(11)); // 2,400 + 3,600 + 60 draws
    const all = [...rnn.u.flat(), ...rnn.w.flat(), ...rnn.v];
    const mean = all.reduce((s, x) => s + x, 0) / all.length;
    const std = Math.sqrt(all.reduce((s, x) => s + (x - mean) ** 2, 0) / (all.length - 1));
    // Standard errors: mean 0.001/√6060 ≈ 1.3e-5, std ≈ 0.001/√(2·6060) ≈ 9e-6; bounds are 4 of them.
    expect(Math.abs(mean)).toBeLessThan(5.2e-5);
    expect(Math.abs(std - 0.001)).toBeLessThan(3.6e-5);
  });

  it.each([
    [0, 6, 'hiddenStateSize'],
    [2.5, 6, 'hiddenStateSize'],
    [10, 0, 'numFeatures'],
    [10, NaN, 'numFeatures'],
  ])('rejects RNN(%p, %p), naming %s', (H, F, name) => {
    expect(() => new RNN(H, F, createRng(0))).toThrow(new RegExp(`^${name}: expected a positive integer`));
  });
});

describe('bad input: every public method names the argument and the expected shape', () => {
  const H = 4;
  const F = 3;
  const tau = 5;
  const rnn = new RNN(H, F, createRng(2));
  const x = Array.from({ length: tau }, (_, t) => [t, -t, 0.5]);
  const { hidden, yHat } = rnn.forward(x);
  const gradH = rnn.computeGradH(1, yHat, hidden);
  const withNaN = (m: Matrix, r: number, c: number) =>
    m.map((row, i) => row.map((value, j) => (i === r && j === c ? NaN : value)));
  const dropRow = (m: Matrix) => m.slice(1);
  const dropCol = (m: Matrix) => m.map((row) => row.slice(1));

  const cases: Array<[string, () => unknown, RegExp]> = [
    [
      'forward: x with the wrong number of features',
      () => rnn.forward(dropCol(x)),
      /^x: expected a τ×3 matrix of finite numbers \(τ ≥ 1\), got row 0 with 2 entries/,
    ],
    ['forward: empty x', () => rnn.forward([]), /^x: expected a τ×3 matrix/],
    [
      'forward: NaN in x',
      () => rnn.forward(withNaN(x, 2, 1)),
      /^x: expected a τ×3 matrix of finite numbers.*NaN at \[2\]\[1\]/,
    ],
    [
      'computeGradH: hidden with the wrong width',
      () => rnn.computeGradH(1, yHat, dropCol(hidden)),
      /^hidden: expected a τ×4 matrix/,
    ],
    ['computeGradH: NaN yPred', () => rnn.computeGradH(1, NaN, hidden), /^yPred: expected a finite number, got NaN/],
    [
      'computeGradH: Infinity yTrue',
      () => rnn.computeGradH(Infinity, yHat, hidden),
      /^yTrue: expected a finite number, got Infinity/,
    ],
    ['computeGradC: NaN yTrue', () => rnn.computeGradC(NaN, yHat), /^yTrue: expected a finite number/],
    [
      'computeGradB: gradH with a row too few',
      () => rnn.computeGradB(hidden, dropRow(gradH)),
      /^gradH: expected a 5×4 matrix of finite numbers, got an array of 4 rows/,
    ],
    [
      'computeGradB: NaN in hidden',
      () => rnn.computeGradB(withNaN(hidden, 0, 0), gradH),
      /^hidden: expected a τ×4 matrix.*NaN at \[0\]\[0\]/,
    ],
    [
      'computeGradV: hidden with the wrong width',
      () => rnn.computeGradV(1, yHat, dropCol(hidden)),
      /^hidden: expected a τ×4 matrix/,
    ],
    [
      'computeGradW: gradH with the wrong width',
      () => rnn.computeGradW(hidden, dropCol(gradH)),
      /^gradH: expected a 5×4 matrix/,
    ],
    [
      'computeGradW: NaN in gradH',
      () => rnn.computeGradW(hidden, withNaN(gradH, 4, 3)),
      /^gradH: expected a 5×4 matrix.*NaN at \[4\]\[3\]/,
    ],
    [
      'computeGradU: x with a row too few',
      () => rnn.computeGradU(hidden, gradH, dropRow(x)),
      /^x: expected a 5×3 matrix of finite numbers, got an array of 4 rows/,
    ],
    [
      'computeGradU: NaN in x',
      () => rnn.computeGradU(hidden, gradH, withNaN(x, 1, 1)),
      /^x: expected a 5×3 matrix.*NaN at \[1\]\[1\]/,
    ],
    [
      'getGradients: x with a row too few',
      () => rnn.getGradients(dropRow(x), 1, yHat, hidden),
      /^x: expected a 5×3 matrix/,
    ],
    [
      'getGradients: NaN in hidden',
      () => rnn.getGradients(x, 1, yHat, withNaN(hidden, 3, 2)),
      /^hidden: expected a τ×4 matrix.*NaN at \[3\]\[2\]/,
    ],
    ['getGradients: NaN yPred', () => rnn.getGradients(x, 1, NaN, hidden), /^yPred: expected a finite number/],
    [
      'getGradients: hidden of the wrong width',
      () => rnn.getGradients(x, 1, yHat, dropCol(hidden)),
      /^hidden: expected a τ×4 matrix/,
    ],
  ];

  it.each(cases)('%s', (_name, call, message) => {
    expect(call).toThrow(message);
  });

  it('a wrong call does not leave the network unable to check the next one', () => {
    expect(() => rnn.getGradients(x, 1, yHat, withNaN(hidden, 0, 0))).toThrow(/hidden/);
    // A matrix getGradients saw before is still checked when passed directly afterwards.
    const bad = withNaN(hidden, 1, 1);
    expect(() => rnn.getGradients(dropRow(x), 1, yHat, bad)).toThrow(/hidden|x/);
    expect(() => rnn.computeGradB(bad, gradH)).toThrow(/^hidden: .*NaN at \[1\]\[1\]/);
  });

  it('the training functions check their numbers', () => {
    const data = Array.from({ length: 30 }, (_, i) => [i, i / 10, 0, 0, 0, 0]);
    expect(() => doTrainingStep(new RNN(), data, 0, 0.01, createRng(0))).toThrow(
      /^batchSize: expected a positive integer/,
    );
    expect(() => doTrainingStep(new RNN(), data, 2, NaN, createRng(0))).toThrow(/^lr: expected a finite number/);
    expect(() => trainRnn(data, -1, createRng(0))).toThrow(/^numSteps: expected a non-negative integer/);
    expect(() => getRandomDay(data.slice(0, 24), createRng(0))).toThrow(/^data: expected at least 25 rows, got 24/);
  });
});

describe('around the network', () => {
  it('mseLoss is the squared error', () => {
    expect(mseLoss(1, 3)).toBe(4);
    expect(mseLoss(-0.5, 0.5)).toBe(1);
    expect(mseLoss(2, 2)).toBe(0);
  });

  it('getRandomDay: one rng.int(rows - 24) call; x = 24 rows from the start, y = TEMP of the row after', () => {
    const data = Array.from({ length: 40 }, (_, i) => [i, 100 + i, -i, 0, 0, 0]);
    for (const start of [0, 7, 15]) {
      const calls: number[] = [];
      const rng: Rng = { uniform: () => NaN, normal: () => NaN, int: (n) => (calls.push(n), start) };
      const { x, y } = getRandomDay(data, rng);
      expect(calls).toEqual([16]);
      expect(x).toEqual(data.slice(start, start + 24));
      expect(y).toBe(100 + start + 24);
      x[0][0] = -1; // a copy: the data stays as it was
      expect(data[start][0]).toBe(start);
    }
  });

  it('doTrainingStep returns the batch mean loss, draws batchSize days, and moves each parameter by -lr × mean gradient', () => {
    const data = Array.from({ length: 60 }, (_, i) => Array.from({ length: 6 }, (_, j) => Math.sin(i * 0.3 + j)));
    const starts = [3, 17, 30];
    const script = (): Rng => {
      let k = 0;
      return { uniform: () => NaN, normal: () => NaN, int: () => starts[k++] };
    };
    const rnn = new RNN(10, 6, createRng(9));
    const before = deepCopy({ u: rnn.u, w: rnn.w, v: rnn.v, b: rnn.b, c: rnn.c });
    // Expected, from the reference's own pieces:
    const shadow = setParams(new RNN(10, 6), before);
    const rng = script();
    const days = starts.map(() => getRandomDay(data, rng));
    const results = days.map(({ x, y }) => {
      const { hidden, yHat } = shadow.forward(x);
      return { loss: mseLoss(y, yHat), grads: shadow.getGradients(x, y, yHat, hidden) };
    });
    const lossValue = doTrainingStep(rnn, data, 3, 0.01, script());
    expect(lossValue).toBeCloseTo(results.reduce((s, r) => s + r.loss, 0) / 3, 14);
    const mean = (pick: (g: (typeof results)[number]['grads']) => number) =>
      results.reduce((s, r) => s + pick(r.grads), 0) / 3;
    expect(rnn.c).toBeCloseTo(before.c - 0.01 * mean((g) => g.c), 14);
    expect(rnn.b[4]).toBeCloseTo(before.b[4] - 0.01 * mean((g) => g.b[4]), 14);
    expect(rnn.w[2][7]).toBeCloseTo(before.w[2][7] - 0.01 * mean((g) => g.w[2][7]), 14);
    expect(rnn.u[9][5]).toBeCloseTo(before.u[9][5] - 0.01 * mean((g) => g.u[9][5]), 14);
    expect(rnn.v[0]).toBeCloseTo(before.v[0] - 0.01 * mean((g) => g.v[0]), 14);
  });

  it('trainRnn: RNN(10, 6, rng), numSteps losses, reproducible from the seed', () => {
    const data = Array.from({ length: 100 }, (_, i) => Array.from({ length: 6 }, (_, j) => Math.cos(i * 0.2 + j)));
    const a = trainRnn(data, 5, createRng(4));
    const b = trainRnn(data, 5, createRng(4));
    expect(a.losses).toHaveLength(5);
    expect(a.losses).toEqual(b.losses);
    expect(a.rnn.u).toEqual(b.rnn.u);
    expect([a.rnn.hiddenStateSize, a.rnn.numFeatures]).toEqual([10, 6]);
    expect(trainRnn(data, 0, createRng(4)).losses).toEqual([]);
  });
});
