/**
 * Calibrates SUBMISSION_TOLERANCE: over many random cases (the checks' own case generator), how far
 * does a correct float32 computation stray from the float64 reference, and how close does each
 * known mistake come to it? The tolerance must sit between the two, with room on both sides.
 *
 *   npx tsx bench/tolerance.ts [cases]
 */
import fc from 'fast-check';
import type { Matrix } from 'rnn-lab';
import { buildCase, caseArbitrary, referenceRnn } from '../checks/catalogue/cases';
import type { ModelCase } from '../checks/catalogue/cases';
import { compareNumeric, SUBMISSION_TOLERANCE } from '../checks/numeric/tolerance';
import type { Numeric, Tolerance } from '../checks/numeric/tolerance';
import { MISTAKES } from '../checks/diagnosis/mistakes';
import { probeOf, SPECS } from '../checks/catalogue/model-checks';
import { ANCHOR_CASES } from '../checks/catalogue/cases';
import { DATA_VALUE_SPECS } from '../checks/catalogue/data-value-checks';
import type { DataValueSpec } from '../checks/catalogue/data-value-checks';
import type { ValueExpectation } from '../checks/catalogue/judge';

const f = Math.fround;

/** The whole model with every intermediate value rounded to float32. */
export function float32Gradients(c: ModelCase) {
  const { u, w, v, b } = c.params;
  const H = b.length;
  const hidden: Matrix = [];
  let previous = b.map(() => 0);
  for (const x of c.x) {
    previous = b.map((bias, i) => {
      let sum = f(bias);
      u[i].forEach((uij, j) => (sum = f(sum + f(f(uij) * f(x[j])))));
      w[i].forEach((wik, k) => (sum = f(sum + f(f(wik) * previous[k]))));
      return f(Math.tanh(sum));
    });
    hidden.push(previous);
  }
  let yHat = f(c.params.c);
  v.forEach((vi, i) => (yHat = f(yHat + f(f(vi) * previous[i]))));
  const g = f(2 * f(yHat - f(c.yTrue)));
  const gradH: Matrix = hidden.map(() => new Array(H).fill(0));
  gradH[hidden.length - 1] = v.map((vi) => f(g * f(vi)));
  for (let t = hidden.length - 2; t >= 0; t--) {
    const delta = hidden[t + 1].map((h, i) => f(f(1 - f(h * h)) * gradH[t + 1][i]));
    gradH[t] = gradH[t].map((_, k) => w.reduce((sum, row, i) => f(sum + f(f(row[k]) * delta[i])), 0));
  }
  const local = hidden.map((h, t) => h.map((hi, i) => f(f(1 - f(hi * hi)) * gradH[t][i])));
  const outer = (partners: Matrix, offset: number, cols: number) =>
    local[0].map((_, i) =>
      Array.from({ length: cols }, (_, j) =>
        local.reduce(
          (sum, row, t) => (partners[t + offset] ? f(sum + f(row[i] * f(partners[t + offset][j]))) : sum),
          0,
        ),
      ),
    );
  return {
    forward: [yHat, ...hidden.flat()],
    gradH,
    c: g,
    b: local.reduce((acc, row) => acc.map((value, i) => f(value + row[i]))),
    v: previous.map((h) => f(g * h)),
    w: outer(hidden, -1, H),
    u: outer(c.x, 0, c.x[0].length),
  };
}

const TARGETS: Record<
  string,
  { correct(c: ModelCase): Numeric; float32(g: ReturnType<typeof float32Gradients>): Numeric }
> = {
  'RNN.forward': { correct: (c) => [c.yHat, ...c.hidden.flat()], float32: (g) => g.forward },
  'RNN.computeGradH': { correct: (c) => c.gradH, float32: (g) => g.gradH },
  'RNN.computeGradC': { correct: (c) => referenceRnn(c.params).computeGradC(c.yTrue, c.yHat), float32: (g) => g.c },
  'RNN.computeGradB': { correct: (c) => referenceRnn(c.params).computeGradB(c.hidden, c.gradH), float32: (g) => g.b },
  'RNN.computeGradV': {
    correct: (c) => referenceRnn(c.params).computeGradV(c.yTrue, c.yHat, c.hidden),
    float32: (g) => g.v,
  },
  'RNN.computeGradW': { correct: (c) => referenceRnn(c.params).computeGradW(c.hidden, c.gradH), float32: (g) => g.w },
  'RNN.computeGradU': {
    correct: (c) => referenceRnn(c.params).computeGradU(c.hidden, c.gradH, c.x),
    float32: (g) => g.u,
  },
};

