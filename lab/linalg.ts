/**
 * Tiny linear-algebra helpers on plain arrays (`Vector = number[]`, `Matrix = number[][]`, row-major).
 * Students may use them or write their own loops; every helper returns a new array and never
 * changes its arguments.
 */
export type Vector = number[];
export type Matrix = number[][];

/** A vector of `n` zeros. */
export function zerosVector(n: number): Vector {
  // Built with push, not `new Array(n)`: V8 then keeps a packed (not holey) array, which is
  // faster to read in inner loops.
  const out: Vector = [];
  for (let i = 0; i < n; i++) out.push(0);
  return out;
}

/** A `rows` × `cols` matrix of zeros. */
export function zerosMatrix(rows: number, cols: number): Matrix {
  return Array.from({ length: rows }, () => zerosVector(cols));
}

/** Σ a_i b_i */
export function dot(a: Vector, b: Vector): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += a[i] * b[i];
  return sum;
}

/** M v (M is rows × n, v has n entries). */
export function matVec(m: Matrix, v: Vector): Vector {
  return m.map((row) => dot(row, v));
}

/** Mᵀ v (M is n × cols, v has n entries). */
export function matTVec(m: Matrix, v: Vector): Vector {
  const cols = m.length === 0 ? 0 : m[0].length;
  const out = zerosVector(cols);
  for (let i = 0; i < m.length; i++) {
    for (let j = 0; j < cols; j++) out[j] += m[i][j] * v[i];
  }
  return out;
}

/** a bᵀ: the matrix with entries a_i b_j. */
export function outer(a: Vector, b: Vector): Matrix {
  return a.map((ai) => b.map((bj) => ai * bj));
}

/** Mᵀ */
export function transpose(m: Matrix): Matrix {
  const cols = m.length === 0 ? 0 : m[0].length;
  return Array.from({ length: cols }, (_, j) => m.map((row) => row[j]));
}

/** Element-wise a + b (vectors of equal length). */
export function addVectors(a: Vector, b: Vector): Vector {
  return a.map((ai, i) => ai + b[i]);
}

/** Element-wise a + b (matrices of equal shape). */
export function addMatrices(a: Matrix, b: Matrix): Matrix {
  return a.map((row, i) => addVectors(row, b[i]));
}

/** s · v */
export function scaleVector(v: Vector, s: number): Vector {
  return v.map((x) => x * s);
}

/** s · M */
export function scaleMatrix(m: Matrix, s: number): Matrix {
  return m.map((row) => scaleVector(row, s));
}

/** A deep copy of a matrix. */
export function copyMatrix(m: Matrix): Matrix {
  return m.map((row) => row.slice());
}
