/**
 * Judging one getGradients answer, the same way for the grader's grad.all (expected values just
 * computed by the reference) and for the handout's public grad.all (expected values stored at
 * `npm run assign`). Nothing here knows how to compute a gradient.
 *
 * Each component is judged as its own gradient function's check judges it; a component may
 * instead equal what the student's own gradient function returns for it, where the caller allows
 * that function as a basis (a bug there is charged by its own check, not twice).
 */
import { encodeValue } from '../protocol/encode';
import type { Decoded } from '../protocol/encode';
import type { RnnSetup } from '../protocol/requests';
import { compareNumeric, SUBMISSION_TOLERANCE } from '../numeric/tolerance';
import type { Numeric } from '../numeric/tolerance';
import { StudentError } from '../runner';
import type { CheckContext } from '../types';
import type { Judgement } from './property';
import { describeValue, paramsShape, shapeProblem } from './shapes';
import type { Shape } from './shapes';

export const GRADIENT_KEYS = ['c', 'b', 'v', 'w', 'u'] as const;
export type GradientKey = (typeof GRADIENT_KEYS)[number];

/** The gradient function whose check judges each component. */
export const GRADIENT_TARGETS: Record<GradientKey, string> = {
  c: 'RNN.computeGradC',
  b: 'RNN.computeGradB',
  v: 'RNN.computeGradV',
  w: 'RNN.computeGradW',
  u: 'RNN.computeGradU',
};

/** One getGradients call: the network and its four arguments, as data. */
export interface GradientCase {
  setup: RnnSetup;
  x: number[][];
  yTrue: number;
  yHat: number;
  hidden: number[][];
}

/** What a right answer is: each component's values and its tolerance floor (see compareNumeric). */
export interface GradientExpectation {
  values: Record<GradientKey, Numeric>;
  floorScales: Record<GradientKey, number>;
}

export function gradientShape(input: GradientCase): Extract<Shape, { kind: 'record' }> {
  return paramsShape(input.setup.hiddenStateSize, input.setup.numFeatures);
}

const argumentsOf = (values: unknown[]) => values.map((value) => ({ value: encodeValue(value) }));

/** The getGradients call of the case. */
export function gradientsRequest(input: GradientCase) {
  const { setup, x, yTrue, yHat, hidden } = input;
  return { op: 'method' as const, setup, method: 'getGradients' as const, args: argumentsOf([x, yTrue, yHat, hidden]) };
}

/** Calls the submission's getGradients on the case. */
export async function askGradients(context: CheckContext, input: GradientCase): Promise<Decoded> {
  return (await context.runner.call(gradientsRequest(input))).value;
}

/**
 * The student's own gradient functions' answers for `keys` (the others stay undefined), or
 * undefined when one of them throws: a function that throws is charged by its own checks (and a
 * process that died is found by the judged call that follows).
 */
export async function ownGradients(
  context: CheckContext,
  input: GradientCase,
  keys: ReadonlySet<GradientKey>,
): Promise<Partial<Record<GradientKey, Decoded>> | undefined> {
  const { setup, x, yTrue, yHat, hidden } = input;
  const call = (
    method: 'computeGradH' | 'computeGradC' | 'computeGradB' | 'computeGradV' | 'computeGradW' | 'computeGradU',
    values: unknown[],
  ) => context.runner.call({ op: 'method', setup, method, args: argumentsOf(values) }).then((answer) => answer.value);
  try {
    const out: Partial<Record<GradientKey, Decoded>> = {};
    if (keys.has('c')) out.c = await call('computeGradC', [yTrue, yHat]);
    if (keys.has('v')) out.v = await call('computeGradV', [yTrue, yHat, hidden]);
    if (keys.has('b') || keys.has('w') || keys.has('u')) {
      const gradH = await call('computeGradH', [yTrue, yHat, hidden]);
      if (shapeProblem(gradH, { kind: 'matrix', rows: x.length, cols: setup.hiddenStateSize }))
        throw new StudentError('ShapeError', `computeGradH returned ${describeValue(gradH)}`, false);
      if (keys.has('b')) out.b = await call('computeGradB', [hidden, gradH]);
      if (keys.has('w')) out.w = await call('computeGradW', [hidden, gradH]);
      if (keys.has('u')) out.u = await call('computeGradU', [hidden, gradH, x]);
    }
    return out;
  } catch (error) {
    if (error instanceof StudentError) return undefined;
    throw error;
  }
}

/** The components of a well-shaped answer that differ from the expected gradients. */
export function wrongComponents(
  answer: Decoded,
  expectation: GradientExpectation,
  own?: Partial<Record<GradientKey, Decoded>>,
  shape?: Extract<Shape, { kind: 'record' }>,
): GradientKey[] {
  const got = answer as unknown as Record<GradientKey, Numeric>;
  const close = (key: GradientKey, basis: Numeric) =>
    compareNumeric(got[key], basis, SUBMISSION_TOLERANCE, expectation.floorScales[key]).ok;
  const matchesOwn = (key: GradientKey) => {
    const basis = own?.[key];
    return basis !== undefined && shape !== undefined && shapeProblem(basis, shape.fields[key]) === null
      ? close(key, basis as Numeric)
      : false;
  };
  return GRADIENT_KEYS.filter((key) => !close(key, expectation.values[key]) && !matchesOwn(key));
}

/** The verdict on one answer, given which components were also compared with the student's own functions. */
export function gradientsJudgement(
  answer: Decoded,
  shape: Extract<Shape, { kind: 'record' }>,
  expectation: GradientExpectation,
  own?: Partial<Record<GradientKey, Decoded>>,
): Judgement | null {
  const problem = shapeProblem(answer, shape);
  if (problem)
    return {
      status: 'failed',
      message: `getGradients returned the wrong shape: ${problem}. It should return { c, b, v, w, u }.`,
    };
  const wrong = wrongComponents(answer, expectation, own, shape);
  if (wrong.length === 0) return null;
  return {
    status: 'failed',
    message:
      `getGradients' ${wrong.join(', ')} differ from the gradients of L = (yPred - yTrue)² for the same inputs` +
      (own ? ' and from what your own gradient functions return for them' : '') +
      '. getGradients should compute ∂L/∂h once with computeGradH and pass it to the other functions (x, yTrue, yPred, hidden are its arguments in that order).',
  };
}
