/**
 * One SGD step judged exactly (scripted generator, so the batch is known).
 *
 * The update it should make is the reference's; or, so that a bug in a building block is not
 * charged again here, the same step computed with the student's own getRandomDay, forward,
 * mseLoss or getGradients wherever one of those failed its own check (./verdicts.ts). A building
 * block that passed its own check is never asked: its answers, asked for right after the judged
 * call, could be made to agree with anything. A step that throws because such a failed block
 * throws on the same batch is not charged either.
 */
import { createRng } from 'rnn-lab';
import type { Matrix, Vector } from 'rnn-lab';
import { decodeValue, encodeValue } from '../protocol/encode';
import type { Decoded } from '../protocol/encode';
import { compareNumeric, SUBMISSION_TOLERANCE } from '../numeric/tolerance';
import type { Numeric } from '../numeric/tolerance';
import type { Params } from '../numeric/model';
import { StudentError } from '../runner';
import type { CheckContext, CheckDefinition } from '../types';
import { quotingRule, RULES } from './rules';
import { referenceRnn } from './cases';
import { checkProperty, seededCases } from './property';
import { paramsShape, shapeProblem } from './shapes';
import type { Shape } from './shapes';
import { failedOwnChecks } from './verdicts';
import { stepData } from './training-spec-checks';
import type { Judgement } from './property';

const HOURS = 24;
const FEATURES = 6;

interface StepCase {
  hiddenSize: number;
  batchSize: number;
  seed: number;
}

function stepParams(hiddenSize: number, seed: number): Params {
  const rng = createRng(seed + 1);
  const draw = (std: number) => () => rng.normal(0, std);
  return {
    u: Array.from({ length: hiddenSize }, () => Array.from({ length: FEATURES }, draw(0.5))),
    w: Array.from({ length: hiddenSize }, () => Array.from({ length: hiddenSize }, draw(0.5 / Math.sqrt(hiddenSize)))),
    v: Array.from({ length: hiddenSize }, draw(1)),
    b: Array.from({ length: hiddenSize }, draw(0.3)),
    c: rng.normal(0, 1),
  };
}

interface Basis {
  loss: number;
  lastLoss: number;
  meanGradient: Params;
}

function averageGradients(gradients: Params[]): Params {
  const n = gradients.length;
  const mean = (pick: (g: Params) => Numeric): Numeric => {
    const add = (a: Numeric, b: Numeric): Numeric =>
      typeof a === 'number' ? a + (b as number) : a.map((entry, i) => add(entry, (b as Numeric[])[i]));
    const scale = (a: Numeric): Numeric => (typeof a === 'number' ? a / n : a.map(scale));
    return scale(gradients.map(pick).reduce(add));
  };
  return {
    c: mean((g) => g.c) as number,
    b: mean((g) => g.b) as Vector,
    v: mean((g) => g.v) as Vector,
    w: mean((g) => g.w) as Matrix,
    u: mean((g) => g.u) as Matrix,
  };
}

function referenceBasis(params: Params, windows: Array<{ x: Matrix; y: number }>): Basis {
  const rnn = referenceRnn(params);
  const losses: number[] = [];
  const gradients = windows.map(({ x, y }) => {
    const { hidden, yHat } = rnn.forward(x);
    losses.push((yHat - y) ** 2);
    return rnn.getGradients(x, y, yHat, hidden);
  });
  return {
    loss: losses.reduce((a, b) => a + b, 0) / losses.length,
    lastLoss: losses[losses.length - 1],
    meanGradient: averageGradients(gradients),
  };
}

