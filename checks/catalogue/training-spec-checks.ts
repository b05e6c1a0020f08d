/**
 * Training checks judged by the contract's words alone: the training loop's protocol, and
 * convergence on the real data.
 */
import { CONVERGENCE_STEPS, CONVERGENCE_THRESHOLD, createRng } from 'rnn-lab';
import type { Matrix } from 'rnn-lab';
import { encodeValue } from '../protocol/encode';
import type { Decoded } from '../protocol/encode';
import type { CheckDefinition, CheckOutcome } from '../types';
import { shapeProblem } from './shapes';
import type { Shape } from './shapes';

const FEATURES = 6;

/** The parameters of the contract's RNN(10, 6): what trainRnn returns as `rnn`/`params`. */
export const PARAMS_SHAPE: Shape = {
  kind: 'record',
  fields: {
    u: { kind: 'matrix', rows: 10, cols: FEATURES },
    w: { kind: 'matrix', rows: 10, cols: 10 },
    v: { kind: 'vector', length: 10 },
    b: { kind: 'vector', length: 10 },
    c: { kind: 'number' },
  },
};

/** The seed trainRnn is judged with; fixed, so a regrade can never change the verdict (docs/tolerances.md). */
export const CONVERGENCE_SEED = 2024;
export { CONVERGENCE_STEPS, CONVERGENCE_THRESHOLD };

export function stepData(seed: number, rows = 60): Matrix {
  const rng = createRng(seed);
  return Array.from({ length: rows }, () => Array.from({ length: FEATURES }, () => rng.normal(0, 1)));
}

const trainingProtocolCheck: CheckDefinition = {
  id: 'train.protocol',
  target: 'trainRnn',
  title: 'trainRnn returns one finite loss per step and draws its batches from rng',
  points: 3,
  visibility: 'public',
  timeoutMs: 30_000,
  async run(context): Promise<CheckOutcome> {
    const data = stepData(context.seed, 80);
    for (const numSteps of [0, 3]) {
      const answer = await context.runner.call({
        op: 'call',
        fn: 'trainRnn',
        args: [{ value: encodeValue(data) }, { value: numSteps }, { rng: { kind: 'seeded', seed: context.seed } }],
      });
      const value = answer.value as { losses?: Decoded; params?: Decoded } | null;
      const problem = shapeProblem(value?.losses ?? null, { kind: 'vector', length: numSteps });
      if (problem)
        return {
          status: 'failed',
          message: `trainRnn(data, ${numSteps}, rng) should return { rnn, losses } with one finite loss per step: ${problem}.`,
        };
      const paramProblem = shapeProblem(value?.params ?? null, PARAMS_SHAPE);
      if (paramProblem)
        return {
          status: 'failed',
          message: `trainRnn should train a new RNN(10, 6, rng) and return it as \`rnn\`: ${paramProblem}.`,
        };
      const draws = answer.rngLog.filter((call) => call.method === 'int').length;
      if (draws !== 32 * numSteps)
        return {
          status: 'failed',
          message: `trainRnn(data, ${numSteps}, rng) should draw ${32 * numSteps} days (batch size 32 per step, through getRandomDay and rng); it drew ${draws}.`,
        };
    }
    return { status: 'passed', message: '' };
  },
};

const convergenceCheck: CheckDefinition = {
  id: 'train.converges',
  target: 'trainRnn',
  title: `trainRnn converges on the real data: mean of the last 25 of ${CONVERGENCE_STEPS} losses < ${CONVERGENCE_THRESHOLD}`,
  points: 7,
  visibility: 'public',
  timeoutMs: 60_000,
  usesData: true,
  freshProcess: true,
  async run(context): Promise<CheckOutcome> {
    const { argument } = await context.trainData();
    const answer = await context.runner.call({
      op: 'call',
      fn: 'trainRnn',
      args: [argument, { value: CONVERGENCE_STEPS }, { rng: { kind: 'seeded', seed: CONVERGENCE_SEED } }],
    });
    const losses = (answer.value as { losses?: Decoded } | null)?.losses ?? null;
    const problem = shapeProblem(losses, { kind: 'vector', length: CONVERGENCE_STEPS });
    if (problem)
      return {
        status: 'failed',
        message: `trainRnn(train, ${CONVERGENCE_STEPS}, rng) should return ${CONVERGENCE_STEPS} finite losses: ${problem}.`,
      };
    const tail = (losses as number[]).slice(-25);
    const statistic = tail.reduce((a, b) => a + b, 0) / tail.length;
    const curve = losses as number[];
    const params = (answer.value as { params?: Decoded } | null)?.params ?? null;
    const trainedParams =
      shapeProblem(params, PARAMS_SHAPE) === null ? (params as unknown as CheckOutcome['trainedParams']) : undefined;
    if (statistic < CONVERGENCE_THRESHOLD)
      return { status: 'passed', message: `mean of the last 25 losses: ${statistic.toFixed(4)}`, curve, trainedParams };
    return {
      status: 'failed',
      curve,
      trainedParams,
      message: `After ${CONVERGENCE_STEPS} steps (rng seed ${CONVERGENCE_SEED}) the mean of the last 25 losses is ${statistic.toFixed(4)}; it should be below ${CONVERGENCE_THRESHOLD}. If the gradient checks pass, look at doTrainingStep (learning rate 0.01, batch 32, mean gradient) and getRandomDay.`,
    };
  },
};

export const TRAINING_SPEC_CHECKS: CheckDefinition[] = [trainingProtocolCheck, convergenceCheck];
