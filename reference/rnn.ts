/**
 * Lab 8, Exercise 3: a recurrent network trained by backpropagation through time to predict
 * Beijing's temperature one hour ahead from the previous 24 hours of weather.
 *
 *   h_t = tanh(U x_t + W h_{t-1} + b),  h_0 = 0,     ŷ = v·h_τ + c,     L = (ŷ - y)²
 *
 * This is the reference solution. Regions between `#!TAG HWBEGIN` and `#!TAG HWEND` are the
 * student's work: the handout generator replaces each one by its `#!MSG` text and a
 * "not implemented yet" error. Every name and shape follows the lab contract.
 */
import {
  assertFiniteNumber,
  assertMatrix,
  assertVector,
  HOURS_PER_DAY,
  TEMP_COLUMN,
  zerosMatrix,
  zerosVector,
} from 'rnn-lab';
import type { Matrix, Rng, Vector } from 'rnn-lab';
import { createRng } from 'rnn-lab';

// ---------------------------------------------------------------------------------------------
// Preparing the data
// ---------------------------------------------------------------------------------------------

/** Rows in the training split: whole days, as close to 80 % of `numRows` as whole days allow (rounding down). */
export function numTrainSamples(numRows: number): number {
  if (!Number.isSafeInteger(numRows) || numRows < 0) {
    throw new RangeError(`numRows: expected a non-negative integer, got ${numRows}`);
  }
  // #!TAG HWBEGIN
  // #!MSG TODO: Return the number of training rows: a multiple of 24 (whole days) within 24 rows of 80 % of numRows.
  // Integer arithmetic: 0.8 * numRows is not exact in floating point.
  return Math.floor((4 * numRows) / (5 * HOURS_PER_DAY)) * HOURS_PER_DAY;
  // #!TAG HWEND
}

/** Columns of the first row, so that a ragged matrix is reported by assertMatrix rather than crash here. */
function numColumnsOf(data: Matrix): number {
  return Array.isArray(data) && Array.isArray(data[0]) ? data[0].length : 0;
}

/** Mean of every column. */
export function columnMeans(data: Matrix): Vector {
  assertMatrix('data', data, undefined, numColumnsOf(data));
  // #!TAG HWBEGIN
  // #!MSG TODO: Compute the mean of each column of data.
  const means = zerosVector(data[0].length);
  for (const row of data) {
    for (let j = 0; j < row.length; j++) means[j] += row[j];
  }
  return means.map((sum) => sum / data.length);
  // #!TAG HWEND
}

/** Sample standard deviation of every column (divides by n - 1, as torch.std does). */
export function columnStds(data: Matrix): Vector {
  assertMatrix('data', data, undefined, numColumnsOf(data), 2);
  // #!TAG HWBEGIN
  // #!MSG TODO: Compute the sample standard deviation (divide by n - 1) of each column of data.
  const means = columnMeans(data);
  const sumsOfSquares = zerosVector(means.length);
  for (const row of data) {
    for (let j = 0; j < row.length; j++) {
      const deviation = row[j] - means[j];
      sumsOfSquares[j] += deviation * deviation;
    }
  }
  return sumsOfSquares.map((sum) => Math.sqrt(sum / (data.length - 1)));
  // #!TAG HWEND
}

/** (x - mean) / std per column, as a new matrix. */
export function standardize(data: Matrix, means: Vector, stds: Vector): Matrix {
  const numColumns = means.length;
  assertVector('means', means);
  assertVector('stds', stds, numColumns);
  assertMatrix('data', data, undefined, numColumns);
  // #!TAG HWBEGIN
  // #!MSG TODO: Standardize every column of data: subtract its mean, divide by its standard deviation.
  // #!MSG Return a new matrix; do not change data.
  return data.map((row) => row.map((value, j) => (value - means[j]) / stds[j]));
  // #!TAG HWEND
}

/** A uniformly random window of 24 consecutive rows and the temperature of the row right after it. */
export function getRandomDay(data: Matrix, rng: Rng): { x: Matrix; y: number } {
  if (!Array.isArray(data) || data.length < HOURS_PER_DAY + 1) {
    throw new RangeError(
      `data: expected at least ${HOURS_PER_DAY + 1} rows, got ${Array.isArray(data) ? data.length : typeof data}`,
    );
  }
  // #!TAG HWBEGIN
  // #!MSG TODO: Draw the window's start with exactly one call rng.int(...) so that every valid window
  // #!MSG (24 rows plus the row after them) can be drawn and no index falls outside data.
  const start = rng.int(data.length - HOURS_PER_DAY);
  const x = data.slice(start, start + HOURS_PER_DAY).map((row) => row.slice());
  const y = data[start + HOURS_PER_DAY][TEMP_COLUMN];
  return { x, y };
  // #!TAG HWEND
}

/** Squared error of one prediction. */
export function mseLoss(yTrue: number, yPred: number): number {
  // #!TAG HWBEGIN
  // #!MSG TODO: Compute the squared error of one prediction.
  const error = yTrue - yPred;
  return error * error;
  // #!TAG HWEND
}

// ---------------------------------------------------------------------------------------------
// The network
// ---------------------------------------------------------------------------------------------

export class RNN {
  readonly hiddenStateSize: number;
  readonly numFeatures: number;
  u: Matrix;
  w: Matrix;
  v: Vector;
  b: Vector;
  c: number;
  /** While getGradients runs: the inputs it has checked, which the methods it calls need not check again. */
  private checkedInputs: { hidden: Matrix; x: Matrix } | undefined = undefined;

  /** Draws U (H×F), then W (H×H), then v (H), row by row, from Normal(0, 0.001); b = 0, c = 0. */
  constructor(hiddenStateSize = 10, numFeatures = 6, rng: Rng = createRng(0)) {
    if (!Number.isSafeInteger(hiddenStateSize) || hiddenStateSize < 1)
      throw new RangeError(`hiddenStateSize: expected a positive integer, got ${hiddenStateSize}`);
    if (!Number.isSafeInteger(numFeatures) || numFeatures < 1)
      throw new RangeError(`numFeatures: expected a positive integer, got ${numFeatures}`);
    this.hiddenStateSize = hiddenStateSize;
    this.numFeatures = numFeatures;
    const draw = (): number => rng.normal(0, 0.001);
    this.u = Array.from({ length: hiddenStateSize }, () => Array.from({ length: numFeatures }, draw));
    this.w = Array.from({ length: hiddenStateSize }, () => Array.from({ length: hiddenStateSize }, draw));
    this.v = Array.from({ length: hiddenStateSize }, draw);
    this.b = zerosVector(hiddenStateSize);
    this.c = 0;
  }

  /** Runs the sequence x (τ×F) through the network: hidden states h_1..h_τ (τ×H) and the prediction. */
  forward(x: Matrix): { hidden: Matrix; yHat: number } {
    checkMatrix('x', x, undefined, this.numFeatures);
    const { u, w, b, v } = this;
    const size = this.hiddenStateSize;
    const numFeatures = this.numFeatures;
    // #!TAG HWBEGIN
    // #!MSG TODO: Compute h_1..h_τ with h_t = tanh(U x_t + W h_{t-1} + b) and h_0 = 0,
    // #!MSG then the prediction yHat = v·h_τ + c. Return hidden (τ×H, without h_0) and yHat.
    const hidden: Matrix = [];
    for (let t = 0; t < x.length; t++) {
      const input = x[t];
      const previous = t > 0 ? hidden[t - 1] : undefined; // h_{t-1}; h_0 = 0 adds nothing
      const current: Vector = [];
      for (let i = 0; i < size; i++) {
        let sum = b[i];
        const uRow = u[i];
        for (let j = 0; j < numFeatures; j++) sum += uRow[j] * input[j];
        if (previous !== undefined) {
          const wRow = w[i];
          for (let k = 0; k < size; k++) sum += wRow[k] * previous[k];
        }
        current.push(tanh(sum));
      }
      hidden.push(current);
    }
    const last = hidden[hidden.length - 1];
    let yHat = this.c;
    for (let i = 0; i < size; i++) yHat += v[i] * last[i];
    return { hidden, yHat };
    // #!TAG HWEND
  }

