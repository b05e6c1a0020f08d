/**
 * Checks of the data-preparation functions: the split, column statistics, standardization and
 * the random window. getRandomDay is probed with scripted generators, so the judge knows which
 * window was asked for and can reach the first and the last one on purpose.
 */
import fc from 'fast-check';
import { createRng } from 'rnn-lab';
import type { Matrix } from 'rnn-lab';
import { decodeValue, encodeValue } from '../protocol/encode';
import type { Argument, TopLevelFunction } from '../protocol/requests';
import { compareNumeric, SUBMISSION_TOLERANCE } from '../numeric/tolerance';
import type { Numeric } from '../numeric/tolerance';
import type { Answer } from '../runner';
import type { CheckContext, CheckDefinition } from '../types';
import { checkProperty } from './property';
import type { Judgement } from './property';
import { describeShape, sameValue, shapeProblem } from './shapes';
import type { Shape } from './shapes';

const TIMEOUT_MS = 20_000;
const HOURS = 24;
const TEMP = 1;

function call(context: CheckContext, fn: TopLevelFunction, args: Argument[]): Promise<Answer> {
  return context.runner.call({ op: 'call', fn, args });
}

const literal = (value: unknown): Argument => ({ value: encodeValue(value) });

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

/** An argument as the submission left it after the call. */
function argumentAfter(answer: Answer, index: number) {
  return decodeValue(answer.after.args[index] ?? null);
}

