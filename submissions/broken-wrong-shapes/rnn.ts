/**
 * Sample submission (broken: wrong shapes everywhere). The arithmetic is right, but the student
 * never settled on the contract's layouts: statistics come back as 1×F matrices, matrices come
 * back transposed, hidden keeps h_0 as an extra first row, scalars come back wrapped in arrays,
 * and trainRnn returns the losses as a Float64Array. Type-checking would reject it (it is
 * excluded as broken-*); the checks must reject it too, naming the shape.
 */
import type { Matrix, Rng, Vector } from 'rnn-lab';
import { createRng } from 'rnn-lab';

/* eslint-disable @typescript-eslint/no-explicit-any */
type Any = any;

const transpose = (m: Matrix): Matrix => m[0].map((_, j) => m.map((row) => row[j]));
const zeros = (n: number): Vector => new Array<number>(n).fill(0);

export function numTrainSamples(numRows: number): Any {
  // [train rows, test rows]
  const train = Math.floor(numRows / 30) * 24;
  return [train, numRows - train];
}

export function columnMeans(data: Matrix): Any {
  return [data[0].map((_, j) => data.reduce((s, row) => s + row[j], 0) / data.length)];
}

export function columnStds(data: Matrix): Any {
  const [means] = columnMeans(data);
  return [means.map((mean: number, j: number) => Math.sqrt(data.reduce((s, row) => s + (row[j] - mean) ** 2, 0) / (data.length - 1)))];
}

export function standardize(data: Matrix, means: Vector, stds: Vector): Any {
  return transpose(data.map((row) => row.map((value, j) => (value - means[j]) / stds[j])));
}

export function getRandomDay(data: Matrix, rng: Rng): Any {
  const start = rng.int(data.length - 24);
  return { x: transpose(data.slice(start, start + 24)), y: [data[start + 24][1]] };
}

export function mseLoss(yTrue: number, yPred: number): Any {
  return [(yTrue - yPred) ** 2];
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
    const draw = () => rng.normal(0, 0.001);
    // F×H: "inputs down, hidden units across"
    this.u = Array.from({ length: numFeatures }, () => Array.from({ length: hiddenStateSize }, draw));
    this.w = Array.from({ length: hiddenStateSize }, () => Array.from({ length: hiddenStateSize }, draw));
    this.v = Array.from({ length: hiddenStateSize }, draw);
    this.b = zeros(hiddenStateSize);
    this.c = 0;
  }

  /** U x_t for U stored as H×F (as the checks set it). */
  private inputTerm(x: Vector, i: number): number {
    const row = this.u[i] ?? [];
    return row.reduce((s, uij, j) => s + uij * x[j], 0);
  }

  forward(x: Matrix): Any {
    const H = this.hiddenStateSize;
    const states: Matrix = [zeros(H)];
    for (const input of x) {
      const previous = states[states.length - 1];
      states.push(this.b.map((bias, i) => Math.tanh(bias + this.inputTerm(input, i) + this.w[i].reduce((s, wik, k) => s + wik * previous[k], 0))));
    }
    // h_0 kept as the first row
    return { hidden: states, yHat: [this.v.reduce((s, vi, i) => s + vi * states[states.length - 1][i], this.c)] };
  }

  computeGradH(yTrue: number, yPred: number, hidden: Matrix): Any {
    const tau = hidden.length;
    const grads: Matrix = new Array(tau);
    grads[tau - 1] = this.v.map((vi) => 2 * (yPred - yTrue) * vi);
    for (let t = tau - 2; t >= 0; t--) {
      const delta = hidden[t + 1].map((h, i) => (1 - h * h) * grads[t + 1][i]);
      grads[t] = hidden[t].map((_, k) => this.w.reduce((s, row, i) => s + row[k] * delta[i], 0));
    }
    return transpose(grads); // H×τ
  }

  computeGradC(yTrue: number, yPred: number): Any {
    return [2 * (yPred - yTrue)];
  }

  computeGradB(hidden: Matrix, gradH: Matrix): Any {
    return this.b.map((_, i) => [hidden.reduce((s, h, t) => s + (1 - h[i] * h[i]) * gradH[t][i], 0)]); // H×1
  }

  computeGradV(yTrue: number, yPred: number, hidden: Matrix): Any {
    return hidden.map((h) => h.map((value) => 2 * (yPred - yTrue) * value)); // every step, τ×H
  }

  computeGradW(hidden: Matrix, gradH: Matrix): Any {
    const H = this.hiddenStateSize;
    const flat: number[] = zeros(H * H);
    for (let t = 1; t < hidden.length; t++) {
      for (let i = 0; i < H; i++) for (let k = 0; k < H; k++) flat[i * H + k] += (1 - hidden[t][i] ** 2) * gradH[t][i] * hidden[t - 1][k];
    }
    return flat; // H·H entries, flat
  }

  computeGradU(hidden: Matrix, gradH: Matrix, x: Matrix): Any {
    const F = x[0].length;
    return Array.from({ length: F }, (_, j) => this.b.map((__, i) => hidden.reduce((s, h, t) => s + (1 - h[i] * h[i]) * gradH[t][i] * x[t][j], 0))); // F×H
  }

  getGradients(x: Matrix, yTrue: number, yPred: number, hidden: Matrix): Any {
    const gradH = transpose(this.computeGradH(yTrue, yPred, hidden));
    return {
      c: this.computeGradC(yTrue, yPred),
      b: this.computeGradB(hidden, gradH),
      v: this.computeGradV(yTrue, yPred, hidden),
      w: this.computeGradW(hidden, gradH),
      u: this.computeGradU(hidden, gradH, x),
    };
  }
}

export function doTrainingStep(rnn: RNN, data: Matrix, batchSize: number, lr: number, rng: Rng): Any {
  const losses: number[] = [];
  for (let n = 0; n < batchSize; n++) {
    const { x, y } = getRandomDay(data, rng);
    const { hidden, yHat } = rnn.forward(transpose(x));
    losses.push(mseLoss(y[0], yHat[0])[0]);
    const g = rnn.getGradients(transpose(x), y[0], yHat[0], hidden.slice(1));
    rnn.c -= (lr * g.c[0]) / batchSize;
    rnn.b = rnn.b.map((value, i) => value - (lr * g.b[i][0]) / batchSize);
  }
  return losses; // every sample's loss
}

export function trainRnn(data: Matrix, numSteps: number, rng: Rng): Any {
  const rnn = new RNN(10, 6, rng);
  const losses = new Float64Array(numSteps);
  for (let step = 0; step < numSteps; step++) {
    const batch = doTrainingStep(rnn, data, 32, 0.01, rng);
    losses[step] = batch.reduce((s: number, l: number) => s + l, 0) / batch.length;
  }
  return { rnn, losses };
}