  /** ∂L/∂h_t for t = 1..τ (row t-1), the total derivative through all later steps. */
  computeGradH(yTrue: number, yPred: number, hidden: Matrix): Matrix {
    this.checkPrediction(yTrue, yPred);
    this.checkHidden(hidden);
    const { w, v } = this;
    const size = this.hiddenStateSize;
    // #!TAG HWBEGIN
    // #!MSG TODO: Start from the last hidden state, ∂L/∂h_τ = 2(yPred - yTrue) v, then go backwards:
    // #!MSG ∂L/∂h_t = Wᵀ diag(1 - h_{t+1}²) ∂L/∂h_{t+1}.
    const outputGrad = 2 * (yPred - yTrue);
    let later: Vector = []; // ∂L/∂h_{t+1}, starting with ∂L/∂h_τ
    for (let i = 0; i < size; i++) later.push(outputGrad * v[i]);
    const backwards: Matrix = [later]; // ∂L/∂h_τ, ∂L/∂h_{τ-1}, …, ∂L/∂h_1
    const sum = new Float64Array(size);
    for (let t = hidden.length - 2; t >= 0; t--) {
      const next = hidden[t + 1];
      sum.fill(0); // Wᵀ diag(1 - h_{t+1}²) ∂L/∂h_{t+1}, row by row of W
      for (let i = 0; i < size; i++) {
        const delta = (1 - next[i] * next[i]) * later[i];
        const wRow = w[i];
        for (let k = 0; k < size; k++) sum[k] += wRow[k] * delta;
      }
      const current: Vector = [];
      for (let k = 0; k < size; k++) current.push(sum[k]);
      backwards.push(current);
      later = current;
    }
    return backwards.reverse();
    // #!TAG HWEND
  }

  /** ∂L/∂c */
  computeGradC(yTrue: number, yPred: number): number {
    this.checkPrediction(yTrue, yPred);
    // #!TAG HWBEGIN
    // #!MSG TODO: Compute ∂L/∂c.
    return 2 * (yPred - yTrue);
    // #!TAG HWEND
  }

  /** ∂L/∂b = Σ_{t=1..τ} (1 - h_t²) ⊙ ∂L/∂h_t */
  computeGradB(hidden: Matrix, gradH: Matrix): Vector {
    this.checkHiddenAndGrad(hidden, gradH);
    const size = this.hiddenStateSize;
    // #!TAG HWBEGIN
    // #!MSG TODO: Compute ∂L/∂b. Every time step t = 1..τ contributes.
    const gradB: Vector = [];
    for (let i = 0; i < size; i++) {
      let sum = 0;
      for (let t = 0; t < hidden.length; t++) sum += (1 - hidden[t][i] * hidden[t][i]) * gradH[t][i];
      gradB.push(sum);
    }
    return gradB;
    // #!TAG HWEND
  }

  /** ∂L/∂v = 2(ŷ - y) h_τ */
  computeGradV(yTrue: number, yPred: number, hidden: Matrix): Vector {
    this.checkPrediction(yTrue, yPred);
    this.checkHidden(hidden);
    // #!TAG HWBEGIN
    // #!MSG TODO: Compute ∂L/∂v.
    const outputGrad = 2 * (yPred - yTrue);
    const gradV: Vector = [];
    for (const h of hidden[hidden.length - 1]) gradV.push(outputGrad * h);
    return gradV;
    // #!TAG HWEND
  }

  /** ∂L/∂W = Σ_{t=1..τ} ((1 - h_t²) ⊙ ∂L/∂h_t) h_{t-1}ᵀ, with h_0 = 0 */
  computeGradW(hidden: Matrix, gradH: Matrix): Matrix {
    this.checkHiddenAndGrad(hidden, gradH);
    const size = this.hiddenStateSize;
    // #!TAG HWBEGIN
    // #!MSG TODO: Compute ∂L/∂W. Pair the local gradient at step t with h_{t-1} (h_0 = 0).
    const gradW = zerosMatrix(size, size);
    for (let t = 1; t < hidden.length; t++) {
      const h = hidden[t];
      const g = gradH[t];
      const previous = hidden[t - 1];
      for (let i = 0; i < size; i++) {
        const local = (1 - h[i] * h[i]) * g[i];
        const row = gradW[i];
        for (let k = 0; k < size; k++) row[k] += local * previous[k];
      }
    }
    return gradW;
    // #!TAG HWEND
  }

  /** ∂L/∂U = Σ_{t=1..τ} ((1 - h_t²) ⊙ ∂L/∂h_t) x_tᵀ */
  computeGradU(hidden: Matrix, gradH: Matrix, x: Matrix): Matrix {
    this.checkHiddenAndGrad(hidden, gradH);
    if (x !== this.checkedInputs?.x) checkMatrix('x', x, hidden.length, this.numFeatures);
    const size = this.hiddenStateSize;
    const numFeatures = this.numFeatures;
    // #!TAG HWBEGIN
    // #!MSG TODO: Compute ∂L/∂U. Pair the local gradient at step t with the input x_t of the same step.
    const gradU = zerosMatrix(size, numFeatures);
    for (let t = 0; t < hidden.length; t++) {
      const h = hidden[t];
      const g = gradH[t];
      const input = x[t];
      for (let i = 0; i < size; i++) {
        const local = (1 - h[i] * h[i]) * g[i];
        const row = gradU[i];
        for (let j = 0; j < numFeatures; j++) row[j] += local * input[j];
      }
    }
    return gradU;
    // #!TAG HWEND
  }

  /** All parameter gradients of one sample. */
  getGradients(
    x: Matrix,
    yTrue: number,
    yPred: number,
    hidden: Matrix,
  ): { c: number; b: Vector; v: Vector; w: Matrix; u: Matrix } {
    this.checkPrediction(yTrue, yPred);
    this.checkHidden(hidden);
    checkMatrix('x', x, hidden.length, this.numFeatures);
    this.checkedInputs = { hidden, x };
    try {
      // #!TAG HWBEGIN
      // #!MSG TODO: Compute ∂L/∂h once with computeGradH, then every parameter's gradient with the functions above.
      const gradH = this.computeGradH(yTrue, yPred, hidden);
      return {
        c: this.computeGradC(yTrue, yPred),
        b: this.computeGradB(hidden, gradH),
        v: this.computeGradV(yTrue, yPred, hidden),
        w: this.computeGradW(hidden, gradH),
        u: this.computeGradU(hidden, gradH, x),
      };
      // #!TAG HWEND
    } finally {
      this.checkedInputs = undefined;
    }
  }

  private checkPrediction(yTrue: number, yPred: number): void {
    checkNumber('yTrue', yTrue);
    checkNumber('yPred', yPred);
  }

  private checkHidden(hidden: Matrix): void {
    if (hidden !== this.checkedInputs?.hidden) checkMatrix('hidden', hidden, undefined, this.hiddenStateSize);
  }

  private checkHiddenAndGrad(hidden: Matrix, gradH: Matrix): void {
    this.checkHidden(hidden);
    checkMatrix('gradH', gradH, hidden.length, this.hiddenStateSize);
  }
}

// ---------------------------------------------------------------------------------------------
// Training
// ---------------------------------------------------------------------------------------------

