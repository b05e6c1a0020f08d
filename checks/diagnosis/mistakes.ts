/**
 * Known mistakes, computed: for a wrong answer, the judge computes what each classic mistake
 * would have returned on the same inputs and names the one the answer matches. A hint, never a
 * verdict: the verdict comes from the comparison with the correct value.
 */
import type { Matrix, Vector } from 'rnn-lab';
import { compareNumeric, SUBMISSION_TOLERANCE } from '../numeric/tolerance';
import type { Numeric } from '../numeric/tolerance';
import type { ModelCase } from '../catalogue/cases';

export interface Mistake {
  id: string;
  /** Student-facing: what the code probably does, and what it should do. */
  says: string;
  compute(c: ModelCase): Numeric;
}

const transpose = (m: Matrix): Matrix => (m.length === 0 ? [] : m[0].map((_, j) => m.map((row) => row[j])));
const scale = (value: Numeric, s: number): Numeric =>
  typeof value === 'number' ? value * s : value.map((entry) => scale(entry, s));

/** (1 - h_t²) ⊙ ∂L/∂h_t for every t. */
const localGradients = (hidden: Matrix, gradH: Matrix): Matrix =>
  hidden.map((h, t) => h.map((hi, i) => (1 - hi * hi) * gradH[t][i]));

/** Σ_t a_t b_tᵀ over the given pairs of rows. */
function sumOfOuters(rows: number, cols: number, pairs: Array<[Vector, Vector]>): Matrix {
  const out = Array.from({ length: rows }, () => new Array<number>(cols).fill(0));
  for (const [a, b] of pairs) for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) out[i][j] += a[i] * b[j];
  return out;
}

const sumRows = (m: Matrix, from = 0): Vector =>
  m.slice(from).reduce(
    (acc, row) => acc.map((value, i) => value + row[i]),
    m[0].map(() => 0),
  );

interface BackwardVariant {
  factor?: number;
  transposeW?: boolean;
  /** Which hidden row's tanh derivative multiplies the step from t+1 to t (null: none). */
  derivativeRow?: (t: number) => number | null;
  lastOnly?: boolean;
}

function backward(c: ModelCase, variant: BackwardVariant): Matrix {
  const { hidden, params } = c;
  const w = variant.transposeW ? transpose(params.w) : params.w;
  const tau = hidden.length;
  const out: Matrix = hidden.map((row) => row.map(() => 0));
  out[tau - 1] = params.v.map((vi) => (variant.factor ?? 2) * (c.yHat - c.yTrue) * vi);
  if (variant.lastOnly) return out;
  for (let t = tau - 2; t >= 0; t--) {
    const rowIndex = variant.derivativeRow ? variant.derivativeRow(t) : t + 1;
    const delta = out[t + 1].map((g, i) => (rowIndex === null ? g : (1 - hidden[rowIndex][i] ** 2) * g));
    out[t] = out[t].map((_, k) => w.reduce((sum, wRow, i) => sum + wRow[k] * delta[i], 0));
  }
  return out;
}

const FLIPPED_SIGN = 'The sign is flipped: the derivative of (ŷ − y)² with respect to ŷ is 2(ŷ − y), not 2(y − ŷ).';
const NO_FACTOR_2 = 'The factor 2 is missing: the derivative of (ŷ − y)² with respect to ŷ is 2(ŷ − y).';
const NO_TANH_DERIVATIVE =
  'The tanh derivative is missing: every step back through h_t = tanh(…) multiplies by (1 − h_t²).';
const LAST_ONLY = 'Only the last time step is used: the sum must run over every t = 1..τ.';
const SKIP_FIRST =
  'The first time step is skipped (a loop starting at 1 instead of 0): the sum must include t = 1, i.e. array index 0.';

/** A mistake of the forward pass: the reference forward pass with one thing done differently. */
function forwardMistake(id: string, says: string, variant: ForwardVariant): Mistake {
  return { id, says, compute: (c) => forwardVariant(c, variant) };
}

