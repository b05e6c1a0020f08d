/**
 * Central finite differences of the loss, in float64.
 *
 * Step size: h = 1e-5. The error of (f(θ+h) - f(θ-h)) / 2h is a truncation part of about
 * h²·|f'''|/6 (≈1e-10 for the smooth tanh model at the scales the checks use) plus a rounding
 * part of about ε·S/h, where ε = 2.2e-16 and S is the size of the terms the loss is built from
 * (not the loss itself: (ŷ − y)² can be small while ŷ and y are large). Where a gradient is small
 * next to S, that rounding part dominates, so comparisons with finite differences must allow an
 * absolute error of a few ε·S/h — see docs/reference-proof.md for the measured allowance.
 */
import type { Matrix, Vector } from 'rnn-lab';
import { cloneParams, loss, lossFromHidden, PARAM_NAMES } from './model';
import type { ParamName, Params } from './model';

export const FD_STEP = 1e-5;

function centralDifference(f: (delta: number) => number, h = FD_STEP): number {
  return (f(h) - f(-h)) / (2 * h);
}

/** ∂L/∂θ for every entry of every parameter. */
export function numericalGradients(
  params: Params,
  x: Matrix,
  yTrue: number,
): { c: number; b: Vector; v: Vector; w: Matrix; u: Matrix } {
  return {
    c: numericalGradient(params, x, yTrue, 'c'),
    b: numericalGradient(params, x, yTrue, 'b'),
    v: numericalGradient(params, x, yTrue, 'v'),
    w: numericalGradient(params, x, yTrue, 'w'),
    u: numericalGradient(params, x, yTrue, 'u'),
  };
}

/** ∂L/∂θ for every entry of parameter `name`, differenced at `step` (tests/helpers/gradient-oracle.ts varies it). */
export function numericalGradient<N extends ParamName>(
  params: Params,
  x: Matrix,
  yTrue: number,
  name: N,
  step = FD_STEP,
): Params[N] {
  const work = cloneParams(params);
  const perturbed = (read: () => number, write: (value: number) => void) =>
    centralDifference((delta) => {
      const original = read();
      write(original + delta);
      const value = loss(work, x, yTrue);
      write(original);
      return value;
    }, step);
  const key: ParamName = name;
  if (key === 'c')
    return perturbed(
      () => work.c,
      (value) => (work.c = value),
    ) as Params[N];
  const vectorGrad = (vec: Vector) =>
    vec.map((_, i) =>
      perturbed(
        () => vec[i],
        (value) => (vec[i] = value),
      ),
    );
  const gradient = key === 'b' || key === 'v' ? vectorGrad(work[key]) : work[key].map((row) => vectorGrad(row));
  return gradient as Params[N];
}

/** ∂L/∂h_t (τ×H), perturbing h_t and running the recurrence on from it. */
export function numericalGradH(params: Params, x: Matrix, yTrue: number, hidden: Matrix, step = FD_STEP): Matrix {
  return hidden.map((row, t) =>
    row.map((_, i) =>
      centralDifference((delta) => {
        const moved = row.slice();
        moved[i] += delta;
        return lossFromHidden(params, x, yTrue, t, moved);
      }, step),
    ),
  );
}

/**
 * The directional derivative of L along `direction` (one record of the same shapes as the
 * parameters): two loss evaluations check a whole gradient at once (PyTorch's "fast mode" idea).
 */
export function numericalDirectionalDerivative(
  params: Params,
  direction: Params,
  x: Matrix,
  yTrue: number,
  only?: ParamName,
): number {
  return centralDifference((delta) => loss(moveAlong(params, direction, delta, only), x, yTrue));
}

/** Σ gradient ⊙ direction over one parameter (or all of them). */
export function projectGradient(gradient: Partial<Params>, direction: Params, only?: ParamName): number {
  let sum = 0;
  for (const name of only ? [only] : PARAM_NAMES) {
    const g = gradient[name];
    const d = direction[name];
    if (g === undefined) continue;
    sum += dotAny(g, d);
  }
  return sum;
}

function dotAny(a: number | Vector | Matrix, b: number | Vector | Matrix): number {
  if (typeof a === 'number') return a * (b as number);
  let sum = 0;
  (a as unknown[]).forEach(
    (entry, i) => (sum += dotAny(entry as number | Vector, (b as unknown[])[i] as number | Vector)),
  );
  return sum;
}

function moveAlong(params: Params, direction: Params, delta: number, only?: ParamName): Params {
  const moved = cloneParams(params);
  const include = (name: ParamName) => only === undefined || only === name;
  if (include('c')) moved.c += delta * direction.c;
  if (include('b')) moved.b = moved.b.map((value, i) => value + delta * direction.b[i]);
  if (include('v')) moved.v = moved.v.map((value, i) => value + delta * direction.v[i]);
  if (include('w')) moved.w = moved.w.map((row, i) => row.map((value, k) => value + delta * direction.w[i][k]));
  if (include('u')) moved.u = moved.u.map((row, i) => row.map((value, j) => value + delta * direction.u[i][j]));
  return moved;
}