/** One SGD step on a batch of random days; returns the mean loss over the batch. */
export function doTrainingStep(rnn: RNN, data: Matrix, batchSize: number, lr: number, rng: Rng): number {
  if (!Number.isSafeInteger(batchSize) || batchSize < 1)
    throw new RangeError(`batchSize: expected a positive integer, got ${batchSize}`);
  assertFiniteNumber('lr', lr);
  // #!TAG HWBEGIN
  // #!MSG TODO: For each of the batchSize samples: draw a day with getRandomDay(data, rng), run forward,
  // #!MSG compute the loss and the gradients. Then move every parameter by -lr times its gradient averaged
  // #!MSG over the batch, and return the mean loss over the batch.
  // The same arithmetic, eight samples at a time (fusedTrainingStep, at the end of this file), for a plain RNN.
  if (isFusable(rnn, RNN.prototype)) {
    const drawDay = () => getRandomDay(data, rng);
    const refuse = (x: Matrix, y: number) => {
      const { hidden, yHat } = rnn.forward(x);
      rnn.getGradients(x, y, yHat, hidden);
    };
    return fusedTrainingStep(rnn, { drawDay, refuse, loss: mseLoss, batchSize, lr });
  }
  const size = rnn.hiddenStateSize;
  const numFeatures = rnn.numFeatures;
  const sumU = zerosMatrix(size, numFeatures);
  const sumW = zerosMatrix(size, size);
  const sumV = zerosVector(size);
  const sumB = zerosVector(size);
  let sumC = 0;
  let totalLoss = 0;
  for (let sample = 0; sample < batchSize; sample++) {
    const { x, y } = getRandomDay(data, rng);
    const { hidden, yHat } = rnn.forward(x);
    totalLoss += mseLoss(y, yHat);
    const grads = rnn.getGradients(x, y, yHat, hidden);
    sumC += grads.c;
    for (let i = 0; i < size; i++) {
      sumB[i] += grads.b[i];
      sumV[i] += grads.v[i];
      for (let k = 0; k < size; k++) sumW[i][k] += grads.w[i][k];
      for (let j = 0; j < numFeatures; j++) sumU[i][j] += grads.u[i][j];
    }
  }
  const step = lr / batchSize;
  rnn.c -= step * sumC;
  for (let i = 0; i < size; i++) {
    rnn.b[i] -= step * sumB[i];
    rnn.v[i] -= step * sumV[i];
    for (let k = 0; k < size; k++) rnn.w[i][k] -= step * sumW[i][k];
    for (let j = 0; j < numFeatures; j++) rnn.u[i][j] -= step * sumU[i][j];
  }
  return totalLoss / batchSize;
  // #!TAG HWEND
}

/** Trains a new RNN(10, 6) for `numSteps` steps of batch 32 at learning rate 0.01; losses[i] is step i's mean loss. */
export function trainRnn(data: Matrix, numSteps: number, rng: Rng): { rnn: RNN; losses: number[] } {
  if (!Number.isSafeInteger(numSteps) || numSteps < 0)
    throw new RangeError(`numSteps: expected a non-negative integer, got ${numSteps}`);
  // #!TAG HWBEGIN
  // #!MSG TODO: Create RNN(10, 6, rng), then call doTrainingStep numSteps times with batch size 32 and
  // #!MSG learning rate 0.01, collecting every returned loss.
  const rnn = new RNN(10, 6, rng);
  const losses: number[] = [];
  for (let step = 0; step < numSteps; step++) losses.push(doTrainingStep(rnn, data, 32, 0.01, rng));
  return { rnn, losses };
  // #!TAG HWEND
}

// ---------------------------------------------------------------------------------------------
// Argument checks
// ---------------------------------------------------------------------------------------------

// Every public method checks its arguments, several times per sample during training. The checks
// below only answer yes or no, cheaply; when the answer is no, the lab's assertMatrix /
// assertFiniteNumber run to throw the message naming the argument and the expected shape.
// `x - x === 0` holds exactly for the finite numbers (NaN - NaN and ∞ - ∞ are NaN): unlike
// Number.isFinite, it needs no global lookup, which is slow inside a vm sandbox such as jest's.
const { isArray } = Array;

/** Throws unless `value` is a finite number. */
function checkNumber(name: string, value: number): void {
  if (typeof value !== 'number' || value - value !== 0) assertFiniteNumber(name, value);
}

/** Throws unless `value` is a `rows`×`cols` matrix of finite numbers (`rows` undefined: any number ≥ 1). */
function checkMatrix(name: string, value: Matrix, rows: number | undefined, cols: number): void {
  if (!isFiniteMatrix(value, rows, cols)) assertMatrix(name, value, rows, cols);
}

function isFiniteMatrix(value: Matrix, rows: number | undefined, cols: number): boolean {
  if (!isArray(value) || (rows === undefined ? value.length < 1 : value.length !== rows)) return false;
  for (let r = 0; r < value.length; r++) {
    const row = value[r];
    if (!isArray(row) || row.length !== cols) return false;
    for (let c = 0; c < cols; c++) {
      const entry = row[c];
      if (typeof entry !== 'number' || entry - entry !== 0) return false;
    }
  }
  return true;
}
// #!TAG HWBEGIN
// ---------------------------------------------------------------------------------------------
// The reference's own tanh (the students' skeleton drops this whole region)
// ---------------------------------------------------------------------------------------------

/**
 * tanh in plain arithmetic, used by `forward` and the fused training step alike.
 *
 * Why not Math.tanh: ECMAScript leaves its accuracy to the engine (it is "implementation-
 * approximated"), so its last bits may differ between engines and Node versions, and in V8 a call
 * costs ~30 ns, 3.84 million calls in the 500-step training. This one gives the same bits on every
 * engine in a few ns, less than 1 ulp from the exact value (tests/reference/tanh.test.ts measures
 * it against a double-double oracle over a million points); the judge's tolerances are orders of
 * magnitude wider (docs/tolerances.md).
 *
 * - |x| < 2^-27: x itself (x³/3 is below half an ulp of x), which keeps ±0 and subnormals exact;
 * - |x| < 0.55: x + x·(z·R(z)) with z = x² and R a degree-10 polynomial fitted to (tanh x / x - 1)/z
 *   (least squares weighted by z, the error's weight in the result, at 300 Chebyshev nodes in
 *   60-digit arithmetic, then rounded to doubles, by scripts/fit-tanh.py: the fit's part of the
 *   relative error < 2^-59);
 * - otherwise tanhFromExp.
 */
export function tanh(x: number): number {
  const z = x * x;
  if (z < 0.3025) {
    if (z < 5.551115123125783e-17) return x; // z < 2^-54: |x| < 2^-27, and ±0
    // R(z) by Estrin's scheme: independent pieces, so the 8 lanes' calls overlap (Horner is one chain)
    const z2 = z * z;
    const z4 = z2 * z2;
    const r01 = -0.333333333333333 + 0.13333333333326547 * z;
    const r23 = -0.053968253963733205 + 0.021869488385349 * z;
    const r45 = -0.00886323259611905 + 0.003592091997605336 * z;
    const r67 = -0.001455542732049983 + 0.0005884443193579852 * z;
    const r89 = -0.00023338172884814572 + 8.331734257611354e-5 * z;
    const fit = r01 + r23 * z2 + (r45 + r67 * z2) * z4 + (r89 - 1.9495565251552225e-5 * z2) * (z4 * z4);
    return x + x * (z * fit);
  }
  return tanhFromExp(x);
}

/** ln 2 in two parts: LN2_HI has 32 significant bits, so k·LN2_HI is exact for the k used here. */
const LN2_HI = 6.9314718036912382e-1;
const LN2_LO = 1.9082149292705877e-10;
/** 2^0 … 2^63 by doubling (exact). */
const POWERS_OF_TWO = new Float64Array(64);
for (let k = 0, power = 1; k < 64; k++, power *= 2) POWERS_OF_TWO[k] = power;

/**
 * tanh for |x| ≥ 0.55 (and ±∞, NaN): 1 - q with q = 2/(e^{2|x|} + 1) ≤ 0.5, the sign of x. The
 * exponential is 2^k·e^r with 2|x| = k·ln2 + r, |r| ≤ ln2/2, and e^r - 1 = r + r²·S(r), S a
 * degree-9 polynomial fitted as R above (relative error < 2^-57). The rounding errors of
 * 1 + (e^r - 1), of the denominator and of 1 - q are kept (Fast2Sum: each sum's exact error) and
 * added back once at the end, so the result has about one rounding of its own. Beyond 19.1,
 * 1 - tanh|x| < 2^-54 and ±1 is the nearest double.
 */
