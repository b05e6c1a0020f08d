/**
 * Sample submission (broken: does not parse). A half-finished port from the Python notebook:
 * Python syntax is still in it, so rnn.ts cannot be loaded at all and every check errors.
 */
import type { Matrix, Rng, Vector } from 'rnn-lab';

export function numTrainSamples(numRows: number): number {
  return Math.floor((4 * numRows) / 120) * 24;
}

export function columnMeans(data: Matrix): Vector:
    means = torch.mean(data, dim=0)
    return means

export function columnStds(data: Matrix): Vector {
  const means = columnMeans(data);
  return means.map((mean, j) => Math.sqrt(data.reduce((s, row) => s + (row[j] - mean) ** 2, 0) / (data.length - 1)));
}

export function getRandomDay(data: Matrix, rng: Rng): { x: Matrix; y: number } {
  const start = rng.int(data.length - 24);
  return { x: data.slice(start, start + 24), y: data[start + 24][1] };
}
