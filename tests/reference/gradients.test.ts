/**
 * Proof that the reference's forward pass and gradients are right: every gradient against
 * central finite differences of an independent implementation of the loss (checks/numeric), on
 * random problems (tests/helpers/rnn-cases.ts), judged as described in
 * tests/helpers/gradient-oracle.ts and measured in docs/reference-proof.md.
 *
 * fast-check runs with a fixed seed (override with FC_SEED=<n> or FC_SEED=random); a failure
 * prints the seed, the path and the shrunk case, which replays with `fc.assert(..., { seed, path })`.
 */
import fc from 'fast-check';
import { hiddenStates, predict, loss } from '../../checks/numeric/model';
import { compareNumeric } from '../../checks/numeric/tolerance';
import type { Tolerance } from '../../checks/numeric/tolerance';
import { fcOptions, materialize, rnnCase } from '../helpers/rnn-cases';
import type { RnnCase } from '../helpers/rnn-cases';
import {
  checkCase,
  describeFailures,
  finiteDifferences,
  GRADIENT_NAMES,
  judge,
  lossScale,
  MUTANTS,
  referenceGradients,
} from '../helpers/gradient-oracle';
import type { GradientName } from '../helpers/gradient-oracle';

/** Runs of the finite-difference properties (each case costs ~(H·F + H² + 2H + τ·H) loss evaluations). */
const FD_RUNS = 50;
/** Runs of the cheap properties. */
const RUNS = 200;
/** Runs of the short-sequence property (finite differences too, but small). */
const SHORT_RUNS = 120;

// Every gradient property below draws the same cases (same seed, same arbitrary): the finite
// differences of a case are computed once and shared.
const checked = new Map<string, ReturnType<typeof checkCase>>();
function checkedCase(c: RnnCase) {
  const key = JSON.stringify(c);
  let result = checked.get(key);
  if (!result) checked.set(key, (result = checkCase(c)));
  return result;
}

const METHOD: Record<GradientName, string> = {
  gradH: 'computeGradH',
  c: 'computeGradC',
  b: 'computeGradB',
  v: 'computeGradV',
  w: 'computeGradW',
  u: 'computeGradU',
};

describe('reference gradients match central finite differences of the loss (float64)', () => {
  it.each(GRADIENT_NAMES.map((name) => [METHOD[name], name] as const))('%s', (_method, name) => {
    fc.assert(
      fc.property(rnnCase(), (c) => {
        const verdict = checkedCase(c).verdicts[name];
        if (!verdict.ok) throw new Error(describeFailures({ [name]: verdict }));
      }),
      fcOptions(FD_RUNS),
    );
  });

  it('getGradients: all five, equal to the separate methods', () => {
    fc.assert(
      fc.property(rnnCase(), (c) => {
        const { problem, reference, numeric, scale } = checkedCase(c);
        const { x, yTrue } = problem;
        const all = reference.rnn.getGradients(x, yTrue, reference.yHat, reference.hidden);
        expect(Object.keys(all).sort()).toEqual(['b', 'c', 'u', 'v', 'w']);
        const verdicts = judge(all, numeric, problem, scale);
        const failures = describeFailures(verdicts);
        if (failures) throw new Error(failures);
        const { gradH: _gradH, ...separate } = reference.analytic;
        expect(all).toEqual(separate);
      }),
      fcOptions(FD_RUNS),
    );
  });

  it('short sequences (τ ≤ 3), where the first step weighs most: every gradient', () => {
    fc.assert(
      fc.property(rnnCase({ maxTau: 3 }), (c) => {
        const failures = describeFailures(checkCase(c).verdicts);
        if (failures) throw new Error(failures);
      }),
      fcOptions(SHORT_RUNS),
    );
  });
});

describe('the judge rejects each known mistake', () => {
  // The same judge applied to deliberately wrong gradients (tests/helpers/gradient-oracle.ts):
  // fast-check must find a case where the mistake shows. endOnFailure: no shrinking needed.
  it.each(MUTANTS.map((mutant) => [mutant.name, mutant] as const))('%s', (_name, mutant) => {
    const result = fc.check(
      fc.property(rnnCase(), (c) => {
        const problem = materialize(c);
        const reference = referenceGradients(problem);
        const wrong = mutant.compute(
          reference.rnn,
          reference.hidden,
          reference.analytic.gradH,
          problem.x,
          problem.yTrue,
          reference.yHat,
        );
        const numeric = finiteDifferences(problem);
        const verdict = judge(
          { [mutant.gradient]: wrong },
          numeric,
          problem,
          lossScale(problem, reference.yHat, reference.hidden),
        )[mutant.gradient]!;
        return verdict.ok;
      }),
      { ...fcOptions(FD_RUNS), endOnFailure: true },
    );
    expect(result.failed).toBe(true);
  });
});

describe('forward pass', () => {
  /** Same formula, same order of summation: only the last bits may differ. */
  const SAME: Tolerance = { rtol: 1e-12, floorFraction: 1e-12, absoluteFloor: 1e-300 };

  it('hidden states and prediction equal the independent model (checks/numeric/model.ts)', () => {
    fc.assert(
      fc.property(rnnCase(), (c) => {
        const problem = materialize(c);
        const { hidden, yHat } = referenceGradients(problem);
        const expected = hiddenStates(problem.params, problem.x);
        const h = compareNumeric(hidden, expected, SAME);
        if (!h.ok)
          throw new Error(`hidden differs at [${String(h.worst.index)}]: ${h.worst.actual} vs ${h.worst.expected}`);
        const y = compareNumeric(yHat, predict(problem.params, expected[expected.length - 1]), SAME);
        if (!y.ok) throw new Error(`yHat ${yHat} vs model ${y.worst.expected}`);
        expect(
          Math.abs((yHat - problem.yTrue) ** 2 - loss(problem.params, problem.x, problem.yTrue)),
        ).toBeLessThanOrEqual(1e-12 * (1 + (yHat - problem.yTrue) ** 2));
      }),
      fcOptions(RUNS),
    );
  });

  it('h_t = tanh(U x_t + W h_{t-1} + b) with h_0 = 0, by hand for τ = 2, H = 2, F = 1', () => {
    const { rnn } = referenceGradients({
      params: {
        u: [[1], [-1]],
        w: [
          [0.5, 0],
          [0, 0.25],
        ],
        v: [2, 3],
        b: [0.1, 0.2],
        c: 0.5,
      },
      x: [[1], [2]],
      yTrue: 0,
    });
    const { hidden, yHat } = rnn.forward([[1], [2]]);
    const h1 = [Math.tanh(1 + 0.1), Math.tanh(-1 + 0.2)];
    const h2 = [Math.tanh(2 + 0.5 * h1[0] + 0.1), Math.tanh(-2 + 0.25 * h1[1] + 0.2)];
    expect(hidden).toHaveLength(2);
    [h1, h2].forEach((expected, t) => expected.forEach((value, i) => expect(hidden[t][i]).toBeCloseTo(value, 15)));
    expect(yHat).toBeCloseTo(2 * h2[0] + 3 * h2[1] + 0.5, 14);
  });
});
