/**
 * How close is close enough. One rule for every comparison of numbers:
 *
 *   error_i = |actual_i - expected_i| / max(|expected_i|, floorFraction · max_j |expected_j|, absoluteFloor)
 *   pass when max_i error_i ≤ rtol
 *
 * A relative error, so the check means the same at every scale of the parameters; with a floor
 * tied to the size of the whole tensor, so that entries that are nearly zero (where rounding
 * noise is large relative to the entry) are judged by the tensor's scale instead; and an
 * absolute floor for tensors that are all (nearly) zero. Values are calibrated in
 * docs/tolerances.md.
 */
export interface Tolerance {
  rtol: number;
  floorFraction: number;
  absoluteFloor: number;
}

/** Judging a submission against the float64 reference; must accept float32 rounding of every value. */
export const SUBMISSION_TOLERANCE: Tolerance = { rtol: 1e-3, floorFraction: 1e-2, absoluteFloor: 1e-12 };

/** Proving the reference against finite differences (both float64). */
export const FINITE_DIFFERENCE_TOLERANCE: Tolerance = { rtol: 1e-5, floorFraction: 1e-4, absoluteFloor: 1e-9 };

export type Numeric = number | Numeric[];

export interface Mismatch {
  /** Index path of the worst entry, e.g. [3, 7] for row 3, column 7 ([] for a scalar). */
  index: number[];
  actual: number;
  expected: number;
  /** The normalised error of that entry (see above). */
  error: number;
}

export interface Comparison {
  ok: boolean;
  /** Largest normalised error over all entries. */
  maxError: number;
  /** The worst entry, always present (for messages), even when ok. */
  worst: Mismatch;
  /** How many entries exceed the tolerance. */
  failing: number;
  total: number;
}

function flatten(value: Numeric, path: number[] = [], out: Array<{ index: number[]; value: number }> = []) {
  if (typeof value === 'number') out.push({ index: path, value });
  else value.forEach((entry, i) => flatten(entry, [...path, i], out));
  return out;
}

/**
 * Compares two numeric values of the same shape (the caller checks shapes first).
 * `scaleHint` raises the floor's scale when the problem's natural magnitude is known to be larger
 * than the result's: where tanh saturates, 1 - h² is tiny and float32 computes it with a large
 * relative error, so a gradient that is small only because of saturation is judged against the
 * magnitude of the gradient flowing into it.
 * `allowance` (same shape as `expected`, absolute) is the float32 error bound of each entry where
 * the problem itself is ill-conditioned (checks/numeric/float32.ts): an error up to it is not
 * counted, only what exceeds it is judged by rtol.
 */
export function compareNumeric(
  actual: Numeric,
  expected: Numeric,
  tolerance: Tolerance,
  scaleHint = 0,
  allowance?: Numeric,
): Comparison {
  const a = flatten(actual);
  const e = flatten(expected);
  const allowed = allowance === undefined ? undefined : flatten(allowance);
  const scale = e.reduce((max, entry) => Math.max(max, Math.abs(entry.value)), scaleHint);
  const floor = Math.max(tolerance.floorFraction * scale, tolerance.absoluteFloor);
  let worst: Mismatch = {
    index: e[0]?.index ?? [],
    actual: a[0]?.value ?? NaN,
    expected: e[0]?.value ?? NaN,
    error: 0,
  };
  let failing = 0;
  e.forEach((entry, i) => {
    const got = a[i]?.value ?? NaN;
    const slack = allowed?.[i]?.value ?? 0;
    const error = Math.max(0, Math.abs(got - entry.value) - slack) / Math.max(Math.abs(entry.value), floor);
    const normalised = Number.isNaN(error) ? Infinity : error;
    if (normalised > tolerance.rtol) failing++;
    if (normalised > worst.error) worst = { index: entry.index, actual: got, expected: entry.value, error: normalised };
  });
  return { ok: failing === 0, maxError: worst.error, worst, failing, total: e.length };
}