/** A mistake of ∂L/∂h: the backward recursion with one thing done differently. */
function gradHMistake(id: string, says: string, variant: BackwardVariant): Mistake {
  return { id, says, compute: (c) => backward(c, variant) };
}

export const MISTAKES: Record<string, Mistake[]> = {
  'RNN.forward': [
    forwardMistake(
      'forward.no-tanh',
      'The hidden states are not passed through tanh: h_t = tanh(U x_t + W h_{t-1} + b).',
      { activation: (z) => z },
    ),
    forwardMistake(
      'forward.w-transposed',
      'W is used transposed: the recurrence multiplies W h_{t-1}, row i of W with h_{t-1}.',
      { transposeW: true },
    ),
    forwardMistake('forward.no-bias', 'The bias b is missing from h_t = tanh(U x_t + W h_{t-1} + b).', {
      noBias: true,
    }),
    forwardMistake('forward.no-c', 'The output bias c is missing: ŷ = v·h_τ + c.', { noC: true }),
    forwardMistake('forward.first-hidden', 'ŷ is computed from h_1 instead of the last hidden state h_τ.', {
      outputRow: 0,
    }),
  ],
  'RNN.computeGradH': [
    gradHMistake('gradH.no-factor-2', NO_FACTOR_2, { factor: 1 }),
    gradHMistake('gradH.flipped-sign', FLIPPED_SIGN, { factor: -2 }),
    gradHMistake(
      'gradH.w-not-transposed',
      'W is not transposed: going back from h_{t+1} to h_t multiplies by Wᵀ, not W.',
      { transposeW: true },
    ),
    gradHMistake('gradH.no-tanh-derivative', NO_TANH_DERIVATIVE, { derivativeRow: () => null }),
    gradHMistake(
      'gradH.wrong-step-derivative',
      'The recursion uses (1 − h_t²) where it needs (1 − h_{t+1}²): the tanh being differentiated is the one that produced h_{t+1}.',
      { derivativeRow: (t) => t },
    ),
    gradHMistake(
      'gradH.last-only',
      'Only ∂L/∂h_τ is filled in: every earlier h_t also affects the loss through h_{t+1}, so each row needs the recursion.',
      { lastOnly: true },
    ),
  ],
  'RNN.computeGradC': [
    { id: 'gradC.no-factor-2', says: NO_FACTOR_2, compute: (c) => c.yHat - c.yTrue },
    { id: 'gradC.flipped-sign', says: FLIPPED_SIGN, compute: (c) => 2 * (c.yTrue - c.yHat) },
  ],
  'RNN.computeGradB': [
    { id: 'gradB.skip-first', says: SKIP_FIRST, compute: (c) => sumRows(localGradients(c.hidden, c.gradH), 1) },
    { id: 'gradB.no-tanh-derivative', says: NO_TANH_DERIVATIVE, compute: (c) => sumRows(c.gradH) },
    { id: 'gradB.last-only', says: LAST_ONLY, compute: (c) => localGradients(c.hidden, c.gradH)[c.hidden.length - 1] },
    {
      id: 'gradB.flipped-sign',
      says: 'The sign is flipped: ∂L/∂b = +Σ_t (1 − h_t²) ⊙ ∂L/∂h_t.',
      compute: (c) => scale(sumRows(localGradients(c.hidden, c.gradH)), -1),
    },
  ],
  'RNN.computeGradV': [
    {
      id: 'gradV.no-factor-2',
      says: NO_FACTOR_2,
      compute: (c) => c.hidden[c.hidden.length - 1].map((h) => (c.yHat - c.yTrue) * h),
    },
    {
      id: 'gradV.flipped-sign',
      says: FLIPPED_SIGN,
      compute: (c) => c.hidden[c.hidden.length - 1].map((h) => 2 * (c.yTrue - c.yHat) * h),
    },
    {
      id: 'gradV.first-hidden',
      says: 'h_1 is used instead of the last hidden state h_τ: ŷ = v·h_τ + c depends on h_τ only.',
      compute: (c) => c.hidden[0].map((h) => 2 * (c.yHat - c.yTrue) * h),
    },
    {
      id: 'gradV.sum-over-time',
      says: 'The hidden states of every step are summed: ŷ depends on h_τ only, so ∂L/∂v = 2(ŷ − y) h_τ.',
      compute: (c) => scale(sumRows(c.hidden), 2 * (c.yHat - c.yTrue)),
    },
  ],
  'RNN.computeGradW': [
    {
      id: 'gradW.same-step',
      says: 'The local gradient at step t is paired with h_t; it must be paired with the previous state h_{t-1} (h_0 = 0).',
      compute: (c) => gradWeights(c, c.hidden, 0, c.hidden[0].length),
    },
    {
      id: 'gradW.transposed',
      says: 'The result is transposed: entry [i][k] is (1 − h_t[i]²) ∂L/∂h_t[i] · h_{t-1}[k], row i belongs to hidden unit i.',
      compute: (c) => transpose(gradWeights(c, c.hidden, -1, c.hidden[0].length)),
    },
    {
      id: 'gradW.no-tanh-derivative',
      says: NO_TANH_DERIVATIVE,
      compute: (c) => gradWeights(c, c.hidden, -1, c.hidden[0].length, { noDerivative: true }),
    },
    {
      id: 'gradW.last-only',
      says: LAST_ONLY,
      compute: (c) => gradWeights(c, c.hidden, -1, c.hidden[0].length, { lastOnly: true }),
    },
    {
      id: 'gradW.flipped-sign',
      says: 'The sign is flipped: gradients are added up, not subtracted.',
      compute: (c) => scale(gradWeights(c, c.hidden, -1, c.hidden[0].length), -1),
    },
  ],
  'RNN.computeGradU': [
    {
      id: 'gradU.previous-input',
      says: 'The local gradient at step t is paired with x_{t-1} (and t = 1 is skipped), as in the original notebook: it must be paired with x_t, the input of the same step, for every t = 1..τ.',
      compute: (c) => gradWeights(c, c.x, -1, c.x[0].length, { skipFirst: true }),
    },
    {
      id: 'gradU.skip-first',
      says: SKIP_FIRST,
      compute: (c) => gradWeights(c, c.x, 0, c.x[0].length, { skipFirst: true }),
    },
    {
      id: 'gradU.no-tanh-derivative',
      says: NO_TANH_DERIVATIVE,
      compute: (c) => gradWeights(c, c.x, 0, c.x[0].length, { noDerivative: true }),
    },
    {
      id: 'gradU.last-only',
      says: LAST_ONLY,
      compute: (c) => gradWeights(c, c.x, 0, c.x[0].length, { lastOnly: true }),
    },
    {
      id: 'gradU.flipped-sign',
      says: 'The sign is flipped: gradients are added up, not subtracted.',
      compute: (c) => scale(gradWeights(c, c.x, 0, c.x[0].length), -1),
    },
  ],
};

