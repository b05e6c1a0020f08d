/**
 * Checks of the RNN's methods. Each method gets two checks over the same fast-check cases:
 *  - `<id>.shape`: the answer has the contract's shape, only finite numbers, and the call
 *    changed neither its arguments nor the network's parameters;
 *  - `<id>.value`: the answer equals the reference (float64, tolerance in numeric/tolerance.ts),
 *    and the reference itself agrees with central finite differences of the loss on that case.
 * Every method is fed the reference's own inputs (its hidden states, its ∂L/∂h), so one bug
 * costs the checks of the function that has it and no others.
 */
import { createRng } from 'rnn-lab';
import type { Matrix } from 'rnn-lab';
import { encodeValue } from '../protocol/encode';
import type { RnnMethod, RnnSetup } from '../protocol/requests';
import { compareNumeric, FINITE_DIFFERENCE_TOLERANCE } from '../numeric/tolerance';
import type { Numeric } from '../numeric/tolerance';
import { lossFromHidden } from '../numeric/model';
import type { ParamName, Params } from '../numeric/model';
import { numericalDirectionalDerivative, projectGradient } from '../numeric/finite-differences';
import { residualRelativeError } from '../numeric/float32';
import { RULES } from './rules';
import { diagnose, flattenForward, MISTAKES } from '../diagnosis/mistakes';
import type { Probe } from './probe';
import type { CheckDefinition, CheckContext } from '../types';
import { buildCase, describeCase, referenceRnn } from './cases';
import type { CaseDescriptor, ModelCase } from './cases';
import { checkOverCases } from './cases';
import type { Judgement } from './property';
import { shapeProblem } from './shapes';
import { formatNumber, judgeShape, judgeValue, numbersOf } from './judge';
import type { ValueExpectation, Where } from './judge';
import type { Shape } from './shapes';

interface MethodSpec {
  id: string;
  method: RnnMethod;
  /** Argument names, in order, for messages. */
  argNames: string[];
  args(c: ModelCase): unknown[];
  shape(c: ModelCase): Shape;
  /** The correct answer, as numbers (for forward: [yHat, ...hidden rows]). */
  expected(c: ModelCase): Numeric;
  layout?: 'forward';
  /** The magnitude the result's floor is tied to, beyond its own (see compareNumeric). */
  floorScale?(c: ModelCase): number;
  /** How entries are named in messages. */
  where(c: ModelCase): Where;
  /** A gradient: every entry is proportional to ŷ − y (float32 allowance, numeric/float32.ts). */
  proportionalToResidual?: boolean;
  /** Cross-checks the reference against finite differences on this case; returns a note for messages. */
  finiteDifferences?(c: ModelCase, answer: Numeric): string;
  points: { shape: number; value: number };
  visibility: { shape: 'public' | 'hidden'; value: 'public' | 'hidden' };
}

const TIMEOUT_MS = 20_000;

export function setupOf(c: ModelCase): RnnSetup {
  return { hiddenStateSize: c.hiddenSize, numFeatures: c.numFeatures, params: c.params };
}

/** The call of a method on one case, as sent. */
function requestOf(spec: MethodSpec, c: ModelCase, args = spec.args(c)) {
  return {
    op: 'method' as const,
    setup: setupOf(c),
    method: spec.method,
    args: args.map((value) => ({ value: encodeValue(value) })),
  };
}

/** What a method must leave untouched on one case: its arguments and the network's parameters. */
function originalsOf(spec: MethodSpec, c: ModelCase, args = spec.args(c)) {
  return { args, argNames: spec.argNames, params: c.params };
}

/** One judged call of a method on one case: what is sent, and what is expected back. */
export function probeOf(spec: MethodSpec, c: ModelCase) {
  const args = spec.args(c);
  const expected = spec.expected(c);
  const residualError = spec.proportionalToResidual ? residualRelativeError(c.yTrue, c.yHat) : 0;
  return {
    request: requestOf(spec, c, args),
    originals: originalsOf(spec, c, args),
    shape: spec.shape(c),
    expectation: {
      shape: spec.shape(c),
      layout: spec.layout,
      expected,
      floorScale: spec.floorScale?.(c),
      ...(residualError > 0 ? { allowance: scaleAbs(expected, residualError) } : {}),
      where: spec.where(c),
      rule: RULES[spec.method],
    } satisfies ValueExpectation,
  };
}

