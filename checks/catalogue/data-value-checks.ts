/**
 * Checks of column statistics, standardization and the loss against their correct values, with
 * the classic mistakes named.
 */
import fc from 'fast-check';
import { createRng } from 'rnn-lab';
import type { Matrix } from 'rnn-lab';
import { compareNumeric, SUBMISSION_TOLERANCE } from '../numeric/tolerance';
import type { Numeric } from '../numeric/tolerance';
import { argumentAfter } from '../runner';
import type { CheckDefinition } from '../types';
import { callFunction as call, literal } from './calls';
import { checkProperty } from './property';
import type { Judgement } from './property';
import { describeShape, sameValue, shapeProblem } from './shapes';
import type { Shape } from './shapes';

const TIMEOUT_MS = 20_000;


interface MatrixCase {
  rows: number;
  cols: number;
  seed: number;
}

const matrixCases: fc.Arbitrary<MatrixCase> = fc.record({ rows: fc.integer({ min: 2, max: 60 }), cols: fc.integer({ min: 1, max: 8 }), seed: fc.integer({ min: 0, max: 0x7fffffff }) });

/** Columns with very different offsets and spreads, like the real data (pressure ≈ 1016, snow ≈ 0). */
function buildMatrix({ rows, cols, seed }: MatrixCase): Matrix {
  const rng = createRng(seed);
  const columns = Array.from({ length: cols }, () => ({ offset: rng.normal(0, 500), spread: Math.exp(rng.normal(0, 2)) }));
  return Array.from({ length: rows }, () => columns.map(({ offset, spread }) => offset + spread * rng.normal(0, 1)));
}

const describeMatrixCase = (c: MatrixCase) => `a ${c.rows}×${c.cols} matrix (case seed ${c.seed})`;
const MATRIX_EXAMPLES: MatrixCase[] = [
  { rows: 2, cols: 1, seed: 1 },
  { rows: 5, cols: 6, seed: 2 },
];

const columnMeansOf = (m: Matrix) => m[0].map((_, j) => m.reduce((sum, row) => sum + row[j], 0) / m.length);
const columnStdsOf = (m: Matrix, divisor: number) => {
  const means = columnMeansOf(m);
  return means.map((mean, j) => Math.sqrt(m.reduce((sum, row) => sum + (row[j] - mean) ** 2, 0) / divisor));
};

function valueJudgement(fn: string, value: unknown, shape: Shape, expected: Numeric, mistakes: Array<{ says: string; value: Numeric }>): Judgement | null {
  const problem = shapeProblem(value as never, shape);
  if (problem) return { status: 'failed', message: `${fn} returned the wrong shape: ${problem}. It should return ${describeShape(shape)}.` };
  const comparison = compareNumeric(value as Numeric, expected, SUBMISSION_TOLERANCE);
  if (comparison.ok) return null;
  const { worst } = comparison;
  const mistake = mistakes.find((m) => compareNumeric(value as Numeric, m.value, SUBMISSION_TOLERANCE).ok);
  return {
    status: 'failed',
    message: `${fn} is wrong at [${worst.index.join('][')}]: you returned ${worst.actual}, the correct value is ${worst.expected}.` + (mistake ? `\nLikely mistake: ${mistake.says}` : ''),
  };
}

function matrixStatisticCheck(id: string, fn: 'columnMeans' | 'columnStds', title: string, expected: (m: Matrix) => Numeric, mistakes: (m: Matrix) => Array<{ says: string; value: Numeric }>): CheckDefinition {
  return {
    id,
    target: fn,
    title,
    points: 3,
    visibility: 'public',
    timeoutMs: TIMEOUT_MS,
    run: (context) =>
      checkProperty(context, { arbitrary: matrixCases, examples: MATRIX_EXAMPLES, describe: describeMatrixCase }, async (c) => {
        const data = buildMatrix(c);
        const answer = await call(context, fn, [literal(data)]);
        const judgement = valueJudgement(fn, answer.value, { kind: 'vector', length: c.cols }, expected(data), mistakes(data));
        if (judgement) return judgement;
        return sameValue(argumentAfter(answer, 0), data) ? null : { status: 'failed', message: `${fn} changed its argument \`data\`; it must leave it untouched.` };
      }),
  };
}


export const DATA_VALUE_CHECKS: CheckDefinition[] = [
  matrixStatisticCheck('data.columnMeans', 'columnMeans', 'columnMeans gives the mean of every column', columnMeansOf, (m) => [
    { says: 'These are the means of the rows, not of the columns.', value: m.map((row) => row.reduce((s, v) => s + v, 0) / row.length) },
  ]),
  matrixStatisticCheck('data.columnStds', 'columnStds', 'columnStds gives the sample standard deviation (n - 1) of every column', (m) => columnStdsOf(m, m.length - 1), (m) => [
    { says: 'This divides by n; the sample standard deviation (as torch.std) divides by n − 1.', value: columnStdsOf(m, m.length) },
    { says: 'This is the variance; the standard deviation is its square root.', value: columnStdsOf(m, m.length - 1).map((s) => s * s) },
  ]),
  {
    id: 'data.standardize',
    target: 'standardize',
    title: 'standardize returns (x - mean) / std per column as a new matrix',
    points: 3,
    visibility: 'public',
    timeoutMs: TIMEOUT_MS,
    run: (context) =>
      checkProperty(context, { arbitrary: matrixCases, examples: MATRIX_EXAMPLES, describe: describeMatrixCase }, async (c) => {
        const data = buildMatrix(c);
        const means = columnMeansOf(data);
        const stds = columnStdsOf(data, data.length - 1).map((s) => s || 1);
        const answer = await call(context, 'standardize', [literal(data), literal(means), literal(stds)]);
        const expected = data.map((row) => row.map((value, j) => (value - means[j]) / stds[j]));
        const judgement = valueJudgement('standardize', answer.value, { kind: 'matrix', rows: c.rows, cols: c.cols }, expected, [
          { says: 'This multiplies by the standard deviation; it should divide by it.', value: data.map((row) => row.map((value, j) => (value - means[j]) * stds[j])) },
          { says: 'The mean is not subtracted.', value: data.map((row) => row.map((value, j) => value / stds[j])) },
        ]);
        if (judgement) return judgement;
        const unchanged = [data, means, stds].every((original, i) => sameValue(argumentAfter(answer, i), original));
        return unchanged ? null : { status: 'failed', message: 'standardize changed one of its arguments (data, means or stds); it must return a new matrix and leave its inputs untouched.' };
      }),
  },
  {
    id: 'loss.mse',
    target: 'mseLoss',
    title: 'mseLoss gives the squared error',
    points: 2,
    visibility: 'public',
    timeoutMs: TIMEOUT_MS,
    run: (context) =>
      checkProperty(
        context,
        { arbitrary: fc.tuple(fc.double({ min: -50, max: 50, noNaN: true }), fc.double({ min: -50, max: 50, noNaN: true })), examples: [[1, 3], [-2, 0.5]], describe: ([a, b]) => `yTrue = ${a}, yPred = ${b}` },
        async ([yTrue, yPred]) => {
          const { value } = await call(context, 'mseLoss', [literal(yTrue), literal(yPred)]);
          return valueJudgement(`mseLoss(${yTrue}, ${yPred})`, value, { kind: 'number' }, (yTrue - yPred) ** 2, [
            { says: 'The error is not squared.', value: Math.abs(yTrue - yPred) },
            { says: 'This is the error without squaring.', value: yTrue - yPred },
          ]);
        },
      ),
  },
];
