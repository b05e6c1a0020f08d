/**
 * Sample submission (correct): every computation runs on flat Float64Arrays (row-major,
 * index r * cols + c); values cross the contract's boundary as plain number[] / number[][].
 * The network's parameters stay plain arrays, as the contract makes them public.
 */
import type { Matrix, Rng, Vector } from 'rnn-lab';
import { createRng } from 'rnn-lab';

const WINDOW = 24;
const TEMPERATURE_COLUMN = 1;

/** A matrix as one flat Float64Array. */
function pack(m: Matrix, cols: number): Float64Array {
  const flat = new Float64Array(m.length * cols);
  for (let r = 0; r < m.length; r++) for (let c = 0; c < cols; c++) flat[r * cols + c] = m[r][c];
  return flat;
}

/** A flat Float64Array back into number[][]. */
function unpack(flat: Float64Array, rows: number, cols: number): Matrix {
  const m: Matrix = [];
  for (let r = 0; r < rows; r++) {
    const row: Vector = [];
    for (let c = 0; c < cols; c++) row.push(flat[r * cols + c]);
    m.push(row);
  }
  return m;
}

export function numTrainSamples(numRows: number): number {
  // 0.8 n / 24 = n / 30 days.
  return Math.floor(numRows / 30) * WINDOW;
}

export function columnMeans(data: Matrix): Vector {
  const cols = data[0].length;
  const sums = new Float64Array(cols);
  for (const row of data) for (let c = 0; c < cols; c++) sums[c] += row[c];
  return Array.from(sums, (s) => s / data.length);
}

export function columnStds(data: Matrix): Vector {
  const cols = data[0].length;
  const means = columnMeans(data);
  const squares = new Float64Array(cols);
  for (const row of data) {
    for (let c = 0; c < cols; c++) squares[c] += (row[c] - means[c]) ** 2;
  }
  return Array.from(squares, (s) => Math.sqrt(s / (data.length - 1)));
}

export function standardize(data: Matrix, means: Vector, stds: Vector): Matrix {
  const cols = means.length;
  const flat = pack(data, cols);
  for (let i = 0; i < flat.length; i++) flat[i] = (flat[i] - means[i % cols]) / stds[i % cols];
  return unpack(flat, data.length, cols);
}

export function getRandomDay(data: Matrix, rng: Rng): { x: Matrix; y: number } {
  const first = rng.int(data.length - WINDOW);
  const cols = data[0].length;
  const window = pack(data.slice(first, first + WINDOW), cols);
  return { x: unpack(window, WINDOW, cols), y: data[first + WINDOW][TEMPERATURE_COLUMN] };
}

export function mseLoss(yTrue: number, yPred: number): number {
  const diff = yPred - yTrue;
  return diff * diff;
}

export class RNN {
  hiddenStateSize: number;
  numFeatures: number;
  u: Matrix;
  w: Matrix;
  v: Vector;
  b: Vector;
  c: number;

  constructor(hiddenStateSize = 10, numFeatures = 6, rng: Rng = createRng(2024)) {
    this.hiddenStateSize = hiddenStateSize;
    this.numFeatures = numFeatures;
    const draw = (count: number) => Array.from(new Float64Array(count), () => rng.normal(0, 0.001));
    this.u = unpack(Float64Array.from(draw(hiddenStateSize * numFeatures)), hiddenStateSize, numFeatures);
    this.w = unpack(Float64Array.from(draw(hiddenStateSize * hiddenStateSize)), hiddenStateSize, hiddenStateSize);
    this.v = draw(hiddenStateSize);
    this.b = Array.from(new Float64Array(hiddenStateSize));
    this.c = 0;
  }

  /** Hidden states as a flat τ×H array. */
  private states(x: Matrix): Float64Array {
    const H = this.hiddenStateSize;
    const F = this.numFeatures;
    const u = pack(this.u, F);
    const w = pack(this.w, H);
    const xs = pack(x, F);
    const hs = new Float64Array(x.length * H);
    for (let t = 0; t < x.length; t++) {
      for (let i = 0; i < H; i++) {
        let z = this.b[i];
        for (let j = 0; j < F; j++) z += u[i * F + j] * xs[t * F + j];
        if (t > 0) for (let k = 0; k < H; k++) z += w[i * H + k] * hs[(t - 1) * H + k];
        hs[t * H + i] = Math.tanh(z);
      }
    }
    return hs;
  }

  forward(x: Matrix): { hidden: Matrix; yHat: number } {
    const H = this.hiddenStateSize;
    const hs = this.states(x);
    const last = (x.length - 1) * H;
    let yHat = this.c;
    for (let i = 0; i < H; i++) yHat += this.v[i] * hs[last + i];
    return { hidden: unpack(hs, x.length, H), yHat };
  }

