/**
 * Sample submission (correct, single precision): like a PyTorch float32 run, every value it
 * computes, stores or returns is rounded to float32 with Math.fround — sums and products at each
 * step, tanh, hidden states, gradients, parameters and losses. The inputs it is given are read as
 * they are. It probes that the checks' tolerance accepts float32 rounding.
 */
import type { Matrix, Rng, Vector } from 'rnn-lab';
import { createRng } from 'rnn-lab';

const f = Math.fround;
const DAY = 24;
const TEMP = 1;

/** a + b and a * b, rounded to float32. */
const add = (a: number, b: number): number => f(a + b);
const mul = (a: number, b: number): number => f(a * b);

function zeros(n: number): Vector {
  const out: Vector = [];
  while (out.length < n) out.push(0);
  return out;
}

export function numTrainSamples(numRows: number): number {
  return f(Math.floor((4 * numRows) / (5 * DAY)) * DAY);
}

export function columnMeans(data: Matrix): Vector {
  const sums = zeros(data[0].length);
  for (const row of data) row.forEach((value, j) => (sums[j] = add(sums[j], value)));
  return sums.map((s) => f(s / data.length));
}

export function columnStds(data: Matrix): Vector {
  const means = columnMeans(data);
  const squares = zeros(means.length);
  for (const row of data) {
    row.forEach((value, j) => {
      const d = f(value - means[j]);
      squares[j] = add(squares[j], mul(d, d));
    });
  }
  return squares.map((s) => f(Math.sqrt(f(s / (data.length - 1)))));
}

export function standardize(data: Matrix, means: Vector, stds: Vector): Matrix {
  return data.map((row) => row.map((value, j) => f(f(value - means[j]) / stds[j])));
}

export function getRandomDay(data: Matrix, rng: Rng): { x: Matrix; y: number } {
  const start = rng.int(data.length - DAY);
  const x = data.slice(start, start + DAY).map((row) => row.map(f));
  return { x, y: f(data[start + DAY][TEMP]) };
}

export function mseLoss(yTrue: number, yPred: number): number {
  const e = f(yTrue - yPred);
  return mul(e, e);
}

export class RNN {
  hiddenStateSize: number;
  numFeatures: number;
  u: Matrix;
  w: Matrix;
  v: Vector;
  b: Vector;
  c: number;

  constructor(hiddenStateSize = 10, numFeatures = 6, rng: Rng = createRng(32)) {
    this.hiddenStateSize = hiddenStateSize;
    this.numFeatures = numFeatures;
    // Drawn in the contract's order: U row by row, then W, then v.
    const draws = (count: number): number[] => Array.from({ length: count }, () => f(rng.normal(0, 0.001)));
    this.u = [];
    for (let i = 0; i < hiddenStateSize; i++) this.u.push(draws(numFeatures));
    this.w = [];
    for (let i = 0; i < hiddenStateSize; i++) this.w.push(draws(hiddenStateSize));
    this.v = draws(hiddenStateSize);
    this.b = zeros(hiddenStateSize);
    this.c = 0;
  }

  forward(x: Matrix): { hidden: Matrix; yHat: number } {
    const H = this.hiddenStateSize;
    const hidden: Matrix = [];
    let previous = zeros(H);
    for (const input of x) {
      const current = zeros(H);
      for (let i = 0; i < H; i++) {
        let z = f(this.b[i]);
        for (let j = 0; j < this.numFeatures; j++) z = add(z, mul(this.u[i][j], input[j]));
        for (let k = 0; k < H; k++) z = add(z, mul(this.w[i][k], previous[k]));
        current[i] = f(Math.tanh(z));
      }
      hidden.push(current);
      previous = current;
    }
    let yHat = f(this.c);
    for (let i = 0; i < H; i++) yHat = add(yHat, mul(this.v[i], previous[i]));
    return { hidden, yHat };
  }

