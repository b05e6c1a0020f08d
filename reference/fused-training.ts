/**
 * The reference's training step, four samples at a time: the same arithmetic as `doTrainingStep`
 * composed of `forward` and `getGradients` (every sum over the same terms in the same order, so
 * the results are identical to the last bit), laid out so that the processor works on four
 * independent chains of additions at once instead of waiting on one.
 *
 * Why: one sample's recurrence is a chain of dependent multiply-adds over 10×10 and 10×6
 * matrices, too small for anything but latency; four samples interleaved roughly halve the
 * training's time (bench/reference-vs-numpy.ts). `doTrainingStep` takes this path only for a
 * plain reference `RNN` (no overridden method, well-shaped parameters), so what the contract
 * says it calls is what it computes.
 */
import type { Matrix, Vector } from 'rnn-lab';

/** Samples processed together; the layouts below interleave them, lane by lane. */
const LANES = 4;

export interface FusedModel {
  readonly hiddenStateSize: number;
  readonly numFeatures: number;
  u: Matrix;
  w: Matrix;
  v: Vector;
  b: Vector;
  c: number;
}

export interface FusedStepInputs {
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

/** Whether `x` is the `rows`×`cols` matrix of finite numbers that `forward` accepts. */
function isInput(x: Matrix, rows: number, cols: number): boolean {
  if (!Array.isArray(x) || x.length !== rows || rows < 1) return false;
  for (const row of x) {
    if (!Array.isArray(row) || row.length !== cols) return false;
    for (let j = 0; j < cols; j++) if (typeof row[j] !== 'number' || row[j] - row[j] !== 0) return false;
  }
  return true;
}

function flatten(matrix: Matrix, rows: number, cols: number, out: Float64Array, lane = 0, lanes = 1): void {
  for (let r = 0; r < rows; r++) for (let q = 0; q < cols; q++) out[(r * cols + q) * lanes + lane] = matrix[r][q];
}

const isRowOf = (row: unknown, length: number): boolean =>
  Array.isArray(row) && row.length === length && row.every((entry) => typeof entry === 'number' && entry - entry === 0);

/**
 * Whether `model` is a plain instance of the reference class (`prototype`): no method shadowed by
 * an own property, finite parameters of the shapes the class gives them. Anything else takes the
 * per-sample path, which calls the model's own methods.
 */
export function isFusable(model: FusedModel, prototype: object): boolean {
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

/** One SGD step as `doTrainingStep` takes it; updates `model` in place and returns the mean loss. */
export function fusedTrainingStep(model: FusedModel, inputs: FusedStepInputs): number {
  const { drawDay, refuse, loss, batchSize, lr } = inputs;
  const H = model.hiddenStateSize;
  const F = model.numFeatures;
  const tanh = Math.tanh;
  const U = new Float64Array(H * F);
  const W = new Float64Array(H * H);
  flatten(model.u, H, F, U);
  flatten(model.w, H, H, W);
  const V = Float64Array.from(model.v);
  const B = Float64Array.from(model.b);
  const c = model.c;

  const sumU = new Float64Array(H * F);
  const sumW = new Float64Array(H * H);
  const sumV = new Float64Array(H);
  const sumB = new Float64Array(H);
  let sumC = 0;
  let totalLoss = 0;

  let T = 0; // the sequence length, from the first day drawn
  let X = new Float64Array(0); // [t][j][lane]
  let h = new Float64Array(0); // [t][i][lane]
  let g = new Float64Array(0); // ∂L/∂h, [t][i][lane]
  const s = new Float64Array(H * LANES);
  const gW = new Float64Array(H * H * LANES); // [i][k][lane]
  const gU = new Float64Array(H * F * LANES); // [i][j][lane]
  const yHat = new Float64Array(LANES);
  const ys = new Float64Array(LANES);
  const days: Matrix[] = [];

  for (let first = 0; first < batchSize; first += LANES) {
    const real = Math.min(LANES, batchSize - first);
    // Draw this block's days in the order the per-sample loop draws them.
    for (let lane = 0; lane < real; lane++) {
      const { x, y } = drawDay();
      if (T === 0) {
        T = Array.isArray(x) ? x.length : 0;
        X = new Float64Array(T * F * LANES);
        h = new Float64Array(T * H * LANES);
        g = new Float64Array(T * H * LANES);
      }
      if (!isInput(x, T, F) || typeof y !== 'number' || y - y !== 0) {
        refuse(x, y);
        // forward accepts any number of rows; the reference's days all have the first day's.
        throw new RangeError(
          `x: expected ${T} rows like the batch's first day, got ${Array.isArray(x) ? x.length : typeof x}`,
        );
      }
      flatten(x, T, F, X, lane, LANES);
      ys[lane] = y;
      days[lane] = x;
    }
    // Unused lanes repeat the last real sample; their results are never read.
    for (let lane = real; lane < LANES; lane++) {
      for (let e = 0; e < T * F; e++) X[e * LANES + lane] = X[e * LANES + real - 1];
      ys[lane] = ys[real - 1];
    }

    // forward: h_t = tanh(b + U x_t + W h_{t-1}), in that order of terms
    for (let t = 0; t < T; t++) {
      const xo = t * F * LANES;
      const po = (t - 1) * H * LANES;
      for (let i = 0; i < H; i++) {
        let a0 = B[i];
        let a1 = a0;
        let a2 = a0;
        let a3 = a0;
        for (let j = 0; j < F; j++) {
          const weight = U[i * F + j];
          const p = xo + j * LANES;
          a0 += weight * X[p];
          a1 += weight * X[p + 1];
          a2 += weight * X[p + 2];
          a3 += weight * X[p + 3];
        }
        if (t > 0) {
          for (let k = 0; k < H; k++) {
            const weight = W[i * H + k];
            const p = po + k * LANES;
            a0 += weight * h[p];
            a1 += weight * h[p + 1];
            a2 += weight * h[p + 2];
            a3 += weight * h[p + 3];
          }
        }
        const o = (t * H + i) * LANES;
        h[o] = tanh(a0);
        h[o + 1] = tanh(a1);
        h[o + 2] = tanh(a2);
        h[o + 3] = tanh(a3);
      }
    }
    const last = (T - 1) * H * LANES;
    for (let lane = 0; lane < LANES; lane++) {
      let sum = c;
      for (let i = 0; i < H; i++) sum += V[i] * h[last + i * LANES + lane];
      yHat[lane] = sum;
      // Finite parameters can still overflow the prediction: getGradients refuses it, so must this.
      if (lane < real && sum - sum !== 0) {
        refuse(days[lane], ys[lane]);
        throw new RangeError(`yPred: expected a finite number, got ${sum}`);
      }
    }

    // ∂L/∂h: ∂L/∂h_τ = 2(ŷ - y) v, then ∂L/∂h_t = Wᵀ diag(1 - h_{t+1}²) ∂L/∂h_{t+1}
    for (let lane = 0; lane < LANES; lane++) {
      const outputGrad = 2 * (yHat[lane] - ys[lane]);
      for (let i = 0; i < H; i++) g[last + i * LANES + lane] = outputGrad * V[i];
    }
    for (let t = T - 2; t >= 0; t--) {
      const no = (t + 1) * H * LANES;
      s.fill(0);
      for (let i = 0; i < H; i++) {
        const q = no + i * LANES;
        const d0 = (1 - h[q] * h[q]) * g[q];
        const d1 = (1 - h[q + 1] * h[q + 1]) * g[q + 1];
        const d2 = (1 - h[q + 2] * h[q + 2]) * g[q + 2];
        const d3 = (1 - h[q + 3] * h[q + 3]) * g[q + 3];
        for (let k = 0; k < H; k++) {
          const weight = W[i * H + k];
          const p = k * LANES;
          s[p] += weight * d0;
          s[p + 1] += weight * d1;
          s[p + 2] += weight * d2;
          s[p + 3] += weight * d3;
        }
      }
      g.set(s, t * H * LANES);
    }

    // ∂L/∂W (t ≥ 1, paired with h_{t-1}) and ∂L/∂U (paired with x_t), each sample's own sum over t
    gW.fill(0);
    gU.fill(0);
    for (let t = 0; t < T; t++) {
      const co = t * H * LANES;
      const po = (t - 1) * H * LANES;
      const xo = t * F * LANES;
      for (let i = 0; i < H; i++) {
        const q = co + i * LANES;
        const l0 = (1 - h[q] * h[q]) * g[q];
        const l1 = (1 - h[q + 1] * h[q + 1]) * g[q + 1];
        const l2 = (1 - h[q + 2] * h[q + 2]) * g[q + 2];
        const l3 = (1 - h[q + 3] * h[q + 3]) * g[q + 3];
        if (t > 0) {
          const row = i * H * LANES;
          for (let k = 0; k < H; k++) {
            const r = row + k * LANES;
            const p = po + k * LANES;
            gW[r] += l0 * h[p];
            gW[r + 1] += l1 * h[p + 1];
            gW[r + 2] += l2 * h[p + 2];
            gW[r + 3] += l3 * h[p + 3];
          }
        }
        const row = i * F * LANES;
        for (let j = 0; j < F; j++) {
          const r = row + j * LANES;
          const p = xo + j * LANES;
          gU[r] += l0 * X[p];
          gU[r + 1] += l1 * X[p + 1];
          gU[r + 2] += l2 * X[p + 2];
          gU[r + 3] += l3 * X[p + 3];
        }
      }
    }

    // Into the batch sums, sample by sample, as the per-sample loop adds them.
    for (let lane = 0; lane < real; lane++) {
      totalLoss += loss(ys[lane], yHat[lane]);
      sumC += 2 * (yHat[lane] - ys[lane]);
      for (let i = 0; i < H; i++) {
        let gradB = 0;
        for (let t = 0; t < T; t++) {
          const q = (t * H + i) * LANES + lane;
          gradB += (1 - h[q] * h[q]) * g[q];
        }
        sumB[i] += gradB;
        sumV[i] += 2 * (yHat[lane] - ys[lane]) * h[last + i * LANES + lane];
        for (let k = 0; k < H; k++) sumW[i * H + k] += gW[(i * H + k) * LANES + lane];
        for (let j = 0; j < F; j++) sumU[i * F + j] += gU[(i * F + j) * LANES + lane];
      }
    }
  }

  const step = lr / batchSize;
  model.c -= step * sumC;
  for (let i = 0; i < H; i++) {
    model.b[i] -= step * sumB[i];
    model.v[i] -= step * sumV[i];
    for (let k = 0; k < H; k++) model.w[i][k] -= step * sumW[i * H + k];
    for (let j = 0; j < F; j++) model.u[i][j] -= step * sumU[i * F + j];
  }
  return totalLoss / batchSize;
}