  /** (1 - h_t²) ⊙ ∂L/∂h_t for every t, flat τ×H. */
  private local(hidden: Matrix, gradH: Matrix): Float64Array {
    const H = this.hiddenStateSize;
    const hs = pack(hidden, H);
    const gs = pack(gradH, H);
    for (let i = 0; i < hs.length; i++) gs[i] *= 1 - hs[i] * hs[i];
    return gs;
  }

  computeGradH(yTrue: number, yPred: number, hidden: Matrix): Matrix {
    const H = this.hiddenStateSize;
    const tau = hidden.length;
    const hs = pack(hidden, H);
    const w = pack(this.w, H);
    const gs = new Float64Array(tau * H);
    for (let i = 0; i < H; i++) gs[(tau - 1) * H + i] = 2 * (yPred - yTrue) * this.v[i];
    const delta = new Float64Array(H);
    for (let t = tau - 2; t >= 0; t--) {
      for (let i = 0; i < H; i++) {
        const h = hs[(t + 1) * H + i];
        delta[i] = (1 - h * h) * gs[(t + 1) * H + i];
      }
      for (let i = 0; i < H; i++) {
        for (let k = 0; k < H; k++) gs[t * H + k] += w[i * H + k] * delta[i];
      }
    }
    return unpack(gs, tau, H);
  }

  computeGradC(yTrue: number, yPred: number): number {
    return 2 * (yPred - yTrue);
  }

  computeGradB(hidden: Matrix, gradH: Matrix): Vector {
    const H = this.hiddenStateSize;
    const local = this.local(hidden, gradH);
    const gb = new Float64Array(H);
    for (let i = 0; i < local.length; i++) gb[i % H] += local[i];
    return Array.from(gb);
  }

  computeGradV(yTrue: number, yPred: number, hidden: Matrix): Vector {
    const last = Float64Array.from(hidden[hidden.length - 1]);
    return Array.from(last, (h) => 2 * (yPred - yTrue) * h);
  }

  computeGradW(hidden: Matrix, gradH: Matrix): Matrix {
    const H = this.hiddenStateSize;
    const hs = pack(hidden, H);
    const local = this.local(hidden, gradH);
    const gw = new Float64Array(H * H);
    for (let t = 1; t < hidden.length; t++) {
      for (let i = 0; i < H; i++) {
        const l = local[t * H + i];
        for (let k = 0; k < H; k++) gw[i * H + k] += l * hs[(t - 1) * H + k];
      }
    }
    return unpack(gw, H, H);
  }

  computeGradU(hidden: Matrix, gradH: Matrix, x: Matrix): Matrix {
    const H = this.hiddenStateSize;
    const F = this.numFeatures;
    const xs = pack(x, F);
    const local = this.local(hidden, gradH);
    const gu = new Float64Array(H * F);
    for (let t = 0; t < hidden.length; t++) {
      for (let i = 0; i < H; i++) {
        const l = local[t * H + i];
        for (let j = 0; j < F; j++) gu[i * F + j] += l * xs[t * F + j];
      }
    }
    return unpack(gu, H, F);
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
  // One flat accumulator for all parameters: [c | b | v | w | u].
  const offsets = { b: 1, v: 1 + H, w: 1 + 2 * H, u: 1 + 2 * H + H * H };
  const total = new Float64Array(offsets.u + H * F);
  let losses = 0;
  for (let s = 0; s < batchSize; s++) {
    const day = getRandomDay(data, rng);
    const { hidden, yHat } = rnn.forward(day.x);
    losses += mseLoss(day.y, yHat);
    const g = rnn.getGradients(day.x, day.y, yHat, hidden);
    total[0] += g.c;
    for (let i = 0; i < H; i++) {
      total[offsets.b + i] += g.b[i];
      total[offsets.v + i] += g.v[i];
      for (let k = 0; k < H; k++) total[offsets.w + i * H + k] += g.w[i][k];
      for (let j = 0; j < F; j++) total[offsets.u + i * F + j] += g.u[i][j];
    }
  }
  const step = lr / batchSize;
  rnn.c -= step * total[0];
  for (let i = 0; i < H; i++) {
    rnn.b[i] -= step * total[offsets.b + i];
    rnn.v[i] -= step * total[offsets.v + i];
    for (let k = 0; k < H; k++) rnn.w[i][k] -= step * total[offsets.w + i * H + k];
    for (let j = 0; j < F; j++) rnn.u[i][j] -= step * total[offsets.u + i * F + j];
  }
  return losses / batchSize;
}

export function trainRnn(data: Matrix, numSteps: number, rng: Rng): { rnn: RNN; losses: number[] } {
  const rnn = new RNN(10, 6, rng);
  const losses = new Float64Array(numSteps);
  for (let step = 0; step < numSteps; step++) losses[step] = doTrainingStep(rnn, data, 32, 0.01, rng);
  return { rnn, losses: Array.from(losses) };
}
