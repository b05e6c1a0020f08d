/**
 * getGradients is judged against the composition of the student's own gradient functions (so a
 * bug in one of them is not counted twice), or against the correct gradients.
 */
import { encodeValue } from '../protocol/encode';
import type { Decoded } from '../protocol/encode';
import { compareNumeric, SUBMISSION_TOLERANCE } from '../numeric/tolerance';
import type { Numeric } from '../numeric/tolerance';
import { StudentError } from '../runner';
import type { CheckDefinition } from '../types';
import { buildCase, checkOverCases, referenceRnn } from './cases';
import type { ModelCase } from './cases';
import { setupOf } from './model-checks';
import { describeValue, shapeProblem } from './shapes';
import type { Shape } from './shapes';

const GRADIENT_SHAPE = (c: ModelCase): Shape => ({
  kind: 'record',
  fields: { c: { kind: 'number' }, b: { kind: 'vector', length: c.hiddenSize }, v: { kind: 'vector', length: c.hiddenSize }, w: { kind: 'matrix', rows: c.hiddenSize, cols: c.hiddenSize }, u: { kind: 'matrix', rows: c.hiddenSize, cols: c.numFeatures } },
});

const gradientsCheck: CheckDefinition = {
  id: 'grad.all',
  target: 'RNN.getGradients',
  title: 'getGradients returns all five gradients, computed with the gradient functions',
  points: 3,
  visibility: 'hidden',
  timeoutMs: 20_000,
  run: (context) =>
    checkOverCases(context, async (descriptor) => {
      const c = buildCase(descriptor);
      const setup = setupOf(c);
      const args = [c.x, c.yTrue, c.yHat, c.hidden].map((value) => ({ value: encodeValue(value) }));
      const answer = await context.runner.call({ op: 'method', setup, method: 'getGradients', args });
      const problem = shapeProblem(answer.value, GRADIENT_SHAPE(c));
      if (problem) return { status: 'failed', message: `getGradients returned the wrong shape: ${problem}. It should return { c, b, v, w, u }.` };
      // Right if it equals the composition of the student's own functions (so a bug in one of
      // them is not counted twice), or the correct gradients.
      // A gradient function that throws or is missing is charged by its own checks, not here.
      const own = await ownComposition(context, c).catch((error: unknown) => {
        if (error instanceof StudentError) return undefined;
        throw error;
      });
      const reference = referenceRnn(c.params).getGradients(c.x, c.yTrue, c.yHat, c.hidden);
      const matches = (expected: Record<string, Decoded | Numeric>) => (['c', 'b', 'v', 'w', 'u'] as const).every((key) => compareNumeric((answer.value as Record<string, Numeric>)[key], expected[key] as Numeric, SUBMISSION_TOLERANCE).ok);
      if ((own && matches(own)) || matches(reference as unknown as Record<string, Numeric>)) return null;
      const wrong = (['c', 'b', 'v', 'w', 'u'] as const).filter((key) => !compareNumeric((answer.value as Record<string, Numeric>)[key], ((own ?? reference) as Record<string, Numeric>)[key], SUBMISSION_TOLERANCE).ok);
      return {
        status: 'failed',
        message: `getGradients' ${wrong.join(', ')} differ from what your computeGradH/computeGradC/… return for the same inputs. getGradients should compute ∂L/∂h once with computeGradH and pass it to the other functions (x, yTrue, yPred, hidden are its arguments in that order).`,
      };
    }),
};

async function ownComposition(context: Parameters<CheckDefinition['run']>[0], c: ModelCase): Promise<Record<string, Decoded>> {
  const setup = setupOf(c);
  const call = (method: 'computeGradH' | 'computeGradC' | 'computeGradB' | 'computeGradV' | 'computeGradW' | 'computeGradU', values: unknown[]) =>
    context.runner.call({ op: 'method', setup, method, args: values.map((value) => ({ value: encodeValue(value) })) }).then((answer) => answer.value);
  const gradH = await call('computeGradH', [c.yTrue, c.yHat, c.hidden]);
  if (shapeProblem(gradH, { kind: 'matrix', rows: c.tau, cols: c.hiddenSize })) throw new StudentError('ShapeError', `computeGradH returned ${describeValue(gradH)}`, false);
  return {
    c: await call('computeGradC', [c.yTrue, c.yHat]),
    b: await call('computeGradB', [c.hidden, gradH]),
    v: await call('computeGradV', [c.yTrue, c.yHat, c.hidden]),
    w: await call('computeGradW', [c.hidden, gradH]),
    u: await call('computeGradU', [c.hidden, gradH, c.x]),
  };
}

export const COMPOSITION_CHECKS: CheckDefinition[] = [gradientsCheck];