function tanhFromExp(x: number): number {
  const a = x < 0 ? -x : x;
  if (!(a < 19.1)) return a === a ? (x < 0 ? -1 : 1) : x; // NaN stays NaN
  const s = a + a;
  const k = (s * 1.4426950408889634 + 0.5) | 0; // round(s / ln2), 2 ≤ k ≤ 55
  const r = s - k * LN2_HI - k * LN2_LO;
  const r2 = r * r;
  const r4 = r2 * r2;
  const fit =
    0.5000000000000013 +
    0.16666666666666685 * r +
    (0.04166666666651065 + 0.008333333333316192 * r) * r2 +
    (0.0013888888948140666 + 0.00019841269898232815 * r + (2.4801488859101368e-5 + 2.7557233186138298e-6 * r) * r2) *
      r4 +
    (2.7631647037968626e-7 + 2.5112575199224824e-8 * r) * (r4 * r4);
  const expm1R = r + r2 * fit;
  const expHi = 1 + expm1R; // e^r = expHi + expLo
  const expLo = 1 - expHi + expm1R;
  const power = POWERS_OF_TWO[k];
  const exp2a = expHi * power; // e^{2|x|} = exp2a + exp2aLo
  const exp2aLo = expLo * power;
  const denominator = exp2a + 1; // e^{2|x|} + 1 = denominator + denominatorLo
  const denominatorLo = exp2a - denominator + 1 + exp2aLo;
  const q = 2 / denominator;
  const resultHi = 1 - q; // 1 - q = resultHi + resultLo
  const resultLo = 1 - resultHi - q;
  // 2/(denominator + denominatorLo) ≈ q - q·denominatorLo/denominator = q - q²·denominatorLo/2
  const result = resultHi + (resultLo + q * q * denominatorLo * 0.5);
  return x < 0 ? -result : result;
}
// #!TAG HWEND
// #!TAG HWBEGIN
// ---------------------------------------------------------------------------------------------
// The training step, eight samples at a time (the reference's own; the students' skeleton drops
// this whole region)
// ---------------------------------------------------------------------------------------------

/**
 * The reference's training step, eight samples at a time: the same arithmetic as `doTrainingStep`
 * composed of `forward` and `getGradients` (every sum over the same terms in the same order, so
 * the results are identical to the last bit), laid out so that the processor works on eight
 * independent chains of additions at once instead of waiting on one, each chain's running sum in
 * a register: h_t's entries over j and k, ∂L/∂h_t's over i (Wᵀ l_{t+1} by columns of W), and
 * every entry of ∂L/∂W and ∂L/∂U over t before it joins the batch's sum.
 *
 * Why: one sample's recurrence is a chain of dependent multiply-adds over 10×10 and 10×6
 * matrices, too small for anything but latency; the samples interleaved take a fraction of the
 * training's time (bench/reference-vs-numpy.ts, docs/scaling.md). `doTrainingStep` takes this path only for a
 * plain reference `RNN` (no overridden method, well-shaped parameters), so what the contract
 * says it calls is what it computes.
 *
 * Each block's arithmetic runs in a WebAssembly SIMD kernel where one is available
 * (reference/wasm/fused-step.wat: the operations below, lane by lane in the same order, so the
 * same bits; tests/reference/wasm-fused-step.test.ts), ~×0.26 of this JavaScript's time; the
 * JavaScript below is the fallback and the statement of the order of operations.
 */

/** Samples processed together; the layouts below interleave them, lane by lane. */
const LANES = 8;
/** A lane's worth of ones: l·1 is l exactly, so a sum of l_t·1 is ∂L/∂b's sum of l_t. */
const ONES = new Float64Array(LANES).fill(1);

/** What the fused step reads and moves of an RNN. */
type FusedModel = Pick<RNN, 'hiddenStateSize' | 'numFeatures' | 'u' | 'w' | 'v' | 'b' | 'c'>;

interface FusedStepInputs {
  /** Draws the next sample (the reference's getRandomDay on the step's data and rng). */
  drawDay: () => { x: Matrix; y: number };
  /**
   * One sample the per-sample way (forward, then getGradients), for a day or a prediction those
   * methods refuse: it throws their own error. Called only then.
   */
  refuse: (x: Matrix, y: number) => void;
  loss: (yTrue: number, yPred: number) => number;
  batchSize: number;
  lr: number;
}

/**
 * Copies `x` into lane `lane` of `out` ([t][j][lane]) if it is the `rows`×`cols` matrix of finite
 * numbers that `forward` accepts; false otherwise (after a partial copy). One pass over the day.
 */
function copyInput(x: Matrix, rows: number, cols: number, out: Float64Array, lane: number): boolean {
  if (!Array.isArray(x) || x.length !== rows || rows < 1) return false;
  for (let r = 0; r < rows; r++) {
    const row = x[r];
    if (!Array.isArray(row) || row.length !== cols) return false;
    for (let j = 0, o = r * cols * LANES + lane; j < cols; j++, o += LANES) {
      const value = row[j];
      if (typeof value !== 'number' || value - value !== 0) return false;
      out[o] = value;
    }
  }
  return true;
}

function flatten(matrix: Matrix, rows: number, cols: number, out: Float64Array): void {
  for (let r = 0; r < rows; r++) for (let q = 0; q < cols; q++) out[r * cols + q] = matrix[r][q];
}

const isRowOf = (row: unknown, length: number): boolean =>
  Array.isArray(row) && row.length === length && row.every((entry) => typeof entry === 'number' && entry - entry === 0);

/**
 * Whether `model` is a plain instance of the reference class (`prototype`): no method shadowed by
 * an own property, finite parameters of the shapes the class gives them. Anything else takes the
 * per-sample path, which calls the model's own methods.
 */
function isFusable(model: FusedModel, prototype: object): boolean {
  if (Object.getPrototypeOf(model) !== prototype) return false;
  if (Object.getOwnPropertyNames(prototype).some((name) => Object.prototype.hasOwnProperty.call(model, name)))
    return false;
  const H = model.hiddenStateSize;
  const F = model.numFeatures;
  return (
    Array.isArray(model.u) &&
    model.u.length === H &&
    model.u.every((row) => isRowOf(row, F)) &&
    Array.isArray(model.w) &&
    model.w.length === H &&
    model.w.every((row) => isRowOf(row, H)) &&
    isRowOf(model.v, H) &&
    isRowOf(model.b, H) &&
    typeof model.c === 'number' &&
    model.c - model.c === 0
  );
}

/** The buffers of a block of LANES samples: the JavaScript step's own, or views of the WebAssembly kernel's memory. */
type Lanes = Pick<WasmLanes, 'U' | 'W' | 'B' | 'V' | 'X' | 'h' | 'yHat' | 'ys' | 'sumU' | 'sumW' | 'sumB' | 'sumV'>;

function javaScriptLanes(H: number, F: number, T: number): Lanes {
  return {
    U: new Float64Array(H * F),
    W: new Float64Array(H * H),
    B: new Float64Array(H),
    V: new Float64Array(H),
    X: new Float64Array(T * F * LANES), // [t][j][lane]
    h: new Float64Array(T * H * LANES), // [t][i][lane]
    yHat: new Float64Array(LANES),
    ys: new Float64Array(LANES),
    sumU: new Float64Array(H * F),
    sumW: new Float64Array(H * H),
    sumB: new Float64Array(H),
    sumV: new Float64Array(H),
  };
}

/**
 * One SGD step as `doTrainingStep` takes it; updates `model` in place and returns the mean loss.
 * The arithmetic of each block runs in the WebAssembly kernel (reference/wasm/fused-step.wat, the
 * same operations in the same order, lane by lane) when `wasmLanes` gives buffers for these sizes,
 * else in the JavaScript below; the draws, the checks and the losses stay here either way.
 */
