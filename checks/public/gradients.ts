/**
 * The public version of grad.all: getGradients on fixed, stored cases, judged against gradients
 * the reference computed at `npm run assign`, by the same judge as the grader's grad.all
 * (../catalogue/gradients-judge.ts), so no solution code ships. As in the public train.step, a
 * component that equals what the student's own gradient function returns also passes: a bug in
 * that function is charged by its own check.
 */
import type { CheckDefinition, CheckOutcome } from '../types';
import {
  askGradients,
  gradientShape,
  gradientsJudgement,
  ownGradients,
  wrongComponents,
} from '../catalogue/gradients-judge';
import type { GradientCase, GradientExpectation } from '../catalogue/gradients-judge';
import { shapeProblem } from '../catalogue/shapes';

/** One stored getGradients call and the gradients it must give. */
export interface GradientProbe {
  /** The case, for people ("τ=2, H=4, …"). */
  describe: string;
  input: GradientCase;
  expected: GradientExpectation;
}

/** The stored cases of the public grad.all, with the check's id, title and points. */
export interface GradientsFixture {
  id: string;
  title: string;
  points: number;
  probes: GradientProbe[];
}

export function gradientsCheck({ probes, ...check }: GradientsFixture): CheckDefinition {
  return {
    ...check,
    target: 'RNN.getGradients',
    visibility: 'public',
    timeoutMs: 20_000,
    async run(context): Promise<CheckOutcome> {
      for (const probe of probes) {
        const shape = gradientShape(probe.input);
        const answer = await askGradients(context, probe.input);
        const first = gradientsJudgement(answer, shape, probe.expected);
        if (!first) continue;
        // Only a well-shaped answer has components to compare with the student's own functions.
        const wrong = shapeProblem(answer, shape) ? [] : wrongComponents(answer, probe.expected);
        const own = wrong.length > 0 ? await ownGradients(context, probe.input, new Set(wrong)) : undefined;
        const judgement = own ? gradientsJudgement(answer, shape, probe.expected, own) : first;
        if (judgement) return { ...judgement, message: `${judgement.message}\nCase: ${probe.describe}.` };
      }
      return { status: 'passed', message: '' };
    },
  };
}