/**
 * Σ_t local_t · partner_{t+offset}ᵀ, where a partner outside 0..τ-1 counts as zero
 * (offset -1 pairs with the previous step, h_0 = 0).
 */
function gradWeights(
  c: ModelCase,
  partners: Matrix,
  offset: number,
  cols: number,
  options: { noDerivative?: boolean; lastOnly?: boolean; skipFirst?: boolean } = {},
): Matrix {
  const local = options.noDerivative ? c.gradH : localGradients(c.hidden, c.gradH);
  const pairs: Array<[Vector, Vector]> = [];
  local.forEach((row, t) => {
    if (options.lastOnly && t !== local.length - 1) return;
    if (options.skipFirst && t === 0) return;
    const partner = partners[t + offset];
    if (partner) pairs.push([row, partner]);
  });
  return sumOfOuters(c.hidden[0].length, cols, pairs);
}

interface ForwardVariant {
  activation?: (z: number) => number;
  transposeW?: boolean;
  noBias?: boolean;
  noC?: boolean;
  outputRow?: number;
}

function forwardVariant(c: ModelCase, variant: ForwardVariant): Numeric {
  const { u, v, b } = c.params;
  const w = variant.transposeW ? transpose(c.params.w) : c.params.w;
  const activation = variant.activation ?? Math.tanh;
  const hidden: Matrix = [];
  let previous = b.map(() => 0);
  for (const input of c.x) {
    previous = b.map((bias, i) =>
      activation(
        (variant.noBias ? 0 : bias) +
          u[i].reduce((s, uij, j) => s + uij * input[j], 0) +
          w[i].reduce((s, wik, k) => s + wik * previous[k], 0),
      ),
    );
    hidden.push(previous);
  }
  const last = hidden[variant.outputRow ?? hidden.length - 1];
  const yHat = v.reduce((s, vi, i) => s + vi * last[i], variant.noC ? 0 : c.params.c);
  return [yHat, ...hidden.flat()];
}