  computeGradH(yTrue: number, yPred: number, hidden: Matrix): Matrix {
    const H = this.hiddenStateSize;
    const tau = hidden.length;
    const gradH: Matrix = hidden.map(() => zeros(H));
    const outputGrad = mul(2, f(yPred - yTrue));
    for (let i = 0; i < H; i++) gradH[tau - 1][i] = mul(outputGrad, this.v[i]);
    for (let t = tau - 2; t >= 0; t--) {
      const delta = hidden[t + 1].map((h, i) => mul(f(1 - mul(h, h)), gradH[t + 1][i]));
      for (let k = 0; k < H; k++) {
        let s = 0;
        for (let i = 0; i < H; i++) s = add(s, mul(this.w[i][k], delta[i]));
        gradH[t][k] = s;
      }
    }
    return gradH;
  }

  computeGradC(yTrue: number, yPred: number): number {
    return mul(2, f(yPred - yTrue));
  }

  private local(hidden: Matrix, gradH: Matrix): Matrix {
    return hidden.map((h, t) => h.map((value, i) => mul(f(1 - mul(value, value)), gradH[t][i])));
  }

  computeGradB(hidden: Matrix, gradH: Matrix): Vector {
    const gradB = zeros(this.hiddenStateSize);
    for (const row of this.local(hidden, gradH)) row.forEach((value, i) => (gradB[i] = add(gradB[i], value)));
    return gradB;
  }

  computeGradV(yTrue: number, yPred: number, hidden: Matrix): Vector {
    const outputGrad = mul(2, f(yPred - yTrue));
    return hidden[hidden.length - 1].map((h) => mul(outputGrad, h));
  }

  computeGradW(hidden: Matrix, gradH: Matrix): Matrix {
    const H = this.hiddenStateSize;
    const local = this.local(hidden, gradH);
    const gradW = Array.from({ length: H }, () => zeros(H));
    for (let t = 1; t < hidden.length; t++) {
      for (let i = 0; i < H; i++) for (let k = 0; k < H; k++) gradW[i][k] = add(gradW[i][k], mul(local[t][i], hidden[t - 1][k]));
    }
    return gradW;
  }

  computeGradU(hidden: Matrix, gradH: Matrix, x: Matrix): Matrix {
    const H = this.hiddenStateSize;
    const F = this.numFeatures;
    const local = this.local(hidden, gradH);
    const gradU = Array.from({ length: H }, () => zeros(F));
    for (let t = 0; t < hidden.length; t++) {
      for (let i = 0; i < H; i++) for (let j = 0; j < F; j++) gradU[i][j] = add(gradU[i][j], mul(local[t][i], x[t][j]));
    }
    return gradU;
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
  let c = 0;
  const b = zeros(H);
  const v = zeros(H);
  const w = Array.from({ length: H }, () => zeros(H));
  const u = Array.from({ length: H }, () => zeros(F));
  let loss = 0;
  for (let n = 0; n < batchSize; n++) {
    const { x, y } = getRandomDay(data, rng);
    const { hidden, yHat } = rnn.forward(x);
    loss = add(loss, mseLoss(y, yHat));
    const g = rnn.getGradients(x, y, yHat, hidden);
    c = add(c, g.c);
    for (let i = 0; i < H; i++) {
      b[i] = add(b[i], g.b[i]);
      v[i] = add(v[i], g.v[i]);
      for (let k = 0; k < H; k++) w[i][k] = add(w[i][k], g.w[i][k]);
      for (let j = 0; j < F; j++) u[i][j] = add(u[i][j], g.u[i][j]);
    }
  }
  const step = f(lr / batchSize);
  rnn.c = f(rnn.c - mul(step, c));
  for (let i = 0; i < H; i++) {
    rnn.b[i] = f(rnn.b[i] - mul(step, b[i]));
    rnn.v[i] = f(rnn.v[i] - mul(step, v[i]));
    for (let k = 0; k < H; k++) rnn.w[i][k] = f(rnn.w[i][k] - mul(step, w[i][k]));
    for (let j = 0; j < F; j++) rnn.u[i][j] = f(rnn.u[i][j] - mul(step, u[i][j]));
  }
  return f(loss / batchSize);
}

export function trainRnn(data: Matrix, numSteps: number, rng: Rng): { rnn: RNN; losses: number[] } {
  const rnn = new RNN(10, 6, rng);
  const losses: number[] = [];
  for (let i = 0; i < numSteps; i++) losses.push(doTrainingStep(rnn, data, 32, 0.01, rng));
  return { rnn, losses };
}
