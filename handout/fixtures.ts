/**
 * The public checks' fixtures: probes computed by the reference on fixed cases, stored as numbers.
 * The handout judges them exactly as the grader judges live probes, without any solution code.
 */
import type { Matrix } from 'rnn-lab';
import { CATALOGUE } from '../checks/catalogue';
import { ANCHOR_CASES, buildCase, describeCase } from '../checks/catalogue/cases';
import { expectedGradients, gradientCaseOf } from '../checks/catalogue/composition-checks';
import type { CaseDescriptor } from '../checks/catalogue/cases';
import { SPECS, storedProbeOf } from '../checks/catalogue/model-checks';
import { DATA_VALUE_SPECS } from '../checks/catalogue/data-value-checks';
import type { DataValueSpec } from '../checks/catalogue/data-value-checks';
import type { FixtureCheck, Fixtures } from '../checks/public';
import { prepareData } from '../reference/pipeline';
import { createRng } from 'rnn-lab';
import { referenceRnn } from '../checks/catalogue/cases';
import { stepData } from '../checks/catalogue/training-spec-checks';
import type { StepParams, StepProbe } from '../checks/public/training-step';
import { STEP_MISTAKES } from '../checks/diagnosis/mistakes';

/** Anchors plus two larger fixed cases (one saturating): public value checks use these. */
export const PUBLIC_MODEL_CASES: CaseDescriptor[] = [
  ...ANCHOR_CASES,
  { tau: 12, hiddenSize: 6, numFeatures: 4, scale: 0.5, seed: 11 },
  { tau: 30, hiddenSize: 10, numFeatures: 6, scale: 1.5, seed: 12 },
];

const PUBLIC_NOTE = ' (public: fixed cases)';

function catalogueEntry(id: string) {
  const check = CATALOGUE.find((c) => c.id === id);
  if (!check) throw new Error(`internal: no check ${id} in the catalogue`);
  return check;
}

export function buildFixtures(raw: Matrix): Fixtures {
  const prepared = prepareData(raw);
  return {
    ...buildPublicProbes(),
    trainSplit: { rows: prepared.train.length, means: prepared.means, stds: prepared.stds },
  };
}

/** Everything in the fixtures but the training split's statistics: no data needed. */
export function buildPublicProbes(): Omit<Fixtures, 'trainSplit'> {
  const checks: FixtureCheck[] = [];
  for (const spec of DATA_VALUE_SPECS as Array<DataValueSpec<unknown>>) {
    const check = catalogueEntry(spec.id);
    checks.push({
      id: spec.id,
      target: check.target,
      title: check.title + PUBLIC_NOTE,
      points: check.points,
      kind: 'both',
      probes: spec.source.examples.map((example) => spec.probe(example)),
    });
  }
  for (const spec of SPECS) {
    for (const kind of ['shape', 'value'] as const) {
      const check = catalogueEntry(`${spec.id}.${kind}`);
      const title = kind === 'value' ? `${check.target} computes the right values` : check.title;
      const probes = PUBLIC_MODEL_CASES.map((descriptor) => storedProbeOf(spec, buildCase(descriptor)));
      // A shape check needs the shape, not the values: keep the fixture file small.
      if (kind === 'shape')
        for (const probe of probes)
          Object.assign(probe, { mistakes: [], expectation: { ...probe.expectation, expected: 0 } });
      checks.push({
        id: check.id,
        target: check.target,
        title: title + PUBLIC_NOTE,
        points: check.points,
        kind,
        probes,
      });
    }
  }
  const step = catalogueEntry('train.step');
  const gradients = catalogueEntry('grad.all');
  return {
    generatedBy: 'npm run assign (rnn-autograder)',
    order: CATALOGUE.map((check) => check.id),
    checks,
    gradients: {
      id: gradients.id,
      title: gradients.title + PUBLIC_NOTE,
      points: gradients.points,
      probes: PUBLIC_MODEL_CASES.map((descriptor) => {
        const c = buildCase(descriptor);
        return { describe: describeCase(c), input: gradientCaseOf(c), expected: expectedGradients(c) };
      }),
    },
    trainingStep: {
      id: step.id,
      title: step.title + PUBLIC_NOTE,
      points: step.points,
      probes: PUBLIC_STEP_CASES.map(stepProbe),
    },
  };
}

/** doTrainingStep's public cases: batches of more than one day, so a sum and a last loss differ from a mean. */
export const PUBLIC_STEP_CASES = [
  { hiddenSize: 3, batchSize: 3, seed: 1 },
  { hiddenSize: 2, batchSize: 4, seed: 2 },
];

const STEP_FEATURES = 6;
const STEP_LR = 0.05;

function mapParams(p: StepParams, q: StepParams, combine: (a: number, b: number) => number): StepParams {
  return {
    c: combine(p.c, q.c),
    b: p.b.map((x, i) => combine(x, q.b[i])),
    v: p.v.map((x, i) => combine(x, q.v[i])),
    w: p.w.map((row, i) => row.map((x, k) => combine(x, q.w[i][k]))),
    u: p.u.map((row, i) => row.map((x, j) => combine(x, q.u[i][j]))),
  };
}

/** One stored step, computed by the reference: the right outcome and each classic mistake's. */
export function stepProbe({ hiddenSize, batchSize, seed }: (typeof PUBLIC_STEP_CASES)[number]): StepProbe {
  const data = stepData(seed);
  const rng = createRng(seed + 1);
  const draw = (std: number) => () => rng.normal(0, std);
  const params: StepParams = {
    u: Array.from({ length: hiddenSize }, () => Array.from({ length: STEP_FEATURES }, draw(0.5))),
    w: Array.from({ length: hiddenSize }, () => Array.from({ length: hiddenSize }, draw(0.5 / Math.sqrt(hiddenSize)))),
    v: Array.from({ length: hiddenSize }, draw(1)),
    b: Array.from({ length: hiddenSize }, draw(0.3)),
    c: rng.normal(0, 1),
  };
  const pick = createRng(seed + 2);
  const starts = Array.from({ length: batchSize }, () => pick.int(data.length - 24));
  const rnn = referenceRnn(params);
  const losses: number[] = [];
  let sum = mapParams(params, params, () => 0);
  for (const start of starts) {
    const x = data.slice(start, start + 24);
    const y = data[start + 24][1];
    const { hidden, yHat } = rnn.forward(x);
    losses.push((y - yHat) ** 2);
    sum = mapParams(sum, rnn.getGradients(x, y, yHat, hidden), (a, b) => a + b);
  }
  const loss = losses.reduce((a, b) => a + b, 0) / batchSize;
  const moved = (factor: number) => mapParams(params, sum, (p, g) => p - factor * g);
  return {
    describe: `H=${hiddenSize}, batch of ${batchSize} on a 60-row data set, lr ${STEP_LR} (case seed ${seed})`,
    hiddenSize,
    numFeatures: STEP_FEATURES,
    batchSize,
    lr: STEP_LR,
    data,
    starts,
    seed,
    params,
    expected: { loss, params: moved(STEP_LR / batchSize) },
    mistakes: [
      { id: 'step.sum', says: STEP_MISTAKES['step.sum'], loss, params: moved(STEP_LR) },
      { id: 'step.ascent', says: STEP_MISTAKES['step.ascent'], loss, params: moved(-STEP_LR / batchSize) },
      {
        id: 'step.last-loss',
        says: STEP_MISTAKES['step.last-loss'],
        loss: losses[losses.length - 1],
        params: moved(STEP_LR / batchSize),
      },
    ],
  };
}
