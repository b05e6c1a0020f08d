/**
 * Inputs for model checks. fast-check draws a small descriptor (sizes, scale, seed) that shrinks
 * towards τ = 1, H = 1, F = 1; the numbers themselves come from the lab's seeded generator, so a
 * counterexample is fully described by its descriptor.
 */
import fc from 'fast-check';
import { createRng } from 'rnn-lab';
import type { Matrix, Rng } from 'rnn-lab';
import { RNN } from '../../reference/rnn';
import type { Params } from '../numeric/model';
import type { CallRequest } from '../protocol/requests';
import type { CheckContext, CheckOutcome } from '../types';
import { checkProperty } from './property';
import type { Judgement } from './property';

export interface CaseDescriptor {
  tau: number;
  hiddenSize: number;
  numFeatures: number;
  /** Spread of U and W: small (nearly linear), moderate, or large (tanh saturates). */
  scale: number;
  seed: number;
}

/** Everything a model check needs about one case, computed by the reference. */
export interface ModelCase extends CaseDescriptor {
  params: Params;
  x: Matrix;
  yTrue: number;
  hidden: Matrix;
  yHat: number;
  gradH: Matrix;
}

export const SCALES = [1, 0.3, 1.5, 0.05] as const;

export const caseArbitrary: fc.Arbitrary<CaseDescriptor> = fc.record({
  tau: fc.integer({ min: 1, max: 30 }),
  hiddenSize: fc.integer({ min: 1, max: 12 }),
  numFeatures: fc.integer({ min: 1, max: 8 }),
  scale: fc.constantFrom(...SCALES),
  seed: fc.integer({ min: 0, max: 0x7fffffff }),
});

/** Cases every property check tries first: short sequences where every time step matters. */
export const ANCHOR_CASES: CaseDescriptor[] = [
  { tau: 1, hiddenSize: 3, numFeatures: 2, scale: 1, seed: 1 },
  { tau: 2, hiddenSize: 4, numFeatures: 3, scale: 1, seed: 2 },
  { tau: 4, hiddenSize: 5, numFeatures: 3, scale: 1, seed: 3 },
  { tau: 24, hiddenSize: 10, numFeatures: 6, scale: 0.3, seed: 4 },
];

function normalMatrix(rng: Rng, rows: number, cols: number, std: number): Matrix {
  return Array.from({ length: rows }, () => Array.from({ length: cols }, () => rng.normal(0, std)));
}

/**
 * The cases built lately, by descriptor: a property check builds each case twice (for the
 * requests it sends ahead, then in its judge), and every model check tries the same anchors.
 * Nothing changes a ModelCase after it is built: the judges only read it, and what is sent to
 * the submission is an encoded copy.
 */
const recentCases = new Map<string, ModelCase>();
const RECENT_CASES = 64;

export function buildCase(descriptor: CaseDescriptor): ModelCase {
  const { tau, hiddenSize, numFeatures, scale, seed } = descriptor;
  const key = `${tau},${hiddenSize},${numFeatures},${scale},${seed}`;
  const known = recentCases.get(key);
  if (known) return known;
  if (recentCases.size >= RECENT_CASES) recentCases.clear();
  const built = computeCase(descriptor);
  recentCases.set(key, built);
  return built;
}

function computeCase(descriptor: CaseDescriptor): ModelCase {
  const { tau, hiddenSize, numFeatures, scale, seed } = descriptor;
  const rng = createRng(seed);
  const params: Params = {
    u: normalMatrix(rng, hiddenSize, numFeatures, scale),
    w: normalMatrix(rng, hiddenSize, hiddenSize, scale / Math.sqrt(hiddenSize)),
    v: Array.from({ length: hiddenSize }, () => rng.normal(0, 1)),
    b: Array.from({ length: hiddenSize }, () => rng.normal(0, 0.5 * scale)),
    c: rng.normal(0, 1),
  };
  const x = normalMatrix(rng, tau, numFeatures, 1);
  const yTrue = rng.normal(0, 1);
  const rnn = referenceRnn(params);
  const { hidden, yHat } = rnn.forward(x);
  return { ...descriptor, params, x, yTrue, hidden, yHat, gradH: rnn.computeGradH(yTrue, yHat, hidden) };
}

/** The reference network with the given parameters. */
export function referenceRnn(params: Params): RNN {
  const rnn = new RNN(params.b.length, params.u[0].length);
  Object.assign(rnn, {
    u: params.u.map((row) => row.slice()),
    w: params.w.map((row) => row.slice()),
    v: params.v.slice(),
    b: params.b.slice(),
    c: params.c,
  });
  return rnn;
}

export function describeCase(descriptor: CaseDescriptor): string {
  const { tau, hiddenSize, numFeatures, scale, seed } = descriptor;
  return `τ=${tau}, H=${hiddenSize}, F=${numFeatures}, parameter scale ${scale}, case seed ${seed}`;
}

/** Model checks: cases of (τ, H, F, scale, seed), anchored by short sequences. */
export function checkOverCases(
  context: CheckContext,
  judge: (descriptor: CaseDescriptor) => Promise<Judgement | null>,
  /** The judge's requests for a case, when known ahead (see CaseSource.requests). */
  requests?: (descriptor: CaseDescriptor) => CallRequest[],
): Promise<CheckOutcome> {
  return checkProperty(
    context,
    { arbitrary: caseArbitrary, examples: ANCHOR_CASES, describe: describeCase, requests },
    judge,
  );
}
