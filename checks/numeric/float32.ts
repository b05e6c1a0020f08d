/**
 * Float32 error bounds ("allowances") for the operations whose result can be ill-conditioned in
 * its inputs. The lab contract lets a submission store its inputs and compute in float32; then
 * every input already carries a relative error up to u = 2⁻²⁴ before any arithmetic, and where
 * the result is a small difference of large numbers (x − mean with |x| ≫ std, ŷ − y with ŷ ≈ y)
 * that error is amplified by the operation's condition number. A fixed relative tolerance cannot
 * cover it, so each check adds, entry by entry, the first-order bound of that error:
 *
 *     allowance = SAFETY · u · (Σ_k |∂result/∂input_k| · |input_k|  +  rounding of the algorithm)
 *
 * computed from the case's own numbers. Only what exceeds the allowance is judged by the usual
 * relative tolerance. Derivations and measurements: docs/tolerances.md, bench/tolerance.ts.
 */
import type { Matrix, Vector } from 'rnn-lab';

/** Unit roundoff of float32 (round to nearest): half its machine epsilon. */
export const FLOAT32_UNIT_ROUNDOFF = 2 ** -24;
/**
 * The bounds below are first-order worst cases of a backward-stable float32 algorithm (inputs
 * rounded, then recursive summation); twice them leaves room for second-order terms and for any
 * order of the sums. The measured worst float32 error stays below half of it (bench/tolerance.ts).
 */
export const SAFETY = 2;

const u = FLOAT32_UNIT_ROUNDOFF;
const column = (m: Matrix, j: number) => m.map((row) => row[j]);
const sumAbs = (values: number[]) => values.reduce((sum, value) => sum + Math.abs(value), 0);

/** columnMeans: each input rounded (u|x|), n − 1 additions ((n − 1)u Σ|x|), one division (u|mean|). */
export function meansAllowance(data: Matrix): Vector {
  const n = data.length;
  return data[0].map((_, j) => SAFETY * u * (n + 1) * (sumAbs(column(data, j)) / n));
}

/**
 * columnStds, two-pass: s² = Σ dᵢ² / (n − 1) with dᵢ = xᵢ − m. Perturbing xᵢ by u|xᵢ| and the
 * subtraction by u|dᵢ| moves s² by at most 2 Σ|dᵢ| (u|xᵢ| + u|dᵢ|) / (n − 1); the error δm of the
 * float32 mean shifts every dᵢ alike, which changes Σ dᵢ² only at second order (n δm², because
 * Σ dᵢ = 0); squaring and summing add (n + 1)u Σ dᵢ². Then δs = δ(s²) / 2s, plus the rounding of
 * the square root and of the result.
 */
export function stdsAllowance(data: Matrix): Vector {
  const n = data.length;
  return data[0].map((_, j) => {
    const x = column(data, j);
    const mean = x.reduce((a, b) => a + b, 0) / n;
    const d = x.map((value) => value - mean);
    const sumSquares = d.reduce((sum, value) => sum + value * value, 0);
    const std = Math.sqrt(sumSquares / (n - 1));
    const meanError = (n + 1) * u * (sumAbs(x) / n);
    const deviations = d.reduce((sum, di, i) => sum + 2 * Math.abs(di) * (u * Math.abs(x[i]) + u * Math.abs(di)), 0);
    const squareError = (deviations + (n + 1) * u * sumSquares + n * meanError * meanError) / (n - 1);
    // A constant column (std 0): the float32 std is then at most √(δ(s²)), not δ(s²) / 2s.
    const stdError = std > 0 ? squareError / (2 * std) : Math.sqrt(squareError);
    return SAFETY * (stdError + 2 * u * std);
  });
}

/**
 * standardize: zᵢⱼ = (xᵢⱼ − mⱼ) / sⱼ. Rounding x and m moves the numerator by u(|x| + |m|), the
 * subtraction by u|x − m|, rounding s and the division by 2u|z|.
 */
export function standardizeAllowance(data: Matrix, means: Vector, stds: Vector): Matrix {
  return data.map((row) =>
    row.map((value, j) => {
      const z = (value - means[j]) / stds[j];
      return SAFETY * u * ((Math.abs(value) + Math.abs(means[j])) / Math.abs(stds[j]) + 3 * Math.abs(z));
    }),
  );
}

/**
 * mseLoss: (a − b)². Rounding a and b moves d = a − b by u(|a| + |b|) (+ u|d| for the
 * subtraction), so d² by 2|d| u(|a| + |b| + |d|), plus u d² for the square.
 */
export function mseAllowance(yTrue: number, yPred: number): number {
  const d = Math.abs(yTrue - yPred);
  return SAFETY * u * (2 * d * (Math.abs(yTrue) + Math.abs(yPred) + d) + d * d);
}

/**
 * Every gradient of L = (ŷ − y)² is proportional to ŷ − y. A submission that rounds yTrue and
 * yPred to float32 gets ŷ − y with a relative error up to u(|ŷ| + |y|) / |ŷ − y| (+ u), which is
 * large when ŷ ≈ y: every entry of every gradient then carries that same relative error.
 */
export function residualRelativeError(yTrue: number, yPred: number): number {
  const d = Math.abs(yPred - yTrue);
  if (d === 0) return 0;
  return SAFETY * u * ((Math.abs(yTrue) + Math.abs(yPred)) / d + 1);
}
