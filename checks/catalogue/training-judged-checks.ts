/**
 * The grader's training checks: train.protocol and train.converges judged from the network
 * trainRnn returns, never from its own account of its training (its losses, its Rng calls).
 *
 * - train.protocol: with 0 steps the returned network must be the RNN(10, 6, rng) the reference
 *   draws from the same seeded generator; with 3 steps it must be the network (and the losses)
 *   of 3 reference steps of batch 32 at learning rate 0.01 from that generator. This also fixes
 *   trainRnn's learning rate and batch size, which no other check sees.
 * - train.converges: the reported curve must pass the notebook's mark AND the judge's own MSE of
 *   the returned network over the training split must pass (checks/catalogue/training-evaluation.ts).
 *
 * The handout ships the contract-only versions (./training-spec-checks.ts): they hold no
 * solution code, and a student can only fool their own copy.
 */
import { createRng } from 'rnn-lab';
import type { Matrix } from 'rnn-lab';
import { doTrainingStep as referenceStep, RNN as ReferenceRnn, trainRnn as referenceTrain } from '../../reference/rnn';
import { decodeValue, encodeValue } from '../protocol/encode';
import type { Decoded } from '../protocol/encode';
import type { RngCall } from '../protocol/requests';
import { compareNumeric, SUBMISSION_TOLERANCE } from '../numeric/tolerance';
import type { Numeric } from '../numeric/tolerance';
import { cloneParams } from '../numeric/model';
import type { Params } from '../numeric/model';
import type { Answer } from '../runner';
import type { CheckContext, CheckDefinition, CheckOutcome } from '../types';
import { quotingRule, RULES } from './rules';
import { shapeProblem } from './shapes';
import {
  CONVERGENCE_SEED,
  CONVERGENCE_STEPS,
  CONVERGENCE_THRESHOLD,
  PARAMS_SHAPE,
  stepData,
} from './training-spec-checks';
import { DEFAULT_CONVERGENCE } from './convergence-settings';
import { EVALUATION_WINDOWS, trainingMse } from './training-evaluation';
import { STEP_BUILDING_BLOCK_CHECKS } from './training-step-check';
import { failedOwnChecks } from './verdicts';

const STEP_DEPENDENCIES = ['train.step', ...STEP_BUILDING_BLOCK_CHECKS];

/**
 * The judge's MSE of the returned network over the training windows must be below this. The
 * reference reaches 0.038–0.044 over 50 training seeds (bench/convergence-calibration.ts,
 * docs/tolerances.md); an untrained network sits at 1.0 (standardized units).
 */
export const MODEL_MSE_THRESHOLD = CONVERGENCE_THRESHOLD;

/** Steps of train.protocol's comparison with the reference's own training. */
export const PROTOCOL_STEPS = 3;

const PARAM_KEYS = ['c', 'b', 'v', 'w', 'u'] as const;

/** The parameters that differ from `expected` (float32-tolerant), all of them if `actual` is ill-shaped. */
function differingParams(actual: Decoded, expected: Params): string[] {
  if (shapeProblem(actual, PARAMS_SHAPE) !== null) return [...PARAM_KEYS];
  const got = actual as unknown as Params;
  return PARAM_KEYS.filter(
    (key) => !compareNumeric(got[key] as Numeric, expected[key] as Numeric, SUBMISSION_TOLERANCE).ok,
  );
}

function lossesDiffer(actual: Decoded, expected: number[]): boolean {
  return (
    shapeProblem(actual, { kind: 'vector', length: expected.length }) !== null ||
    (expected.length > 0 && !compareNumeric(actual as number[], expected, SUBMISSION_TOLERANCE).ok)
  );
}

interface TrainAnswer {
  losses: Decoded;
  params: Decoded;
  ints: number[];
}

