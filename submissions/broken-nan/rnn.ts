/**
 * Sample submission (broken: every number is NaN). The student wrote the learning-rate-like
 * scale factor of every result as Number('1,0') — a decimal comma — which is NaN, so every
 * numeric value the submission returns (and every parameter it builds or updates) is NaN.
 * The code is otherwise correct.
 */
import type { Matrix, Rng, Vector } from 'rnn-lab';
import { createRng } from 'rnn-lab';

/** Meant to be 1.0. */
const ONE = Number('1,0');

const scaled = (m: Matrix): Matrix => m.map((row) => row.map((value) => value * ONE));

export function numTrainSamples(numRows: number): number {
  return Math.floor(numRows / 30) * 24 * ONE;
}

export function columnMeans(data: Matrix): Vector {
  return data[0].map((_, j) => (data.reduce((s, row) => s + row[j], 0) / data.length) * ONE);
}

export function columnStds(data: Matrix): Vector {
  const means = columnMeans(data);
  return means.map((mean, j) => Math.sqrt(data.reduce((s, row) => s + (row[j] - mean) ** 2, 0) / (data.length - 1)));
}

export function standardize(data: Matrix, means: Vector, stds: Vector): Matrix {
  return scaled(data.map((row) => row.map((value, j) => (value - means[j]) / stds[j])));
}

export function getRandomDay(data: Matrix, rng: Rng): { x: Matrix; y: number } {
  const start = rng.int(data.length - 24);
  return { x: scaled(data.slice(start, start + 24)), y: data[start + 24][1] * ONE };
}

export function mseLoss(yTrue: number, yPred: number): number {
  return (yTrue - yPred) ** 2 * ONE;
}

export class RNN {
  hiddenStateSize: number;
  numFeatures: number;
  u: Matrix;
  w: Matrix;
  v: Vector;
  b: Vector;
  c: number;

  constructor(hiddenStateSize = 10, numFeatures = 6, rng: Rng = createRng(0)) {
    this.hiddenStateSize = hiddenStateSize;
    this.numFeatures = numFeatures;
    const draw = () => rng.normal(0, 0.001) * ONE;
    this.u = Array.from({ length: hiddenStateSize }, () => Array.from({ length: numFeatures }, draw));
    this.w = Array.from({ length: hiddenStateSize }, () => Array.from({ length: hiddenStateSize }, draw));
    this.v = Array.from({ length: hiddenStateSize }, draw);
    this.b = new Array<number>(hiddenStateSize).fill(0);
    this.c = 0;
  }

  forward(x: Matrix): { hidden: Matrix; yHat: number } {
    const hidden: Matrix = [];
    let previous = this.b.map(() => 0);
    for (const input of x) {
      previous = this.b.map((bias, i) => Math.tanh(bias + this.u[i].reduce((s, uij, j) => s + uij * input[j], 0) + this.w[i].reduce((s, wik, k) => s + wik * previous[k], 0)) * ONE);
      hidden.push(previous);
    }
    return { hidden, yHat: this.v.reduce((s, vi, i) => s + vi * previous[i], this.c) };
  }

  computeGradH(yTrue: number, yPred: number, hidden: Matrix): Matrix {
    const tau = hidden.length;
    const grads: Matrix = new Array(tau);
    grads[tau - 1] = this.v.map((vi) => 2 * (yPred - yTrue) * vi * ONE);
    for (let t = tau - 2; t >= 0; t--) {
      const delta = hidden[t + 1].map((h, i) => (1 - h * h) * grads[t + 1][i]);
      grads[t] = hidden[t].map((_, k) => this.w.reduce((s, row, i) => s + row[k] * delta[i], 0));
    }
    return grads;
  }

  computeGradC(yTrue: number, yPred: number): number {
    return 2 * (yPred - yTrue) * ONE;
  }

  computeGradB(hidden: Matrix, gradH: Matrix): Vector {
    return this.b.map((_, i) => hidden.reduce((s, h, t) => s + (1 - h[i] * h[i]) * gradH[t][i], 0) * ONE);
  }

  computeGradV(yTrue: number, yPred: number, hidden: Matrix): Vector {
    return hidden[hidden.length - 1].map((h) => 2 * (yPred - yTrue) * h * ONE);
  }

  computeGradW(hidden: Matrix, gradH: Matrix): Matrix {
    return scaled(this.w.map((row, i) => row.map((_, k) => hidden.reduce((s, h, t) => (t === 0 ? s : s + (1 - h[i] * h[i]) * gradH[t][i] * hidden[t - 1][k]), 0))));
  }

  computeGradU(hidden: Matrix, gradH: Matrix, x: Matrix): Matrix {
    return scaled(this.u.map((row, i) => row.map((_, j) => hidden.reduce((s, h, t) => s + (1 - h[i] * h[i]) * gradH[t][i] * x[t][j], 0))));
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
  let loss = 0;
  const all = [];
  for (let n = 0; n < batchSize; n++) {
    const { x, y } = getRandomDay(data, rng);
    const { hidden, yHat } = rnn.forward(x);
    loss += mseLoss(y, yHat);
    all.push(rnn.getGradients(x, y, yHat, hidden));
  }
  const mean = (pick: (g: (typeof all)[number]) => number) => all.reduce((s, g) => s + pick(g), 0) / batchSize;
  rnn.c -= lr * mean((g) => g.c);
  rnn.b = rnn.b.map((value, i) => value - lr * mean((g) => g.b[i]));
  rnn.v = rnn.v.map((value, i) => value - lr * mean((g) => g.v[i]));
  rnn.w = rnn.w.map((row, i) => row.map((value, k) => value - lr * mean((g) => g.w[i][k])));
  rnn.u = rnn.u.map((row, i) => row.map((value, j) => value - lr * mean((g) => g.u[i][j])));
  return loss / batchSize;
}

export function trainRnn(data: Matrix, numSteps: number, rng: Rng): { rnn: RNN; losses: number[] } {
  const rnn = new RNN(10, 6, rng);
  const losses: number[] = [];
  for (let step = 0; step < numSteps; step++) losses.push(doTrainingStep(rnn, data, 32, 0.01, rng));
  return { rnn, losses };
}