/** The same probe with every known mistake's output stored, for fixtures (handout public checks). */
export function storedProbeOf(spec: MethodSpec & { target: string }, c: ModelCase): Probe {
  const probe = probeOf(spec, c);
  return {
    describe: describeCase(c),
    method: spec.method,
    request: probe.request,
    originals: probe.originals,
    expectation: probe.expectation,
    mistakes: (MISTAKES[spec.target] ?? []).map((mistake) => ({
      id: mistake.id,
      says: mistake.says,
      value: mistake.compute(c),
    })),
  };
}

/** A method check's request for a case (its only one while the answers are right). */
const requestFor = (spec: MethodSpec) => (descriptor: CaseDescriptor) => [requestOf(spec, buildCase(descriptor))];

/** One of a method's two checks: each case judged by `judge`, its requests known ahead. */
function methodCheck(
  spec: MethodSpec,
  target: string,
  kind: 'shape' | 'value',
  title: string,
  judge: (context: CheckContext, c: ModelCase) => Promise<Judgement | null>,
): CheckDefinition {
  return {
    id: `${spec.id}.${kind}`,
    target,
    title,
    points: spec.points[kind],
    visibility: spec.visibility[kind],
    timeoutMs: TIMEOUT_MS,
    run: (context) => checkOverCases(context, (descriptor) => judge(context, buildCase(descriptor)), requestFor(spec)),
  };
}

function shapeCheck(spec: MethodSpec, target: string): CheckDefinition {
  const title = `${target} returns ${spec.method === 'forward' ? 'hidden states and a prediction' : 'a result'} of the right shape and leaves its inputs unchanged`;
  return methodCheck(spec, target, 'shape', title, async (context, c) => {
    // Shape and untouched inputs only: the reference's answer is not needed here.
    const args = spec.args(c);
    const answer = await context.runner.call(requestOf(spec, c, args));
    return judgeShape(spec.method, answer, spec.shape(c), originalsOf(spec, c, args));
  });
}

function valueCheck(spec: MethodSpec, target: string): CheckDefinition {
  const title = `${target} computes the right values (reference and finite differences)`;
  return methodCheck(spec, target, 'value', title, async (context, c) => {
    const probe = probeOf(spec, c);
    const answer = await context.runner.call(probe.request);
    return judgeValue(spec.method, answer, probe.expectation, async (actual) => ({
      note: spec.finiteDifferences?.(c, actual),
      mistake: await likelyMistake(context, spec, target, c, actual, probe.expectation.expected),
    }));
  });
}

/** The known mistake the answer matches; when several match this case, a longer anchor case decides. */
async function likelyMistake(
  context: CheckContext,
  spec: MethodSpec,
  target: string,
  c: ModelCase,
  actual: Numeric,
  expected: Numeric,
) {
  let candidates = diagnose(target, c, actual, expected);
  if (candidates.length > 1) {
    const wider = buildCase(DISAMBIGUATION_CASE);
    const answer = await context.runner.call(probeOf(spec, wider).request);
    if (shapeProblem(answer.value, spec.shape(wider)) === null) {
      const widerActual = numbersOf(answer.value, spec.layout);
      const narrowed = diagnose(target, wider, widerActual, spec.expected(wider), candidates);
      if (narrowed.length > 0) candidates = narrowed;
    }
  }
  return candidates[0];
}

const DISAMBIGUATION_CASE = { tau: 5, hiddenSize: 4, numFeatures: 3, scale: 1, seed: 99 };

const format = formatNumber;

/** A direction for directional finite differences, drawn from the case's own seed. */
function randomDirection(c: ModelCase): Params {
  const rng = createRng(c.seed ^ 0x5bd1e995);
  const normal = () => rng.normal(0, 1);
  return {
    u: c.params.u.map((row) => row.map(normal)),
    w: c.params.w.map((row) => row.map(normal)),
    v: c.params.v.map(normal),
    b: c.params.b.map(normal),
    c: normal(),
  };
}

