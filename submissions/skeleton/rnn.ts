/**
 * Sample submission (nothing done yet): the handout as a student receives it. The constructor
 * is given; every function the student writes throws "not implemented yet".
 */
import type { Matrix, Rng, Vector } from 'rnn-lab';
import { createRng, zerosVector } from 'rnn-lab';

function notImplemented(name: string): never {
  throw new Error(`not implemented yet: ${name}`);
}

export function numTrainSamples(numRows: number): number {
  void numRows;
  return notImplemented('numTrainSamples');
}

export function columnMeans(data: Matrix): Vector {
  void data;
  return notImplemented('columnMeans');
}

export function columnStds(data: Matrix): Vector {
  void data;
  return notImplemented('columnStds');
}

export function standardize(data: Matrix, means: Vector, stds: Vector): Matrix {
  void [data, means, stds];
  return notImplemented('standardize');
}

export function getRandomDay(data: Matrix, rng: Rng): { x: Matrix; y: number } {
  void [data, rng];
  return notImplemented('getRandomDay');
}

export function mseLoss(yTrue: number, yPred: number): number {
  void [yTrue, yPred];
  return notImplemented('mseLoss');
}

export class RNN {
  readonly hiddenStateSize: number;
  readonly numFeatures: number;
  u: Matrix;
  w: Matrix;
  v: Vector;
  b: Vector;
  c: number;

  constructor(hiddenStateSize = 10, numFeatures = 6, rng: Rng = createRng(0)) {
    this.hiddenStateSize = hiddenStateSize;
    this.numFeatures = numFeatures;
    const draw = (): number => rng.normal(0, 0.001);
    this.u = Array.from({ length: hiddenStateSize }, () => Array.from({ length: numFeatures }, draw));
    this.w = Array.from({ length: hiddenStateSize }, () => Array.from({ length: hiddenStateSize }, draw));
    this.v = Array.from({ length: hiddenStateSize }, draw);
    this.b = zerosVector(hiddenStateSize);
    this.c = 0;
  }

  forward(x: Matrix): { hidden: Matrix; yHat: number } {
    void x;
    return notImplemented('RNN.forward');
  }

  computeGradH(yTrue: number, yPred: number, hidden: Matrix): Matrix {
    void [yTrue, yPred, hidden];
    return notImplemented('RNN.computeGradH');
  }

  computeGradC(yTrue: number, yPred: number): number {
    void [yTrue, yPred];
    return notImplemented('RNN.computeGradC');
  }

  computeGradB(hidden: Matrix, gradH: Matrix): Vector {
    void [hidden, gradH];
    return notImplemented('RNN.computeGradB');
  }

  computeGradV(yTrue: number, yPred: number, hidden: Matrix): Vector {
    void [yTrue, yPred, hidden];
    return notImplemented('RNN.computeGradV');
  }

  computeGradW(hidden: Matrix, gradH: Matrix): Matrix {
    void [hidden, gradH];
    return notImplemented('RNN.computeGradW');
  }

  computeGradU(hidden: Matrix, gradH: Matrix, x: Matrix): Matrix {
    void [hidden, gradH, x];
    return notImplemented('RNN.computeGradU');
  }

  getGradients(x: Matrix, yTrue: number, yPred: number, hidden: Matrix): { c: number; b: Vector; v: Vector; w: Matrix; u: Matrix } {
    void [x, yTrue, yPred, hidden];
    return notImplemented('RNN.getGradients');
  }
}

export function doTrainingStep(rnn: RNN, data: Matrix, batchSize: number, lr: number, rng: Rng): number {
  void [rnn, data, batchSize, lr, rng];
  return notImplemented('doTrainingStep');
}

export function trainRnn(data: Matrix, numSteps: number, rng: Rng): { rnn: RNN; losses: number[] } {
  void [data, numSteps, rng];
  return notImplemented('trainRnn');
}
