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
import { encodeValue, decodeValue } from '../protocol/encode';
import type { Decoded } from '../protocol/encode';
import type { RnnMethod, RnnSetup } from '../protocol/requests';
import { compareNumeric, SUBMISSION_TOLERANCE, FINITE_DIFFERENCE_TOLERANCE } from '../numeric/tolerance';
import type { Numeric } from '../numeric/tolerance';
import { lossFromHidden } from '../numeric/model';
import type { ParamName, Params } from '../numeric/model';
import { numericalDirectionalDerivative, projectGradient } from '../numeric/finite-differences';
import { diagnose, flattenForward } from '../diagnosis/mistakes';
import type { CheckDefinition, CheckContext } from '../types';
import { buildCase, referenceRnn } from './cases';
import type { ModelCase } from './cases';
import { checkOverCases } from './cases';
import type { Judgement } from './property';
import { describeShape, sameValue, shapeProblem } from './shapes';
import type { Shape } from './shapes';

interface MethodSpec {
  id: string;
  method: RnnMethod;
  /** Argument names, in order, for messages. */
  argNames: string[];
  args(c: ModelCase): unknown[];
  shape(c: ModelCase): Shape;
  /** The correct answer, as numbers in the same layout as `numbers(answer)`. */
  expected(c: ModelCase): Numeric;
  /** The answer as numbers (default: itself). */
  numbers?(answer: Decoded): Numeric;
  /** The magnitude the result's floor is tied to, beyond its own (see compareNumeric). */
  floorScale?(c: ModelCase): number;
  /** Where an index of `numbers(...)` is, for people. */
  where(index: number[], c: ModelCase): string;
  /** Cross-checks the reference against finite differences on this case; returns a note for messages. */
  finiteDifferences?(c: ModelCase, answer: Numeric): string;
  points: { shape: number; value: number };
  visibility: { shape: 'public' | 'hidden'; value: 'public' | 'hidden' };
}

const TIMEOUT_MS = 20_000;

export function setupOf(c: ModelCase): RnnSetup {
  return { hiddenStateSize: c.hiddenSize, numFeatures: c.numFeatures, params: c.params };
}

async function callMethod(context: CheckContext, spec: MethodSpec, c: ModelCase) {
  const args = spec.args(c);
  const answer = await context.runner.call({ op: 'method', setup: setupOf(c), method: spec.method, args: args.map((value) => ({ value: encodeValue(value) })) });
  return { args, answer };
}

function mutationProblem(spec: MethodSpec, c: ModelCase, args: unknown[], after: { args: Array<unknown>; params?: unknown }): string | null {
  for (let i = 0; i < args.length; i++) {
    const now = after.args[i];
    if (now !== null && now !== undefined && !sameValue(decodeValue(now as never), args[i] as Decoded)) {
      return `${spec.method} changed its argument \`${spec.argNames[i]}\`. Gradient functions must leave their inputs untouched: copy an array before changing it.`;
    }
  }
  if (after.params !== undefined && !sameValue(decodeValue(after.params as never), c.params as unknown as Decoded)) {
    return `${spec.method} changed the network's parameters (u, w, v, b or c). Only doTrainingStep may update them.`;
  }
  return null;
}

function shapeCheck(spec: MethodSpec, target: string): CheckDefinition {
  return {
    id: `${spec.id}.shape`,
    target,
    title: `${target} returns ${spec.method === 'forward' ? 'hidden states and a prediction' : 'a result'} of the right shape and leaves its inputs unchanged`,
    points: spec.points.shape,
    visibility: spec.visibility.shape,
    timeoutMs: TIMEOUT_MS,
    run: (context) =>
      checkOverCases(context, async (descriptor): Promise<Judgement | null> => {
        const c = buildCase(descriptor);
        const { args, answer } = await callMethod(context, spec, c);
        const problem = shapeProblem(answer.value, spec.shape(c));
        if (problem) return { status: 'failed', message: `${spec.method} returned the wrong shape: ${problem}. It should return ${describeShape(spec.shape(c))}.` };
        const mutation = mutationProblem(spec, c, args, answer.after);
        return mutation ? { status: 'failed', message: mutation } : null;
      }),
  };
}

