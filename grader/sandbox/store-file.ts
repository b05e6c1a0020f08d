/**
 * The training split reaches each submission's child as a read-only binary file instead of ~4 MB
 * of JSON through its stdin: the grader writes a matrix once per run as float64 values (row-major)
 * into its build folder, and links it into each prepared work folder, which the sandbox mounts
 * read-only. The runner (./runner-entry.ts) turns it back into the same number[][]: float64 holds
 * every number exactly, as JSON's shortest round-trip form did, so the submission sees the same values.
 *
 * Only finite, rectangular matrices go this way (JSON turns NaN into null); anything else is sent
 * as JSON as before.
 */
import { chmodSync, copyFileSync, linkSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { getBuildDir } from '../compile/build-dir';

/** Folder inside a prepared work dir that holds the linked matrices. */
export const STORE_SUBDIR = '.grader-data';

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
  if (known) return known;
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
  const file = join(getBuildDir(), name);
  // Little-endian on every platform Node runs the sandbox on; the runner reads it on the same machine.
  writeFileSync(file, new Uint8Array(values.buffer), { mode: 0o644 });
  chmodSync(file, 0o644);
  const result = { file, name, rows, cols };
  written.set(matrix, result);
  return result;
}

/**
 * Puts `matrix` into `<workDir>/.grader-data/` (a hard link to the one file of the run) and says
 * where the child finds it (`workInside`: the work dir as the child sees it); undefined: send JSON.
 */
export function linkMatrixFile(matrix: number[][], workDir: string, workInside: string): MatrixFile | undefined {
  const source = matrixFile(matrix);
  if (!source) return undefined;
  const dir = join(workDir, STORE_SUBDIR);
  mkdirSync(dir, { recursive: true, mode: 0o755 });
  chmodSync(dir, 0o755);
  const target = join(dir, source.name);
  try {
    linkSync(source.file, target);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
      copyFileSync(source.file, target);
      chmodSync(target, 0o644);
    }
  }
  return { path: `${workInside}/${STORE_SUBDIR}/${source.name}`, rows: source.rows, cols: source.cols };
}