/** Check ids whose failure makes the submission's own answers of a building block a possible basis. */
const OWN_CHECKS = {
  getRandomDay: ['data.getRandomDay.window', 'data.getRandomDay.edges'],
  forward: ['forward.shape', 'forward.value'],
  mseLoss: ['loss.mse'],
  // getGradients may rightly pass its own check while composing a wrong gradient function.
  getGradients: [
    'grad.all',
    'grad.h.shape',
    'grad.h.value',
    'grad.c.shape',
    'grad.c.value',
    'grad.b.shape',
    'grad.b.value',
    'grad.v.shape',
    'grad.v.value',
    'grad.w.shape',
    'grad.w.value',
    'grad.u.shape',
    'grad.u.value',
  ],
} as const;

type Block = keyof typeof OWN_CHECKS;

/** Every check of doTrainingStep's building blocks (trainRnn's judge needs them too). */
export const STEP_BUILDING_BLOCK_CHECKS: readonly string[] = Object.values(OWN_CHECKS).flat();

/** The building blocks whose own answers may serve as a basis: those that failed their own checks. */
function trustedBlocks(context: CheckContext): Set<Block> {
  return new Set(
    (Object.keys(OWN_CHECKS) as Block[]).filter((block) => failedOwnChecks(context.runner.executor, OWN_CHECKS[block])),
  );
}

/** A building block of the student threw: the step's own throw is that block's fault, charged by its own check. */
class BlockThrew extends Error {
  constructor(
    readonly block: Block,
    readonly detail: string,
  ) {
    super(`${block} threw ${detail}`);
  }
}

/**
 * The batch's loss and mean gradient with the student's own building blocks where they failed
 * their own checks (so a bug there is not charged again here) and the reference everywhere else.
 * Every answer taken from the student is shape-checked first; an ill-shaped one is no basis.
 */
async function hybridBasis(
  context: CheckContext,
  trusted: Set<Block>,
  params: Params,
  data: Matrix,
  starts: number[],
  seed: number,
): Promise<Basis | undefined> {
  const hiddenSize = params.b.length;
  const setup = { hiddenStateSize: hiddenSize, numFeatures: FEATURES, params };
  const reference = referenceRnn(params);
  const ask = async (block: Block, request: Parameters<CheckContext['runner']['call']>[0]): Promise<Decoded> => {
    try {
      return (await context.runner.call(request)).value;
    } catch (error) {
      if (error instanceof StudentError && !error.fatal)
        throw new BlockThrew(block, `${error.errorName}: ${error.errorMessage}`);
      throw error;
    }
  };
  /** The answer, or undefined where it does not have the shape (an ill-shaped answer is no basis). */
  const askShaped = async (block: Block, request: Parameters<typeof ask>[1], shape: Shape) => {
    const value = await ask(block, request);
    return shapeProblem(value, shape) === null ? value : undefined;
  };
  const losses: number[] = [];
  const gradients: Params[] = [];
  for (const start of starts) {
    let x: Matrix = data.slice(start, start + HOURS);
    let y = data[start + HOURS][1];
    if (trusted.has('getRandomDay')) {
      const day = await askShaped(
        'getRandomDay',
        {
          op: 'call',
          fn: 'getRandomDay',
          args: [{ value: encodeValue(data) }, { rng: { kind: 'scripted', ints: [start], seed } }],
        },
        { kind: 'record', fields: { x: { kind: 'matrix', rows: HOURS, cols: FEATURES }, y: { kind: 'number' } } },
      );
      if (day === undefined) return undefined;
      ({ x, y } = day as unknown as { x: Matrix; y: number });
    }
    let { hidden, yHat } = reference.forward(x);
    if (trusted.has('forward')) {
      const forward = await askShaped(
        'forward',
        { op: 'method', setup, method: 'forward', args: [{ value: encodeValue(x) }] },
        {
          kind: 'record',
          fields: { hidden: { kind: 'matrix', rows: HOURS, cols: hiddenSize }, yHat: { kind: 'number' } },
        },
      );
      if (forward === undefined) return undefined;
      ({ hidden, yHat } = forward as unknown as { hidden: Matrix; yHat: number });
    }
    let loss = (yHat - y) ** 2;
    if (trusted.has('mseLoss')) {
      const own = await ask('mseLoss', {
        op: 'call',
        fn: 'mseLoss',
        args: [{ value: encodeValue(y) }, { value: encodeValue(yHat) }],
      });
      if (typeof own !== 'number') return undefined;
      loss = own;
    }
    let gradient: Params;
    if (trusted.has('getGradients')) {
      const own = await askShaped(
        'getGradients',
        {
          op: 'method',
          setup,
          method: 'getGradients',
          args: [x, y, yHat, hidden].map((value) => ({ value: encodeValue(value) })),
        },
        paramsShape(hiddenSize, FEATURES),
      );
      if (own === undefined) return undefined;
      gradient = own as unknown as Params;
    } else {
      gradient = reference.getGradients(x, y, yHat, hidden);
    }
    losses.push(loss);
    gradients.push(gradient);
  }
  if (losses.some((loss) => !Number.isFinite(loss))) return undefined;
  return {
    loss: losses.reduce((a, b) => a + b, 0) / losses.length,
    lastLoss: losses[losses.length - 1],
    meanGradient: averageGradients(gradients),
  };
}