function valueCheck(spec: MethodSpec, target: string): CheckDefinition {
  return {
    id: `${spec.id}.value`,
    target,
    title: `${target} computes the right values (reference and finite differences)`,
    points: spec.points.value,
    visibility: spec.visibility.value,
    timeoutMs: TIMEOUT_MS,
    run: (context) =>
      checkOverCases(context, async (descriptor): Promise<Judgement | null> => {
        const c = buildCase(descriptor);
        const { answer } = await callMethod(context, spec, c);
        const problem = shapeProblem(answer.value, spec.shape(c));
        if (problem) return { status: 'failed', message: `${spec.method} returned the wrong shape, so its values cannot be checked: ${problem}.` };
        const actual = spec.numbers ? spec.numbers(answer.value) : (answer.value as Numeric);
        const expected = spec.expected(c);
        const fdNote = spec.finiteDifferences?.(c, actual) ?? '';
        const comparison = compareNumeric(actual, expected, SUBMISSION_TOLERANCE, spec.floorScale?.(c));
        if (comparison.ok) return null;
        const { worst, failing, total } = comparison;
        const mistake = await likelyMistake(context, spec, target, c, actual, expected);
        return {
          status: 'failed',
          message:
            `${spec.method} is wrong at ${spec.where(worst.index, c)}: you returned ${format(worst.actual)}, the correct value is ${format(worst.expected)} ` +
            `(${failing} of ${total} entries are off).${fdNote ? ' ' + fdNote : ''}` +
            (mistake ? `\nLikely mistake: ${mistake.says}` : ''),
          diagnosis: mistake?.id,
        };
      }),
  };
}

/** The known mistake the answer matches; when several match this case, a longer anchor case decides. */
async function likelyMistake(context: CheckContext, spec: MethodSpec, target: string, c: ModelCase, actual: Numeric, expected: Numeric) {
  let candidates = diagnose(target, c, actual, expected);
  if (candidates.length > 1) {
    const wider = buildCase(DISAMBIGUATION_CASE);
    const { answer } = await callMethod(context, spec, wider);
    if (shapeProblem(answer.value, spec.shape(wider)) === null) {
      const widerActual = spec.numbers ? spec.numbers(answer.value) : (answer.value as Numeric);
      const narrowed = diagnose(target, wider, widerActual, spec.expected(wider), candidates);
      if (narrowed.length > 0) candidates = narrowed;
    }
  }
  return candidates[0];
}

const DISAMBIGUATION_CASE = { tau: 5, hiddenSize: 4, numFeatures: 3, scale: 1, seed: 99 };

function format(value: number): string {
  return Number.isFinite(value) ? value.toPrecision(6) : String(value);
}

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
    const yours = projectGradient({ [name]: answer } as Partial<Params>, direction, name);
    return `Central finite differences of the loss along a random direction give ${format(numerical)}; your gradient gives ${format(yours)}.`;
  };
}

