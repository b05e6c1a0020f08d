/**
 * Argument checks that name the argument and the expected shape, so that a wrong call fails
 * at once with a message saying what to fix instead of producing NaN three functions later.
 */
import type { Matrix, Vector } from './linalg';

function describe(value: unknown): string {
  if (Array.isArray(value)) {
    const first = value[0];
    return Array.isArray(first) ? `an array of ${value.length} rows (first row has ${first.length} entries)` : `an array of ${value.length} entries`;
  }
  return value === null ? 'null' : typeof value;
}

function fail(name: string, expected: string, value: unknown, detail?: string): never {
  throw new TypeError(`${name}: expected ${expected}, got ${detail ?? describe(value)}`);
}

/** Throws unless `value` is a finite number. */
export function assertFiniteNumber(name: string, value: unknown): asserts value is number {
  if (typeof value !== 'number' || !Number.isFinite(value)) fail(name, 'a finite number', value, String(value));
}

/** Throws unless `value` is a vector of `length` finite numbers (any length when `length` is undefined). */
export function assertVector(name: string, value: unknown, length?: number): asserts value is Vector {
  const expected = length === undefined ? 'a vector of finite numbers' : `a vector of ${length} finite numbers`;
  if (!Array.isArray(value) || (length !== undefined && value.length !== length)) fail(name, expected, value);
  for (let i = 0; i < value.length; i++) {
    const entry = value[i];
    if (typeof entry !== 'number' || !Number.isFinite(entry)) fail(name, expected, value, `${String(entry)} at [${i}]`);
  }
}

/**
 * Throws unless `value` is a `rows` × `cols` matrix of finite numbers; `rows` undefined means
 * any number of rows (at least `minRows`).
 */
export function assertMatrix(name: string, value: unknown, rows: number | undefined, cols: number, minRows = 1): asserts value is Matrix {
  const expected = `a ${rows ?? 'τ'}×${cols} matrix of finite numbers${rows === undefined ? ` (τ ≥ ${minRows})` : ''}`;
  if (!Array.isArray(value) || (rows !== undefined ? value.length !== rows : value.length < minRows)) fail(name, expected, value);
  for (let r = 0; r < value.length; r++) {
    const row = value[r];
    if (!Array.isArray(row) || row.length !== cols) fail(name, expected, value, `row ${r} with ${Array.isArray(row) ? row.length + ' entries' : describe(row)}`);
    for (let c = 0; c < cols; c++) {
      const entry = row[c];
      if (typeof entry !== 'number' || !Number.isFinite(entry)) fail(name, expected, value, `${String(entry)} at [${r}][${c}]`);
    }
  }
}