/** Normalised error with rtol taken out (floor, upstream scale and float32 allowance as the check applies them): the check passes when it is ≤ rtol. */
const judgedError = (actual: Numeric, expectation: ValueExpectation, tolerance: Tolerance) =>
  compareNumeric(
    actual,
    expectation.expected,
    { ...tolerance, rtol: Infinity },
    expectation.floorScale,
    expectation.allowance,
  ).maxError;

/** The largest share of the permitted error (allowance + rtol · max(|expected|, floor)) an answer uses: ≤ 1 passes. */
export function shareOfPermitted(
  actual: Numeric,
  expectation: ValueExpectation,
  tolerance: Tolerance = SUBMISSION_TOLERANCE,
): number {
  const flat = (value: Numeric): number[] => (typeof value === 'number' ? [value] : value.flatMap(flat));
  const a = flat(actual);
  const e = flat(expectation.expected);
  const allowed = expectation.allowance === undefined ? e.map(() => 0) : flat(expectation.allowance);
  const scale = e.reduce((max, value) => Math.max(max, Math.abs(value)), expectation.floorScale ?? 0);
  const floor = Math.max(tolerance.floorFraction * scale, tolerance.absoluteFloor);
  return Math.max(
    ...e.map((value, i) => Math.abs(a[i] - value) / (allowed[i] + tolerance.rtol * Math.max(Math.abs(value), floor))),
  );
}

const expectationFor = (target: string, c: ModelCase): ValueExpectation => {
  const spec = SPECS.find((candidate) => candidate.target === target);
  if (!spec) throw new Error(`no model check for ${target}`);
  return probeOf(spec, c).expectation;
};

const errorOf = (target: string, c: ModelCase, actual: Numeric, _expected: Numeric, tolerance: Tolerance) =>
  judgedError(actual, expectationFor(target, c), tolerance);

/**
 * How a mistake fares against the tolerance, from its judged errors on the random cases and on
 * the anchors: the share of random cases that catch it (error > rtol), its median error there, and
 * how many anchors catch it.
 */
function howCaught(errors: number[], anchorErrors: number[], rtol = SUBMISSION_TOLERANCE.rtol) {
  const sorted = errors.slice().sort((a, b) => a - b);
  return {
    catchRate: errors.filter((e) => e > rtol).length / errors.length,
    medianError: sorted[Math.floor(sorted.length / 2)],
    caughtOnAnchors: anchorErrors.filter((e) => e > rtol).length,
  };
}

export function calibrate(numCases: number, seed = 7) {
  const descriptors = fc.sample(caseArbitrary, { seed, numRuns: numCases });
  const anchors = ANCHOR_CASES.map(buildCase);
  const cases = descriptors.map(buildCase);
  return Object.entries(TARGETS).map(([target, spec]) => {
    const worstFloat32 = Math.max(
      ...[...cases, ...anchors].map((c) =>
        errorOf(target, c, spec.float32(float32Gradients(c)), spec.correct(c), SUBMISSION_TOLERANCE),
      ),
    );
    const mistakes = (MISTAKES[target] ?? []).map((mistake) => {
      const error = (c: ModelCase) => errorOf(target, c, mistake.compute(c), spec.correct(c), SUBMISSION_TOLERANCE);
      return { id: mistake.id, ...howCaught(cases.map(error), anchors.map(error)) };
    });
    return { target, worstFloat32, mistakes };
  });
}

/**
 * The data functions written as a float32-storage submission writes them: every input rounded to
 * float32 first, then every operation rounded (two-pass std, recursive sums in row order).
 */
