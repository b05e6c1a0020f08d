/**
 * The reference's gradients next to central finite differences of the independent model's loss
 * (checks/numeric), for one generated case: shared by the jest proof (tests/reference) and by
 * the calibration run behind docs/reference-proof.md (tests/helpers/fd-calibration.ts).
 *
 * How close is close enough (measured in docs/reference-proof.md): FINITE_DIFFERENCE_TOLERANCE
 * (rtol 1e-5, floor 1e-4 of the tensor's max-abs), with two allowances for the error of the
 * finite difference itself, which that tolerance does not model:
 *
 * - rounding: f(θ+h) - f(θ-h) loses about ε·S absolute, S being the size of the terms the loss
 *   is computed from (S ≥ L, see lossScale), so every entry of a finite-difference gradient is
 *   uncertain by about ε·S/h, however small the gradient is. At the lab's own initial scale
 *   (std 0.001) with |y| ~ 2, ε·S/h ~ 1e-10 while entries of ∂L/∂W are ~1e-8: the tolerance's
 *   fixed absolute floor cannot cover that, so for each case the floor is raised to
 *   ROUNDING_FACTOR·ε·S/h;
 * - truncation: h²·L'''/6, negligible except where the recurrence is nearly chaotic. When a
 *   gradient fails at the module's step FD_STEP, it is differenced once more at FD_STEP/10
 *   (100× less truncation, 10× more rounding, which the floor allows for) and judged on that.
 *
 * Also the deliberately wrong gradients ("mutants") that the calibration shows to be far outside
 * the tolerance: each is one of the lab's known traps.
 */
import type { Matrix, Vector } from 'rnn-lab';
import { RNN } from '../../reference/rnn';
import { hiddenStates } from '../../checks/numeric/model';
import type { Params } from '../../checks/numeric/model';
import {
  FD_STEP,
  numericalGradH,
  numericalGradient,
  numericalGradients,
} from '../../checks/numeric/finite-differences';
import { compareNumeric, FINITE_DIFFERENCE_TOLERANCE } from '../../checks/numeric/tolerance';
import type { Comparison, Numeric, Tolerance } from '../../checks/numeric/tolerance';
import { materialize, setParams } from './rnn-cases';
import type { Problem, RnnCase } from './rnn-cases';

export const GRADIENT_NAMES = ['gradH', 'c', 'b', 'v', 'w', 'u'] as const;
export type GradientName = (typeof GRADIENT_NAMES)[number];

export interface Analytic {
  gradH: Matrix;
  c: number;
  b: Vector;
  v: Vector;
  w: Matrix;
  u: Matrix;
}

/** A reference network holding `params` (copied). */
export function referenceRnnOf(params: Params): RNN {
  return setParams(new RNN(params.v.length, params.u[0].length), params);
}

/** The reference network of a problem, its forward pass and every gradient it computes. */
export function referenceGradients(problem: Problem): { rnn: RNN; hidden: Matrix; yHat: number; analytic: Analytic } {
  const { params, x, yTrue } = problem;
  const rnn = referenceRnnOf(params);
  const { hidden, yHat } = rnn.forward(x);
  const gradH = rnn.computeGradH(yTrue, yHat, hidden);
  const analytic: Analytic = {
    gradH,
    c: rnn.computeGradC(yTrue, yHat),
    b: rnn.computeGradB(hidden, gradH),
    v: rnn.computeGradV(yTrue, yHat, hidden),
    w: rnn.computeGradW(hidden, gradH),
    u: rnn.computeGradU(hidden, gradH, x),
  };
  return { rnn, hidden, yHat, analytic };
}

/** Central finite differences (checks/numeric, step FD_STEP) of the independent model's loss. */
export function finiteDifferences(problem: Problem): Analytic {
  const { params, x, yTrue } = problem;
  const numeric = numericalGradients(params, x, yTrue);
  return { gradH: numericalGradH(params, x, yTrue, hiddenStates(params, x)), ...numeric };
}

/**
 * The size of the numbers the loss is computed from: L = r², r = ŷ - y, ŷ = c + Σ v_i h_τ,i.
 * Rounding perturbs r by about ε(|y| + |c| + Σ|v_i h_τ,i|), hence L by about 2|r| times that.
 */
export function lossScale(problem: Problem, yHat: number, hidden: Matrix): number {
  const { params, yTrue } = problem;
  const last = hidden[hidden.length - 1];
  const terms = Math.abs(yTrue) + Math.abs(params.c) + params.v.reduce((sum, vi, i) => sum + Math.abs(vi * last[i]), 0);
  const r = yHat - yTrue;
  return r * r + 2 * Math.abs(r) * terms;
}

/** Safety factor on the rounding estimate ε·S/h (the calibration measures at most about 1). */
export const ROUNDING_FACTOR = 16;

/** FINITE_DIFFERENCE_TOLERANCE with its absolute floor raised to the rounding error of a difference at `step`. */
export function fdTolerance(scale: number, step: number = FD_STEP): Tolerance {
  const rounding = (ROUNDING_FACTOR * Number.EPSILON * scale) / step;
  const base = FINITE_DIFFERENCE_TOLERANCE;
  return { ...base, absoluteFloor: Math.max(base.absoluteFloor, rounding / base.rtol) };
}