function fusedTrainingStep(model: FusedModel, inputs: FusedStepInputs): number {
  const { drawDay, refuse, loss, batchSize, lr } = inputs;
  const H = model.hiddenStateSize;
  const F = model.numFeatures;
  const c = model.c;
  let sumC = 0;
  let totalLoss = 0;

  let T = 0; // the sequence length, from the first day drawn
  let lanes: Lanes | undefined; // sized by T
  let wasm: WasmLanes | undefined;
  let l = new Float64Array(0); // (1 - h_t²) ⊙ ∂L/∂h_t, the local gradients, [t][i][lane]
  const g = new Float64Array(H * LANES); // ∂L/∂h_t of one t, [i][lane]
  const days: Matrix[] = [];

  // The kernel's memory is this step's until it returns or throws (a step nested in drawDay takes
  // the JavaScript path).
  try {
    for (let first = 0; first < batchSize; first += LANES) {
      const real = Math.min(LANES, batchSize - first);
      // Draw this block's days in the order the per-sample loop draws them.
      for (let lane = 0; lane < real; lane++) {
        const { x, y } = drawDay();
        if (lanes === undefined) {
          T = Array.isArray(x) ? x.length : 0;
          wasm = wasmLanes(H, F, T);
          lanes = wasm ?? javaScriptLanes(H, F, T);
          if (wasm === undefined) l = new Float64Array(T * H * LANES);
          flatten(model.u, H, F, lanes.U);
          flatten(model.w, H, H, lanes.W);
          lanes.V.set(model.v);
          lanes.B.set(model.b);
        }
        if (!copyInput(x, T, F, lanes.X, lane) || typeof y !== 'number' || y - y !== 0) {
          refuse(x, y);
          // forward accepts any number of rows; the reference's days all have the first day's.
          throw new RangeError(
            `x: expected ${T} rows like the batch's first day, got ${Array.isArray(x) ? x.length : typeof x}`,
          );
        }
        lanes.ys[lane] = y;
        days[lane] = x;
      }
      const { U, W, B, V, X, h, yHat, ys, sumU, sumW, sumB, sumV } = lanes!;
      // Unused lanes repeat the last real sample; their results are never read.
      for (let lane = real; lane < LANES; lane++) {
        for (let e = 0; e < T * F; e++) X[e * LANES + lane] = X[e * LANES + real - 1];
        ys[lane] = ys[real - 1];
      }

      const last = (T - 1) * H * LANES;
      if (wasm) wasm.forward(c);
      else {
        forwardLanes(T, H, F, U, W, B, X, h);
        for (let lane = 0; lane < LANES; lane++) {
          let sum = c;
          for (let i = 0; i < H; i++) sum += V[i] * h[last + i * LANES + lane];
          yHat[lane] = sum;
        }
      }
      // Finite parameters can still overflow the prediction: getGradients refuses it, so must this.
      for (let lane = 0; lane < real; lane++) {
        if (yHat[lane] - yHat[lane] !== 0) {
          refuse(days[lane], ys[lane]);
          throw new RangeError(`yPred: expected a finite number, got ${yHat[lane]}`);
        }
      }

      if (wasm) wasm.backward(real);
      else {
        // ∂L/∂h_τ = 2(ŷ - y) v, then ∂L/∂h_t = Wᵀ diag(1 - h_{t+1}²) ∂L/∂h_{t+1} = Wᵀ l_{t+1}
        for (let lane = 0; lane < LANES; lane++) {
          const outputGrad = 2 * (yHat[lane] - ys[lane]);
          for (let i = 0; i < H; i++) g[i * LANES + lane] = outputGrad * V[i];
        }
        localGradients(h, g, l, last, H);
        for (let t = T - 2; t >= 0; t--) {
          transposedProduct(W, l, (t + 1) * H * LANES, g, H);
          localGradients(h, g, l, t * H * LANES, H);
        }

        // Into the batch sums, sample by sample in the order the per-sample loop adds them: each
        // entry's own sum over t first (∂L/∂W pairs l_t with h_{t-1} from t = 1, ∂L/∂U with x_t).
        for (let i = 0; i < H; i++) {
          addOuterRow(sumW, i * H, l, i * LANES, h, H * LANES, H * LANES, 1, T, real, H);
          addOuterRow(sumU, i * F, l, i * LANES, X, H * LANES, F * LANES, 0, T, real, F);
        }
        for (let i = 0; i < H; i++) addOuterSums(sumB, i, l, i * LANES, ONES, 0, H * LANES, 0, 0, T, real); // Σ_t 1·l_t
        for (let lane = 0; lane < real; lane++)
          for (let i = 0; i < H; i++) sumV[i] += 2 * (yHat[lane] - ys[lane]) * h[last + i * LANES + lane];
      }
      for (let lane = 0; lane < real; lane++) {
        totalLoss += loss(ys[lane], yHat[lane]);
        sumC += 2 * (yHat[lane] - ys[lane]);
      }
    }

    const { sumU, sumW, sumB, sumV } = lanes!;
    const step = lr / batchSize;
    model.c -= step * sumC;
    for (let i = 0; i < H; i++) {
      model.b[i] -= step * sumB[i];
      model.v[i] -= step * sumV[i];
      for (let k = 0; k < H; k++) model.w[i][k] -= step * sumW[i * H + k];
      for (let j = 0; j < F; j++) model.u[i][j] -= step * sumU[i * F + j];
    }
    return totalLoss / batchSize;
  } finally {
    wasm?.release();
  }
}

/** h_t = tanh(b + U x_t + W h_{t-1}) for t = 0…T-1 and every lane, the terms in `forward`'s order. */
function forwardLanes(
  T: number,
  H: number,
  F: number,
  U: Float64Array,
  W: Float64Array,
  B: Float64Array,
  X: Float64Array,
  h: Float64Array,
): void {
  const pre = new Float64Array(H * LANES);
  for (let t = 0; t < T; t++) {
    for (let i = 0; i < H; i++) pre.fill(B[i], i * LANES, (i + 1) * LANES);
    addRowProducts(pre, U, F, 1, X, t * F * LANES, H, F);
    if (t > 0) addRowProducts(pre, W, H, 1, h, (t - 1) * H * LANES, H, H);
    const o = t * H * LANES;
    for (let e = 0; e < H * LANES; e += 4) {
      // Four calls written out: independent, so the processor overlaps them.
      h[o + e] = tanh(pre[e]);
      h[o + e + 1] = tanh(pre[e + 1]);
      h[o + e + 2] = tanh(pre[e + 2]);
      h[o + e + 3] = tanh(pre[e + 3]);
    }
  }
}

/**
 * out[r][lane] += Σ_n M[r·rowStride + n·colStride] · S[s + n·LANES + lane] over n = 0…cols-1 in
 * that order, for rows r < rows and the eight lanes at once: eight independent chains of
 * additions per row, held in locals. `forward`'s U x_t and W h_{t-1}, and computeGradH's Wᵀ l.
 *
 * One kernel for the three products (and one entry at a time in addOuterRow) makes the
 * reference's full training ~×1.2 slower than unrolled copies of each (same-process A/B,
 * 2026-11-30): kept for one readable kernel, as that training is not on the grading path.
 */
function addRowProducts(
  out: Float64Array,
  M: Float64Array,
  rowStride: number,
  colStride: number,
  S: Float64Array,
  s: number,
  rows: number,
  cols: number,
): void {
  for (let r = 0, o = 0; r < rows; r++, o += LANES) {
    let a0 = out[o];
    let a1 = out[o + 1];
    let a2 = out[o + 2];
    let a3 = out[o + 3];
    let a4 = out[o + 4];
    let a5 = out[o + 5];
    let a6 = out[o + 6];
    let a7 = out[o + 7];
    for (let n = 0, p = s, e = r * rowStride; n < cols; n++, p += LANES, e += colStride) {
      const weight = M[e];
      a0 += weight * S[p];
      a1 += weight * S[p + 1];
      a2 += weight * S[p + 2];
      a3 += weight * S[p + 3];
      a4 += weight * S[p + 4];
      a5 += weight * S[p + 5];
      a6 += weight * S[p + 6];
      a7 += weight * S[p + 7];
    }
    out[o] = a0;
    out[o + 1] = a1;
    out[o + 2] = a2;
    out[o + 3] = a3;
    out[o + 4] = a4;
    out[o + 5] = a5;
    out[o + 6] = a6;
    out[o + 7] = a7;
  }
}

/** l_t = (1 - h_t²) ⊙ g for the t at offset `at` (g: ∂L/∂h_t, [i][lane]). */
function localGradients(h: Float64Array, g: Float64Array, l: Float64Array, at: number, H: number): void {
  for (let e = 0; e < H * LANES; e++) {
    const value = h[at + e];
    l[at + e] = (1 - value * value) * g[e];
  }
}

/**
 * g = Wᵀ l_{t+1} (l at offset `at`), each entry summed over i = 0…H-1 from 0 as computeGradH's
 * row-by-row accumulation adds the terms.
 */
function transposedProduct(W: Float64Array, l: Float64Array, at: number, g: Float64Array, H: number): void {
  g.fill(0, 0, H * LANES);
  addRowProducts(g, W, 1, H, l, at, H, H);
}

