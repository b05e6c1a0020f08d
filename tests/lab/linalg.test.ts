/** The lab's small linear-algebra helpers (lab/linalg.ts): values, shapes, and fresh results that leave their arguments alone. */
import {
  addMatrices,
  addVectors,
  copyMatrix,
  dot,
  matTVec,
  matVec,
  outer,
  scaleMatrix,
  scaleVector,
  transpose,
  zerosMatrix,
  zerosVector,
} from 'rnn-lab';
import { deepCopy, deepFreeze } from '../helpers/rnn-cases';

const M = [
  [1, 2, 3],
  [4, 5, 6],
];

describe('linalg', () => {
  it('zerosVector / zerosMatrix', () => {
    expect(zerosVector(3)).toEqual([0, 0, 0]);
    expect(zerosVector(0)).toEqual([]);
    const z = zerosMatrix(2, 3);
    expect(z).toEqual([
      [0, 0, 0],
      [0, 0, 0],
    ]);
    z[0][0] = 1; // rows are separate arrays
    expect(z[1][0]).toBe(0);
    expect(zerosMatrix(0, 4)).toEqual([]);
  });

  it('dot', () => {
    expect(dot([1, 2, 3], [4, -5, 6])).toBe(12);
    expect(dot([], [])).toBe(0);
  });

  it('matVec: M v, and matTVec: Mᵀ v', () => {
    expect(matVec(M, [1, 0, -1])).toEqual([-2, -2]);
    expect(matTVec(M, [1, -1])).toEqual([-3, -3, -3]);
    expect(matTVec([], [])).toEqual([]);
  });

  it('outer: a bᵀ', () => {
    expect(outer([1, 2], [3, 4, 5])).toEqual([
      [3, 4, 5],
      [6, 8, 10],
    ]);
  });

  it('transpose', () => {
    expect(transpose(M)).toEqual([
      [1, 4],
      [2, 5],
      [3, 6],
    ]);
    expect(transpose([])).toEqual([]);
    expect(transpose(transpose(M))).toEqual(M);
  });

  it('addVectors, addMatrices, scaleVector, scaleMatrix', () => {
    expect(addVectors([1, 2], [10, 20])).toEqual([11, 22]);
    expect(addMatrices(M, M)).toEqual([
      [2, 4, 6],
      [8, 10, 12],
    ]);
    expect(scaleVector([1, -2], 3)).toEqual([3, -6]);
    expect(scaleMatrix(M, 0.5)).toEqual([
      [0.5, 1, 1.5],
      [2, 2.5, 3],
    ]);
  });

  it('copyMatrix is deep', () => {
    const copy = copyMatrix(M);
    expect(copy).toEqual(M);
    expect(copy).not.toBe(M);
    expect(copy[0]).not.toBe(M[0]);
  });

  it('never changes its arguments (frozen inputs) and returns fresh arrays', () => {
    const m = deepFreeze(deepCopy(M));
    const v = deepFreeze([1, 2, 3]);
    const w = deepFreeze([1, 2]);
    const results = [
      matVec(m, v),
      matTVec(m, w),
      outer(w, v),
      transpose(m),
      addVectors(v, v),
      addMatrices(m, m),
      scaleVector(v, 2),
      scaleMatrix(m, 2),
      copyMatrix(m),
    ];
    expect(m).toEqual(M);
    for (const r of results) expect(r === m || r === v || r === w).toBe(false);
  });
});
