/**
 * Sample submission (correct): plain nested loops over plain arrays.
 *
 * Written independently of the reference: every sum runs in a different order (the parameter
 * gradients accumulate over time in the innermost loop, the recurrence adds W h_{t-1} before
 * U x_t), so the results agree with the reference up to rounding only.
 */
import type { Matrix, Rng, Vector } from 'rnn-lab';
import { createRng } from 'rnn-lab';

const HOURS = 24;
const TEMP = 1;

function zeros(n: number): Vector {
  const out: Vector = [];
  for (let i = 0; i < n; i++) out.push(0);
  return out;
}

function zeros2(rows: number, cols: number): Matrix {
  const out: Matrix = [];
  for (let r = 0; r < rows; r++) out.push(zeros(cols));
  return out;
}

export function numTrainSamples(numRows: number): number {
  // 80 % of the rows in whole days: 0.8 n / 24 = 8 n / 240, in exact integer arithmetic.
  const days = Math.trunc((8 * numRows) / 240);
  return days * HOURS;
}

export function columnMeans(data: Matrix): Vector {
  const cols = data[0].length;
  const means = zeros(cols);
  for (let j = 0; j < cols; j++) {
    let sum = 0;
    for (let r = 0; r < data.length; r++) sum += data[r][j];
    means[j] = sum / data.length;
  }
  return means;
}

export function columnStds(data: Matrix): Vector {
  const means = columnMeans(data);
  const stds = zeros(means.length);
  for (let j = 0; j < means.length; j++) {
    let squares = 0;
    for (let r = 0; r < data.length; r++) {
      const d = data[r][j] - means[j];
      squares += d * d;
    }
    stds[j] = Math.sqrt(squares / (data.length - 1));
  }
  return stds;
}

export function standardize(data: Matrix, means: Vector, stds: Vector): Matrix {
  const out: Matrix = [];
  for (let r = 0; r < data.length; r++) {
    const row: Vector = [];
    for (let j = 0; j < means.length; j++) row.push((data[r][j] - means[j]) / stds[j]);
    out.push(row);
  }
  return out;
}

export function getRandomDay(data: Matrix, rng: Rng): { x: Matrix; y: number } {
  const start = rng.int(data.length - HOURS);
  const x: Matrix = [];
  for (let t = 0; t < HOURS; t++) {
    const row: Vector = [];
    for (let j = 0; j < data[start + t].length; j++) row.push(data[start + t][j]);
    x.push(row);
  }
  return { x, y: data[start + HOURS][TEMP] };
}

