/**
 * The public checks' fixtures: probes computed by the reference on fixed cases, stored as numbers.
 * The handout judges them exactly as the grader judges live probes, without any solution code.
 */
import type { Matrix } from 'rnn-lab';
import { CATALOGUE } from '../checks/catalogue';
import { ANCHOR_CASES, buildCase } from '../checks/catalogue/cases';
import type { CaseDescriptor } from '../checks/catalogue/cases';
import { SPECS, storedProbeOf } from '../checks/catalogue/model-checks';
import { DATA_VALUE_SPECS } from '../checks/catalogue/data-value-checks';
import type { DataValueSpec } from '../checks/catalogue/data-value-checks';
import type { FixtureCheck, Fixtures } from '../checks/public';
import { prepareData } from '../reference/pipeline';

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
  const checks: FixtureCheck[] = [];
  for (const spec of DATA_VALUE_SPECS as Array<DataValueSpec<unknown>>) {
    const check = catalogueEntry(spec.id);
    checks.push({ id: spec.id, target: check.target, title: check.title + PUBLIC_NOTE, points: check.points, kind: 'both', probes: spec.source.examples.map((example) => spec.probe(example)) });
  }
  for (const spec of SPECS) {
    for (const kind of ['shape', 'value'] as const) {
      const check = catalogueEntry(`${spec.id}.${kind}`);
      const title = kind === 'value' ? `${check.target} computes the right values` : check.title;
      const probes = PUBLIC_MODEL_CASES.map((descriptor) => storedProbeOf(spec, buildCase(descriptor)));
      // A shape check needs the shape, not the values: keep the fixture file small.
      if (kind === 'shape') for (const probe of probes) Object.assign(probe, { mistakes: [], expectation: { ...probe.expectation, expected: 0 } });
      checks.push({ id: check.id, target: check.target, title: title + PUBLIC_NOTE, points: check.points, kind, probes });
    }
  }
  const prepared = prepareData(raw);
  return {
    generatedBy: 'npm run assign (rnn-autograder)',
    order: CATALOGUE.map((check) => check.id),
    checks,
    trainSplit: { rows: prepared.train.length, means: prepared.means, stds: prepared.stds },
  };
}