/** Central differences of one gradient at any step (the module's functions use FD_STEP only). */
export function finiteDifferenceAt(problem: Problem, name: GradientName, step: number): Numeric {
  const { params, x, yTrue } = problem;
  if (name === 'gradH') return numericalGradH(params, x, yTrue, hiddenStates(params, x), step);
  return numericalGradient(params, x, yTrue, name, step);
}

export interface GradientCheck extends Comparison {
  /** The step of the finite difference the verdict rests on. */
  step: number;
}

/**
 * Judges analytic gradients against finite differences: at FD_STEP first and, for a gradient
 * that fails there, once more at FD_STEP/10 (see the header). Only the gradients in `actual`.
 */
export function judge(
  actual: Partial<Analytic>,
  numeric: Analytic,
  problem: Problem,
  scale: number,
): Partial<Record<GradientName, GradientCheck>> {
  const out: Partial<Record<GradientName, GradientCheck>> = {};
  for (const name of GRADIENT_NAMES) {
    const value = actual[name];
    if (value === undefined) continue;
    const first = compareNumeric(value, numeric[name], fdTolerance(scale));
    if (first.ok) {
      out[name] = { ...first, step: FD_STEP };
      continue;
    }
    const finer = FD_STEP / 10;
    const second = compareNumeric(value, finiteDifferenceAt(problem, name, finer), fdTolerance(scale, finer));
    out[name] = second.ok ? { ...second, step: finer } : { ...first, step: FD_STEP };
  }
  return out;
}

/** One case, end to end: the case's numbers, the reference, finite differences, verdicts. */
export function checkCase(c: RnnCase) {
  const problem = materialize(c);
  const reference = referenceGradients(problem);
  const numeric = finiteDifferences(problem);
  const scale = lossScale(problem, reference.yHat, reference.hidden);
  const verdicts = judge(reference.analytic, numeric, problem, scale) as Record<GradientName, GradientCheck>;
  return { problem, reference, numeric, scale, verdicts };
}

/** One line per failing gradient, for an assertion message. */
export function describeFailures(verdicts: Partial<Record<GradientName, GradientCheck>>): string {
  return GRADIENT_NAMES.filter((name) => verdicts[name] && !verdicts[name].ok)
    .map((name) => {
      const v = verdicts[name] as GradientCheck;
      return (
        `${name}: ${v.failing}/${v.total} entries off; worst at [${v.worst.index.join(',')}]: ` +
        `analytic ${v.worst.actual}, finite difference ${v.worst.expected} (normalised error ${v.maxError.toExponential(2)})`
      );
    })
    .join('\n');
}

// ---------------------------------------------------------------------------------------------
// Deliberately wrong gradients: each reproduces one known mistake, from the reference's own
// forward pass and ∂L/∂h (so that only the mistake differs).

const local = (hidden: Matrix, gradH: Matrix, t: number, i: number) => (1 - hidden[t][i] ** 2) * gradH[t][i];

export interface Mutant {
  name: string;
  /** Which gradient the mistake lands in. */
  gradient: GradientName;
  compute(rnn: RNN, hidden: Matrix, gradH: Matrix, x: Matrix, yTrue: number, yHat: number): Numeric;
}

export const MUTANTS: readonly Mutant[] = [
  {
    name: '∂L/∂b skips t = 1 (the notebook)',
    gradient: 'b',
    compute: (rnn, hidden, gradH) =>
      rnn.b.map((_, i) => hidden.reduce((sum, _row, t) => (t === 0 ? sum : sum + local(hidden, gradH, t, i)), 0)),
  },
  {
    name: '∂L/∂U pairs h_t with x_{t-1} (the notebook)',
    gradient: 'u',
    compute: (rnn, hidden, gradH, x) =>
      rnn.u.map((row, i) =>
        row.map((_, j) =>
          hidden.reduce((sum, _row, t) => (t === 0 ? sum : sum + local(hidden, gradH, t, i) * x[t - 1][j]), 0),
        ),
      ),
  },
  {
    name: '∂L/∂W pairs h_t with h_t instead of h_{t-1}',
    gradient: 'w',
    compute: (rnn, hidden, gradH) =>
      rnn.w.map((row, i) =>
        row.map((_, k) => hidden.reduce((sum, _row, t) => sum + local(hidden, gradH, t, i) * hidden[t][k], 0)),
      ),
  },
  {
    name: '∂L/∂h without the tanh derivative (1 - h²)',
    gradient: 'gradH',
    compute: (rnn, hidden, _gradH, _x, yTrue, yHat) => {
      const out: Matrix = hidden.map(() => []);
      out[hidden.length - 1] = rnn.v.map((vi) => 2 * (yHat - yTrue) * vi);
      for (let t = hidden.length - 2; t >= 0; t--)
        out[t] = rnn.w[0].map((_, k) => rnn.w.reduce((sum, row, i) => sum + row[k] * out[t + 1][i], 0));
      return out;
    },
  },
  {
    name: '∂L/∂c with the wrong sign (yTrue - yPred)',
    gradient: 'c',
    compute: (_rnn, _hidden, _gradH, _x, yTrue, yHat) => 2 * (yTrue - yHat),
  },
];