function assertAgreement(numerical: number, analytic: number, what: string): void {
  if (!compareNumeric(analytic, numerical, FINITE_DIFFERENCE_TOLERANCE).ok && Math.abs(analytic - numerical) > 1e-6 * (1 + Math.abs(numerical))) {
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
  const numerical = (lossFromHidden(c.params, c.x, c.yTrue, row, moved(1)) - lossFromHidden(c.params, c.x, c.yTrue, row, moved(-1))) / (2 * h);
  const dot = (g: number[]) => g.reduce((sum, gi, i) => sum + gi * direction[i], 0);
  assertAgreement(numerical, dot(c.gradH[row]), `∂L/∂h_${row + 1}`);
  const yours = dot((answer as Matrix)[row]);
  return `At t = ${row + 1}, central finite differences of the loss along a random direction give ${format(numerical)}; your answer gives ${format(yours)}.`;
}

const maxAbs = (m: Matrix) => m.reduce((max, row) => row.reduce((inner, value) => Math.max(inner, Math.abs(value)), max), 0);
/** ∂L/∂b, ∂L/∂W: sums of (1 - h_t²) ∂L/∂h_t (times |h| ≤ 1), so ∂L/∂h sets their natural scale. */
const upstreamScale = (c: ModelCase) => maxAbs(c.gradH);

const timeStep = (index: number[]) => `t = ${index[0] + 1} (row ${index[0]}), hidden unit ${index[1]}`;
const weightEntry = (letter: string) => (index: number[]) => `${letter}[${index[0]}][${index[1]}]`;
const unit = (letter: string) => (index: number[]) => `${letter}[${index[0]}]`;

const SPECS: Array<MethodSpec & { target: string }> = [
  {
    id: 'forward',
    target: 'RNN.forward',
    method: 'forward',
    argNames: ['x'],
    args: (c) => [c.x],
    shape: (c) => ({ kind: 'record', fields: { hidden: { kind: 'matrix', rows: c.tau, cols: c.hiddenSize }, yHat: { kind: 'number' } } }),
    expected: (c) => flattenForward(c),
    numbers: (answer) => flattenForward(answer as unknown as { hidden: Matrix; yHat: number }),
    where: (index, c) => (index[0] === 0 ? 'yHat' : `hidden[${Math.floor((index[0] - 1) / c.hiddenSize)}][${(index[0] - 1) % c.hiddenSize}] (h_${Math.floor((index[0] - 1) / c.hiddenSize) + 1})`),
    points: { shape: 3, value: 6 },
    visibility: { shape: 'public', value: 'hidden' },
  },
  {
    id: 'grad.h',
    target: 'RNN.computeGradH',
    method: 'computeGradH',
    argNames: ['yTrue', 'yPred', 'hidden'],
    args: (c) => [c.yTrue, c.yHat, c.hidden],
    shape: (c) => ({ kind: 'matrix', rows: c.tau, cols: c.hiddenSize }),
    expected: (c) => c.gradH,
    where: timeStep,
    finiteDifferences: hiddenFiniteDifferences,
    points: { shape: 2, value: 7 },
    visibility: { shape: 'public', value: 'hidden' },
  },
  {
    id: 'grad.c',
    target: 'RNN.computeGradC',
    method: 'computeGradC',
    argNames: ['yTrue', 'yPred'],
    args: (c) => [c.yTrue, c.yHat],
    shape: () => ({ kind: 'number' }),
    expected: (c) => referenceRnn(c.params).computeGradC(c.yTrue, c.yHat),
    where: () => 'c',
    finiteDifferences: parameterFiniteDifferences('c'),
    points: { shape: 1, value: 3 },
    visibility: { shape: 'public', value: 'hidden' },
  },
  {
    id: 'grad.b',
    target: 'RNN.computeGradB',
    method: 'computeGradB',
    argNames: ['hidden', 'gradH'],
    args: (c) => [c.hidden, c.gradH],
    shape: (c) => ({ kind: 'vector', length: c.hiddenSize }),
    expected: (c) => referenceRnn(c.params).computeGradB(c.hidden, c.gradH),
    where: unit('b'),
    floorScale: upstreamScale,
    finiteDifferences: parameterFiniteDifferences('b'),
    points: { shape: 2, value: 6 },
    visibility: { shape: 'public', value: 'hidden' },
  },
  {
    id: 'grad.v',
    target: 'RNN.computeGradV',
    method: 'computeGradV',
    argNames: ['yTrue', 'yPred', 'hidden'],
    args: (c) => [c.yTrue, c.yHat, c.hidden],
    shape: (c) => ({ kind: 'vector', length: c.hiddenSize }),
    expected: (c) => referenceRnn(c.params).computeGradV(c.yTrue, c.yHat, c.hidden),
    where: unit('v'),
    finiteDifferences: parameterFiniteDifferences('v'),
    points: { shape: 2, value: 5 },
    visibility: { shape: 'public', value: 'hidden' },
  },
  {
    id: 'grad.w',
    target: 'RNN.computeGradW',
    method: 'computeGradW',
    argNames: ['hidden', 'gradH'],
    args: (c) => [c.hidden, c.gradH],
    shape: (c) => ({ kind: 'matrix', rows: c.hiddenSize, cols: c.hiddenSize }),
    expected: (c) => referenceRnn(c.params).computeGradW(c.hidden, c.gradH),
    where: weightEntry('W'),
    floorScale: upstreamScale,
    finiteDifferences: parameterFiniteDifferences('w'),
    points: { shape: 2, value: 7 },
    visibility: { shape: 'public', value: 'hidden' },
  },
  {
    id: 'grad.u',
    target: 'RNN.computeGradU',
    method: 'computeGradU',
    argNames: ['hidden', 'gradH', 'x'],
    args: (c) => [c.hidden, c.gradH, c.x],
    shape: (c) => ({ kind: 'matrix', rows: c.hiddenSize, cols: c.numFeatures }),
    expected: (c) => referenceRnn(c.params).computeGradU(c.hidden, c.gradH, c.x),
    where: weightEntry('U'),
    floorScale: (c) => upstreamScale(c) * maxAbs(c.x),
    finiteDifferences: parameterFiniteDifferences('u'),
    points: { shape: 2, value: 7 },
    visibility: { shape: 'public', value: 'hidden' },
  },
];

export const MODEL_CHECKS: CheckDefinition[] = SPECS.flatMap((spec) => [shapeCheck(spec, spec.target), valueCheck(spec, spec.target)]);

/** The floor scale a target's value check uses (for calibration in bench/tolerance.ts). */
export function floorScaleFor(target: string, c: ModelCase): number {
  return SPECS.find((spec) => spec.target === target)?.floorScale?.(c) ?? 0;
}
