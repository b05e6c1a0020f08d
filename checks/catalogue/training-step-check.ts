/**
 * One SGD step judged exactly (scripted generator, so the batch is known).
 *
 * doTrainingStep is judged against its own building blocks: the update it should make is
 * computed from the student's getRandomDay, forward and getGradients when they work (so a bug
 * in one of those is not counted again here), or from the reference when they do not; either
 * basis passes.
 */
import fc from 'fast-check';
import { createRng } from 'rnn-lab';
import type { Matrix, Vector } from 'rnn-lab';
import { decodeValue, encodeValue } from '../protocol/encode';
import type { Decoded } from '../protocol/encode';
import { compareNumeric, SUBMISSION_TOLERANCE } from '../numeric/tolerance';
import type { Numeric } from '../numeric/tolerance';
import type { Params } from '../numeric/model';
import { StudentError } from '../runner';
import type { CheckContext, CheckDefinition } from '../types';
import { referenceRnn } from './cases';
import { checkProperty } from './property';
import { shapeProblem } from './shapes';
import { stepData } from './training-spec-checks';
import type { Judgement } from './property';

const HOURS = 24;
const FEATURES = 6;

/** The seed trainRnn is judged with; fixed, so a regrade can never change the verdict (docs/tolerances.md). */
export const CONVERGENCE_SEED = 2024;
export const CONVERGENCE_STEPS = 500;
export const CONVERGENCE_THRESHOLD = 0.075;

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
    const add = (a: Numeric, b: Numeric): Numeric => (typeof a === 'number' ? a + (b as number) : a.map((entry, i) => add(entry, (b as Numeric[])[i])));
    const scale = (a: Numeric): Numeric => (typeof a === 'number' ? a / n : a.map(scale));
    return scale(gradients.map(pick).reduce(add));
  };
  return { c: mean((g) => g.c) as number, b: mean((g) => g.b) as Vector, v: mean((g) => g.v) as Vector, w: mean((g) => g.w) as Matrix, u: mean((g) => g.u) as Matrix };
}

function referenceBasis(params: Params, windows: Array<{ x: Matrix; y: number }>): Basis {
  const rnn = referenceRnn(params);
  const losses: number[] = [];
  const gradients = windows.map(({ x, y }) => {
    const { hidden, yHat } = rnn.forward(x);
    losses.push((yHat - y) ** 2);
    return rnn.getGradients(x, y, yHat, hidden) as Params;
  });
  return { loss: losses.reduce((a, b) => a + b, 0) / losses.length, lastLoss: losses[losses.length - 1], meanGradient: averageGradients(gradients) };
}

/** The same, from the student's own getRandomDay, forward, mseLoss and getGradients; undefined if one of them fails. */
async function studentBasis(context: CheckContext, params: Params, data: Matrix, starts: number[], seed: number): Promise<Basis | undefined> {
  try {
    const setup = { hiddenStateSize: params.b.length, numFeatures: FEATURES, params };
    const losses: number[] = [];
    const gradients: Params[] = [];
    for (const start of starts) {
      const day = await context.runner.call({ op: 'call', fn: 'getRandomDay', args: [{ value: encodeValue(data) }, { rng: { kind: 'scripted', ints: [start], seed } }] });
      const { x, y } = day.value as unknown as { x: Matrix; y: number };
      const forward = await context.runner.call({ op: 'method', setup, method: 'forward', args: [{ value: encodeValue(x) }] });
      const { hidden, yHat } = forward.value as unknown as { hidden: Matrix; yHat: number };
      const grads = await context.runner.call({ op: 'method', setup, method: 'getGradients', args: [x, y, yHat, hidden].map((value) => ({ value: encodeValue(value) })) });
      if (shapeProblem(grads.value, { kind: 'record', fields: { c: { kind: 'number' } } }) !== null) return undefined;
      const loss = await context.runner.call({ op: 'call', fn: 'mseLoss', args: [{ value: encodeValue(y) }, { value: encodeValue(yHat) }] });
      if (typeof loss.value !== 'number') return undefined;
      losses.push(loss.value);
      gradients.push(grads.value as unknown as Params);
    }
    if (losses.some((loss) => !Number.isFinite(loss))) return undefined;
    return { loss: losses.reduce((a, b) => a + b, 0) / losses.length, lastLoss: losses[losses.length - 1], meanGradient: averageGradients(gradients) };
  } catch (error) {
    if (error instanceof StudentError && !error.fatal) return undefined;
    throw error;
  }
}

const PARAM_KEYS = ['c', 'b', 'v', 'w', 'u'] as const;

function expectedAfter(params: Params, gradient: Params, lr: number): Params {
  const step = (value: Numeric, g: Numeric): Numeric => (typeof value === 'number' ? value - lr * (g as number) : value.map((entry, i) => step(entry, (g as Numeric[])[i])));
  return { c: step(params.c, gradient.c) as number, b: step(params.b, gradient.b) as Vector, v: step(params.v, gradient.v) as Vector, w: step(params.w, gradient.w) as Matrix, u: step(params.u, gradient.u) as Matrix };
}