export function mseLoss(yTrue: number, yPred: number): number {
  return (yTrue - yPred) ** 2;
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
    this.u = zeros2(hiddenStateSize, numFeatures);
    this.w = zeros2(hiddenStateSize, hiddenStateSize);
    this.v = zeros(hiddenStateSize);
    for (let i = 0; i < hiddenStateSize; i++) for (let j = 0; j < numFeatures; j++) this.u[i][j] = rng.normal(0, 0.001);
    for (let i = 0; i < hiddenStateSize; i++) for (let k = 0; k < hiddenStateSize; k++) this.w[i][k] = rng.normal(0, 0.001);
    for (let i = 0; i < hiddenStateSize; i++) this.v[i] = rng.normal(0, 0.001);
    this.b = zeros(hiddenStateSize);
    this.c = 0;
  }

  forward(x: Matrix): { hidden: Matrix; yHat: number } {
    const H = this.hiddenStateSize;
    const F = this.numFeatures;
    const hidden: Matrix = [];
    let previous = zeros(H);
    for (let t = 0; t < x.length; t++) {
      const current = zeros(H);
      for (let i = 0; i < H; i++) {
        let z = 0;
        for (let k = 0; k < H; k++) z += this.w[i][k] * previous[k];
        for (let j = 0; j < F; j++) z += this.u[i][j] * x[t][j];
        current[i] = Math.tanh(z + this.b[i]);
      }
      hidden.push(current);
      previous = current;
    }
    let yHat = 0;
    for (let i = 0; i < H; i++) yHat += this.v[i] * previous[i];
    return { hidden, yHat: yHat + this.c };
  }

  computeGradH(yTrue: number, yPred: number, hidden: Matrix): Matrix {
    const H = this.hiddenStateSize;
    const tau = hidden.length;
    const gradH = zeros2(tau, H);
    const outputGrad = 2 * (yPred - yTrue);
    for (let i = 0; i < H; i++) gradH[tau - 1][i] = outputGrad * this.v[i];
    for (let t = tau - 2; t >= 0; t--) {
      for (let k = 0; k < H; k++) {
        let sum = 0;
        for (let i = 0; i < H; i++) sum += this.w[i][k] * (1 - hidden[t + 1][i] * hidden[t + 1][i]) * gradH[t + 1][i];
        gradH[t][k] = sum;
      }
    }
    return gradH;
  }

  computeGradC(yTrue: number, yPred: number): number {
    return 2 * (yPred - yTrue);
  }

  computeGradB(hidden: Matrix, gradH: Matrix): Vector {
    const H = this.hiddenStateSize;
    const gradB = zeros(H);
    for (let i = 0; i < H; i++) {
      let sum = 0;
      for (let t = 0; t < hidden.length; t++) sum += (1 - hidden[t][i] * hidden[t][i]) * gradH[t][i];
      gradB[i] = sum;
    }
    return gradB;
  }

  computeGradV(yTrue: number, yPred: number, hidden: Matrix): Vector {
    const last = hidden[hidden.length - 1];
    const gradV = zeros(last.length);
    for (let i = 0; i < last.length; i++) gradV[i] = 2 * (yPred - yTrue) * last[i];
    return gradV;
  }

  computeGradW(hidden: Matrix, gradH: Matrix): Matrix {
    const H = this.hiddenStateSize;
    const gradW = zeros2(H, H);
    for (let i = 0; i < H; i++) {
      for (let k = 0; k < H; k++) {
        let sum = 0;
        // t = 1 pairs with h_0 = 0 and adds nothing.
        for (let t = 1; t < hidden.length; t++) sum += (1 - hidden[t][i] * hidden[t][i]) * gradH[t][i] * hidden[t - 1][k];
        gradW[i][k] = sum;
      }
    }
    return gradW;
  }

  computeGradU(hidden: Matrix, gradH: Matrix, x: Matrix): Matrix {
    const H = this.hiddenStateSize;
    const F = this.numFeatures;
    const gradU = zeros2(H, F);
    for (let i = 0; i < H; i++) {
      for (let j = 0; j < F; j++) {
        let sum = 0;
        for (let t = 0; t < hidden.length; t++) sum += (1 - hidden[t][i] * hidden[t][i]) * gradH[t][i] * x[t][j];
        gradU[i][j] = sum;
      }
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
  const w = zeros2(H, H);
  const u = zeros2(H, F);
  let lossSum = 0;
  for (let n = 0; n < batchSize; n++) {
    const day = getRandomDay(data, rng);
    const { hidden, yHat } = rnn.forward(day.x);
    lossSum += mseLoss(day.y, yHat);
    const g = rnn.getGradients(day.x, day.y, yHat, hidden);
    c += g.c;
    for (let i = 0; i < H; i++) {
      for (let j = 0; j < F; j++) u[i][j] += g.u[i][j];
      for (let k = 0; k < H; k++) w[i][k] += g.w[i][k];
      v[i] += g.v[i];
      b[i] += g.b[i];
    }
  }
  rnn.c -= (lr * c) / batchSize;
  for (let i = 0; i < H; i++) {
    rnn.b[i] -= (lr * b[i]) / batchSize;
    rnn.v[i] -= (lr * v[i]) / batchSize;
    for (let k = 0; k < H; k++) rnn.w[i][k] -= (lr * w[i][k]) / batchSize;
    for (let j = 0; j < F; j++) rnn.u[i][j] -= (lr * u[i][j]) / batchSize;
  }
  return lossSum / batchSize;
}

export function trainRnn(data: Matrix, numSteps: number, rng: Rng): { rnn: RNN; losses: number[] } {
  const rnn = new RNN(10, 6, rng);
  const losses: number[] = [];
  for (let step = 0; step < numSteps; step++) losses.push(doTrainingStep(rnn, data, 32, 0.01, rng));
  return { rnn, losses };
}
