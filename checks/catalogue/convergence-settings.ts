/**
 * The convergence settings a rubric may choose for `train.converges` (issue 18's course decision):
 * fewer training steps make a batch faster, and each step count comes with its own pass mark,
 * calibrated on the reference over 100 seeds by bench/convergence-steps.ts (table in docs/rubric.md;
 * both statistics train.converges judges, the reported curve's and its own MSE of the returned
 * network, in docs/tolerances.md: 0 false failures for every setting, the worst seed ≥ 1.5× below).
 * Only these pairs are offered: a step count without a measured threshold would be a guess.
 */
import { CONVERGENCE_STEPS, CONVERGENCE_THRESHOLD } from './training-spec-checks';

export interface ConvergenceSetting {
  /** Training steps of batch 32 the check asks `trainRnn` for. */
  steps: number;
  /** Pass mark: the mean of the last 25 losses must be below it. */
  threshold: number;
}

/** The notebook's setting, used when a rubric says nothing. */
export const DEFAULT_CONVERGENCE: ConvergenceSetting = { steps: CONVERGENCE_STEPS, threshold: CONVERGENCE_THRESHOLD };

/** Every setting offered, fastest first; the default is one of them. */
export const OFFERED_CONVERGENCE: readonly ConvergenceSetting[] = [
  { steps: 300, threshold: 0.14 },
  { steps: 400, threshold: 0.105 },
  DEFAULT_CONVERGENCE,
];
