/**
 * getGradients is judged against the correct gradients, component by component; a component may
 * instead equal what the student's own gradient function returns for it, but only when that
 * function (or computeGradH, which it builds on) failed its own check (./verdicts.ts): so a bug
 * there is not counted twice, while functions that passed their checks, and so have no bug to
 * excuse, are never asked. Their answers are asked for before the judged call, and every one is
 * shape-checked: an empty or ill-shaped answer is never a basis.
 */
import { encodeValue } from '../protocol/encode';
import type { Decoded } from '../protocol/encode';
import { compareNumeric, SUBMISSION_TOLERANCE } from '../numeric/tolerance';
import type { Numeric } from '../numeric/tolerance';
import { StudentError } from '../runner';
import { quotingRule, RULES } from './rules';
import type { CheckDefinition } from '../types';
import { buildCase, checkOverCases, referenceRnn } from './cases';
import type { ModelCase } from './cases';
import { floorScaleFor, setupOf } from './model-checks';
import { describeValue, shapeProblem } from './shapes';
import type { Shape } from './shapes';
import { failedOwnChecks } from './verdicts';

const GRADIENT_SHAPE = (c: ModelCase): Shape => ({
  kind: 'record',
  fields: {
    c: { kind: 'number' },
    b: { kind: 'vector', length: c.hiddenSize },
    v: { kind: 'vector', length: c.hiddenSize },
    w: { kind: 'matrix', rows: c.hiddenSize, cols: c.hiddenSize },
    u: { kind: 'matrix', rows: c.hiddenSize, cols: c.numFeatures },
  },
});

const gradientsCheck: CheckDefinition = {
  id: 'grad.all',
  target: 'RNN.getGradients',
  title: 'getGradients returns all five gradients, computed with the gradient functions',
  points: 3,
  visibility: 'hidden',
  timeoutMs: 20_000,
  run: (context) =>
    checkOverCases(
      context,
      async (descriptor) => {
        const c = buildCase(descriptor);
        const shape = GRADIENT_SHAPE(c);
        const trusted = trustedComponents(context.runner.executor);
        // Asked first, and only for components whose functions failed their own checks.
        const own =
          trusted.size > 0
            ? await ownComposition(context, c, trusted).catch((error: unknown) => {
                // A gradient function that throws or is missing is charged by its own checks, not here.
                if (error instanceof StudentError) return undefined;
                throw error;
              })
            : undefined;
        const answer = await context.runner.call(getGradientsRequest(c));
        const problem = shapeProblem(answer.value, shape);
        if (problem)
          return {
            status: 'failed',
            message: `getGradients returned the wrong shape: ${problem}. It should return { c, b, v, w, u }.`,
          };
        const reference = referenceRnn(c.params).getGradients(c.x, c.yTrue, c.yHat, c.hidden) as unknown as Record<
          Key,
          Numeric
        >;
        const got = answer.value as unknown as Record<Key, Numeric>;
        const fieldShape = (key: Key) => (shape as Extract<Shape, { kind: 'record' }>).fields[key];
        const matchesOwn = (key: Key) =>
          own?.[key] !== undefined &&
          shapeProblem(own[key], fieldShape(key)) === null &&
          compareNumeric(got[key], own[key] as Numeric, SUBMISSION_TOLERANCE, floorScaleFor(TARGETS[key], c)).ok;
        // Each component judged as its own gradient function's check judges it (float32 floors where tanh saturates).
        const wrong = KEYS.filter(
          (key) =>
            !compareNumeric(got[key], reference[key], SUBMISSION_TOLERANCE, floorScaleFor(TARGETS[key], c)).ok &&
            !matchesOwn(key),
        );
        if (wrong.length === 0) return null;
        return {
          status: 'failed',
          message:
            `getGradients' ${wrong.join(', ')} differ from the gradients of L = (yPred - yTrue)² for the same inputs` +
            (own ? ' and from what your own gradient functions return for them' : '') +
            '. getGradients should compute ∂L/∂h once with computeGradH and pass it to the other functions (x, yTrue, yPred, hidden are its arguments in that order).',
        };
      },
      // Known ahead only when no own gradient function is asked first.
      trustedComponents(context.runner.executor).size === 0
        ? (descriptor) => [getGradientsRequest(buildCase(descriptor))]
        : undefined,
    ),
};

function getGradientsRequest(c: ModelCase) {
  const args = [c.x, c.yTrue, c.yHat, c.hidden].map((value) => ({ value: encodeValue(value) }));
  return { op: 'method' as const, setup: setupOf(c), method: 'getGradients' as const, args };
}

const KEYS = ['c', 'b', 'v', 'w', 'u'] as const;
type Key = (typeof KEYS)[number];
const TARGETS: Record<Key, string> = {
  c: 'RNN.computeGradC',
  b: 'RNN.computeGradB',
  v: 'RNN.computeGradV',
  w: 'RNN.computeGradW',
  u: 'RNN.computeGradU',
};

/** computeGradX of each component, and whether it builds on computeGradH. */
const COMPONENT_CHECKS: Record<Key, string[]> = {
  c: ['grad.c.shape', 'grad.c.value'],
  b: ['grad.b.shape', 'grad.b.value', 'grad.h.shape', 'grad.h.value'],
  v: ['grad.v.shape', 'grad.v.value'],
  w: ['grad.w.shape', 'grad.w.value', 'grad.h.shape', 'grad.h.value'],
  u: ['grad.u.shape', 'grad.u.value', 'grad.h.shape', 'grad.h.value'],
};

function trustedComponents(executor: object): Set<Key> {
  return new Set(KEYS.filter((key) => failedOwnChecks(executor, COMPONENT_CHECKS[key])));
}

/** The student's own gradient functions' answers for the trusted components (others stay undefined). */
async function ownComposition(
  context: Parameters<CheckDefinition['run']>[0],
  c: ModelCase,
  trusted: Set<Key>,
): Promise<Partial<Record<Key, Decoded>>> {
  const setup = setupOf(c);
  const call = (
    method: 'computeGradH' | 'computeGradC' | 'computeGradB' | 'computeGradV' | 'computeGradW' | 'computeGradU',
    values: unknown[],
  ) =>
    context.runner
      .call({ op: 'method', setup, method, args: values.map((value) => ({ value: encodeValue(value) })) })
      .then((answer) => answer.value);
  const out: Partial<Record<Key, Decoded>> = {};
  if (trusted.has('c')) out.c = await call('computeGradC', [c.yTrue, c.yHat]);
  if (trusted.has('v')) out.v = await call('computeGradV', [c.yTrue, c.yHat, c.hidden]);
  if (trusted.has('b') || trusted.has('w') || trusted.has('u')) {
    const gradH = await call('computeGradH', [c.yTrue, c.yHat, c.hidden]);
    if (shapeProblem(gradH, { kind: 'matrix', rows: c.tau, cols: c.hiddenSize }))
      throw new StudentError('ShapeError', `computeGradH returned ${describeValue(gradH)}`, false);
    if (trusted.has('b')) out.b = await call('computeGradB', [c.hidden, gradH]);
    if (trusted.has('w')) out.w = await call('computeGradW', [c.hidden, gradH]);
    if (trusted.has('u')) out.u = await call('computeGradU', [c.hidden, gradH, c.x]);
  }
  return out;
}

export const COMPOSITION_CHECKS: CheckDefinition[] = [quotingRule(gradientsCheck, RULES.getGradients)];
