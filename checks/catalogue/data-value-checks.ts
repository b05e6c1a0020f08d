/**
 * Checks of column statistics, standardization and the loss against their correct values, with
 * the classic mistakes named.
 */
import fc from 'fast-check';
import { createRng } from 'rnn-lab';
import type { Matrix } from 'rnn-lab';
import type { Numeric } from '../numeric/tolerance';
import { meansAllowance, mseAllowance, standardizeAllowance, stdsAllowance } from '../numeric/float32';
import type { CheckDefinition } from '../types';
import { literal } from './calls';
import { checkProperty, seededCases } from './property';
import { RULES } from './rules';
import { DATA_MISTAKES } from '../diagnosis/mistakes';
import type { CaseSource } from './property';
import { judgeProbe } from './probe';
import type { Probe } from './probe';
import type { Shape } from './shapes';

const TIMEOUT_MS = 20_000;

interface MatrixCase {
  rows: number;
  cols: number;
  seed: number;
}

/**
 * Columns with very different offsets and spreads, like the real data (pressure ≈ 1016 ± 10,
 * snow ≈ 0.05 ± 0.8). The offset/spread ratio is drawn as in the lab data (its largest, pressure's,
 * is ≈ 100) and capped at 3× that: beyond it the float32 rounding of the inputs alone moves a
 * standardized value by more than the tolerance (docs/tolerances.md); the float32 allowance
 * (numeric/float32.ts) covers what remains.
 */
export const MAX_OFFSET_RATIO = 300;

function buildColumns({ cols, seed }: MatrixCase) {
  const rng = createRng(seed);
  return {
    rng,
    columns: Array.from({ length: cols }, () => {
      const spread = Math.exp(rng.normal(0, 2));
      const ratio = Math.max(-MAX_OFFSET_RATIO, Math.min(MAX_OFFSET_RATIO, rng.normal(0, 100)));
      return { offset: ratio * spread, spread };
    }),
  };
}

function buildMatrix(c: MatrixCase): Matrix {
  const { rng, columns } = buildColumns(c);
  return Array.from({ length: c.rows }, () => columns.map(({ offset, spread }) => offset + spread * rng.normal(0, 1)));
}

const matrixCases = (minRows: number): fc.Arbitrary<MatrixCase> => seededCases({ rows: [minRows, 60], cols: [1, 8] });

const describeMatrixCase = (c: MatrixCase) => `a ${c.rows}×${c.cols} matrix (case seed ${c.seed})`;
/**
 * Fixed cases every run tries first. A single row is a valid input of columnMeans and standardize
 * (the contract's sizes are at least 1), and code that reads data[1] fails only there; columnStds
 * needs at least 2 rows.
 */
const ONE_ROW_EXAMPLES: MatrixCase[] = [
  { rows: 1, cols: 1, seed: 3 },
  { rows: 1, cols: 4, seed: 4 },
];
const MATRIX_EXAMPLES: MatrixCase[] = [
  { rows: 2, cols: 1, seed: 1 },
  { rows: 5, cols: 6, seed: 2 },
];

const columnMeansOf = (m: Matrix) => m[0].map((_, j) => m.reduce((sum, row) => sum + row[j], 0) / m.length);
const columnStdsOf = (m: Matrix, divisor: number) => {
  const means = columnMeansOf(m);
  return means.map((mean, j) => Math.sqrt(m.reduce((sum, row) => sum + (row[j] - mean) ** 2, 0) / divisor));
};

/** The means and stds standardize is given: the data's own, or (one row) its columns' offsets and spreads. */
function standardizeInputs(c: MatrixCase, data: Matrix): { means: number[]; stds: number[] } {
  if (data.length < 2) {
    const { columns } = buildColumns(c);
    return { means: columns.map((column) => column.offset), stds: columns.map((column) => column.spread) };
  }
  return { means: columnMeansOf(data), stds: columnStdsOf(data, data.length - 1).map((x) => x || 1) };
}

/** A data function's check: one probe per case, judged for shape, untouched inputs and values. */
export interface DataValueSpec<C> {
  id: string;
  fn: 'columnMeans' | 'columnStds' | 'standardize' | 'mseLoss';
  title: string;
  points: number;
  source: CaseSource<C>;
  probe(c: C): Probe;
}

function dataValueCheck<C>(spec: DataValueSpec<C>): CheckDefinition {
  return {
    id: spec.id,
    target: spec.fn,
    title: spec.title,
    points: spec.points,
    visibility: 'public',
    timeoutMs: TIMEOUT_MS,
    run: (context) =>
      checkProperty(context, { ...spec.source, requests: (c) => [spec.probe(c).request] }, async (c: C) => {
        const probe = spec.probe(c);
        return judgeProbe('both', probe, await context.runner.call(probe.request));
      }),
  };
}

/** A stored mistake: its id, what it says to the student, and the value it gives. */
type NamedMistake = { id: string; says: string; value: Numeric };

function probeOfCall(
  describe: string,
  fn: DataValueSpec<unknown>['fn'],
  argNames: string[],
  args: unknown[],
  shape: Shape,
  expected: Numeric,
  allowance: Numeric,
  mistakes: NamedMistake[],
): Probe {
  return {
    describe,
    method: fn,
    request: { op: 'call', fn, args: args.map(literal) },
    originals: { args, argNames },
    expectation: {
      shape,
      expected,
      allowance,
      where: { kind: 'index', name: fn === 'mseLoss' ? 'the loss' : 'entry ' },
      rule: RULES[fn],
    },
    mistakes,
  };
}

