/**
 * The judge's own account of a trained model: the notebook's statistic (mean squared error of
 * the one-hour-ahead temperature, standardized units) recomputed from the parameters trainRnn
 * returned, with the lab's model written as plain functions (checks/numeric/model.ts). It does
 * not depend on anything the submission says about its training.
 */
import type { Matrix } from 'rnn-lab';
import { HOURS_PER_DAY, TEMP_COLUMN } from 'rnn-lab';
import { hiddenStates, predict } from '../numeric/model';
import type { Params } from '../numeric/model';

/**
 * Windows the returned model is evaluated on: evenly spaced over the whole training split (no
 * randomness, so the same model always gets the same number). 2048 windows
 * estimate the split's MSE to within 1 % (docs/tolerances.md).
 */
export const EVALUATION_WINDOWS = 2048;

/** First row of each evaluation window of a split with `rows` rows. */
export function evaluationStarts(rows: number, count = EVALUATION_WINDOWS): number[] {
  const last = rows - HOURS_PER_DAY - 1; // the last valid start (its target row is the split's last row)
  if (last < 0) return [];
  const n = Math.min(count, last + 1);
  return Array.from({ length: n }, (_, i) => (n === 1 ? 0 : Math.round((i * last) / (n - 1))));
}

/** Mean of (ŷ - y)² over the evaluation windows of `data`; NaN if the model produces non-finite values. */
export function trainingMse(params: Params, data: Matrix, count = EVALUATION_WINDOWS): number {
  const starts = evaluationStarts(data.length, count);
  const size = params.b.length;
  const features = params.u[0]?.length ?? 0;
  // Plain loops over typed arrays (the recurrence of checks/numeric/model.ts, ~50× faster than its
  // map/forEach form): 2048 windows × 24 steps cost a few milliseconds.
  const u = Float64Array.from(params.u.flat());
  const w = Float64Array.from(params.w.flat());
  let previous = new Float64Array(size);
  let current = new Float64Array(size);
  let sum = 0;
  for (const start of starts) {
    previous.fill(0);
    for (let t = start; t < start + HOURS_PER_DAY; t++) {
      const x = data[t];
      for (let i = 0; i < size; i++) {
        let z = params.b[i];
        for (let j = 0; j < features; j++) z += u[i * features + j] * x[j];
        for (let k = 0; k < size; k++) z += w[i * size + k] * previous[k];
        current[i] = Math.tanh(z);
      }
      [previous, current] = [current, previous];
    }
    let yHat = params.c;
    for (let i = 0; i < size; i++) yHat += params.v[i] * previous[i];
    const error = yHat - data[start + HOURS_PER_DAY][TEMP_COLUMN];
    sum += error * error;
  }
  return starts.length ? sum / starts.length : NaN;
}

/** The same statistic with the model's reference formulation (a test checks the fast loop against it). */
export function trainingMseSlow(params: Params, data: Matrix, count = EVALUATION_WINDOWS): number {
  const starts = evaluationStarts(data.length, count);
  let sum = 0;
  for (const start of starts) {
    const states = hiddenStates(params, data.slice(start, start + HOURS_PER_DAY));
    const error = predict(params, states[states.length - 1]) - data[start + HOURS_PER_DAY][TEMP_COLUMN];
    sum += error * error;
  }
  return starts.length ? sum / starts.length : NaN;
}
