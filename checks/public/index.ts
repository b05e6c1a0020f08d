/**
 * The public checks: the subset of the catalogue that ships in the student handout. Checks judged
 * by the contract's words run as they are; checks that need correct values judge stored probes
 * (fixtures generated from the reference by `npm run assign`), so no solution code ships.
 */
import type { CheckDefinition, CheckOutcome } from '../types';
import { CONTRACT_CHECKS } from '../catalogue/contract-checks';
import { DATA_SPEC_CHECKS } from '../catalogue/data-spec-checks';
import { TRAINING_SPEC_CHECKS } from '../catalogue/training-spec-checks';
import { judgeProbe } from '../catalogue/probe';
import type { Probe, ProbeKind } from '../catalogue/probe';
import { trainingStepCheck } from './training-step';
import type { StepProbe } from './training-step';
import { gradientsCheck } from './gradients';
import type { GradientsFixture } from './gradients';

export interface FixtureCheck {
  id: string;
  target: string;
  title: string;
  points: number;
  kind: ProbeKind;
  probes: Probe[];
}

export interface Fixtures {
  /** What generated them, e.g. "reference/rnn.ts at 2026-11-26" (informational). */
  generatedBy: string;
  checks: FixtureCheck[];
  /** The grader's check order, so public results read in the same order as graded ones. */
  order: string[];
  /** Stored steps of doTrainingStep for the public train.step (absent in fixtures of older handouts). */
  trainingStep?: { id: string; title: string; points: number; probes: StepProbe[] };
  /** Stored getGradients calls for the public grad.all (absent in fixtures of older handouts). */
  gradients?: GradientsFixture;
  /** How the training split is prepared for train.converges (numbers, not code). */
  trainSplit: { rows: number; means: number[]; stds: number[] };
}

/**
 * The contract-only checks that are public. They judge by the contract's words alone, so shipping
 * them gives nothing away, and every mistake they can catch is caught before grading.
 */
export const PUBLIC_SPEC_IDS = [
  'contract.exports',
  'rnn.constructor',
  'rnn.constructor.default',
  'data.numTrainSamples',
  'data.getRandomDay.window',
  'data.getRandomDay.edges',
  'train.protocol',
  'train.converges',
];

export function fixtureCheck(fixture: FixtureCheck): CheckDefinition {
  return {
    id: fixture.id,
    target: fixture.target,
    title: fixture.title,
    points: fixture.points,
    visibility: 'public',
    timeoutMs: 20_000,
    async run(context): Promise<CheckOutcome> {
      // Fixed cases, in order; a throw from the submission ends the check and the battery reports it.
      for (const probe of fixture.probes) {
        const judgement = await judgeProbe(fixture.kind, probe, await context.runner.call(probe.request));
        if (judgement)
          return {
            status: judgement.status,
            message: `${judgement.message}\nCase: ${probe.describe}.`,
            diagnosis: judgement.diagnosis,
          };
      }
      return { status: 'passed', message: '' };
    },
  };
}

/** The public battery, in catalogue order. */
export function publicCatalogue(fixtures: Fixtures): CheckDefinition[] {
  const order = fixtures.order;
  const spec = [...CONTRACT_CHECKS, ...DATA_SPEC_CHECKS, ...TRAINING_SPEC_CHECKS].filter((check) =>
    PUBLIC_SPEC_IDS.includes(check.id),
  );
  const { trainingStep: step, gradients } = fixtures;
  const all = [
    ...spec,
    ...fixtures.checks.map(fixtureCheck),
    ...(gradients ? [gradientsCheck(gradients)] : []),
    ...(step ? [trainingStepCheck(step.id, step.title, step.points, step.probes)] : []),
  ];
  return all.sort((a, b) => order.indexOf(a.id) - order.indexOf(b.id));
}