export const DATA_CHECKS: CheckDefinition[] = [
  {
    id: 'data.numTrainSamples',
    target: 'numTrainSamples',
    title: 'numTrainSamples gives whole days, within 24 rows of 80 % of the rows',
    points: 3,
    visibility: 'public',
    timeoutMs: TIMEOUT_MS,
    run: (context) =>
      checkProperty(context, { arbitrary: fc.integer({ min: 30, max: 200_000 }), examples: [42_984, 34_368, 120, 30], describe: (n) => `numRows = ${n}` }, async (numRows) => {
        const { value } = await call(context, 'numTrainSamples', [literal(numRows)]);
        if (typeof value !== 'number' || !Number.isInteger(value)) return { status: 'failed', message: `numTrainSamples(${numRows}) returned ${String(value)}; it should return a whole number of rows.` };
        if (value % HOURS !== 0) {
          return { status: 'failed', message: `numTrainSamples(${numRows}) returned ${value}, which is not a multiple of 24: the training split must hold whole days, so the test split starts at midnight.` };
        }
        if (Math.abs(value - 0.8 * numRows) >= HOURS || value < 0 || value > numRows) {
          return { status: 'failed', message: `numTrainSamples(${numRows}) returned ${value}; 80 % of the rows is ${0.8 * numRows}, and the answer should be the nearest whole number of days (a multiple of 24 less than 24 rows away from it).` };
        }
        return null;
      }),
  },
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
  ...getRandomDayChecks(),
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

interface WindowCase {
  rows: number;
  seed: number;
  start: number | 'last';
}

/** A 6-column matrix whose every entry is distinct, so a window is identified by its contents. */
function windowData(rows: number, seed: number): Matrix {
  const rng = createRng(seed);
  // Rows 1000 apart and columns 100 apart: even float32 rounding (judged with the usual
  // tolerance) cannot make one row look like another.
  return Array.from({ length: rows }, (_, r) => Array.from({ length: 6 }, (_, j) => 1000 * r + 100 * j + 10 * rng.uniform()));
}

async function drawWindow(context: CheckContext, data: Matrix, script: Array<number | 'last'>, seed: number) {
  return call(context, 'getRandomDay', [literal(data), { rng: { kind: 'scripted', ints: script, seed } }]);
}

function windowProblem(data: Matrix, answer: Answer): string | null {
  const draws = answer.rngLog;
  if (draws.length !== 1 || draws[0].method !== 'int') {
    return `getRandomDay must draw the window's start with exactly one call of rng.int(…) and nothing else from rng; it made ${draws.length} call(s): ${draws.map((d) => `${d.method}(${d.args.join(', ')})`).join(', ') || 'none'}.`;
  }
  const start = draws[0].result;
  const shape: Shape = { kind: 'record', fields: { x: { kind: 'matrix', rows: HOURS, cols: data[0].length }, y: { kind: 'number' } } };
  const value = answer.value as { x: Matrix; y: number };
  if (start + HOURS >= data.length) {
    return `rng.int(${draws[0].args[0]}) can return ${start}, but a window starting there has no row after it (data has ${data.length} rows): the largest valid start is ${data.length - HOURS - 1}.`;
  }
  const problem = shapeProblem(value as never, shape);
  if (problem) return `getRandomDay returned the wrong shape: ${problem}. It should return ${describeShape(shape)}.`;
  for (let r = 0; r < HOURS; r++) {
    if (!compareNumeric(value.x[r], data[start + r], SUBMISSION_TOLERANCE).ok) {
      return `rng.int gave ${start}, so x should be rows ${start}..${start + HOURS - 1} of data in order; row ${r} of x does not match data[${start + r}].`;
    }
  }
  const near = (a: number, b: number) => compareNumeric(a, b, SUBMISSION_TOLERANCE).ok;
  if (!near(value.y, data[start + HOURS][TEMP])) {
    const fromLastRow = near(value.y, data[start + HOURS - 1][TEMP]);
    return `y should be TEMP (column 1) of the row right after the window, data[${start + HOURS}][1] = ${data[start + HOURS][TEMP]}; you returned ${value.y}.` + (fromLastRow ? ' That is the temperature of the window\'s own last row.' : '');
  }
  return null;
}

function getRandomDayChecks(): CheckDefinition[] {
  const cases: fc.Arbitrary<WindowCase> = fc.record({ rows: fc.integer({ min: 25, max: 80 }), seed: fc.integer({ min: 0, max: 0x7fffffff }), start: fc.integer({ min: 0, max: 55 }) });
  return [
    {
      id: 'data.getRandomDay.window',
      target: 'getRandomDay',
      title: 'getRandomDay returns 24 consecutive rows and the next hour\'s temperature, drawing once from rng',
      points: 4,
      visibility: 'public',
      timeoutMs: TIMEOUT_MS,
      run: (context) =>
        checkProperty(context, { arbitrary: cases, examples: [{ rows: 30, seed: 1, start: 2 }], describe: (c) => `data with ${c.rows} rows, rng.int answering ${c.start} (clamped to its range)` }, async (c) => {
          const data = windowData(c.rows, c.seed);
          const answer = await drawWindow(context, data, [c.start], c.seed);
          const problem = windowProblem(data, answer);
          if (problem) return { status: 'failed', message: problem };
          return sameValue(argumentAfter(answer, 0), data) ? null : { status: 'failed', message: 'getRandomDay changed `data`; it must only read it.' };
        }),
    },
    {
      id: 'data.getRandomDay.edges',
      target: 'getRandomDay',
      title: 'getRandomDay can reach the first and the last valid window and never reads past the data',
      points: 3,
      visibility: 'hidden',
      timeoutMs: TIMEOUT_MS,
      run: (context) =>
        checkProperty(context, { arbitrary: fc.record({ rows: fc.integer({ min: 25, max: 80 }), seed: fc.integer({ min: 0, max: 1000 }) }), examples: [{ rows: 25, seed: 1 }, { rows: 48, seed: 2 }], describe: (c) => `data with ${c.rows} rows` }, async (c) => {
          const data = windowData(c.rows, c.seed);
          for (const edge of [0, 'last'] as const) {
            const answer = await drawWindow(context, data, [edge], c.seed);
            const draws = answer.rngLog;
            if (draws.length !== 1 || draws[0].method !== 'int') return { status: 'failed', message: windowProblem(data, answer) ?? 'unexpected use of rng' };
            const bound = draws[0].args[0];
            if (bound !== data.length - HOURS) {
              const which = bound < data.length - HOURS ? `the last ${data.length - HOURS - bound} valid window(s) can never be drawn` : `a start of ${bound - 1} would read past the end of data`;
              return { status: 'failed', message: `getRandomDay calls rng.int(${bound}) on ${data.length} rows, so ${which}. Valid starts are 0..${data.length - HOURS - 1}, i.e. rng.int(data.length - 24).` };
            }
            const problem = windowProblem(data, answer);
            if (problem) return { status: 'failed', message: `When rng.int returns ${edge === 0 ? 'its smallest value 0' : 'its largest value'}: ${problem}` };
          }
          return null;
        }),
    },
  ];
}
