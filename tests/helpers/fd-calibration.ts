/**
 * Calibration behind docs/reference-proof.md: over many generated cases, how far the reference's
 * gradients are from central finite differences (normalised error, checks/numeric/tolerance.ts),
 * next to how far the deliberately wrong gradients are.
 *
 *   npx tsx tests/helpers/fd-calibration.ts [numCases=1000] [fcSeed=DEFAULT_FC_SEED]
 *
 * Prints a summary and then the whole result as JSON (last line).
 */
import fc from 'fast-check';
import { FD_STEP } from '../../checks/numeric/finite-differences';
import { compareNumeric, FINITE_DIFFERENCE_TOLERANCE } from '../../checks/numeric/tolerance';
import type { Numeric } from '../../checks/numeric/tolerance';
import { DEFAULT_FC_SEED, rnnCase } from './rnn-cases';
import type { RnnCase } from './rnn-cases';
import { checkCase, GRADIENT_NAMES, judge, MUTANTS } from './gradient-oracle';
import type { GradientName } from './gradient-oracle';

interface Spread {
  max: number;
  p999: number;
  p99: number;
  median: number;
  worstCase: RnnCase;
}

export interface Calibration {
  numCases: number;
  fcSeed: number;
  tolerance: typeof FINITE_DIFFERENCE_TOLERANCE;
  /** Per gradient, with the rounding floor and the finer step (what the tests use). */
  reference: Record<GradientName, Spread>;
  /** The same without either allowance: FINITE_DIFFERENCE_TOLERANCE as it is, step FD_STEP only. */
  strict: Record<GradientName, Spread & { casesAbove: number }>;
  /** Largest |analytic - FD| / (ε·S/h) over entries the plain tolerance rejects (the rounding factor needed). */
  roundingFactorNeeded: { max: number; p99: number };
  /** Cases where some gradient needed the second difference at FD_STEP/10. */
  finerStepCases: number;
  /** Per mutant: in how many cases the tests reject it, and its normalised error. */
  mutants: Array<{
    name: string;
    gradient: GradientName;
    rejected: number;
    median: number;
    smallestRejected: number;
    largestAccepted: number;
  }>;
  seconds: number;
}

const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
const flat = (value: Numeric): number[] =>
  typeof value === 'number' ? [value] : value.flatMap((entry) => flat(entry));

function spread(values: Array<{ error: number; c: RnnCase }>): Spread {
  const sorted = values.map((v) => v.error).sort((a, b) => a - b);
  const worst = values.reduce((a, b) => (b.error > a.error ? b : a));
  return {
    max: worst.error,
    p999: quantile(sorted, 0.999),
    p99: quantile(sorted, 0.99),
    median: quantile(sorted, 0.5),
    worstCase: worst.c,
  };
}