async function callTrain(context: CheckContext, data: Matrix, numSteps: number, seed: number): Promise<TrainAnswer> {
  const answer: Answer = await context.runner.call({
    op: 'call',
    fn: 'trainRnn',
    args: [{ value: encodeValue(data) }, { value: numSteps }, { rng: { kind: 'seeded', seed } }],
  });
  const value = answer.value as { losses?: Decoded; params?: Decoded } | null;
  return {
    losses: (value?.losses ?? null) as Decoded,
    params: (value?.params ?? null) as Decoded,
    ints: answer.rngLog.filter((call: RngCall) => call.method === 'int').map((call) => call.result),
  };
}

/** The reference's training from the same seeded generator, at a learning rate of its choice. */
function referenceTraining(
  data: Matrix,
  numSteps: number,
  seed: number,
  lr = 0.01,
): { params: Params; losses: number[] } {
  if (lr === 0.01) {
    const { rnn, losses } = referenceTrain(data, numSteps, createRng(seed));
    return { params: cloneParams(rnn), losses };
  }
  const rng = createRng(seed);
  const rnn = new ReferenceRnn(10, 6, rng);
  const losses = Array.from({ length: numSteps }, () => referenceStep(rnn, data, 32, lr, rng));
  return { params: cloneParams(rnn), losses };
}

/**
 * The same steps taken by the submission's own doTrainingStep (batch 32, lr 0.01, the days its
 * trainRnn drew), from `start`: the basis when doTrainingStep failed its own check, so that its
 * bug is charged there and not again here. Undefined when it throws or answers ill-shaped.
 */
async function ownSteps(
  context: CheckContext,
  data: Matrix,
  start: Params,
  ints: number[],
  numSteps: number,
): Promise<{ params: Params; losses: number[] } | undefined> {
  let params = start;
  const losses: number[] = [];
  try {
    for (let step = 0; step < numSteps; step++) {
      const answer = await context.runner.call({
        op: 'call',
        fn: 'doTrainingStep',
        args: [
          { value: null },
          { value: encodeValue(data) },
          { value: 32 },
          { value: 0.01 },
          { rng: { kind: 'scripted', ints: ints.slice(32 * step, 32 * step + 32), seed: 0 } },
        ],
        rnnArg: { index: 0, setup: { hiddenStateSize: 10, numFeatures: 6, params } },
      });
      const decoded = decodeValue(answer.after.params ?? null);
      if (shapeProblem(decoded, PARAMS_SHAPE) !== null || typeof answer.value !== 'number') return undefined;
      params = decoded as unknown as Params;
      losses.push(answer.value);
    }
    return { params, losses };
  } catch {
    return undefined;
  }
}

const LR_HINTS = [0.001, 0.005, 0.02, 0.05, 0.1, -0.01];

