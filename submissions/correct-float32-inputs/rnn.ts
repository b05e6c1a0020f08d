/**
 * Sample submission (correct, float32 storage): like code that keeps its data in Float32Array
 * buffers (as TensorFlow.js does by default), every input is rounded to float32 on the way in —
 * data matrices, means and stds, targets and predictions, hidden states, ∂L/∂h, parameters — and
 * every sum, product and result is rounded to float32 as it is computed. Values cross the API as
 * plain number[]. It probes that the checks accept float32 rounding of the inputs themselves,
 * where the result is ill-conditioned in them (x − mean with |x| ≫ std, ŷ − y with ŷ ≈ y).
 */
import type { Matrix, Rng, Vector } from 'rnn-lab';
import { createRng } from 'rnn-lab';

const f = Math.fround;
const HOURS = 24;
const TEMP_COLUMN = 1;

/** A matrix as float32 rows (the inputs are rounded here, once). */
const toF32 = (m: Matrix): Float32Array[] => m.map((row) => Float32Array.from(row));
const toPlain = (rows: Float32Array[]): Matrix => rows.map((row) => Array.from(row));
const f32Zeros = (rows: number, cols: number): Float32Array[] => Array.from({ length: rows }, () => new Float32Array(cols));

export function numTrainSamples(numRows: number): number {
  // 80 % of the rows, rounded down to whole days: 0.8 n / 24 = n / 30.
  return HOURS * Math.floor(numRows / 30);
}

export function columnMeans(data: Matrix): Vector {
  const rows = toF32(data);
  const sums = new Float32Array(rows[0].length);
  // Column by column, summing from the last row to the first.
  for (let j = 0; j < sums.length; j++) {
    for (let r = rows.length - 1; r >= 0; r--) sums[j] = f(sums[j] + rows[r][j]);
  }
  return Array.from(sums, (s) => f(s / rows.length));
}

export function columnStds(data: Matrix): Vector {
  const rows = toF32(data);
  const means = Float32Array.from(columnMeans(data));
  const squares = new Float32Array(means.length);
  for (const row of rows) {
    for (let j = 0; j < means.length; j++) {
      const d = f(row[j] - means[j]);
      squares[j] = f(squares[j] + f(d * d));
    }
  }
  return Array.from(squares, (s) => f(Math.sqrt(f(s / (rows.length - 1)))));
}

export function standardize(data: Matrix, means: Vector, stds: Vector): Matrix {
  const m = Float32Array.from(means);
  const s = Float32Array.from(stds);
  return toPlain(toF32(data).map((row) => row.map((value, j) => f(f(value - m[j]) / s[j]))));
}

export function getRandomDay(data: Matrix, rng: Rng): { x: Matrix; y: number } {
  const start = rng.int(data.length - HOURS);
  const window = toF32(data.slice(start, start + HOURS + 1));
  return { x: toPlain(window.slice(0, HOURS)), y: window[HOURS][TEMP_COLUMN] };
}

export function mseLoss(yTrue: number, yPred: number): number {
  const error = f(f(yPred) - f(yTrue));
  return f(error * error);
}

export class RNN {
  hiddenStateSize: number;
  numFeatures: number;
  u: Matrix;
  w: Matrix;
  v: Vector;
  b: Vector;
  c: number;

  constructor(hiddenStateSize = 10, numFeatures = 6, rng: Rng = createRng(7)) {
    this.hiddenStateSize = hiddenStateSize;
    this.numFeatures = numFeatures;
    const draw = () => f(rng.normal(0, 0.001));
    this.u = Array.from({ length: hiddenStateSize }, () => Array.from({ length: numFeatures }, draw));
    this.w = Array.from({ length: hiddenStateSize }, () => Array.from({ length: hiddenStateSize }, draw));
    this.v = Array.from({ length: hiddenStateSize }, draw);
    this.b = new Array<number>(hiddenStateSize).fill(0);
    this.c = 0;
  }

  /** The parameters as float32 buffers (the checks set them as plain numbers). */
  private weights() {
    return { u: toF32(this.u), w: toF32(this.w), v: Float32Array.from(this.v), b: Float32Array.from(this.b), c: f(this.c) };
  }

  forward(x: Matrix): { hidden: Matrix; yHat: number } {
    const { u, w, v, b, c } = this.weights();
    const H = b.length;
    const inputs = toF32(x);
    const hidden = f32Zeros(inputs.length, H);
    let previous: Float32Array = new Float32Array(H);
    inputs.forEach((input, t) => {
      for (let i = 0; i < H; i++) {
        let z = b[i];
        for (let k = 0; k < H; k++) z = f(z + f(w[i][k] * previous[k]));
        for (let j = 0; j < input.length; j++) z = f(z + f(u[i][j] * input[j]));
        hidden[t][i] = Math.tanh(z);
      }
      previous = hidden[t];
    });
    let yHat = c;
    for (let i = 0; i < H; i++) yHat = f(yHat + f(v[i] * previous[i]));
    return { hidden: toPlain(hidden), yHat };
  }

