/**
 * The notebook's surrounding steps, built from the reference functions: split the data by days,
 * standardize both splits with the training split's statistics, and evaluate a trained network
 * on every window of the test split (the notebook's last section).
 */
import { HOURS_PER_DAY, TEMP_COLUMN } from 'rnn-lab';
import type { Matrix, Vector } from 'rnn-lab';
import { columnMeans, columnStds, mseLoss, numTrainSamples, standardize, RNN } from './rnn';

export interface PreparedData {
  /** Standardized training rows (the first numTrainSamples rows). */
  train: Matrix;
  /** Standardized test rows (the rest), with the training split's means and stds. */
  test: Matrix;
  means: Vector;
  stds: Vector;
}

export function prepareData(raw: Matrix): PreparedData {
  const split = numTrainSamples(raw.length);
  const rawTrain = raw.slice(0, split);
  const means = columnMeans(rawTrain);
  const stds = columnStds(rawTrain);
  return {
    train: standardize(rawTrain, means, stds),
    test: standardize(raw.slice(split), means, stds),
    means,
    stds,
  };
}

export interface TestEvaluation {
  /** Number of windows evaluated: every start 0 .. test.length - 25. */
  count: number;
  /** Mean squared error in standardized units. */
  mse: number;
  /** Root mean squared error in °C (standardized RMSE × the training split's TEMP std). */
  rmseCelsius: number;
  /** True and predicted standardized temperatures, one pair per window. */
  yTrue: number[];
  yPred: number[];
}

export function evaluateOnTestSet(rnn: RNN, test: Matrix, temperatureStd: number): TestEvaluation {
  const yTrue: number[] = [];
  const yPred: number[] = [];
  let sumOfLosses = 0;
  for (let start = 0; start + HOURS_PER_DAY < test.length; start++) {
    const y = test[start + HOURS_PER_DAY][TEMP_COLUMN];
    const { yHat } = rnn.forward(test.slice(start, start + HOURS_PER_DAY));
    yTrue.push(y);
    yPred.push(yHat);
    sumOfLosses += mseLoss(y, yHat);
  }
  const mse = sumOfLosses / yTrue.length;
  return { count: yTrue.length, mse, rmseCelsius: Math.sqrt(mse) * temperatureStd, yTrue, yPred };
}

/** The notebook's convergence statistic: mean of the last 25 losses (fewer if there are fewer). */
export function convergenceStatistic(losses: number[], window = 25): number {
  const tail = losses.slice(-window);
  return tail.reduce((sum, loss) => sum + loss, 0) / tail.length;
}

/** The notebook's pass mark for that statistic (the lab's constant). */
export { CONVERGENCE_THRESHOLD } from 'rnn-lab';
