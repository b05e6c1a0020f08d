/**
 * Argument checks that name the argument and the expected shape, so that a wrong call fails
 * at once with a message saying what to fix instead of producing NaN three functions later.
 */
import type { Matrix, Vector } from './linalg';

// Looked up once: these checks run on every call of the lab's functions, and global lookups are
// slow where code runs in a sandboxed module context (jest).
const isArray = Array.isArray;

/** x - x is 0 for every finite number and NaN for NaN and ±Infinity. */
const isFiniteNumber = (value: unknown): value is number => typeof value === 'number' && value - value === 0;

function describe(value: unknown): string {
  if (isArray(value)) {
    const first = value[0];
    return isArray(first)
      ? `an array of ${value.length} rows (first row has ${first.length} entries)`
      : `an array of ${value.length} entries`;
  }
  return value === null ? 'null' : typeof value;
}

function fail(name: string, expected: string, value: unknown, detail?: string): never {
  throw new TypeError(`${name}: expected ${expected}, got ${detail ?? describe(value)}`);
}

/** Throws unless `value` is a finite number. */
export function assertFiniteNumber(name: string, value: unknown): asserts value is number {
  if (!isFiniteNumber(value)) fail(name, 'a finite number', value, String(value));
}

/** Throws unless `value` is a vector of `length` finite numbers (any length when `length` is undefined). */
export function assertVector(name: string, value: unknown, length?: number): asserts value is Vector {
  const expected = length === undefined ? 'a vector of finite numbers' : `a vector of ${length} finite numbers`;
  if (!isArray(value) || (length !== undefined && value.length !== length)) fail(name, expected, value);
  for (let i = 0; i < value.length; i++) {
    const entry = value[i];
    if (!isFiniteNumber(entry)) fail(name, expected, value, `${String(entry)} at [${i}]`);
  }
}

/**
 * Throws unless `value` is a `rows` × `cols` matrix of finite numbers; `rows` undefined means
 * any number of rows (at least `minRows`).
 */
export function assertMatrix(
  name: string,
  value: unknown,
  rows: number | undefined,
  cols: number,
  minRows = 1,
): asserts value is Matrix {
  const expected = `a ${rows ?? 'τ'}×${cols} matrix of finite numbers${rows === undefined ? ` (τ ≥ ${minRows})` : ''}`;
  if (!isArray(value) || (rows !== undefined ? value.length !== rows : value.length < minRows))
    fail(name, expected, value);
  for (let r = 0; r < value.length; r++) {
    const row = value[r];
    if (!isArray(row) || row.length !== cols)
      fail(name, expected, value, `row ${r} with ${isArray(row) ? row.length + ' entries' : describe(row)}`);
    for (let c = 0; c < cols; c++) {
      const entry = row[c];
      if (!isFiniteNumber(entry)) fail(name, expected, value, `${String(entry)} at [${r}][${c}]`);
    }
  }
}
