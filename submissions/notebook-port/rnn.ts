/**
 * Sample submission (wrong): a faithful TypeScript port of the original notebook's solution
 * (seed/lab8-rnn-backprop.md, Exercise 3), traps included:
 *  - num_train_samples = int(0.8 * len - len % 24): not a whole number of days;
 *  - torch.randint(len - 25): the last valid window can never be drawn;
 *  - _compute_grad_b loops from 1: skips t = 1;
 *  - _compute_grad_u loops from 1 and pairs h_t with x_{t-1};
 *  - do_training_step returns the last sample's loss instead of the batch mean.
 * Tensor operations are spelled out as loops over plain arrays; torch.diag(d) @ g is d ⊙ g.
 */
import type { Matrix, Rng, Vector } from 'rnn-lab';
import { createRng } from 'rnn-lab';

const zerosLike = (m: Matrix): Matrix => m.map((row) => row.map(() => 0));
const zeros = (n: number): Vector => new Array<number>(n).fill(0);

export function numTrainSamples(numRows: number): number {
  // int(0.8 * len(dataset) - len(dataset) % 24)
  return Math.trunc(0.8 * numRows - (numRows % 24));
}

export function columnMeans(data: Matrix): Vector {
  // torch.mean(data_train, dim=0)
  const means = zeros(data[0].length);
  for (const row of data) row.forEach((value, j) => (means[j] += value / data.length));
  return means;
}

export function columnStds(data: Matrix): Vector {
  // torch.std(data_train, dim=0): unbiased, divides by n - 1
  const means = columnMeans(data);
  const variances = zeros(means.length);
  for (const row of data) row.forEach((value, j) => (variances[j] += (value - means[j]) ** 2 / (data.length - 1)));
  return variances.map(Math.sqrt);
}

export function standardize(data: Matrix, means: Vector, stds: Vector): Matrix {
  // (data_train - means) / stds
  return data.map((row) => row.map((value, j) => (value - means[j]) / stds[j]));
}

export function getRandomDay(data: Matrix, rng: Rng): { x: Matrix; y: number } {
  // start_idx = torch.randint(len(data) - 25, (1,))
  const startIdx = rng.int(data.length - 25);
  const x = data.slice(startIdx, startIdx + 24).map((row) => row.slice());
  const y = data[startIdx + 24][1];
  return { x, y };
}

