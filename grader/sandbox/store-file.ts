/**
 * The training split reaches each submission's child as a read-only binary file instead of ~4 MB
 * of JSON through its stdin: the grader writes a matrix once per run as float64 values (row-major)
 * into the `data` folder of its build folder, which every child can read and nothing else of the
 * build folder (bubblewrap mounts it read-only at /sandbox/data; the fallback's permission model
 * allows reading it). Nothing is added to a submission's own work folder. The runner (./runner-entry.ts) turns it back into the same number[][]: float64 holds
 * every number exactly, as JSON's shortest round-trip form did, so the submission sees the same values.
 *
 * Only finite, rectangular matrices go this way (JSON turns NaN into null); anything else is sent
 * as JSON as before.
 */
import { chmodSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { getBuildDir } from '../compile/build-dir';

/** Where bubblewrap mounts the matrix folder inside the sandbox. */
export const MATRIX_DIR_INSIDE = '/sandbox/data';

/** The host folder of this run's matrix files (created on demand: the sandbox mounts it at every launch). */
export function matrixDir(): string {
  const dir = join(getBuildDir(), 'data');
  if (!existsSync(dir)) {
    mkdirSync(dir, { recursive: true, mode: 0o755 });
    chmodSync(dir, 0o755);
  }
  return dir;
}

/** How the runner finds a stored matrix: its file as the child sees it, and its shape. */
export interface MatrixFile {
  path: string;
  rows: number;
  cols: number;
}

interface Written {
  file: string;
  name: string;
  rows: number;
  cols: number;
}

const written = new WeakMap<number[][], Written>();
let serial = 0;

/** The matrix as a float64 file in the build folder (written once per matrix), or undefined if it must go as JSON. */
function matrixFile(matrix: number[][]): Written | undefined {
  const known = written.get(matrix);
  if (known && existsSync(known.file)) return known;
  const rows = matrix.length;
  const cols = Array.isArray(matrix[0]) ? matrix[0].length : 0;
  if (rows === 0 || cols === 0) return undefined;
  const values = new Float64Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    const row = matrix[r];
    if (!Array.isArray(row) || row.length !== cols) return undefined;
    for (let c = 0; c < cols; c++) {
      const value = row[c];
      if (typeof value !== 'number' || !Number.isFinite(value)) return undefined;
      values[r * cols + c] = value;
    }
  }
  const name = `matrix-${++serial}.f64`;
  const file = join(matrixDir(), name);
  // Little-endian on every platform Node runs the sandbox on; the runner reads it on the same machine.
  writeFileSync(file, new Uint8Array(values.buffer), { mode: 0o644 });
  chmodSync(file, 0o644);
  const result = { file, name, rows, cols };
  written.set(matrix, result);
  return result;
}

/**
 * Where the child finds `matrix` (written on first use) and its shape: `inside` is the matrix
 * folder as the child sees it (MATRIX_DIR_INSIDE, or the host folder for the fallback); undefined:
 * send it as JSON.
 */
export function matrixFileFor(matrix: number[][], inside: string): MatrixFile | undefined {
  const source = matrixFile(matrix);
  if (!source) return undefined;
  return { path: `${inside}/${source.name}`, rows: source.rows, cols: source.cols };
}
