/**
 * Sample submission (wrong, one mistake): the backward recursion multiplies by
 * (1 − h_t²) where it needs (1 − h_{t+1}²): it differentiates the wrong tanh. The shared batched
 * kernel has the mistake, so computeGradH and doTrainingStep both use it (consistently).
 * Otherwise batched, correct.
 */
import type { Matrix, Rng, Vector } from 'rnn-lab';
import { createRng } from 'rnn-lab';

const SEQUENCE = 24;
const TARGET = 1;

/** A batch over time: entry t is a B×K matrix, row n belonging to sequence n. */
type Batch = Matrix[];

function zeros(rows: number, cols: number): Matrix {
  const out: Matrix = [];
  for (let r = 0; r < rows; r++) {
    const row: number[] = [];
    for (let c = 0; c < cols; c++) row.push(0);
    out.push(row);
  }
  return out;
}

/** A · Bᵀ (A is n×k, B is m×k). */
function mulT(a: Matrix, b: Matrix): Matrix {
  const out = zeros(a.length, b.length);
  for (let n = 0; n < a.length; n++) {
    const row = a[n];
    for (let m = 0; m < b.length; m++) {
      const other = b[m];
      let s = 0;
      for (let k = 0; k < row.length; k++) s += row[k] * other[k];
      out[n][m] = s;
    }
  }
  return out;
}

/** A · B (A is n×k, B is k×m). */
function mul(a: Matrix, b: Matrix): Matrix {
  const out = zeros(a.length, b[0].length);
  for (let n = 0; n < a.length; n++) {
    for (let k = 0; k < b.length; k++) {
      const value = a[n][k];
      const bk = b[k];
      for (let j = 0; j < bk.length; j++) out[n][j] += value * bk[j];
    }
  }
  return out;
}

/** Aᵀ · B (A is n×p, B is n×q), added into `into` (p×q). */
function addTMul(into: Matrix, a: Matrix, b: Matrix): void {
  for (let n = 0; n < a.length; n++) {
    const rowA = a[n];
    const rowB = b[n];
    for (let p = 0; p < rowA.length; p++) {
      const target = into[p];
      for (let q = 0; q < rowB.length; q++) target[q] += rowA[p] * rowB[q];
    }
  }
}

interface Weights {
  u: Matrix;
  w: Matrix;
  v: Vector;
  b: Vector;
  c: number;
}

/** Hidden states of every sequence of the batch, and their predictions. */
function forwardBatch(p: Weights, xs: Batch): { states: Batch; yHat: number[] } {
  const size = p.b.length;
  let previous = zeros(xs[0].length, size);
  const states: Batch = [];
  for (const input of xs) {
    const fromInput = mulT(input, p.u);
    const fromState = mulT(previous, p.w);
    previous = fromInput.map((row, n) => row.map((value, i) => Math.tanh(value + fromState[n][i] + p.b[i])));
    states.push(previous);
  }
  const yHat = previous.map((h) => h.reduce((s, value, i) => s + value * p.v[i], p.c));
  return { states, yHat };
}

/** (1 - h²) ⊙ g, element-wise. */
function throughTanh(h: Matrix, g: Matrix): Matrix {
  return h.map((row, n) => row.map((value, i) => (1 - value * value) * g[n][i]));
}

/** ∂L_n/∂h_t for every sequence n; `outputGrads[n]` = ∂L_n/∂ŷ_n. */
function backwardBatch(p: Weights, states: Batch, outputGrads: number[]): Batch {
  const tau = states.length;
  const grads: Batch = new Array(tau);
  grads[tau - 1] = outputGrads.map((g) => p.v.map((vi) => g * vi));
  for (let t = tau - 2; t >= 0; t--) grads[t] = mul(throughTanh(states[t], grads[t + 1]), p.w);
  return grads;
}

function gradBBatch(states: Batch, grads: Batch, size: number): Vector {
  const out = new Array<number>(size).fill(0);
  states.forEach((h, t) => throughTanh(h, grads[t]).forEach((row) => row.forEach((value, i) => (out[i] += value))));
  return out;
}

function gradWBatch(states: Batch, grads: Batch, size: number): Matrix {
  const out = zeros(size, size);
  for (let t = 1; t < states.length; t++) addTMul(out, throughTanh(states[t], grads[t]), states[t - 1]);
  return out;
}

function gradUBatch(states: Batch, grads: Batch, xs: Batch, size: number, features: number): Matrix {
  const out = zeros(size, features);
  states.forEach((h, t) => addTMul(out, throughTanh(h, grads[t]), xs[t]));
  return out;
}

function gradVBatch(states: Batch, outputGrads: number[], size: number): Vector {
  const last = states[states.length - 1];
  const out = new Array<number>(size).fill(0);
  last.forEach((h, n) => h.forEach((value, i) => (out[i] += outputGrads[n] * value)));
  return out;
}

/** One sequence (τ×K) as a batch of one. */
const single = (m: Matrix): Batch => m.map((row) => [row]);
const unbatch = (batch: Batch): Matrix => batch.map((m) => m[0]);