/**
 * Directional finite difference of the loss for parameter `name`, compared with the reference's
 * gradient (must agree: otherwise the grader itself is wrong, and the check errors out rather than
 * blame the student) and reported next to the answer's projection.
 */
function parameterFiniteDifferences(name: ParamName) {
  return (c: ModelCase, answer: Numeric): string => {
    const direction = randomDirection(c);
    const numerical = numericalDirectionalDerivative(c.params, direction, c.x, c.yTrue, name);
    const reference = referenceRnn(c.params).getGradients(c.x, c.yTrue, c.yHat, c.hidden);
    const expected = projectGradient({ [name]: reference[name] }, direction, name);
    assertAgreement(numerical, expected, `∂L/∂${name}`);
    const yours = projectGradient({ [name]: answer }, direction, name);
    return `Central finite differences of the loss along a random direction give ${format(numerical)}; your gradient gives ${format(yours)}.`;
  };
}

function assertAgreement(numerical: number, analytic: number, what: string): void {
  if (
    !compareNumeric(analytic, numerical, FINITE_DIFFERENCE_TOLERANCE).ok &&
    Math.abs(analytic - numerical) > 1e-6 * (1 + Math.abs(numerical))
  ) {
    throw new Error(`internal: the reference ${what} disagrees with finite differences (${analytic} vs ${numerical})`);
  }
}

/** ∂L/∂h_t checked row by row: a directional difference in h_t, continuing the recurrence from it. */
function hiddenFiniteDifferences(c: ModelCase, answer: Numeric): string {
  const rng = createRng(c.seed ^ 0x27d4eb2d);
  const row = rng.int(c.hidden.length);
  const direction = c.hidden[row].map(() => rng.normal(0, 1));
  const h = 1e-5;
  const moved = (sign: number) => c.hidden[row].map((value, i) => value + sign * h * direction[i]);
  const numerical =
    (lossFromHidden(c.params, c.x, c.yTrue, row, moved(1)) - lossFromHidden(c.params, c.x, c.yTrue, row, moved(-1))) /
    (2 * h);
  const dot = (g: number[]) => g.reduce((sum, gi, i) => sum + gi * direction[i], 0);
  assertAgreement(numerical, dot(c.gradH[row]), `∂L/∂h_${row + 1}`);
  const yours = dot((answer as Matrix)[row]);
  return `At t = ${row + 1}, central finite differences of the loss along a random direction give ${format(numerical)}; your answer gives ${format(yours)}.`;
}

const scaleAbs = (value: Numeric, factor: number): Numeric =>
  typeof value === 'number' ? Math.abs(value) * factor : value.map((entry) => scaleAbs(entry, factor));
const maxAbs = (m: Matrix) =>
  m.reduce((max, row) => row.reduce((inner, value) => Math.max(inner, Math.abs(value)), max), 0);
/** ∂L/∂b, ∂L/∂W: sums of (1 - h_t²) ∂L/∂h_t (times |h| ≤ 1), so ∂L/∂h sets their natural scale. */
const upstreamScale = (c: ModelCase) => maxAbs(c.gradH);

/** What a method is given, by its argument names: the reference's own values for the case. */
const ARGUMENTS = {
  x: (c: ModelCase) => c.x,
  yTrue: (c: ModelCase) => c.yTrue,
  yPred: (c: ModelCase) => c.yHat,
  hidden: (c: ModelCase) => c.hidden,
  gradH: (c: ModelCase) => c.gradH,
};
type ArgumentName = keyof typeof ARGUMENTS;
type GradientMethod = 'computeGradC' | 'computeGradB' | 'computeGradV' | 'computeGradW' | 'computeGradU';

/**
 * The spec of a parameter's gradient method: the reference's answer on the same arguments, a
 * float32 allowance (it is proportional to ŷ − y), and finite differences along parameter `param`.
 */