const trainingProtocolCheck: CheckDefinition = {
  id: 'train.protocol',
  target: 'trainRnn',
  title:
    'trainRnn returns one finite loss per step and trains a new RNN(10, 6, rng) with batch 32 and learning rate 0.01',
  points: 3,
  visibility: 'public',
  timeoutMs: 30_000,
  async run(context): Promise<CheckOutcome> {
    const data = stepData(context.seed, 80);
    const seed = context.seed;
    const executor = context.runner.executor;

    // 0 steps: the network RNN(10, 6, rng) draws, untouched.
    const fresh = await callTrain(context, data, 0, seed);
    const problem0 = shapeProblem(fresh.losses, { kind: 'vector', length: 0 });
    if (problem0)
      return {
        status: 'failed',
        message: `trainRnn(data, 0, rng) should return { rnn, losses } with one finite loss per step: ${problem0}.`,
      };
    const shape0 = shapeProblem(fresh.params, PARAMS_SHAPE);
    if (shape0)
      return {
        status: 'failed',
        message: `trainRnn should train a new RNN(10, 6, rng) and return it as \`rnn\`: ${shape0}.`,
      };
    if (fresh.ints.length !== 0)
      return {
        status: 'failed',
        message: `trainRnn(data, 0, rng) should draw no days (batch size 32 per step, through getRandomDay and rng); it drew ${fresh.ints.length}.`,
      };
    const referenceInit = referenceTraining(data, 0, seed).params;
    let initBasis = referenceInit;
    if (differingParams(fresh.params, referenceInit).length > 0) {
      // A constructor that failed its own check is charged there: its network is then the basis.
      const own = failedOwnChecks(executor, ['rnn.constructor'])
        ? await context.runner
            .call({ op: 'construct', hiddenStateSize: 10, numFeatures: 6, rng: { kind: 'seeded', seed } })
            .then(
              (answer) => answer.value,
              () => null,
            )
        : null;
      if (own === null || differingParams(fresh.params, own as unknown as Params).length > 0) {
        return {
          status: 'failed',
          message: `trainRnn(data, 0, rng) should return the new RNN(10, 6, rng) it created, untrained: its ${differingParams(fresh.params, referenceInit).join(', ')} are not what RNN(10, 6, rng) draws from the same generator (u, w, v from Normal(0, 0.001) in that order, b = 0, c = 0).`,
        };
      }
      initBasis = own as unknown as Params;
    }

    // A few steps: the network and losses of the reference's own training from the same generator.
    const trained = await callTrain(context, data, PROTOCOL_STEPS, seed);
    const problem = shapeProblem(trained.losses, { kind: 'vector', length: PROTOCOL_STEPS });
    if (problem)
      return {
        status: 'failed',
        message: `trainRnn(data, ${PROTOCOL_STEPS}, rng) should return { rnn, losses } with one finite loss per step: ${problem}.`,
      };
    const shape = shapeProblem(trained.params, PARAMS_SHAPE);
    if (shape)
      return {
        status: 'failed',
        message: `trainRnn should train a new RNN(10, 6, rng) and return it as \`rnn\`: ${shape}.`,
      };
    if (trained.ints.length !== 32 * PROTOCOL_STEPS) {
      return {
        status: 'failed',
        message: `trainRnn(data, ${PROTOCOL_STEPS}, rng) should draw ${32 * PROTOCOL_STEPS} days (batch size 32 per step, through getRandomDay and rng); it drew ${trained.ints.length}.`,
      };
    }
    const reference = referenceTraining(data, PROTOCOL_STEPS, seed);
    if (
      differingParams(trained.params, reference.params).length === 0 &&
      !lossesDiffer(trained.losses, reference.losses)
    )
      return { status: 'passed', message: '' };
    // doTrainingStep, a block it builds on, or the constructor failed its own check: the submission's
    // own steps are then the basis, so that bug is not charged twice. (A block that passed its
    // check is never the reason: then only the reference counts, which also fixes lr and batch.)
    if (initBasis !== referenceInit || STEP_DEPENDENCIES.some((id) => failedOwnChecks(executor, [id]))) {
      const own = await ownSteps(context, data, initBasis, trained.ints, PROTOCOL_STEPS);
      if (own && differingParams(trained.params, own.params).length === 0 && !lossesDiffer(trained.losses, own.losses))
        return { status: 'passed', message: '' };
    }
    const wrong = differingParams(trained.params, reference.params);
    const lr = LR_HINTS.find(
      (rate) =>
        differingParams(trained.params, referenceTraining(data, PROTOCOL_STEPS, seed, rate).params).length === 0,
    );
    const parts: string[] = [];
    if (wrong.length > 0)
      parts.push(
        `its network's ${wrong.join(', ')} differ from ${PROTOCOL_STEPS} steps of doTrainingStep(rnn, data, 32, 0.01, rng) on the RNN(10, 6, rng) it created` +
          (lr !== undefined ? ` (they match learning rate ${lr}: the contract fixes 0.01)` : ''),
      );
    if (lossesDiffer(trained.losses, reference.losses))
      parts.push(
        `its losses are not the values doTrainingStep returned at each step (expected ${reference.losses.map((l) => l.toPrecision(5)).join(', ')})`,
      );
    return {
      status: 'failed',
      message: `trainRnn(data, ${PROTOCOL_STEPS}, rng), compared with the same training done by the grader from the same generator: ${parts.join('; and ')}.`,
    };
  },
};