  computeGradH(yTrue: number, yPred: number, hidden: Matrix): Matrix {
    const { w, v } = this.weights();
    const h = toF32(hidden);
    const tau = h.length;
    const H = v.length;
    const gradH = f32Zeros(tau, H);
    const outputGrad = f(2 * f(f(yPred) - f(yTrue)));
    for (let i = 0; i < H; i++) gradH[tau - 1][i] = outputGrad * v[i];
    for (let t = tau - 2; t >= 0; t--) {
      const delta = h[t + 1].map((value, i) => f(f(1 - f(value * value)) * gradH[t + 1][i]));
      for (let i = 0; i < H; i++) for (let k = 0; k < H; k++) gradH[t][k] = f(gradH[t][k] + f(w[i][k] * delta[i]));
    }
    return toPlain(gradH);
  }

  computeGradC(yTrue: number, yPred: number): number {
    return f(2 * f(f(yPred) - f(yTrue)));
  }

  /** (1 − h_t²) ⊙ ∂L/∂h_t for every t, in float32. */
  private local(hidden: Matrix, gradH: Matrix): Float32Array[] {
    const g = toF32(gradH);
    return toF32(hidden).map((h, t) => h.map((value, i) => f(f(1 - f(value * value)) * g[t][i])));
  }

  computeGradB(hidden: Matrix, gradH: Matrix): Vector {
    const out = new Float32Array(this.hiddenStateSize);
    for (const row of this.local(hidden, gradH)) row.forEach((value, i) => (out[i] += value));
    return Array.from(out);
  }

  computeGradV(yTrue: number, yPred: number, hidden: Matrix): Vector {
    const outputGrad = this.computeGradC(yTrue, yPred);
    return Array.from(Float32Array.from(hidden[hidden.length - 1]), (h) => f(outputGrad * h));
  }

  computeGradW(hidden: Matrix, gradH: Matrix): Matrix {
    const local = this.local(hidden, gradH);
    const h = toF32(hidden);
    const H = this.hiddenStateSize;
    const out = f32Zeros(H, H);
    for (let i = 0; i < H; i++) {
      for (let k = 0; k < H; k++) {
        for (let t = h.length - 1; t >= 1; t--) out[i][k] = f(out[i][k] + f(local[t][i] * h[t - 1][k]));
      }
    }
    return toPlain(out);
  }

  computeGradU(hidden: Matrix, gradH: Matrix, x: Matrix): Matrix {
    const local = this.local(hidden, gradH);
    const inputs = toF32(x);
    const out = f32Zeros(this.hiddenStateSize, this.numFeatures);
    inputs.forEach((input, t) => {
      for (let i = 0; i < out.length; i++) for (let j = 0; j < input.length; j++) out[i][j] = f(out[i][j] + f(local[t][i] * input[j]));
    });
    return toPlain(out);
  }

  getGradients(x: Matrix, yTrue: number, yPred: number, hidden: Matrix): { c: number; b: Vector; v: Vector; w: Matrix; u: Matrix } {
    const gradH = this.computeGradH(yTrue, yPred, hidden);
    return {
      c: this.computeGradC(yTrue, yPred),
      b: this.computeGradB(hidden, gradH),
      v: this.computeGradV(yTrue, yPred, hidden),
      w: this.computeGradW(hidden, gradH),
      u: this.computeGradU(hidden, gradH, x),
    };
  }
}

export function doTrainingStep(rnn: RNN, data: Matrix, batchSize: number, lr: number, rng: Rng): number {
  const H = rnn.hiddenStateSize;
  const F = rnn.numFeatures;
  const sum = { c: 0, b: new Float32Array(H), v: new Float32Array(H), w: f32Zeros(H, H), u: f32Zeros(H, F) };
  let totalLoss = 0;
  for (let n = 0; n < batchSize; n++) {
    const { x, y } = getRandomDay(data, rng);
    const { hidden, yHat } = rnn.forward(x);
    totalLoss = f(totalLoss + mseLoss(y, yHat));
    const g = rnn.getGradients(x, y, yHat, hidden);
    sum.c = f(sum.c + g.c);
    for (let i = 0; i < H; i++) {
      sum.b[i] += g.b[i];
      sum.v[i] += g.v[i];
      for (let k = 0; k < H; k++) sum.w[i][k] += g.w[i][k];
      for (let j = 0; j < F; j++) sum.u[i][j] += g.u[i][j];
    }
  }
  const scale = f(f(lr) / batchSize);
  rnn.c = f(f(rnn.c) - f(scale * sum.c));
  for (let i = 0; i < H; i++) {
    rnn.b[i] = f(f(rnn.b[i]) - f(scale * sum.b[i]));
    rnn.v[i] = f(f(rnn.v[i]) - f(scale * sum.v[i]));
    for (let k = 0; k < H; k++) rnn.w[i][k] = f(f(rnn.w[i][k]) - f(scale * sum.w[i][k]));
    for (let j = 0; j < F; j++) rnn.u[i][j] = f(f(rnn.u[i][j]) - f(scale * sum.u[i][j]));
  }
  return f(totalLoss / batchSize);
}

export function trainRnn(data: Matrix, numSteps: number, rng: Rng): { rnn: RNN; losses: number[] } {
  const rnn = new RNN(10, 6, rng);
  const losses: number[] = [];
  for (let step = 0; step < numSteps; step++) losses.push(doTrainingStep(rnn, data, 32, 0.01, rng));
  return { rnn, losses };
}
