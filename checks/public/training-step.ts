/**
 * The public version of train.step: doTrainingStep on fixed, stored cases (a scripted rng picks
 * the batch), judged against numbers the reference computed at `npm run assign`, so no solution
 * code ships. As in the grader, a step that is right for the student's own getRandomDay, forward,
 * getGradients and mseLoss also passes (a bug in one of those is charged by its own checks), and
 * the stored outcomes of the classic mistakes (summed gradients, last sample's loss, ascent) name
 * the likely one.
 */
import type { Matrix } from 'rnn-lab';
import { decodeValue, encodeValue } from '../protocol/encode';
import type { Decoded } from '../protocol/encode';
import { compareNumeric, SUBMISSION_TOLERANCE } from '../numeric/tolerance';
import type { Numeric } from '../numeric/tolerance';
import { StudentError } from '../runner';
import type { CheckContext, CheckDefinition, CheckOutcome } from '../types';
import { paramsShape, shapeProblem } from '../catalogue/shapes';
import { ruleSentence } from '../catalogue/rules';

export interface StepParams {
  u: number[][];
  w: number[][];
  v: number[];
  b: number[];
  c: number;
}

/** One stored step: its inputs, and what the step gives when right and for each known mistake. */
export interface StepProbe {
  describe: string;
  hiddenSize: number;
  numFeatures: number;
  batchSize: number;
  lr: number;
  data: Matrix;
  /** What the scripted rng answers to the batch's rng.int calls. */
  starts: number[];
  seed: number;
  params: StepParams;
  expected: { loss: number; params: StepParams };
  mistakes: Array<{ id: string; says: string; loss: number; params: StepParams }>;
}

export const STEP_RULE =
  "doTrainingStep samples batchSize random days by calling getRandomDay(data, rng) that many times in order, averages each parameter's gradient over the batch, takes one SGD step on every parameter and returns the mean loss over the batch";

const KEYS = ['c', 'b', 'v', 'w', 'u'] as const;

/** Parameters that are not where `expected` puts them (empty: all are). */
function wrongParameters(actual: Decoded, expected: StepParams): string[] {
  const got = actual as unknown as Record<string, Decoded> | null;
  return KEYS.filter((key) => {
    const value = got?.[key];
    const want = expected[key] as Numeric;
    const shape =
      typeof want === 'number'
        ? { kind: 'number' as const }
        : typeof want[0] === 'number'
          ? { kind: 'vector' as const, length: want.length }
          : { kind: 'matrix' as const, rows: want.length, cols: (want[0] as number[]).length };
    return (
      value === undefined ||
      shapeProblem(value, shape) !== null ||
      !compareNumeric(value as Numeric, want, SUBMISSION_TOLERANCE).ok
    );
  });
}

const near = (a: unknown, b: number) => typeof a === 'number' && compareNumeric(a, b, SUBMISSION_TOLERANCE).ok;

