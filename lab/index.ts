/**
 * The lab's support module (`import … from 'rnn-lab'`): what every student needs that is not
 * the exercise itself. Data loading lives in `rnn-lab/data` so that this entry stays free of
 * file and network access.
 */
export type { Rng } from './rng';
export { createRng } from './rng';
export type { Vector, Matrix } from './linalg';
export {
  zerosVector,
  zerosMatrix,
  dot,
  matVec,
  matTVec,
  outer,
  transpose,
  addVectors,
  addMatrices,
  scaleVector,
  scaleMatrix,
  copyMatrix,
} from './linalg';

/** Window length of one sample: 24 consecutive hours. */
export const HOURS_PER_DAY = 24;
/** Index of TEMP among the six selected columns (DEWP, TEMP, PRES, Iws, Is, Ir). */
export const TEMP_COLUMN = 1;
/** The notebook's training: this many steps of batch 32 … */
export const CONVERGENCE_STEPS = 500;
/** … after which the mean of the last 25 losses must be below this (its assert). */
export const CONVERGENCE_THRESHOLD = 0.075;
export { assertFiniteNumber, assertVector, assertMatrix } from './validate';
