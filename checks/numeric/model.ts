/**
 * The lab's model written once more, as plain functions of a parameter record, independent of
 * the reference class: finite differences are taken of this loss, so a mistake in the reference's
 * forward pass cannot hide itself by agreeing with its own derivative.
 */
import type { Matrix, Vector } from 'rnn-lab';

export interface Params {
  u: Matrix;
  w: Matrix;
  v: Vector;
  b: Vector;
  c: number;
}

export type ParamName = keyof Params;
export const PARAM_NAMES: readonly ParamName[] = ['c', 'b', 'v', 'w', 'u'];

/** One recurrence step: tanh(U x + W h + b). */
export function step(params: Params, x: Vector, previous: Vector): Vector {
  return params.b.map((bias, i) => {
    let sum = bias;
    params.u[i].forEach((uij, j) => (sum += uij * x[j]));
    params.w[i].forEach((wik, k) => (sum += wik * previous[k]));
    return Math.tanh(sum);
  });
}

/** Hidden states h_1..h_τ (τ×H) for inputs x (τ×F), starting from h_0 = 0. */
export function hiddenStates(params: Params, x: Matrix): Matrix {
  const states: Matrix = [];
  let previous = params.b.map(() => 0);
  for (const input of x) {
    previous = step(params, input, previous);
    states.push(previous);
  }
  return states;
}

/** ŷ = v·h_τ + c */
export function predict(params: Params, lastHidden: Vector): number {
  return params.v.reduce((sum, vi, i) => sum + vi * lastHidden[i], params.c);
}

/** L = (ŷ - y)² for the whole sequence. */
export function loss(params: Params, x: Matrix, yTrue: number): number {
  const states = hiddenStates(params, x);
  const error = predict(params, states[states.length - 1]) - yTrue;
  return error * error;
}

/**
 * The loss as a function of h_t alone (t is the 0-based row): the recurrence is continued from
 * the given h_t with inputs x_{t+1}..x_τ. Its gradient is ∂L/∂h_t, the total derivative.
 */
export function lossFromHidden(params: Params, x: Matrix, yTrue: number, row: number, hidden: Vector): number {
  let previous = hidden;
  for (let t = row + 1; t < x.length; t++) previous = step(params, x[t], previous);
  const error = predict(params, previous) - yTrue;
  return error * error;
}

export function cloneParams(params: Params): Params {
  return {
    u: params.u.map((r) => r.slice()),
    w: params.w.map((r) => r.slice()),
    v: params.v.slice(),
    b: params.b.slice(),
    c: params.c,
  };
}