export function calibrate(numCases: number, seed: number): Calibration {
  const started = Date.now();
  const cases = fc.sample(rnnCase(), { seed, numRuns: numCases });
  const judged = new Map<GradientName, Array<{ error: number; c: RnnCase }>>(GRADIENT_NAMES.map((name) => [name, []]));
  const strict = new Map<GradientName, Array<{ error: number; c: RnnCase }>>(GRADIENT_NAMES.map((name) => [name, []]));
  const mutantErrors = MUTANTS.map(() => ({
    errors: [] as number[],
    rejected: 0,
    smallestRejected: Infinity,
    largestAccepted: 0,
  }));
  const needed: number[] = [];
  let finerStepCases = 0;
  for (const c of cases) {
    const { problem, reference, numeric, scale, verdicts } = checkCase(c);
    const rounding = (Number.EPSILON * scale) / FD_STEP;
    let factor = 0;
    for (const name of GRADIENT_NAMES) {
      judged.get(name)!.push({ error: verdicts[name].maxError, c });
      const plain = compareNumeric(reference.analytic[name], numeric[name], FINITE_DIFFERENCE_TOLERANCE);
      strict.get(name)!.push({ error: plain.maxError, c });
      if (!plain.ok) {
        const a = flat(reference.analytic[name]);
        const e = flat(numeric[name]);
        const scaleOf = Math.max(...e.map(Math.abs));
        const t = FINITE_DIFFERENCE_TOLERANCE;
        e.forEach((expected, i) => {
          const allowed = t.rtol * Math.max(Math.abs(expected), t.floorFraction * scaleOf, t.absoluteFloor);
          const off = Math.abs(a[i] - expected);
          if (off > allowed) factor = Math.max(factor, off / rounding);
        });
      }
    }
    needed.push(factor);
    if (GRADIENT_NAMES.some((name) => verdicts[name].step !== FD_STEP)) finerStepCases++;
    MUTANTS.forEach((mutant, m) => {
      const wrong = mutant.compute(
        reference.rnn,
        reference.hidden,
        reference.analytic.gradH,
        problem.x,
        problem.yTrue,
        reference.yHat,
      );
      const verdict = judge({ [mutant.gradient]: wrong }, numeric, problem, scale)[mutant.gradient]!;
      const record = mutantErrors[m];
      record.errors.push(verdict.maxError);
      if (verdict.ok) record.largestAccepted = Math.max(record.largestAccepted, verdict.maxError);
      else {
        record.rejected++;
        record.smallestRejected = Math.min(record.smallestRejected, verdict.maxError);
      }
    });
  }
  const reference = {} as Calibration['reference'];
  const strictOut = {} as Calibration['strict'];
  for (const name of GRADIENT_NAMES) {
    reference[name] = spread(judged.get(name)!);
    strictOut[name] = {
      ...spread(strict.get(name)!),
      casesAbove: strict.get(name)!.filter((v) => v.error > FINITE_DIFFERENCE_TOLERANCE.rtol).length,
    };
  }
  const neededSorted = needed.slice().sort((a, b) => a - b);
  const mutants = MUTANTS.map((mutant, m) => {
    const record = mutantErrors[m];
    return {
      name: mutant.name,
      gradient: mutant.gradient,
      rejected: record.rejected,
      median: quantile(
        record.errors.slice().sort((a, b) => a - b),
        0.5,
      ),
      smallestRejected: record.smallestRejected,
      largestAccepted: record.largestAccepted,
    };
  });
  return {
    numCases,
    fcSeed: seed,
    tolerance: FINITE_DIFFERENCE_TOLERANCE,
    reference,
    strict: strictOut,
    roundingFactorNeeded: { max: neededSorted[neededSorted.length - 1], p99: quantile(neededSorted, 0.99) },
    finerStepCases,
    mutants,
    seconds: (Date.now() - started) / 1000,
  };
}

if (require.main === module) {
  const numCases = Number(process.argv[2] ?? 1000);
  const seed = Number(process.argv[3] ?? DEFAULT_FC_SEED);
  const result = calibrate(numCases, seed);
  const e = (x: number) => x.toExponential(2);
  console.log(
    `${numCases} cases, fast-check seed ${seed}, ${result.seconds.toFixed(1)} s; tolerance rtol ${result.tolerance.rtol}, floor ${result.tolerance.floorFraction} of max-abs`,
  );
  console.log('reference vs finite differences, as the tests judge (rounding floor, finer step when needed):');
  for (const name of GRADIENT_NAMES) {
    const r = result.reference[name];
    console.log(
      `  ${name.padEnd(6)} max ${e(r.max)}  p99.9 ${e(r.p999)}  p99 ${e(r.p99)}  median ${e(r.median)}  worst ${JSON.stringify(r.worstCase)}`,
    );
  }
  console.log(`  second difference at FD_STEP/10 needed in ${result.finerStepCases} cases`);
  console.log(
    "the same with FINITE_DIFFERENCE_TOLERANCE as it is (no allowance for the finite difference's own error):",
  );
  for (const name of GRADIENT_NAMES) {
    const r = result.strict[name];
    console.log(`  ${name.padEnd(6)} max ${e(r.max)}  p99 ${e(r.p99)}  cases above rtol ${r.casesAbove}`);
  }
  console.log(
    `rounding factor needed by the entries the plain tolerance rejects: max ${result.roundingFactorNeeded.max.toFixed(2)}, p99 ${result.roundingFactorNeeded.p99.toFixed(2)}`,
  );
  console.log('deliberately wrong gradients:');
  for (const m of result.mutants) {
    console.log(
      `  ${m.name}: rejected in ${m.rejected}/${numCases} cases, median error ${e(m.median)}, smallest rejected ${e(m.smallestRejected)}, largest accepted ${e(m.largestAccepted)}`,
    );
  }
  console.log(JSON.stringify(result));
}