/** The step the student's own building blocks give, or undefined when one of them fails. */
async function ownStep(
  context: CheckContext,
  probe: StepProbe,
): Promise<{ loss: number; params: StepParams } | undefined> {
  const setup = { hiddenStateSize: probe.hiddenSize, numFeatures: probe.numFeatures, params: probe.params };
  const encoded = (value: unknown) => ({ value: encodeValue(value) });
  try {
    let loss = 0;
    const sum: StepParams = {
      c: 0,
      b: probe.params.b.map(() => 0),
      v: probe.params.v.map(() => 0),
      w: probe.params.w.map((row) => row.map(() => 0)),
      u: probe.params.u.map((row) => row.map(() => 0)),
    };
    for (const start of probe.starts) {
      const day = (
        await context.runner.call({
          op: 'call',
          fn: 'getRandomDay',
          args: [encoded(probe.data), { rng: { kind: 'scripted', ints: [start], seed: probe.seed } }],
        })
      ).value as unknown as { x: Matrix; y: number };
      const forward = (await context.runner.call({ op: 'method', setup, method: 'forward', args: [encoded(day.x)] }))
        .value as unknown as { hidden: Matrix; yHat: number };
      const grads = (
        await context.runner.call({
          op: 'method',
          setup,
          method: 'getGradients',
          args: [day.x, day.y, forward.yHat, forward.hidden].map(encoded),
        })
      ).value as unknown as StepParams;
      const sampleLoss = (
        await context.runner.call({ op: 'call', fn: 'mseLoss', args: [encoded(day.y), encoded(forward.yHat)] })
      ).value;
      if (
        typeof sampleLoss !== 'number' ||
        !Number.isFinite(sampleLoss) ||
        shapeProblem(grads as unknown as Decoded, paramsShape(probe.hiddenSize, probe.numFeatures)) !== null
      )
        return undefined;
      loss += sampleLoss;
      sum.c += grads.c;
      sum.b = sum.b.map((value, i) => value + grads.b[i]);
      sum.v = sum.v.map((value, i) => value + grads.v[i]);
      sum.w = sum.w.map((row, i) => row.map((value, k) => value + grads.w[i][k]));
      sum.u = sum.u.map((row, i) => row.map((value, j) => value + grads.u[i][j]));
    }
    const n = probe.starts.length;
    const step = (value: number, gradient: number) => value - (probe.lr * gradient) / n;
    const p = probe.params;
    return {
      loss: loss / n,
      params: {
        c: step(p.c, sum.c),
        b: p.b.map((value, i) => step(value, sum.b[i])),
        v: p.v.map((value, i) => step(value, sum.v[i])),
        w: p.w.map((row, i) => row.map((value, k) => step(value, sum.w[i][k]))),
        u: p.u.map((row, i) => row.map((value, j) => step(value, sum.u[i][j]))),
      },
    };
  } catch (error) {
    if (error instanceof StudentError && !error.fatal) return undefined;
    throw error;
  }
}

export function trainingStepCheck(id: string, title: string, points: number, probes: StepProbe[]): CheckDefinition {
  return {
    id,
    target: 'doTrainingStep',
    title,
    points,
    visibility: 'public',
    timeoutMs: 30_000,
    async run(context): Promise<CheckOutcome> {
      for (const probe of probes) {
        const answer = await context.runner.call({
          op: 'call',
          fn: 'doTrainingStep',
          args: [
            { value: null },
            { value: encodeValue(probe.data) },
            { value: probe.batchSize },
            { value: probe.lr },
            { rng: { kind: 'scripted', ints: probe.starts, seed: probe.seed } },
          ],
          rnnArg: {
            index: 0,
            setup: { hiddenStateSize: probe.hiddenSize, numFeatures: probe.numFeatures, params: probe.params },
          },
        });
        const after = decodeValue(answer.after.params ?? null);
        const ints = answer.rngLog.filter((call) => call.method === 'int').length;
        const rule = ruleSentence(STEP_RULE);
        if (ints !== probe.batchSize)
          return fail(
            probe,
            `With batchSize = ${probe.batchSize}, doTrainingStep drew ${ints} day(s) (rng.int calls); it should draw ${probe.batchSize}. ${rule}`,
          );
        const right = (basis: { loss: number; params: StepParams }) =>
          near(answer.value, basis.loss) && wrongParameters(after, basis.params).length === 0;
        if (right(probe.expected)) continue;
        const own = await ownStep(context, probe);
        if (own && right(own)) continue;
        const basis = own ?? probe.expected;
        const problems: string[] = [];
        if (!near(answer.value, basis.loss))
          problems.push(
            `it returned ${String(answer.value)} but the mean loss over the batch is ${basis.loss.toPrecision(6)}`,
          );
        const wrong = wrongParameters(after, basis.params);
        if (wrong.length)
          problems.push(`the parameters ${wrong.join(', ')} were not moved by −lr × the batch-mean gradient`);
        const mistake = probe.mistakes.find((m) =>
          m.id === 'step.last-loss'
            ? near(answer.value, m.loss) && !near(answer.value, basis.loss)
            : wrongParameters(after, m.params).length === 0,
        );
        return fail(
          probe,
          `doTrainingStep: ${problems.join('; and ')}. ${rule}` + (mistake ? `\nLikely mistake: ${mistake.says}` : ''),
          mistake?.id,
        );
      }
      return { status: 'passed', message: '' };
    },
  };
}

function fail(probe: StepProbe, message: string, diagnosis?: string): CheckOutcome {
  return { status: 'failed', message: `${message}\nCase: ${probe.describe}.`, ...(diagnosis ? { diagnosis } : {}) };
}
