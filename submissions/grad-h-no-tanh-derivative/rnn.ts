/**
 * Sample submission (wrong, one mistake): computeGradH forgets the tanh derivative:
 * ∂L/∂h_t = Wᵀ ∂L/∂h_{t+1} instead of Wᵀ ((1 − h_{t+1}²) ⊙ ∂L/∂h_{t+1}). Otherwise map/reduce
 * style, correct.
 */
import { addMatrices, addVectors, dot, matTVec, matVec, scaleMatrix, scaleVector, zerosMatrix, zerosVector } from 'rnn-lab';
import type { Matrix, Rng, Vector } from 'rnn-lab';
import { createRng } from 'rnn-lab';

const HOURS_PER_DAY = 24;
const TEMP_COLUMN = 1;

type Gradients = { c: number; b: Vector; v: Vector; w: Matrix; u: Matrix };

const sum = (values: number[]): number => values.reduce((acc, value) => acc + value, 0);

export function numTrainSamples(numRows: number): number {
  const nearest = Math.round((0.8 * numRows) / HOURS_PER_DAY) * HOURS_PER_DAY;
  return nearest <= numRows ? nearest : nearest - HOURS_PER_DAY;
}

export function columnMeans(data: Matrix): Vector {
  return data.reduce((acc, row) => addVectors(acc, row), zerosVector(data[0].length)).map((total) => total / data.length);
}

export function columnStds(data: Matrix): Vector {
  const means = columnMeans(data);
  const squares = data.map((row) => row.map((value, j) => (value - means[j]) ** 2));
  return columnMeans(squares).map((meanSquare) => Math.sqrt((meanSquare * data.length) / (data.length - 1)));
}

export function standardize(data: Matrix, means: Vector, stds: Vector): Matrix {
  return data.map((row) => row.map((value, j) => (value - means[j]) / stds[j]));
}

export function getRandomDay(data: Matrix, rng: Rng): { x: Matrix; y: number } {
  const start = rng.int(data.length - HOURS_PER_DAY);
  return { x: data.slice(start, start + HOURS_PER_DAY).map((row) => [...row]), y: data[start + HOURS_PER_DAY][TEMP_COLUMN] };
}

export function mseLoss(yTrue: number, yPred: number): number {
  return Math.pow(yTrue - yPred, 2);
}

export class RNN {
  hiddenStateSize: number;
  numFeatures: number;
  u: Matrix;
  w: Matrix;
  v: Vector;
  b: Vector;
  c: number;

  constructor(hiddenStateSize = 10, numFeatures = 6, rng: Rng = createRng(1)) {
    this.hiddenStateSize = hiddenStateSize;
    this.numFeatures = numFeatures;
    const draw = () => rng.normal(0, 0.001);
    this.u = zerosMatrix(hiddenStateSize, numFeatures).map((row) => row.map(draw));
    this.w = zerosMatrix(hiddenStateSize, hiddenStateSize).map((row) => row.map(draw));
    this.v = zerosVector(hiddenStateSize).map(draw);
    this.b = zerosVector(hiddenStateSize);
    this.c = 0;
  }

  forward(x: Matrix): { hidden: Matrix; yHat: number } {
    const hidden = x.reduce<Matrix>((states, input) => {
      const previous = states.length > 0 ? states[states.length - 1] : zerosVector(this.hiddenStateSize);
      const z = addVectors(addVectors(matVec(this.u, input), matVec(this.w, previous)), this.b);
      return states.concat([z.map(Math.tanh)]);
    }, []);
    return { hidden, yHat: dot(this.v, hidden[hidden.length - 1]) + this.c };
  }

  computeGradH(yTrue: number, yPred: number, hidden: Matrix): Matrix {
    const last = scaleVector(this.v, 2 * (yPred - yTrue));
    // Walk back from h_τ: ∂L/∂h_t = Wᵀ ((1 - h_{t+1}²) ⊙ ∂L/∂h_{t+1}).
    return hidden.slice(1).reduceRight<Matrix>((later) => {
      const delta = later[0];
      return [matTVec(this.w, delta), ...later];
    }, [last]);
  }

  computeGradC(yTrue: number, yPred: number): number {
    return 2 * (yPred - yTrue);
  }

  /** (1 - h_t²) ⊙ ∂L/∂h_t, one row per time step. */
  private localGradients(hidden: Matrix, gradH: Matrix): Matrix {
    return hidden.map((h, t) => h.map((value, i) => (1 - value * value) * gradH[t][i]));
  }

  computeGradB(hidden: Matrix, gradH: Matrix): Vector {
    return this.localGradients(hidden, gradH).reduce(addVectors, zerosVector(this.hiddenStateSize));
  }

  computeGradV(yTrue: number, yPred: number, hidden: Matrix): Vector {
    return scaleVector(hidden[hidden.length - 1], 2 * (yPred - yTrue));
  }

  computeGradW(hidden: Matrix, gradH: Matrix): Matrix {
    // Σ_t local_t h_{t-1}ᵀ; t = 1 (index 0) pairs with h_0 = 0 and adds nothing.
    const local = this.localGradients(hidden, gradH).slice(1);
    const previous = hidden.slice(0, -1);
    return this.w.map((_, i) => this.w.map((__, k) => sum(local.map((l, t) => l[i] * previous[t][k]))));
  }

  computeGradU(hidden: Matrix, gradH: Matrix, x: Matrix): Matrix {
    const local = this.localGradients(hidden, gradH);
    return this.u.map((_, i) => this.u[i].map((__, j) => sum(local.map((l, t) => l[i] * x[t][j]))));
  }

  getGradients(x: Matrix, yTrue: number, yPred: number, hidden: Matrix): Gradients {
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

function meanOfGradients(all: Gradients[]): Gradients {
  const n = all.length;
  return {
    c: sum(all.map((g) => g.c)) / n,
    b: scaleVector(all.map((g) => g.b).reduce(addVectors), 1 / n),
    v: scaleVector(all.map((g) => g.v).reduce(addVectors), 1 / n),
    w: scaleMatrix(all.map((g) => g.w).reduce(addMatrices), 1 / n),
    u: scaleMatrix(all.map((g) => g.u).reduce(addMatrices), 1 / n),
  };
}

export function doTrainingStep(rnn: RNN, data: Matrix, batchSize: number, lr: number, rng: Rng): number {
  const days = Array.from({ length: batchSize }, () => getRandomDay(data, rng));
  const results = days.map(({ x, y }) => {
    const { hidden, yHat } = rnn.forward(x);
    return { loss: mseLoss(y, yHat), gradients: rnn.getGradients(x, y, yHat, hidden) };
  });
  const mean = meanOfGradients(results.map((r) => r.gradients));
  rnn.c = rnn.c - lr * mean.c;
  rnn.b = addVectors(rnn.b, scaleVector(mean.b, -lr));
  rnn.v = addVectors(rnn.v, scaleVector(mean.v, -lr));
  rnn.w = addMatrices(rnn.w, scaleMatrix(mean.w, -lr));
  rnn.u = addMatrices(rnn.u, scaleMatrix(mean.u, -lr));
  return sum(results.map((r) => r.loss)) / batchSize;
}

export function trainRnn(data: Matrix, numSteps: number, rng: Rng): { rnn: RNN; losses: number[] } {
  const rnn = new RNN(10, 6, rng);
  const losses = Array.from({ length: numSteps }, () => doTrainingStep(rnn, data, 32, 0.01, rng));
  return { rnn, losses };
}