const convergenceCheck: CheckDefinition = {
  id: 'train.converges',
  target: 'trainRnn',
  title: `trainRnn converges on the real data: the returned network's MSE on the training split < ${MODEL_MSE_THRESHOLD}, and the mean of the last 25 of ${CONVERGENCE_STEPS} reported losses < ${CONVERGENCE_THRESHOLD}`,
  points: 7,
  visibility: 'public',
  timeoutMs: 60_000,
  usesData: true,
  freshProcess: true,
  async run(context): Promise<CheckOutcome> {
    // A rubric may choose fewer steps with their own calibrated pass mark (convergence-settings.ts).
    // The same mark bounds the judge's MSE of the returned network: at the end of training it is
    // at most about the mean of the last 25 step losses (docs/tolerances.md).
    const { steps, threshold } = context.convergence ?? DEFAULT_CONVERGENCE;
    const { matrix, argument } = await context.trainData();
    const answer = await context.runner.call({
      op: 'call',
      fn: 'trainRnn',
      args: [argument, { value: steps }, { rng: { kind: 'seeded', seed: CONVERGENCE_SEED } }],
    });
    const value = answer.value as { losses?: Decoded; params?: Decoded } | null;
    const losses = value?.losses ?? null;
    const problem = shapeProblem(losses, { kind: 'vector', length: steps });
    if (problem)
      return {
        status: 'failed',
        message: `trainRnn(train, ${steps}, rng) should return ${steps} finite losses: ${problem}.`,
      };
    const params = value?.params ?? null;
    const paramProblem = shapeProblem(params, PARAMS_SHAPE);
    if (paramProblem)
      return {
        status: 'failed',
        message: `trainRnn should return the network it trained as \`rnn\` (an RNN(10, 6)): ${paramProblem}.`,
      };
    const curve = losses as number[];
    const trainedParams = params as unknown as NonNullable<CheckOutcome['trainedParams']>;
    const tail = curve.slice(-25);
    const reported = tail.reduce((a, b) => a + b, 0) / tail.length;
    const model = trainingMse(trainedParams, matrix);
    const curveOk = reported < threshold;
    const modelOk = model < threshold; // false for NaN
    const modelText = `the grader's own MSE of the returned network over ${EVALUATION_WINDOWS} windows of the training split is ${formatStatistic(model)}`;
    const setting = `After ${steps} steps (rng seed ${CONVERGENCE_SEED})`;
    if (curveOk && modelOk)
      return {
        status: 'passed',
        message: `mean of the last 25 losses: ${reported.toFixed(4)}; ${modelText}`,
        curve,
        trainedParams,
      };
    const fail = (message: string): CheckOutcome => ({ status: 'failed', message, curve, trainedParams });
    if (curveOk) {
      return fail(
        `${setting} the reported losses say the network converged (mean of the last 25: ${reported.toFixed(4)}), but they disagree with the network trainRnn returned: ${modelText}; it should be below ${threshold}. ` +
          'trainRnn must return the network it trained as `rnn`, and losses[i] must be what doTrainingStep returned at step i.',
      );
    }
    if (modelOk) {
      return fail(
        `${setting} the returned network predicts well (${modelText}), but the reported losses do not show it: the mean of the last 25 is ${formatStatistic(reported)}; it should be below ${threshold}. losses[i] must be what doTrainingStep returned at step i.`,
      );
    }
    return fail(
      `${setting} the mean of the last 25 losses is ${formatStatistic(reported)} (it should be below ${threshold}) and ${modelText} (it should be below ${threshold}). If the gradient checks pass, look at doTrainingStep (learning rate 0.01, batch 32, mean gradient) and getRandomDay.`,
    );
  },
};

function formatStatistic(value: number): string {
  return Number.isFinite(value) ? (Math.abs(value) >= 1e4 ? value.toExponential(2) : value.toFixed(4)) : String(value);
}

export const TRAINING_JUDGED_CHECKS: CheckDefinition[] = [
  quotingRule(trainingProtocolCheck, RULES.trainRnn),
  convergenceCheck,
];