const PARAM_KEYS = ['c', 'b', 'v', 'w', 'u'] as const;

function expectedAfter(params: Params, gradient: Params, lr: number): Params {
  const step = (value: Numeric, g: Numeric): Numeric =>
    typeof value === 'number' ? value - lr * (g as number) : value.map((entry, i) => step(entry, (g as Numeric[])[i]));
  return {
    c: step(params.c, gradient.c) as number,
    b: step(params.b, gradient.b) as Vector,
    v: step(params.v, gradient.v) as Vector,
    w: step(params.w, gradient.w) as Matrix,
    u: step(params.u, gradient.u) as Matrix,
  };
}

/** The parameters that are not `expected` (float32-tolerant); every one when `actual` is ill-shaped. */
function paramsMatch(actual: Decoded, expected: Params): string[] {
  if (shapeProblem(actual, paramsShape(expected.b.length, FEATURES)) !== null) return [...PARAM_KEYS];
  const got = actual as unknown as Record<string, Numeric>;
  return PARAM_KEYS.filter((key) => !compareNumeric(got[key], expected[key], SUBMISSION_TOLERANCE).ok);
}

const trainingStepCheck: CheckDefinition = {
  id: 'train.step',
  target: 'doTrainingStep',
  title: 'doTrainingStep moves every parameter by -lr × the batch-mean gradient and returns the batch-mean loss',
  points: 6,
  visibility: 'hidden',
  timeoutMs: 30_000,
  async run(context) {
    // Cases not charged because a failed building block threw on them; a step that could be judged on no case at all does not pass.
    let judged = 0;
    let excused: BlockThrew | undefined;
    const outcome = await checkProperty(
      context,
      {
        arbitrary: seededCases({ hiddenSize: [1, 6], batchSize: [1, 5] }),
        examples: [{ hiddenSize: 3, batchSize: 3, seed: 1 }],
        describe: (c: StepCase) =>
          `H=${c.hiddenSize}, batch of ${c.batchSize} on a 60-row data set (case seed ${c.seed})`,
      },
      async ({ hiddenSize, batchSize, seed }): Promise<Judgement | null> => {
        const data = stepData(seed);
        const params = stepParams(hiddenSize, seed);
        const lr = 0.05;
        const pick = createRng(seed + 2);
        const starts = Array.from({ length: batchSize }, () => pick.int(data.length - HOURS));
        const setup = { hiddenStateSize: hiddenSize, numFeatures: FEATURES, params };
        const windows = starts.map((start) => ({ x: data.slice(start, start + HOURS), y: data[start + HOURS][1] }));
        // The student's own building blocks, where they failed their own checks, are asked first:
        // before the judged call, so their answers cannot be fitted to it afterwards.
        const trusted = trustedBlocks(context);
        let hybrid: Basis | undefined;
        let blockThrew: BlockThrew | undefined;
        if (trusted.size > 0) {
          hybrid = await hybridBasis(context, trusted, params, data, starts, seed).catch((error: unknown) => {
            if (error instanceof BlockThrew) return void (blockThrew = error);
            throw error;
          });
        }
        let answer: Awaited<ReturnType<typeof context.runner.call>>;
        try {
          answer = await context.runner.call({
            op: 'call',
            fn: 'doTrainingStep',
            args: [
              { value: null },
              { value: encodeValue(data) },
              { value: batchSize },
              { value: lr },
              { rng: { kind: 'scripted', ints: starts, seed } },
            ],
            rnnArg: { index: 0, setup },
          });
        } catch (error) {
          // A building block that failed its own check threw on this very batch: that throw is charged there.
          if (error instanceof StudentError && !error.fatal && blockThrew) {
            excused = blockThrew;
            return null;
          }
          throw error;
        }
        judged++;
        const paramsAfter = decodeValue(answer.after.params ?? null);
        const ints = answer.rngLog.filter((call) => call.method === 'int').length;
        if (ints !== batchSize)
          return {
            status: 'failed',
            message: `With batchSize = ${batchSize}, doTrainingStep should draw ${batchSize} days with getRandomDay (one rng.int call each); it drew ${ints}.`,
          };
        const bases = [referenceBasis(params, windows), hybrid].filter((b): b is Basis => b !== undefined);
        for (const basis of bases) {
          const lossOk =
            typeof answer.value === 'number' && compareNumeric(answer.value, basis.loss, SUBMISSION_TOLERANCE).ok;
          if (lossOk && paramsMatch(paramsAfter, expectedAfter(params, basis.meanGradient, lr)).length === 0)
            return null;
        }
        const basis = bases[0];
        const wrongParams = paramsMatch(paramsAfter, expectedAfter(params, basis.meanGradient, lr));
        const hints: string[] = [];
        if (typeof answer.value !== 'number' || !compareNumeric(answer.value, basis.loss, SUBMISSION_TOLERANCE).ok) {
          const lastOnly =
            typeof answer.value === 'number' &&
            batchSize > 1 &&
            compareNumeric(answer.value, basis.lastLoss, SUBMISSION_TOLERANCE).ok;
          hints.push(
            `it returned ${String(answer.value)} but the mean loss over the batch is ${basis.loss.toPrecision(6)}` +
              (lastOnly
                ? ' (you returned the loss of the last sample only, as the original notebook does: return the mean over the batch)'
                : ''),
          );
        }
        if (wrongParams.length) {
          const summed =
            batchSize > 1 &&
            paramsMatch(paramsAfter, expectedAfter(params, averageGradients([basis.meanGradient]), lr * batchSize))
              .length === 0;
          const ascent = paramsMatch(paramsAfter, expectedAfter(params, basis.meanGradient, -lr)).length === 0;
          hints.push(
            `the parameters ${wrongParams.join(', ')} were not moved by −lr × the batch-mean gradient` +
              (summed
                ? ' (they moved by the sum of the gradients: divide by the batch size)'
                : ascent
                  ? ' (they moved uphill: subtract lr × gradient)'
                  : ''),
          );
        }
        return { status: 'failed', message: `doTrainingStep: ${hints.join('; and ')}.` };
      },
    );
    if (outcome.status === 'passed' && judged === 0 && excused) {
      return {
        status: 'error',
        message: `doTrainingStep could not be judged: on every batch it threw, and so did ${excused.block}, which it builds on (${excused.detail}); that is charged by ${excused.block}'s own checks.`,
      };
    }
    return outcome;
  },
};

export const TRAINING_STEP_CHECKS: CheckDefinition[] = [quotingRule(trainingStepCheck, RULES.doTrainingStep)];