/** addOuterSums for the entries row…row + count - 1 (b's entry e at e·LANES). */
function addOuterRow(
  sums: Float64Array,
  row: number,
  a: Float64Array,
  aAt: number,
  b: Float64Array,
  aStride: number,
  bStride: number,
  shift: number,
  T: number,
  real: number,
  count: number,
): void {
  for (let e = 0; e < count; e++) addOuterSums(sums, row + e, a, aAt, b, e * LANES, aStride, bStride, shift, T, real);
}

/**
 * sums[entry] += Σ_t a_t · b_{t-shift} of each real lane in turn, the sum over t = shift…T-1
 * from 0 (computeGradW's and computeGradU's order); a at aAt + t·aStride, b at bAt + (t-shift)·bStride.
 */
function addOuterSums(
  sums: Float64Array,
  entry: number,
  a: Float64Array,
  aAt: number,
  b: Float64Array,
  bAt: number,
  aStride: number,
  bStride: number,
  shift: number,
  T: number,
  real: number,
): void {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let s4 = 0;
  let s5 = 0;
  let s6 = 0;
  let s7 = 0;
  for (let t = shift, p = aAt + shift * aStride, q = bAt; t < T; t++, p += aStride, q += bStride) {
    s0 += a[p] * b[q];
    s1 += a[p + 1] * b[q + 1];
    s2 += a[p + 2] * b[q + 2];
    s3 += a[p + 3] * b[q + 3];
    s4 += a[p + 4] * b[q + 4];
    s5 += a[p + 5] * b[q + 5];
    s6 += a[p + 6] * b[q + 6];
    s7 += a[p + 7] * b[q + 7];
  }
  // Sample by sample, as doTrainingStep adds each sample's gradient to the batch's.
  sums[entry] += s0;
  if (real > 1) sums[entry] += s1;
  if (real > 2) sums[entry] += s2;
  if (real > 3) sums[entry] += s3;
  if (real > 4) sums[entry] += s4;
  if (real > 5) sums[entry] += s5;
  if (real > 6) sums[entry] += s6;
  if (real > 7) sums[entry] += s7;
}
// #!TAG HWEND
// #!TAG HWBEGIN
// ---------------------------------------------------------------------------------------------
// The fused step's WebAssembly kernel (the reference's own; the students' skeleton drops this
// whole region)
// ---------------------------------------------------------------------------------------------

/*
 * Loads the kernel (reference/wasm/fused-step.wat, assembled below) and lays out its memory for a
 * model's sizes. `fusedTrainingStep` takes the kernel when `wasmLanes` gives one, and its own
 * JavaScript otherwise: without WebAssembly or its SIMD (the module is validated once), with the
 * kernel switched off (`setWasmFusedStep(false)`, for tests and A/B timing), for sizes whose
 * buffers would pass MAX_BYTES, or for a step nested in another's. All of it lives in this file:
 * the reference is also graded as a one-file submission (tests/grader/compile.test.ts).
 */

/** The kernel's buffers (views of its memory, laid out as fused-step.wat says) and its two calls. */
interface WasmLanes {
  readonly U: Float64Array;
  readonly W: Float64Array;
  readonly B: Float64Array;
  readonly V: Float64Array;
  /** [t][j][lane] */
  readonly X: Float64Array;
  /** [t][i][lane] */
  readonly h: Float64Array;
  readonly yHat: Float64Array;
  readonly ys: Float64Array;
  readonly sumU: Float64Array;
  readonly sumW: Float64Array;
  readonly sumB: Float64Array;
  readonly sumV: Float64Array;
  /** h for every t, and yHat, of the block in X. */
  forward(c: number): void;
  /** The block's gradients, lanes 0…real-1 added into the sums. */
  backward(real: number): void;
  /** Ends the step using these buffers: until then, wasmLanes gives no other. */
  release(): void;
}

/** What the loader uses of the WebAssembly API (the project's TypeScript libraries do not declare it). */
interface WebAssemblyApi {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: unknown };
}

interface KernelExports {
  memory: { readonly buffer: ArrayBuffer; grow(pages: number): number };
  layout(...sizesAndOffsets: number[]): void;
  forward(c: number): void;
  backward(real: number): void;
  tanhRows(src: number, dst: number, rows: number): void;
}

const BYTES = 8;
const PAGE = 65536;
/** Beyond this the offsets would near i32's range; such sizes take the JavaScript step. */
const MAX_BYTES = 256 * 2 ** 20;

let kernel: KernelExports | null | undefined; // undefined: not loaded yet; null: unavailable here
let enabled = true;
let current: { H: number; F: number; T: number; buffer: ArrayBuffer; lanes: WasmLanes } | undefined;
/** Whether a step holds the buffers (one memory, one step at a time). */
let inUse = false;
const release = () => {
  inUse = false;
};

function load(): KernelExports | null {
  try {
    const { WebAssembly: api, atob } = globalThis as {
      WebAssembly?: WebAssemblyApi;
      atob?: (base64: string) => string;
    };
    if (typeof api !== 'object' || typeof atob !== 'function') return null;
    const bytes = Uint8Array.from(atob(FUSED_STEP_WASM_BASE64), (char) => char.charCodeAt(0));
    // Without SIMD the module does not validate (and without WebAssembly there is no api): JavaScript it is.
    if (!api.validate(bytes)) return null;
    return new api.Instance(new api.Module(bytes), {}).exports as KernelExports;
  } catch {
    return null;
  }
}

/** Whether the kernel runs here (WebAssembly with SIMD); loads it on the first call. */
export function wasmFusedStepAvailable(): boolean {
  if (kernel === undefined) kernel = load();
  return kernel !== null;
}

/** Switches the kernel on or off (on by default); returns the previous setting. */
export function setWasmFusedStep(on: boolean): boolean {
  const previous = enabled;
  enabled = on;
  return previous;
}

/**
 * The kernel's buffers for H hidden units, F features and T steps, its sums zeroed, or undefined
 * when the JavaScript step must run (see this region's opening comment).
 */
function wasmLanes(H: number, F: number, T: number): WasmLanes | undefined {
  if (!enabled || inUse || !wasmFusedStepAvailable() || !(T >= 1)) return undefined;
  const exports = kernel!;
  if (current?.H !== H || current.F !== F || current.T !== T || current.buffer !== exports.memory.buffer) {
    const lanes = layOut(exports, H, F, T);
    if (lanes === undefined) return undefined;
    current = { H, F, T, buffer: exports.memory.buffer, lanes };
  }
  const { lanes } = current;
  lanes.sumU.fill(0);
  lanes.sumW.fill(0);
  lanes.sumB.fill(0);
  lanes.sumV.fill(0);
  inUse = true;
  return lanes;
}

/** The kernel's tanh of each of `xs` (for tests: it compares with the reference's tanh), or undefined without the kernel. */
export function wasmTanh(xs: Float64Array): Float64Array | undefined {
  if (!wasmFusedStepAvailable()) return undefined;
  if (inUse) throw new Error('wasmTanh: a training step holds the kernel');
  const { memory, tanhRows } = kernel!;
  const rows = Math.ceil(xs.length / LANES);
  const bytes = rows * LANES * BYTES; // the values, then their tanh
  if (memory.buffer.byteLength < 2 * bytes) memory.grow(Math.ceil((2 * bytes - memory.buffer.byteLength) / PAGE));
  current = undefined; // its buffers are overwritten: the next step lays them out again
  new Float64Array(memory.buffer, 0, rows * LANES).set(xs);
  tanhRows(0, bytes, rows);
  const values = new Float64Array(memory.buffer, bytes, rows * LANES);
  return values.slice(0, xs.length);
}