const toF32 = (m: Matrix): Matrix => m.map((row) => row.map(f));
const float32Means = (data: Matrix): number[] => {
  const rows = toF32(data);
  return rows[0].map((_, j) => f(rows.reduce((sum, row) => f(sum + row[j]), 0) / rows.length));
};
const FLOAT32_DATA: Record<string, (args: unknown[]) => Numeric> = {
  'data.columnMeans': ([data]) => float32Means(data as Matrix),
  'data.columnStds': ([data]) => {
    const rows = toF32(data as Matrix);
    const means = float32Means(rows);
    return means.map((mean, j) =>
      f(Math.sqrt(f(rows.reduce((sum, row) => f(sum + f(f(row[j] - mean) ** 2)), 0) / (rows.length - 1)))),
    );
  },
  'data.standardize': ([data, means, stds]) =>
    toF32(data as Matrix).map((row) =>
      row.map((value, j) => f(f(value - f((means as number[])[j])) / f((stds as number[])[j]))),
    ),
  'loss.mse': ([yTrue, yPred]) => f(f(f(yTrue as number) - f(yPred as number)) ** 2),
};

/** The data checks: worst float32 error against the judged tolerance, and how often each stored mistake is caught. */
export function calibrateData(numCases: number, seed = 7) {
  return (DATA_VALUE_SPECS as Array<DataValueSpec<unknown>>).map((spec) => {
    const anchors = spec.source.examples.map((example) => spec.probe(example));
    const probes = fc.sample(spec.source.arbitrary, { seed, numRuns: numCases }).map((example) => spec.probe(example));
    const float32 = (probe: (typeof probes)[number]) =>
      judgedError(FLOAT32_DATA[spec.id](probe.originals.args), probe.expectation, SUBMISSION_TOLERANCE);
    const worstFloat32 = Math.max(...[...probes, ...anchors].map(float32));
    const worstShare = Math.max(
      ...[...probes, ...anchors].map((probe) =>
        shareOfPermitted(FLOAT32_DATA[spec.id](probe.originals.args), probe.expectation),
      ),
    );
    const mistakes = anchors[0].mistakes.map((mistake, index) => {
      const error = (probe: (typeof probes)[number]) =>
        judgedError(probe.mistakes[index].value, probe.expectation, SUBMISSION_TOLERANCE);
      return { id: mistake.id, ...howCaught(probes.map(error), anchors.map(error)), anchors: anchors.length };
    });
    return { target: spec.id, worstFloat32, worstShare, mistakes };
  });
}

if (require.main === module) {
  const numCases = Number(process.argv[2] ?? 2000);
  const rows = calibrate(numCases);
  const t = SUBMISSION_TOLERANCE;
  console.log(
    `tolerance: rtol ${t.rtol}, floor ${t.floorFraction} × max(|expected|, upstream scale), absolute floor ${t.absoluteFloor}; ${numCases} random cases + ${ANCHOR_CASES.length} anchors`,
  );
  for (const row of rows) {
    console.log(
      `${row.target}: worst float32 error ${row.worstFloat32.toExponential(2)} (${(row.worstFloat32 / t.rtol).toFixed(3)} of rtol)`,
    );
    for (const m of row.mistakes)
      console.log(
        `   ${m.id.padEnd(28)} caught on ${(100 * m.catchRate).toFixed(1).padStart(5)} % of random cases, ${m.caughtOnAnchors}/${ANCHOR_CASES.length} anchors; median error ${m.medianError.toExponential(2)}`,
      );
  }
  console.log(
    `\ndata checks (float32 inputs and arithmetic; error after the float32 allowance, over the tolerance): ${numCases} random cases + the fixed cases`,
  );
  for (const row of calibrateData(numCases)) {
    console.log(
      `${row.target}: worst float32 error beyond the allowance ${row.worstFloat32.toExponential(2)} (${(row.worstFloat32 / t.rtol).toFixed(3)} of rtol); uses at most ${(100 * row.worstShare).toPrecision(2)} % of the permitted error`,
    );
    for (const m of row.mistakes)
      console.log(
        `   ${m.id.padEnd(28)} caught on ${(100 * m.catchRate).toFixed(1).padStart(5)} % of random cases, ${m.caughtOnAnchors}/${m.anchors} fixed cases; median error ${m.medianError.toExponential(2)}`,
      );
  }
}
