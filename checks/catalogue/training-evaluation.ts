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
 * randomness, so the same model always gets the same number). 2048 windows cost ~30 ms and
 * estimate the split's MSE to about ±3 % (docs/tolerances.md).
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
  let sum = 0;
  for (const start of starts) {
    const states = hiddenStates(params, data.slice(start, start + HOURS_PER_DAY));
    const error = predict(params, states[states.length - 1]) - data[start + HOURS_PER_DAY][TEMP_COLUMN];
    sum += error * error;
  }
  return starts.length ? sum / starts.length : NaN;
}
