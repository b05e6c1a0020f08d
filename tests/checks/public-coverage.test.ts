/**
 * Public checks catch the common mistakes: every known mistake (checks/diagnosis) that a hidden
 * check detects must be detected by the public checks of the handout too (stored probes), so a
 * student never scores full public marks with a mistake that then loses points at grading.
 */
import { CATALOGUE } from '../../checks/catalogue';
import { ANCHOR_CASES, buildCase } from '../../checks/catalogue/cases';
import { probeOf, SPECS } from '../../checks/catalogue/model-checks';
import { DATA_MISTAKES, MISTAKES, mistakeSentence, STEP_MISTAKES } from '../../checks/diagnosis/mistakes';
import { compareNumeric, SUBMISSION_TOLERANCE } from '../../checks/numeric/tolerance';
import type { Numeric } from '../../checks/numeric/tolerance';
import { publicCatalogue } from '../../checks/public';
import type { Fixtures } from '../../checks/public';
import { runBattery } from '../../checks/battery';
import { loadInProcess } from '../../checks/executors/in-process';
import { buildPublicProbes } from '../../handout/fixtures';
import { expectedVerdict, loadManifest, samplePath } from './helpers';

const fixtures: Fixtures = { ...buildPublicProbes(), trainSplit: { rows: 0, means: [], stds: [] } };
const fixtureCheck = (id: string) => {
  const found = fixtures.checks.find((check) => check.id === id);
  if (!found) throw new Error(`no public fixture for ${id}`);
  return found;
};
const differs = (actual: Numeric, expected: Numeric, floorScale?: number, allowance?: Numeric) =>
  !compareNumeric(actual, expected, SUBMISSION_TOLERANCE, floorScale, allowance).ok;

describe('the public checks catch every known mistake a hidden check catches', () => {
  test('model mistakes: caught by the stored probes of the public value checks', () => {
    const missed: string[] = [];
    for (const spec of SPECS) {
      for (const mistake of MISTAKES[spec.target] ?? []) {
        const hidden = ANCHOR_CASES.some((descriptor) => {
          const c = buildCase(descriptor);
          const { expected, floorScale, allowance } = probeOf(spec, c).expectation;
          return differs(mistake.compute(c), expected, floorScale, allowance);
        });
        const stored = fixtureCheck(`${spec.id}.value`).probes.some((probe) => {
          const wrong = probe.mistakes.find((m) => m.id === mistake.id);
          return (
            wrong !== undefined &&
            differs(wrong.value, probe.expectation.expected, probe.expectation.floorScale, probe.expectation.allowance)
          );
        });
        if (hidden && !stored) missed.push(mistake.id);
      }
    }
    expect(missed).toEqual([]);
  });

  test('data and loss mistakes: every one is stored with the public probes and caught by one of them', () => {
    const dataChecks = fixtures.checks.filter((check) => check.id.startsWith('data.') || check.id === 'loss.mse');
    const caught = new Set<string>();
    for (const check of dataChecks) {
      for (const probe of check.probes) {
        for (const mistake of probe.mistakes)
          if (
            differs(
              mistake.value,
              probe.expectation.expected,
              probe.expectation.floorScale,
              probe.expectation.allowance,
            )
          )
            caught.add(mistake.id);
      }
    }
    expect(Object.keys(DATA_MISTAKES).filter((id) => !caught.has(id))).toEqual([]);
  });

  test("doTrainingStep's mistakes (summed gradients, ascent, last loss): caught by the public train.step", () => {
    const step = fixtures.trainingStep;
    expect(step?.id).toBe('train.step');
    const caught = new Set<string>();
    for (const probe of step?.probes ?? []) {
      for (const mistake of probe.mistakes) {
        const lossDiffers = differs(mistake.loss, probe.expected.loss);
        const paramsDiffer = (['c', 'b', 'v', 'w', 'u'] as const).some((key) =>
          differs(mistake.params[key], probe.expected.params[key]),
        );
        if (lossDiffers || paramsDiffer) caught.add(mistake.id);
      }
    }
    expect(Object.keys(STEP_MISTAKES).filter((id) => !caught.has(id))).toEqual([]);
  });

  test('every diagnosis id has its likely-mistake sentence (what hidden-check feedback may show), the same one the checks print', () => {
    const ids = [
      ...Object.values(MISTAKES)
        .flat()
        .map((m) => m.id),
      ...Object.keys(DATA_MISTAKES),
      ...Object.keys(STEP_MISTAKES),
    ];
    expect(ids.filter((id) => !mistakeSentence(id))).toEqual([]);
    const stored = fixtures.checks.flatMap((check) => check.probes.flatMap((probe) => probe.mistakes));
    expect(stored.filter((m) => mistakeSentence(m.id) !== m.says).map((m) => m.id)).toEqual([]);
  });

  test("getRandomDay's bounds (the notebook's rng.int(len − 25)) are judged by a public check", () => {
    expect(publicCatalogue(fixtures).map((check) => check.id)).toContain('data.getRandomDay.edges');
  });
});

