/**
 * Random RNN problems for property tests of the reference (and anything else that wants them):
 * sizes τ 1..30, H 1..12, F 1..8, parameters at scales from 0.001 (the lab's initialisation, where
 * the gradient vanishes after one or two steps back) to 1.5 (where, with large inputs and biases,
 * tanh saturates), inputs x and a target y. A case is a small record (sizes, scales and a seed); the numbers themselves are drawn
 * from `createRng(seed)`, so a failing case prints short and replays exactly.
 *
 * fast-check settings: one fixed seed by default, so that `npm test` is reproducible; set
 * FC_SEED=<integer> to explore other cases (FC_SEED=random draws a fresh seed per run; fast-check
 * prints it with the counterexample's path whenever a property fails).
 */
import fc from 'fast-check';
import { createRng } from 'rnn-lab';
import type { Matrix, Rng, Vector } from 'rnn-lab';
import type { Params } from '../../checks/numeric/model';

/** Default fast-check seed of the reference suite. */
export const DEFAULT_FC_SEED = 20240508;

/** The fast-check seed: FC_SEED if set (an integer, or `random`), else DEFAULT_FC_SEED. */
export function fcSeed(env: NodeJS.ProcessEnv = process.env): number {
  const text = env.FC_SEED?.trim();
  if (!text) return DEFAULT_FC_SEED;
  if (text === 'random') return Math.floor(Math.random() * 2 ** 31);
  const seed = Number(text);
  if (!Number.isSafeInteger(seed))
    throw new Error(`FC_SEED: expected an integer or "random", got ${JSON.stringify(text)}`);
  return seed;
}

/** Parameters for fc.assert: the suite's seed and `numRuns` runs. */
export function fcOptions(numRuns: number): { seed: number; numRuns: number } {
  return { seed: fcSeed(), numRuns };
}

/** A generated problem: sizes, scales and the seed the numbers are drawn from. */
export interface RnnCase {
  /** Sequence length τ. */
  tau: number;
  /** Hidden state size H. */
  hiddenSize: number;
  /** Number of features F. */
  numFeatures: number;
  /**
   * Standard deviation of the entries of U and v; W's is paramStd/√H, so that the recurrence's
   * gain is about paramStd (≤ 1.5: early steps matter near 1, and the recurrence is not chaotic,
   * where no float64 finite difference would be accurate).
   */
  paramStd: number;
  /** Standard deviation of b and c (0: the lab's initial biases). */
  biasStd: number;
  /** Standard deviation of the inputs (the standardized data has 1). */
  inputStd: number;
  /** Target, in standardized units. */
  yTrue: number;
  /** Seed of the numbers in U, W, v, b, c and x. */
  seed: number;
}

export interface CaseLimits {
  maxTau: number;
  maxHidden: number;
  maxFeatures: number;
}

const LIMITS: CaseLimits = { maxTau: 30, maxHidden: 12, maxFeatures: 8 };

/** log-uniform on [min, max], on a grid of 1,000 steps (fc.double would crowd near log = 0). */
function logUniform(min: number, max: number): fc.Arbitrary<number> {
  return fc.integer({ min: 0, max: 1000 }).map((k) => Number((min * (max / min) ** (k / 1000)).toPrecision(3)));
}

/** Arbitrary RNN problems; `limits` narrows the sizes (e.g. for slow oracles). */
export function rnnCase(limits: Partial<CaseLimits> = {}): fc.Arbitrary<RnnCase> {
  const { maxTau, maxHidden, maxFeatures } = { ...LIMITS, ...limits };
  return fc.record({
    tau: fc.integer({ min: 1, max: maxTau }),
    hiddenSize: fc.integer({ min: 1, max: maxHidden }),
    numFeatures: fc.integer({ min: 1, max: maxFeatures }),
    // Scales are chosen on a log scale, with the two ends (the lab's 0.001 and a saturating 1.5)
    // as frequent constants: fast-check also shrinks towards them.
    paramStd: fc.oneof(
      { arbitrary: logUniform(0.001, 1.5), weight: 3 },
      { arbitrary: fc.constantFrom(0.001, 1.5), weight: 1 },
    ),
    biasStd: fc.constantFrom(0, 0.1, 1),
    inputStd: fc.constantFrom(0.5, 1, 2),
    yTrue: fc.integer({ min: -300, max: 300 }).map((k) => k / 100),
    seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
  });
}

/** The numbers of a case. */
export interface Problem {
  params: Params;
  x: Matrix;
  yTrue: number;
}

function normalMatrix(rng: Rng, rows: number, cols: number, std: number): Matrix {
  return Array.from({ length: rows }, () => normalVector(rng, cols, std));
}

function normalVector(rng: Rng, length: number, std: number): Vector {
  return Array.from({ length }, () => rng.normal(0, std));
}

/** Draws the parameters and inputs of a case (always the same numbers for the same case). */
export function materialize(c: RnnCase): Problem {
  const rng = createRng(c.seed);
  const params: Params = {
    u: normalMatrix(rng, c.hiddenSize, c.numFeatures, c.paramStd),
    w: normalMatrix(rng, c.hiddenSize, c.hiddenSize, c.paramStd / Math.sqrt(c.hiddenSize)),
    v: normalVector(rng, c.hiddenSize, c.paramStd),
    b: normalVector(rng, c.hiddenSize, c.biasStd),
    c: rng.normal(0, c.biasStd),
  };
  return { params, x: normalMatrix(rng, c.tau, c.numFeatures, c.inputStd), yTrue: c.yTrue };
}

/** Anything with the contract's public parameters (the reference RNN, a submission's RNN). */
export interface HasParams {
  u: Matrix;
  w: Matrix;
  v: Vector;
  b: Vector;
  c: number;
}

/** Copies `params` into a network's public fields (fresh arrays, so the network cannot alias them). */
export function setParams<T extends HasParams>(rnn: T, params: Params): T {
  rnn.u = params.u.map((row) => row.slice());
  rnn.w = params.w.map((row) => row.slice());
  rnn.v = params.v.slice();
  rnn.b = params.b.slice();
  rnn.c = params.c;
  return rnn;
}

/** A deep copy of numbers in nested arrays and plain objects. */
export function deepCopy<T>(value: T): T {
  if (Array.isArray(value)) return value.map((entry) => deepCopy(entry)) as T;
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, entry]) => [key, deepCopy(entry)])) as T;
  }
  return value;
}

/** Freezes nested arrays and plain objects in place and returns them: writes then throw in strict mode. */
export function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object') {
    Object.values(value).forEach((entry) => deepFreeze(entry));
    Object.freeze(value);
  }
  return value;
}

/** [rows, cols] of a matrix, or [length] of a vector: for shape assertions with readable diffs. */
export function shapeOf(value: unknown): number[] {
  if (!Array.isArray(value)) return [];
  if (value.length > 0 && Array.isArray(value[0])) {
    const cols = new Set(value.map((row) => (Array.isArray(row) ? row.length : -1)));
    return [value.length, cols.size === 1 ? [...cols][0] : NaN];
  }
  return [value.length];
}
