/**
 * Sample submission (broken: everything throws). Written against helpers the student forgot to
 * write or import (`zeros`, `zeros2`, `tanhVector`, `dotProduct`): it does not type-check, and every
 * function, the constructor included, throws a ReferenceError when called. The exports exist
 * with the right arities, so only contract.exports can pass.
 */
import type { Matrix, Rng, Vector } from 'rnn-lab';

export function numTrainSamples(numRows: number): number {
  return roundToDays(0.8 * numRows);
}

export function columnMeans(data: Matrix): Vector {
  return sumColumns(data).map((s: number) => s / data.length);
}

export function columnStds(data: Matrix): Vector {
  const means = columnMeans(data);
  return sumColumns(data.map((row) => row.map((value, j) => (value - means[j]) ** 2))).map((s: number) => Math.sqrt(s / (data.length - 1)));
}

export function standardize(data: Matrix, means: Vector, stds: Vector): Matrix {
  return mapMatrix(data, (value: number, j: number) => (value - means[j]) / stds[j]);
}

export function getRandomDay(data: Matrix, rng: Rng): { x: Matrix; y: number } {
  const start = randomStart(data, rng);
  return { x: data.slice(start, start + 24), y: data[start + 24][1] };
}

export function mseLoss(yTrue: number, yPred: number): number {
  return square(yTrue - yPred);
}

export class RNN {
  hiddenStateSize: number;
  numFeatures: number;
  u: Matrix;
  w: Matrix;
  v: Vector;
  b: Vector;
  c: number;

  constructor(hiddenStateSize = 10, numFeatures = 6, rng?: Rng) {
    this.hiddenStateSize = hiddenStateSize;
    this.numFeatures = numFeatures;
    this.u = randomMatrix(hiddenStateSize, numFeatures, rng);
    this.w = randomMatrix(hiddenStateSize, hiddenStateSize, rng);
    this.v = randomMatrix(1, hiddenStateSize, rng)[0];
    this.b = zeros(hiddenStateSize);
    this.c = 0;
  }

  forward(x: Matrix): { hidden: Matrix; yHat: number } {
    const hidden = scanStates(this, x);
    return { hidden, yHat: dotProduct(this.v, hidden[hidden.length - 1]) + this.c };
  }

  computeGradH(yTrue: number, yPred: number, hidden: Matrix): Matrix {
    return backprop(this, 2 * (yPred - yTrue), hidden);
  }

  computeGradC(yTrue: number, yPred: number): number {
    return twice(yPred - yTrue);
  }

  computeGradB(hidden: Matrix, gradH: Matrix): Vector {
    return sumColumns(localGradients(hidden, gradH));
  }

  computeGradV(yTrue: number, yPred: number, hidden: Matrix): Vector {
    return scale(hidden[hidden.length - 1], 2 * (yPred - yTrue));
  }

  computeGradW(hidden: Matrix, gradH: Matrix): Matrix {
    return sumOuter(localGradients(hidden, gradH).slice(1), hidden.slice(0, -1));
  }

  computeGradU(hidden: Matrix, gradH: Matrix, x: Matrix): Matrix {
    return sumOuter(localGradients(hidden, gradH), x);
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
  return applyBatch(rnn, sampleBatch(data, batchSize, rng), lr);
}

export function trainRnn(data: Matrix, numSteps: number, rng: Rng): { rnn: RNN; losses: number[] } {
  const rnn = new RNN(10, 6, rng);
  return { rnn, losses: repeat(numSteps, () => doTrainingStep(rnn, data, 32, 0.01, rng)) };
}