export function numTrainSamples(numRows: number): number {
  const target = 0.8 * numRows;
  let rows = 0;
  while (rows + SEQUENCE <= target) rows += SEQUENCE;
  return rows;
}

export function columnMeans(data: Matrix): Vector {
  const totals = new Array<number>(data[0].length).fill(0);
  data.forEach((row) => row.forEach((value, j) => (totals[j] += value)));
  return totals.map((total) => total / data.length);
}

export function columnStds(data: Matrix): Vector {
  const means = columnMeans(data);
  const totals = new Array<number>(means.length).fill(0);
  data.forEach((row) => row.forEach((value, j) => (totals[j] += (value - means[j]) * (value - means[j]))));
  return totals.map((total) => Math.sqrt(total / (data.length - 1)));
}

export function standardize(data: Matrix, means: Vector, stds: Vector): Matrix {
  return data.map((row) => row.map((value, j) => (value - means[j]) / stds[j]));
}

export function getRandomDay(data: Matrix, rng: Rng): { x: Matrix; y: number } {
  const from = rng.int(data.length - SEQUENCE);
  return { x: data.slice(from, from + SEQUENCE).map((row) => row.slice()), y: data[from + SEQUENCE][TARGET] };
}

export function mseLoss(yTrue: number, yPred: number): number {
  return (yPred - yTrue) * (yPred - yTrue);
}

export class RNN implements Weights {
  hiddenStateSize: number;
  numFeatures: number;
  u: Matrix;
  w: Matrix;
  v: Vector;
  b: Vector;
  c: number;

  constructor(hiddenStateSize = 10, numFeatures = 6, rng: Rng = createRng(99)) {
    this.hiddenStateSize = hiddenStateSize;
    this.numFeatures = numFeatures;
    const normal = () => rng.normal(0, 0.001);
    this.u = zeros(hiddenStateSize, numFeatures).map((row) => row.map(normal));
    this.w = zeros(hiddenStateSize, hiddenStateSize).map((row) => row.map(normal));
    this.v = new Array<number>(hiddenStateSize).fill(0).map(normal);
    this.b = new Array<number>(hiddenStateSize).fill(0);
    this.c = 0;
  }

  forward(x: Matrix): { hidden: Matrix; yHat: number } {
    const { states, yHat } = forwardBatch(this, single(x));
    return { hidden: unbatch(states), yHat: yHat[0] };
  }

  computeGradH(yTrue: number, yPred: number, hidden: Matrix): Matrix {
    return unbatch(backwardBatch(this, single(hidden), [2 * (yPred - yTrue)]));
  }

  computeGradC(yTrue: number, yPred: number): number {
    return 2 * (yPred - yTrue);
  }

  computeGradB(hidden: Matrix, gradH: Matrix): Vector {
    return gradBBatch(single(hidden), single(gradH), this.hiddenStateSize);
  }

  computeGradV(yTrue: number, yPred: number, hidden: Matrix): Vector {
    return gradVBatch(single(hidden), [2 * (yPred - yTrue)], this.hiddenStateSize);
  }

  computeGradW(hidden: Matrix, gradH: Matrix): Matrix {
    return gradWBatch(single(hidden), single(gradH), this.hiddenStateSize);
  }

  computeGradU(hidden: Matrix, gradH: Matrix, x: Matrix): Matrix {
    return gradUBatch(single(hidden), single(gradH), single(x), this.hiddenStateSize, this.numFeatures);
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
  const days = Array.from({ length: batchSize }, () => getRandomDay(data, rng));
  const xs: Batch = days[0].x.map((_, t) => days.map((day) => day.x[t]));
  const { states, yHat } = forwardBatch(rnn, xs);
  const outputGrads = yHat.map((prediction, n) => 2 * (prediction - days[n].y));
  const grads = backwardBatch(rnn, states, outputGrads);
  const size = rnn.hiddenStateSize;
  const scale = lr / batchSize;
  const gradB = gradBBatch(states, grads, size);
  const gradV = gradVBatch(states, outputGrads, size);
  const gradW = gradWBatch(states, grads, size);
  const gradU = gradUBatch(states, grads, xs, size, rnn.numFeatures);
  rnn.c -= scale * outputGrads.reduce((s, g) => s + g, 0);
  rnn.b = rnn.b.map((value, i) => value - scale * gradB[i]);
  rnn.v = rnn.v.map((value, i) => value - scale * gradV[i]);
  rnn.w = rnn.w.map((row, i) => row.map((value, k) => value - scale * gradW[i][k]));
  rnn.u = rnn.u.map((row, i) => row.map((value, j) => value - scale * gradU[i][j]));
  return days.reduce((s, day, n) => s + mseLoss(day.y, yHat[n]), 0) / batchSize;
}

export function trainRnn(data: Matrix, numSteps: number, rng: Rng): { rnn: RNN; losses: number[] } {
  const rnn = new RNN(10, 6, rng);
  const losses: number[] = [];
  while (losses.length < numSteps) losses.push(doTrainingStep(rnn, data, 32, 0.01, rng));
  return { rnn, losses };
}