/**
 * The same, on the wrong samples: every check a sample fails at grading must be seen by the
 * public battery too: by its own public version when it has one, else by a public check of the
 * same function (every wrong sample: none is exempt). Public checks that need the data set are
 * left to the tests that have it.
 */
const SAMPLE_TIMEOUT_MS = 180_000;

describe('on the wrong samples', () => {
  const all = publicCatalogue(fixtures);
  const publicChecks = all.filter((check) => !check.usesData);
  const publicIds = new Set(all.map((check) => check.id));
  const samples = loadManifest().filter((spec) => spec.kind === 'wrong');

  test.each(samples.map((spec) => [spec.name, spec] as const))(
    '%s: every check it fails at grading fails publicly too (its public version, else one of the same function)',
    async (_name, spec) => {
      const failing = CATALOGUE.filter((check) => expectedVerdict(spec, check.id) !== 'passed');
      // A failing check whose public version needs the data is judged where the data is.
      const judged = failing.filter((check) => !publicIds.has(check.id) || publicChecks.some((p) => p.id === check.id));
      if (judged.length === 0) return;
      const results = await runBattery(
        loadInProcess(samplePath(spec.name)),
        publicChecks.filter((check) => judged.some((failed) => failed.target === check.target)),
        { seed: 1, loadTrainData: () => Promise.reject(new Error('no data in this test')) },
      );
      const failedPublicly = (check: (typeof judged)[number]) =>
        publicIds.has(check.id)
          ? results.some((result) => result.id === check.id && result.status !== 'passed')
          : results.some((result) => result.target === check.target && result.status !== 'passed');
      expect(judged.filter((check) => !failedPublicly(check)).map((check) => check.id)).toEqual([]);
    },
    SAMPLE_TIMEOUT_MS,
  );
});

describe('the public grad.all', () => {
  const check = publicCatalogue(fixtures).find((c) => c.id === 'grad.all');
  const samples = loadManifest().filter((spec) => spec.kind !== 'broken');

  test('ships with stored cases', () => {
    expect(check?.visibility).toBe('public');
    expect(fixtures.gradients?.probes.length).toBeGreaterThanOrEqual(4);
  });

  // Both ways: a sample whose getGradients composes its own wrong gradient function passes, as at grading.
  test.each(samples.map((spec) => [spec.name, spec] as const))(
    '%s: the same verdict as grading gives',
    async (_name, spec) => {
      const battery = publicCatalogue(fixtures).filter((c) => c.target.startsWith('RNN.') && !c.usesData);
      const results = await runBattery(loadInProcess(samplePath(spec.name)), battery, {
        seed: 1,
        loadTrainData: () => Promise.reject(new Error('no data in this test')),
      });
      const result = results.find((r) => r.id === 'grad.all');
      expect(result?.status === 'passed' ? 'passed' : 'failed').toBe(
        expectedVerdict(spec, 'grad.all') === 'passed' ? 'passed' : 'failed',
      );
      if (spec.name === 'get-gradients-swapped-args') expect(result?.message).toMatch(/getGradients' v differ/);
    },
    SAMPLE_TIMEOUT_MS,
  );
});
