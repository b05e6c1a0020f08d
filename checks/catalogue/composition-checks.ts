/**
 * getGradients is judged against the correct gradients, component by component; a component may
 * instead equal what the student's own gradient function returns for it, but only when that
 * function (or computeGradH, which it builds on) failed its own check (./verdicts.ts): so a bug
 * there is not counted twice, while functions that passed their checks, and so have no bug to
 * excuse, are never asked. Their answers are asked for before the judged call, and every one is
 * shape-checked: an empty or ill-shaped answer is never a basis.
 */
import { quotingRule, RULES } from './rules';
import type { CheckDefinition } from '../types';
import { buildCase, checkOverCases, referenceRnn } from './cases';
import type { ModelCase } from './cases';
import {
  askGradients,
  GRADIENT_KEYS,
  GRADIENT_TARGETS,
  gradientShape,
  gradientsJudgement,
  gradientsRequest,
  ownGradients,
} from './gradients-judge';
import type { GradientCase, GradientExpectation, GradientKey } from './gradients-judge';
import { floorScaleFor, setupOf } from './model-checks';
import { failedOwnChecks } from './verdicts';

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
        const input = gradientCaseOf(c);
        const trusted = trustedComponents(context.runner.executor);
        // Asked first, and only for components whose functions failed their own checks.
        const own = trusted.size > 0 ? await ownGradients(context, input, trusted) : undefined;
        const answer = await askGradients(context, input);
        return gradientsJudgement(answer, gradientShape(input), expectedGradients(c), own);
      },
      // Known ahead only when no own gradient function is asked first.
      trustedComponents(context.runner.executor).size === 0
        ? (descriptor) => [gradientsRequest(gradientCaseOf(buildCase(descriptor)))]
        : undefined,
    ),
};

export function gradientCaseOf(c: ModelCase): GradientCase {
  return { setup: setupOf(c), x: c.x, yTrue: c.yTrue, yHat: c.yHat, hidden: c.hidden };
}

/** The reference's gradients for the case, each with its gradient function's tolerance floor. */
export function expectedGradients(c: ModelCase): GradientExpectation {
  const values = referenceRnn(c.params).getGradients(c.x, c.yTrue, c.yHat, c.hidden);
  const floorScales = Object.fromEntries(
    GRADIENT_KEYS.map((key) => [key, floorScaleFor(GRADIENT_TARGETS[key], c)]),
  ) as Record<GradientKey, number>;
  return { values, floorScales };
}

/** computeGradX of each component, and whether it builds on computeGradH. */
const COMPONENT_CHECKS: Record<GradientKey, string[]> = {
  c: ['grad.c.shape', 'grad.c.value'],
  b: ['grad.b.shape', 'grad.b.value', 'grad.h.shape', 'grad.h.value'],
  v: ['grad.v.shape', 'grad.v.value'],
  w: ['grad.w.shape', 'grad.w.value', 'grad.h.shape', 'grad.h.value'],
  u: ['grad.u.shape', 'grad.u.value', 'grad.h.shape', 'grad.h.value'],
};

function trustedComponents(executor: object): Set<GradientKey> {
  return new Set(GRADIENT_KEYS.filter((key) => failedOwnChecks(executor, COMPONENT_CHECKS[key])));
}

export const COMPOSITION_CHECKS: CheckDefinition[] = [quotingRule(gradientsCheck, RULES.getGradients)];