export function mseLoss(yTrue: number, yPred: number): number {
  // torch.mean((y_true - y_pred)**2) of one value
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

  constructor(hiddenStateSize = 10, numFeatures = 6, rng: Rng = createRng(0)) {
    this.hiddenStateSize = hiddenStateSize;
    this.numFeatures = numFeatures;
    // init_distribution = Normal(0, 0.001); init_distribution.sample((rows, cols))
    const sample = (rows: number, cols: number): Matrix =>
      Array.from({ length: rows }, () => Array.from({ length: cols }, () => rng.normal(0, 0.001)));
    this.u = sample(hiddenStateSize, numFeatures);
    this.w = sample(hiddenStateSize, hiddenStateSize);
    this.v = sample(1, hiddenStateSize)[0];
    this.b = zeros(hiddenStateSize);
    this.c = 0;
  }

  forward(x: Matrix): { hidden: Matrix; yHat: number } {
    // h = torch.zeros(len(x) + 1, hidden_state_size)
    const h: Matrix = Array.from({ length: x.length + 1 }, () => zeros(this.hiddenStateSize));
    for (let i = 0; i < x.length; i++) {
      // h[i + 1] = torch.tanh(self.u @ x[i] + self.w @ h[i] + self.b)
      for (let r = 0; r < this.hiddenStateSize; r++) {
        let z = this.b[r];
        for (let j = 0; j < this.numFeatures; j++) z += this.u[r][j] * x[i][j];
        for (let k = 0; k < this.hiddenStateSize; k++) z += this.w[r][k] * h[i][k];
        h[i + 1][r] = Math.tanh(z);
      }
    }
    // y = self.v @ h[-1] + self.c
    const last = h[h.length - 1];
    const y = last.reduce((s, value, r) => s + this.v[r] * value, 0) + this.c;
    return { hidden: h.slice(1), yHat: y };
  }

  computeGradH(yTrue: number, yPred: number, hidden: Matrix): Matrix {
    const gradH = zerosLike(hidden);
    // grad_h[-1] += 2 * (y_pred - y_true) * self.v.T
    gradH[gradH.length - 1] = this.v.map((vi) => 2 * (yPred - yTrue) * vi);
    for (let i = hidden.length - 2; i >= 0; i--) {
      // grad_h[i] += self.w.transpose(0, 1) @ torch.diag(1 - hidden[i + 1]**2) @ grad_h[i + 1]
      const d = hidden[i + 1].map((h, r) => (1 - h ** 2) * gradH[i + 1][r]);
      for (let k = 0; k < this.hiddenStateSize; k++) {
        for (let r = 0; r < this.hiddenStateSize; r++) gradH[i][k] += this.w[r][k] * d[r];
      }
    }
    return gradH;
  }

  computeGradC(yTrue: number, yPred: number): number {
    return 2 * (yPred - yTrue);
  }

  computeGradB(hidden: Matrix, gradH: Matrix): Vector {
    const gradB = zeros(this.hiddenStateSize);
    // for i in range(1, len(hidden)):
    for (let i = 1; i < hidden.length; i++) {
      hidden[i].forEach((h, r) => (gradB[r] += (1 - h ** 2) * gradH[i][r]));
    }
    return gradB;
  }

  computeGradV(yTrue: number, yPred: number, hidden: Matrix): Vector {
    return hidden[hidden.length - 1].map((h) => 2 * (yPred - yTrue) * h);
  }

  computeGradW(hidden: Matrix, gradH: Matrix): Matrix {
    const gradW = zerosLike(this.w);
    for (let i = 1; i < hidden.length; i++) {
      // torch.diag(1 - hidden[i]**2) @ grad_h[i].unsqueeze(-1) @ hidden[i - 1].unsqueeze(0)
      hidden[i].forEach((h, r) => {
        const local = (1 - h ** 2) * gradH[i][r];
        hidden[i - 1].forEach((previous, k) => (gradW[r][k] += local * previous));
      });
    }
    return gradW;
  }

  computeGradU(hidden: Matrix, gradH: Matrix, x: Matrix): Matrix {
    const gradU = zerosLike(this.u);
    for (let i = 1; i < hidden.length; i++) {
      // torch.diag(1 - hidden[i]**2) @ grad_h[i].unsqueeze(-1) @ x[i - 1].unsqueeze(0)
      hidden[i].forEach((h, r) => {
        const local = (1 - h ** 2) * gradH[i][r];
        x[i - 1].forEach((input, j) => (gradU[r][j] += local * input));
      });
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

type Gradients = ReturnType<RNN['getGradients']>;

/** torch.mean(torch.stack(list), dim=0) */
function meanOf<T extends number | Vector | Matrix>(list: T[]): T {
  const n = list.length;
  const add = (a: unknown, b: unknown): unknown => (typeof a === 'number' ? a + (b as number) : (a as unknown[]).map((entry, i) => add(entry, (b as unknown[])[i])));
  const divide = (a: unknown): unknown => (typeof a === 'number' ? a / n : (a as unknown[]).map(divide));
  return divide(list.reduce((acc, item) => add(acc, item) as T)) as T;
}

export function doTrainingStep(rnn: RNN, data: Matrix, batchSize: number, lr: number, rng: Rng): number {
  let totalLoss = 0;
  const grads: Gradients[] = [];
  for (let n = 0; n < batchSize; n++) {
    const { x, y } = getRandomDay(data, rng);
    const { hidden, yHat } = rnn.forward(x);
    const loss = mseLoss(y, yHat);
    // total_loss = float(loss)
    totalLoss = loss;
    grads.push(rnn.getGradients(x, y, yHat, hidden));
  }
  const step = <T extends number | Vector | Matrix>(param: T, gradient: T): T =>
    (typeof param === 'number' ? param - lr * (gradient as number) : (param as unknown[]).map((entry, i) => step(entry as T, (gradient as unknown[])[i] as T))) as T;
  rnn.c = step(rnn.c, meanOf(grads.map((g) => g.c)));
  rnn.b = step(rnn.b, meanOf(grads.map((g) => g.b)));
  rnn.v = step(rnn.v, meanOf(grads.map((g) => g.v)));
  rnn.w = step(rnn.w, meanOf(grads.map((g) => g.w)));
  rnn.u = step(rnn.u, meanOf(grads.map((g) => g.u)));
  return totalLoss;
}

export function trainRnn(data: Matrix, numSteps: number, rng: Rng): { rnn: RNN; losses: number[] } {
  const losses: number[] = [];
  const rnn = new RNN(10, 6, rng);
  for (let i = 0; i < numSteps; i++) losses.push(doTrainingStep(rnn, data, 32, 0.01, rng));
  return { rnn, losses };
}