function layOut(exports: KernelExports, H: number, F: number, T: number): WasmLanes | undefined {
  // Lane rows first (64-byte multiples keep every v128 aligned), then the row-major arrays.
  const lengths = {
    X: T * F * LANES,
    h: T * H * LANES,
    l: T * H * LANES,
    g: H * LANES,
    pre: H * LANES,
    yHat: LANES,
    ys: LANES,
    ones: LANES,
    U: H * F,
    W: H * H,
    B: H,
    V: H,
    sumU: H * F,
    sumW: H * H,
    sumB: H,
    sumV: H,
  };
  const offsets = {} as Record<keyof typeof lengths, number>;
  let end = 0;
  for (const name of Object.keys(lengths) as (keyof typeof lengths)[]) {
    offsets[name] = end;
    end += lengths[name] * BYTES;
  }
  if (!(end <= MAX_BYTES)) return undefined;
  const { memory } = exports;
  if (memory.buffer.byteLength < end) {
    try {
      memory.grow(Math.ceil((end - memory.buffer.byteLength) / PAGE));
    } catch {
      return undefined; // no memory to spare: the JavaScript step allocates its own
    }
  }
  const o = offsets;
  exports.layout(
    H,
    F,
    T,
    o.U,
    o.W,
    o.B,
    o.V,
    o.X,
    o.h,
    o.l,
    o.g,
    o.pre,
    o.yHat,
    o.ys,
    o.sumU,
    o.sumW,
    o.sumB,
    o.sumV,
    o.ones,
  );
  const view = (name: keyof typeof lengths) => new Float64Array(memory.buffer, offsets[name], lengths[name]);
  view('ones').fill(1);
  return {
    U: view('U'),
    W: view('W'),
    B: view('B'),
    V: view('V'),
    X: view('X'),
    h: view('h'),
    yHat: view('yHat'),
    ys: view('ys'),
    sumU: view('sumU'),
    sumW: view('sumW'),
    sumB: view('sumB'),
    sumV: view('sumV'),
    forward: exports.forward,
    backward: exports.backward,
    release,
  };
}