/**
 * columnMeans and columnStds: a statistic of one generated matrix, one value per column, with
 * what the right answer, its float32 allowance and each named mistake give on that matrix.
 */
function perColumnSpec(
  fn: 'columnMeans' | 'columnStds',
  spec: Pick<DataValueSpec<MatrixCase>, 'id' | 'title' | 'points' | 'source'> & {
    expected(m: Matrix): number[];
    allowance(m: Matrix): Numeric;
    mistakes(m: Matrix): NamedMistake[];
  },
): DataValueSpec<MatrixCase> {
  return {
    id: spec.id,
    fn,
    title: spec.title,
    points: spec.points,
    source: spec.source,
    probe: (c) => {
      const m = buildMatrix(c);
      const shape: Shape = { kind: 'vector', length: c.cols };
      return probeOfCall(
        describeMatrixCase(c),
        fn,
        ['data'],
        [m],
        shape,
        spec.expected(m),
        spec.allowance(m),
        spec.mistakes(m),
      );
    },
  };
}

/** columnMeans and standardize: from one row. */
const matrixSource: CaseSource<MatrixCase> = {
  arbitrary: matrixCases(1),
  examples: [...ONE_ROW_EXAMPLES, ...MATRIX_EXAMPLES],
  describe: describeMatrixCase,
};
/** columnStds: from two rows (n − 1 = 0 has no sample standard deviation). */
const stdsSource: CaseSource<MatrixCase> = {
  arbitrary: matrixCases(2),
  examples: MATRIX_EXAMPLES,
  describe: describeMatrixCase,
};

export const DATA_VALUE_SPECS = [
  perColumnSpec('columnMeans', {
    id: 'data.columnMeans',
    title: 'columnMeans gives the mean of every column',
    points: 3,
    source: matrixSource,
    expected: columnMeansOf,
    allowance: meansAllowance,
    mistakes: (m) => [
      {
        id: 'means.of-rows',
        says: DATA_MISTAKES['means.of-rows'],
        value: m.map((row) => row.reduce((sum, v) => sum + v, 0) / row.length),
      },
    ],
  }),
  perColumnSpec('columnStds', {
    id: 'data.columnStds',
    title: 'columnStds gives the sample standard deviation (n - 1) of every column',
    points: 3,
    source: stdsSource,
    expected: (m) => columnStdsOf(m, m.length - 1),
    allowance: stdsAllowance,
    mistakes: (m) => [
      { id: 'stds.population', says: DATA_MISTAKES['stds.population'], value: columnStdsOf(m, m.length) },
      {
        id: 'stds.variance',
        says: DATA_MISTAKES['stds.variance'],
        value: columnStdsOf(m, m.length - 1).map((x) => x * x),
      },
    ],
  }),
  {
    id: 'data.standardize',
    fn: 'standardize',
    title: 'standardize returns (x - mean) / std per column as a new matrix',
    points: 3,
    source: matrixSource,
    probe: (c: MatrixCase) => {
      const data = buildMatrix(c);
      const { means, stds } = standardizeInputs(c, data);
      const expected = data.map((row) => row.map((value, j) => (value - means[j]) / stds[j]));
      return probeOfCall(
        describeMatrixCase(c),
        'standardize',
        ['data', 'means', 'stds'],
        [data, means, stds],
        { kind: 'matrix', rows: c.rows, cols: c.cols },
        expected,
        standardizeAllowance(data, means, stds),
        [
          {
            id: 'standardize.multiplies',
            says: DATA_MISTAKES['standardize.multiplies'],
            value: data.map((row) => row.map((value, j) => (value - means[j]) * stds[j])),
          },
          {
            id: 'standardize.no-centering',
            says: DATA_MISTAKES['standardize.no-centering'],
            value: data.map((row) => row.map((value, j) => value / stds[j])),
          },
        ],
      );
    },
  } satisfies DataValueSpec<MatrixCase>,
  {
    id: 'loss.mse',
    fn: 'mseLoss',
    title: 'mseLoss gives the squared error',
    points: 2,
    source: {
      arbitrary: fc.tuple(fc.double({ min: -50, max: 50, noNaN: true }), fc.double({ min: -50, max: 50, noNaN: true })),
      examples: [
        [1, 3],
        [-2, 0.5],
      ],
      describe: ([a, b]: [number, number]) => `yTrue = ${a}, yPred = ${b}`,
    },
    probe: ([yTrue, yPred]: [number, number]) =>
      probeOfCall(
        `yTrue = ${yTrue}, yPred = ${yPred}`,
        'mseLoss',
        ['yTrue', 'yPred'],
        [yTrue, yPred],
        { kind: 'number' },
        (yTrue - yPred) ** 2,
        mseAllowance(yTrue, yPred),
        [{ id: 'mse.not-squared', says: DATA_MISTAKES['mse.not-squared'], value: Math.abs(yTrue - yPred) }],
      ),
  } satisfies DataValueSpec<[number, number]>,
];

export const DATA_VALUE_CHECKS: CheckDefinition[] = DATA_VALUE_SPECS.map((spec) =>
  dataValueCheck(spec as DataValueSpec<unknown>),
);