function gradientSpec(
  param: ParamName,
  method: GradientMethod,
  argNames: ArgumentName[],
  differs: Pick<MethodSpec, 'shape' | 'floorScale' | 'points'> & { where: Where },
): MethodSpec & { target: string } {
  const args = (c: ModelCase) => argNames.map((name) => ARGUMENTS[name](c));
  return {
    id: `grad.${param}`,
    proportionalToResidual: true,
    target: `RNN.${method}`,
    method,
    argNames,
    args,
    shape: differs.shape,
    expected: (c) => {
      const reference = referenceRnn(c.params);
      return (reference[method] as (...values: unknown[]) => Numeric).apply(reference, args(c));
    },
    where: () => differs.where,
    ...(differs.floorScale ? { floorScale: differs.floorScale } : {}),
    finiteDifferences: parameterFiniteDifferences(param),
    points: differs.points,
    visibility: { shape: 'public', value: 'hidden' },
  };
}

export const SPECS: Array<MethodSpec & { target: string }> = [
  {
    id: 'forward',
    target: 'RNN.forward',
    method: 'forward',
    argNames: ['x'],
    args: (c) => [c.x],
    shape: (c) => ({
      kind: 'record',
      fields: { hidden: { kind: 'matrix', rows: c.tau, cols: c.hiddenSize }, yHat: { kind: 'number' } },
    }),
    expected: (c) => flattenForward(c),
    layout: 'forward',
    where: (c) => ({ kind: 'forward', hiddenSize: c.hiddenSize }),
    points: { shape: 3, value: 7 },
    visibility: { shape: 'public', value: 'hidden' },
  },
  {
    id: 'grad.h',
    proportionalToResidual: true,
    target: 'RNN.computeGradH',
    method: 'computeGradH',
    argNames: ['yTrue', 'yPred', 'hidden'],
    args: (c) => [c.yTrue, c.yHat, c.hidden],
    shape: (c) => ({ kind: 'matrix', rows: c.tau, cols: c.hiddenSize }),
    expected: (c) => c.gradH,
    where: () => ({ kind: 'timeStep' }),
    finiteDifferences: hiddenFiniteDifferences,
    points: { shape: 2, value: 8 },
    visibility: { shape: 'public', value: 'hidden' },
  },
  gradientSpec('c', 'computeGradC', ['yTrue', 'yPred'], {
    shape: () => ({ kind: 'number' }),
    where: { kind: 'scalar', name: 'c' },
    points: { shape: 1, value: 3 },
  }),
  gradientSpec('b', 'computeGradB', ['hidden', 'gradH'], {
    shape: (c) => ({ kind: 'vector', length: c.hiddenSize }),
    where: { kind: 'unit', letter: 'b' },
    floorScale: upstreamScale,
    points: { shape: 2, value: 6 },
  }),
  gradientSpec('v', 'computeGradV', ['yTrue', 'yPred', 'hidden'], {
    shape: (c) => ({ kind: 'vector', length: c.hiddenSize }),
    where: { kind: 'unit', letter: 'v' },
    points: { shape: 2, value: 5 },
  }),
  gradientSpec('w', 'computeGradW', ['hidden', 'gradH'], {
    shape: (c) => ({ kind: 'matrix', rows: c.hiddenSize, cols: c.hiddenSize }),
    where: { kind: 'entry', letter: 'W' },
    floorScale: upstreamScale,
    points: { shape: 2, value: 8 },
  }),
  gradientSpec('u', 'computeGradU', ['hidden', 'gradH', 'x'], {
    shape: (c) => ({ kind: 'matrix', rows: c.hiddenSize, cols: c.numFeatures }),
    where: { kind: 'entry', letter: 'U' },
    floorScale: (c) => upstreamScale(c) * maxAbs(c.x),
    points: { shape: 2, value: 8 },
  }),
];

export const MODEL_CHECKS: CheckDefinition[] = SPECS.flatMap((spec) => [
  shapeCheck(spec, spec.target),
  valueCheck(spec, spec.target),
]);

/** The floor scale a target's value check uses (for calibration in bench/tolerance.ts). */
export function floorScaleFor(target: string, c: ModelCase): number {
  return SPECS.find((spec) => spec.target === target)?.floorScale?.(c) ?? 0;
}