/** How a forward result is flattened for diagnosis: [yHat, ...hidden rows]. */
export function flattenForward(result: { hidden: Matrix; yHat: number }): Numeric {
  return [result.yHat, ...result.hidden.flat()];
}

/**
 * The known mistakes that `actual` matches on this case. On a tiny case several mistakes can
 * give the same numbers (with τ = 1, skipping t = 1 and using x_{t-1} both give zero), so the
 * caller may narrow the list with a second, larger case.
 */
export function diagnose(
  target: string,
  c: ModelCase,
  actual: Numeric,
  correct: Numeric,
  among: readonly Mistake[] = MISTAKES[target] ?? [],
): Mistake[] {
  return among.filter((mistake) => {
    let wrong: Numeric;
    try {
      wrong = mistake.compute(c);
    } catch {
      return false;
    }
    if (!sameShape(wrong, actual)) return false;
    if (compareNumeric(wrong, correct, SUBMISSION_TOLERANCE).ok) return false; // indistinguishable from correct here
    return compareNumeric(actual, wrong, SUBMISSION_TOLERANCE).ok;
  });
}

function sameShape(a: Numeric, b: Numeric): boolean {
  if (typeof a === 'number' || typeof b === 'number') return typeof a === typeof b;
  return a.length === b.length && a.every((entry, i) => sameShape(entry, b[i]));
}

/** The data functions' and the loss's known mistakes (their outputs are computed in data-value-checks.ts). */
export const DATA_MISTAKES: Record<string, string> = {
  'means.of-rows': 'These are the means of the rows, not of the columns.',
  'stds.population': 'This divides by n; the sample standard deviation (as torch.std) divides by n − 1.',
  'stds.variance': 'This is the variance; the standard deviation is its square root.',
  'standardize.multiplies': 'This multiplies by the standard deviation; it should divide by it.',
  'standardize.no-centering': 'The mean is not subtracted.',
  'mse.not-squared': 'The error is not squared.',
};

/** doTrainingStep's known mistakes (stored with the public step probes, handout/fixtures.ts). */
export const STEP_MISTAKES: Record<string, string> = {
  'step.sum': "The parameters moved by the sum of the batch's gradients: average them (divide by the batch size).",
  'step.ascent': 'The parameters moved uphill: a gradient descent step subtracts lr × gradient.',
  'step.last-loss':
    "It returns the loss of the batch's last sample, as the original notebook does: return the mean loss over the batch.",
};

/**
 * The "likely mistake" sentence of a diagnosis id, for feedback on a hidden check: it names the
 * mistake and the rule, and holds no inputs or values of the hidden cases.
 */
export function mistakeSentence(id: string): string | undefined {
  for (const mistakes of Object.values(MISTAKES)) {
    const found = mistakes.find((mistake) => mistake.id === id);
    if (found) return found.says;
  }
  return DATA_MISTAKES[id] ?? STEP_MISTAKES[id];
}