// Generated by `npx tsx reference/wasm/assemble.ts` from reference/wasm/fused-step.wat: do not edit.
// tests/reference/wasm-fused-step.test.ts checks that it is the WAT assembled.
/** The fused training step kernel, a WebAssembly module, in base64. */
const FUSED_STEP_WASM_BASE64 =
  'AGFzbQEAAAABSQhgE39/f39/f39/f39/f39/f39/f38AYAd/f39/f39/AGADf39/AGACe3sBe2ABfABgBn9/e3t7ewBgCH9/f39/' +
  'f39/AGABfwADCgkAAQIDBAIFBgcFAwEAAQZgE38BQQALfwFBAAt/AUEAC38BQQALfwFBAAt/AUEAC38BQQALfwFBAAt/AUEAC38B' +
  'QQALfwFBAAt/AUEAC38BQQALfwFBAAt/AUEAC38BQQALfwFBAAt/AUEAC38BQQALBzMFBm1lbW9yeQIABmxheW91dAAACHRhbmhS' +
  'b3dzAAIHZm9yd2FyZAAECGJhY2t3YXJkAAgKpyAJTgAgACQAIAEkASACJAIgAyQDIAQkBCAFJAUgBiQGIAckByAIJAggCSQJIAok' +
  'CiALJAsgDCQMIA0kDSAOJA4gDyQPIBAkECARJBEgEiQSC+YEAgZ/C3sCQANAIAdBAmogBUsNASAAIAdBBnRqIQggCP0ABAAhDSAI' +
  '/QAEECEOIAj9AAQgIQ8gCP0ABDAhECAI/QAEQCERIAj9AARQIRIgCP0ABGAhEyAI/QAEcCEUIAEgByACbGohCSAJIAJqIQogBCEL' +
  'IAYhDAJAA0AgDEUNASAJKwMA/RQhFSAKKwMA/RQhFiAL/QAEACEXIA0gFSAX/fIB/fABIQ0gESAWIBf98gH98AEhESAL/QAEECEX' +
  'IA4gFSAX/fIB/fABIQ4gEiAWIBf98gH98AEhEiAL/QAEICEXIA8gFSAX/fIB/fABIQ8gEyAWIBf98gH98AEhEyAL/QAEMCEXIBAg' +
  'FSAX/fIB/fABIRAgFCAWIBf98gH98AEhFCALQcAAaiELIAkgA2ohCSAKIANqIQogDEEBayEMDAALCyAIIA39CwQAIAggDv0LBBAg' +
  'CCAP/QsEICAIIBD9CwQwIAggEf0LBEAgCCAS/QsEUCAIIBP9CwRgIAggFP0LBHAgB0ECaiEHDAALCyAHIAVJBEAgACAHQQZ0aiEI' +
  'IAj9AAQAIQ0gCP0ABBAhDiAI/QAEICEPIAj9AAQwIRAgASAHIAJsaiEJIAQhCyAGIQwCQANAIAxFDQEgCSsDAP0UIRUgDSAVIAv9' +
  'AAQA/fIB/fABIQ0gDiAVIAv9AAQQ/fIB/fABIQ4gDyAVIAv9AAQg/fIB/fABIQ8gECAVIAv9AAQw/fIB/fABIRAgC0HAAGohCyAJ' +
  'IANqIQkgDEEBayEMDAALCyAIIA39CwQAIAggDv0LBBAgCCAP/QsEICAIIBD9CwQwCwuyBAIDfwd7IAAgAkEGdGohAyAAIQQgASEF' +
  'AkADQCAEIANPDQEgBP0ABAAhBiAGIAb98gEhByAHIAf98gEhCCAIIAj98gEhCf0MT1VVVVVV1b9PVVVVVVXVv/0MhAcRERERwT+E' +
  'BxERERHBPyAH/fIB/fAB/QwlyZcbuqGrvyXJlxu6oau//QxJ0JSF9GSWP0nQlIX0ZJY/IAf98gH98AEgCP3yAf3wAf0M5e0Y8eIm' +
  'gr/l7Rjx4iaCv/0M3Q/ttCltbT/dD+20KW1tPyAH/fIB/fAB/QyMSKcb/dhXv4xIpxv92Fe//QxCZ7eNOkhDP0Jnt406SEM/IAf9' +
  '8gH98AEgCP3yAf3wASAJ/fIB/fAB/QzrcijJ/ZYuv+tyKMn9li6//Qw80tQLVdcVPzzS1AtV1xU/IAf98gH98AH9DI5E8gpNcfQ+' +
  'jkTyCk1x9D4gCP3yAf3xASAJIAn98gH98gH98AEhCiAGIAYgByAK/fIB/fIB/fABIQsgBiALIAf9DAAAAAAAAJA8AAAAAAAAkDz9' +
  'Sf1SIQsgBSAL/QsEACAMIAf9DFyPwvUoXNM/XI/C9Shc0z/9Sf1N/VAhDCAEQRBqIQQgBUEQaiEFDAALCyAM/VMEQCAAIQQgASEF' +
  'AkADQCAEIANPDQEgBP0ABAAhBiAGIAb98gH9DFyPwvUoXNM/XI/C9Shc0z/9Sf3DAUUEQCAFIAYgBf0ABAAQA/0LBAALIARBEGoh' +
  'BCAFQRBqIQUMAAsLCwvpBgETeyAA/ewBIQIgAiAC/fABIQMgA/0M/oIrZUcV9z/+gitlRxX3P/3yAf0MAAAAAAAA4D8AAAAAAADg' +
  'P/3wAf16IQQgAyAE/QwAAOD+Qi7mPwAA4P5CLuY//fIB/fEBIAT9DHY8eTXvOeo9djx5Ne856j398gH98QEhBSAFIAX98gEhBiAG' +
  'IAb98gEhB/0MDAAAAAAA4D8MAAAAAADgP/0MXFVVVVVVxT9cVVVVVVXFPyAF/fIB/fAB/QyB/VRVVVWlP4H9VFVVVaU//Qx46hAR' +
  'ERGBP3jqEBEREYE/IAX98gH98AEgBv3yAf3wAf0Mml5iGGzBVj+aXmIYbMFWP/0MZkxCG6ABKj9mTEIboAEqPyAF/fIB/fAB/Qwa' +
  'FTBWmQH6PhoVMFaZAfo+/Qxxw3bq3h3HPnHDdureHcc+IAX98gH98AEgBv3yAf3wASAH/fIB/fAB/QxGc0KwFIuSPkZzQrAUi5I+' +
  '/Qy0+Dxh5PZaPrT4PGHk9lo+IAX98gH98AEgByAH/fIB/fIB/fABIQggBSAGIAj98gH98AEhCf0MAAAAAAAA8D8AAAAAAADwPyAJ' +
  '/fABIQr9DAAAAAAAAPA/AAAAAAAA8D8gCv3xASAJ/fABIQsgBP38Af3HAf0M/wMAAAAAAAD/AwAAAAAAAP3OAUE0/csBIQwgCiAM' +
  '/fIBIQ0gCyAM/fIBIQ4gDf0MAAAAAAAA8D8AAAAAAADwP/3wASEPIA0gD/3xAf0MAAAAAAAA8D8AAAAAAADwP/3wASAO/fABIRD9' +
  'DAAAAAAAAABAAAAAAAAAAEAgD/3zASER/QwAAAAAAADwPwAAAAAAAPA/IBH98QEhEv0MAAAAAAAA8D8AAAAAAADwPyAS/fEBIBH9' +
  '8QEhEyASIBMgESAR/fIBIBD98gH9DAAAAAAAAOA/AAAAAAAA4D/98gH98AH98AEhFCAU/e0BIBQgAP0MAAAAAAAAAAAAAAAAAAAA' +
  'AP1J/VIhFCAU/QwAAAAAAADwvwAAAAAAAPC//QwAAAAAAADwPwAAAAAAAPA/IAD9DAAAAAAAAAAAAAAAAAAAAAD9Sf1SIAAgAiAC' +
  '/Uf9UiAC/QyamZmZmRkzQJqZmZmZGTNA/Un9UiEUIAEgFCAAIAD98gH9DFyPwvUoXNM/XI/C9Shc0z/9Sf1SC4EDBAN/AXsBfwV7' +
  'AkADQCABIwJPDQFBACECAkADQCACIwBPDQEjBSACQQN0aisDAP0UIQQjCyACQQZ0aiEDIAMgBP0LBAAgAyAE/QsEECADIAT9CwQg' +
  'IAMgBP0LBDAgAkEBaiECDAALCyMLIwMjAUEDdEEIIwcgASMBQQZ0bGojACMBEAEgAQRAIwsjBCMAQQN0QQgjCCABQQFrIwBBBnRs' +
  'aiMAIwAQAQsjCyMIIAEjAEEGdGxqIwAQAiABQQFqIQEMAAsLIwgjAkEBayMAQQZ0bGohBSAA/RQhByAHIQggByEJIAchCkEAIQIC' +
  'QANAIAIjAE8NASMGIAJBA3RqKwMA/RQhBiAFIAJBBnRqIQMgByAGIAP9AAQA/fIB/fABIQcgCCAGIAP9AAQQ/fIB/fABIQggCSAG' +
  'IAP9AAQg/fIB/fABIQkgCiAGIAP9AAQw/fIB/fABIQogAkEBaiECDAALCyMMIAf9CwQAIwwgCP0LBBAjDCAJ/QsEICMMIAr9CwQw' +
  'C2cCAX8BeyABIwBBBnRqIQMCQANAIAEgA08NASAA/QAEACEEIAL9DAAAAAAAAPA/AAAAAAAA8D8gBCAE/fIB/fEBIAH9AAQA/fIB' +
  '/QsEACAAQRBqIQAgAUEQaiEBIAJBEGohAgwACwsLlgEBAXwgACsDACAC/SEAoCEGIAFBAUsEQCAGIAL9IQGgIQYLIAFBAksEQCAG' +
  'IAP9IQCgIQYLIAFBA0sEQCAGIAP9IQGgIQYLIAFBBEsEQCAGIAT9IQCgIQYLIAFBBUsEQCAGIAT9IQGgIQYLIAFBBksEQCAGIAX9' +
  'IQCgIQYLIAFBB0sEQCAGIAX9IQGgIQYLIAAgBjkDAAvWBQIEfwx7AkADQCAIQQJqIAZLDQH9DAAAAAAAAAAAAAAAAAAAAAAhEP0M' +
  'AAAAAAAAAAAAAAAAAAAAACER/QwAAAAAAAAAAAAAAAAAAAAAIRL9DAAAAAAAAAAAAAAAAAAAAAAhE/0MAAAAAAAAAAAAAAAAAAAA' +
  'ACEU/QwAAAAAAAAAAAAAAAAAAAAAIRX9DAAAAAAAAAAAAAAAAAAAAAAhFv0MAAAAAAAAAAAAAAAAAAAAACEXIAEgBSACbGohCSAD' +
  'IAhBBnRqIQogBSELAkADQCALIwJPDQEgCf0ABAAhDCAJ/QAEECENIAn9AAQgIQ4gCf0ABDAhDyAQIAwgCv0ABAD98gH98AEhECAR' +
  'IA0gCv0ABBD98gH98AEhESASIA4gCv0ABCD98gH98AEhEiATIA8gCv0ABDD98gH98AEhEyAUIAwgCv0ABED98gH98AEhFCAVIA0g' +
  'Cv0ABFD98gH98AEhFSAWIA4gCv0ABGD98gH98AEhFiAXIA8gCv0ABHD98gH98AEhFyAJIAJqIQkgCiAEaiEKIAtBAWohCwwACwsg' +
  'ACAIQQN0aiAHIBAgESASIBMQBiAAIAhBAWpBA3RqIAcgFCAVIBYgFxAGIAhBAmohCAwACwsgCCAGSQRA/QwAAAAAAAAAAAAAAAAA' +
  'AAAAIRD9DAAAAAAAAAAAAAAAAAAAAAAhEf0MAAAAAAAAAAAAAAAAAAAAACES/QwAAAAAAAAAAAAAAAAAAAAAIRMgASAFIAJsaiEJ' +
  'IAMgCEEGdGohCiAFIQsCQANAIAsjAk8NASAQIAn9AAQAIAr9AAQA/fIB/fABIRAgESAJ/QAEECAK/QAEEP3yAf3wASERIBIgCf0A' +
  'BCAgCv0ABCD98gH98AEhEiATIAn9AAQwIAr9AAQw/fIB/fABIRMgCSACaiEJIAogBGohCiALQQFqIQsMAAsLIAAgCEEDdGogByAQ' +
  'IBEgEiATEAYLC/MEBwN/AXsCfwR7AX8BfAF/IwBBBnQhBSMIIwJBAWsgBWxqIQv9DAAAAAAAAABAAAAAAAAAAEAjDP0ABAAjDf0A' +
  'BAD98QH98gEhB/0MAAAAAAAAAEAAAAAAAAAAQCMM/QAEECMN/QAEEP3xAf3yASEI/QwAAAAAAAAAQAAAAAAAAABAIwz9AAQgIw39' +
  'AAQg/fEB/fIBIQn9DAAAAAAAAABAAAAAAAAAAEAjDP0ABDAjDf0ABDD98QH98gEhCgJAA0AgASMATw0BIwYgAUEDdGorAwD9FCEE' +
  'IwogAUEGdGohAyADIAcgBP3yAf0LBAAgAyAIIAT98gH9CwQQIAMgCSAE/fIB/QsEICADIAogBP3yAf0LBDAgAUEBaiEBDAALCyAL' +
  'IwojCSMCQQFrIAVsahAFIwJBAmshAgJAA0AgAkEASA0BIwpBACAF/AsAIwojBEEIIwBBA3QjCSACQQFqIAVsaiMAIwAQASMIIAIg' +
  'BWxqIwojCSACIAVsahAFIAJBAWshAgwACwtBACEBAkADQCABIwBPDQEjDyABIwBBA3RsaiMJIAFBBnRqIAUjCCAFQQEjACAAEAcj' +
  'DiABIwFBA3RsaiMJIAFBBnRqIAUjByMBQQZ0QQAjASAAEAcgAUEBaiEBDAALCyMQIxJBACMJIAVBACMAIAAQBwJAA0AgBiAATw0B' +
  'RAAAAAAAAABAIwwgBkEDdGorAwAjDSAGQQN0aisDAKGiIQxBACEBAkADQCABIwBPDQEjESABQQN0aiENIA0gDSsDACAMIAsgAUEG' +
  'dCAGQQN0amorAwCioDkDACABQQFqIQEMAAsLIAZBAWohBgwACwsL';
// (end of the generated binary)
// #!TAG HWEND