function paramsMatch(actual: Decoded, expected: Params): string[] {
  const got = actual as unknown as Record<string, Numeric>;
  return PARAM_KEYS.filter((key) => got === null || got === undefined || shapeProblem(got[key] as Decoded, shapeOf(expected[key])) !== null || !compareNumeric(got[key], expected[key], SUBMISSION_TOLERANCE).ok);
}

function shapeOf(value: Numeric): Parameters<typeof shapeProblem>[1] {
  if (typeof value === 'number') return { kind: 'number' };
  if (typeof value[0] === 'number') return { kind: 'vector', length: value.length };
  return { kind: 'matrix', rows: value.length, cols: (value[0] as number[]).length };
}

const trainingStepCheck: CheckDefinition = {
  id: 'train.step',
  target: 'doTrainingStep',
  title: 'doTrainingStep moves every parameter by -lr × the batch-mean gradient and returns the batch-mean loss',
  points: 6,
  visibility: 'hidden',
  timeoutMs: 30_000,
  run: (context) =>
    checkProperty(
      context,
      {
        arbitrary: fc.record({ hiddenSize: fc.integer({ min: 1, max: 6 }), batchSize: fc.integer({ min: 1, max: 5 }), seed: fc.integer({ min: 0, max: 0x7fffffff }) }),
        examples: [{ hiddenSize: 3, batchSize: 3, seed: 1 }],
        describe: (c: StepCase) => `H=${c.hiddenSize}, batch of ${c.batchSize} on a 60-row data set (case seed ${c.seed})`,
      },
      async ({ hiddenSize, batchSize, seed }): Promise<Judgement | null> => {
        const data = stepData(seed);
        const params = stepParams(hiddenSize, seed);
        const lr = 0.05;
        const pick = createRng(seed + 2);
        const starts = Array.from({ length: batchSize }, () => pick.int(data.length - HOURS));
        const setup = { hiddenStateSize: hiddenSize, numFeatures: FEATURES, params };
        const answer = await context.runner.call({
          op: 'call',
          fn: 'doTrainingStep',
          args: [{ value: null }, { value: encodeValue(data) }, { value: batchSize }, { value: lr }, { rng: { kind: 'scripted', ints: starts, seed } }],
          rnnArg: { index: 0, setup },
        });
        const paramsAfter = decodeValue(answer.after.params ?? null);
        const ints = answer.rngLog.filter((call) => call.method === 'int').length;
        if (ints !== batchSize) return { status: 'failed', message: `With batchSize = ${batchSize}, doTrainingStep should draw ${batchSize} days with getRandomDay (one rng.int call each); it drew ${ints}.` };
        const windows = starts.map((start) => ({ x: data.slice(start, start + HOURS), y: data[start + HOURS][1] }));
        const bases = [await studentBasis(context, params, data, starts, seed), referenceBasis(params, windows)].filter((b): b is Basis => b !== undefined);
        for (const basis of bases) {
          const lossOk = typeof answer.value === 'number' && compareNumeric(answer.value, basis.loss, SUBMISSION_TOLERANCE).ok;
          if (lossOk && paramsMatch(paramsAfter, expectedAfter(params, basis.meanGradient, lr)).length === 0) return null;
        }
        const basis = bases[0];
        const wrongParams = paramsMatch(paramsAfter, expectedAfter(params, basis.meanGradient, lr));
        const hints: string[] = [];
        if (typeof answer.value !== 'number' || !compareNumeric(answer.value, basis.loss, SUBMISSION_TOLERANCE).ok) {
          const lastOnly = typeof answer.value === 'number' && batchSize > 1 && compareNumeric(answer.value, basis.lastLoss, SUBMISSION_TOLERANCE).ok;
          hints.push(`it returned ${String(answer.value)} but the mean loss over the batch is ${basis.loss.toPrecision(6)}` + (lastOnly ? ' (you returned the loss of the last sample only, as the original notebook does: return the mean over the batch)' : ''));
        }
        if (wrongParams.length) {
          const summed = batchSize > 1 && paramsMatch(paramsAfter, expectedAfter(params, averageGradients([basis.meanGradient]), lr * batchSize)).length === 0;
          const ascent = paramsMatch(paramsAfter, expectedAfter(params, basis.meanGradient, -lr)).length === 0;
          hints.push(
            `the parameters ${wrongParams.join(', ')} were not moved by −lr × the batch-mean gradient` +
              (summed ? ' (they moved by the sum of the gradients: divide by the batch size)' : ascent ? ' (they moved uphill: subtract lr × gradient)' : ''),
          );
        }
        return { status: 'failed', message: `doTrainingStep: ${hints.join('; and ')}.` };
      },
    ),
};

export const TRAINING_STEP_CHECKS: CheckDefinition[] = [trainingStepCheck];
