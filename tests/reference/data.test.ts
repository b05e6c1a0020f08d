/**
 * The reference's data preparation (split, means, stds, standardization) on small hand-made
 * matrices and, when RNN_LAB_DATA points at pollution.csv (CI sets it), on the real data; and
 * training to convergence on the real data with a fixed seed.
 */
import fc from 'fast-check';
import { createRng } from 'rnn-lab';
import type { Matrix } from 'rnn-lab';
import { loadPollutionData } from 'rnn-lab/data';
import { columnMeans, columnStds, numTrainSamples, standardize, trainRnn } from '../../reference/rnn';
import { CONVERGENCE_THRESHOLD, convergenceStatistic, evaluateOnTestSet, prepareData } from '../../reference/pipeline';
import type { PreparedData } from '../../reference/pipeline';
import { deepCopy, fcOptions } from '../helpers/rnn-cases';

describe('numTrainSamples', () => {
  it('is a multiple of 24 within 24 rows below 0.8 · numRows, for any numRows', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10_000_000 }), (numRows) => {
        const n = numTrainSamples(numRows);
        expect(n % 24).toBe(0);
        // Exact in integers: 0.8·numRows - 24 < n ≤ 0.8·numRows  ⇔  4·numRows - 120 < 5n ≤ 4·numRows
        expect(5 * n).toBeLessThanOrEqual(4 * numRows);
        expect(5 * n).toBeGreaterThan(4 * numRows - 120);
      }),
      fcOptions(300),
    );
  });

  it('the lab: 42,984 rows → 34,368 training rows (0.8 · 42,984 = 34,387.2)', () => {
    expect(numTrainSamples(42984)).toBe(34368);
  });

  it('where 0.8 · numRows is a whole number of days, that number (no floating-point shortfall)', () => {
    expect(numTrainSamples(150)).toBe(120);
    expect(numTrainSamples(30000)).toBe(24000);
    expect(numTrainSamples(0)).toBe(0);
  });

  it.each([-1, 2.5, NaN])('rejects numRows = %p', (numRows) => {
    expect(() => numTrainSamples(numRows)).toThrow(/^numRows: expected a non-negative integer/);
  });
});

describe('columnMeans, columnStds, standardize (small matrices)', () => {
  const data: Matrix = [
    [1, 10, -3],
    [2, 20, -3],
    [3, 30, -3],
    [6, 40, -3],
  ];

  it('means and sample standard deviations (n - 1), per column', () => {
    expect(columnMeans(data)).toEqual([3, 25, -3]);
    const stds = columnStds(data);
    expect(stds[0]).toBeCloseTo(Math.sqrt((4 + 1 + 0 + 9) / 3), 14);
    expect(stds[1]).toBeCloseTo(Math.sqrt((225 + 25 + 25 + 225) / 3), 14);
    expect(stds[2]).toBe(0);
  });

  it('standardize returns a new matrix and leaves data, means and stds alone', () => {
    const means = [3, 25, 0];
    const stds = [2, 5, 1];
    const copy = deepCopy({ data, means, stds });
    const out = standardize(data, means, stds);
    expect(out).toEqual([
      [-1, -3, -3],
      [-0.5, -1, -3],
      [0, 1, -3],
      [1.5, 3, -3],
    ]);
    expect({ data, means, stds }).toEqual(copy);
    expect(out).not.toBe(data);
    expect(out[0]).not.toBe(data[0]);
  });

  it('name the argument when the shapes disagree', () => {
    expect(() => standardize(data, [1, 2, 3], [1, 2])).toThrow(/^stds: expected a vector of 3 finite numbers/);
    expect(() => standardize([[1, 2]], [1, 2, 3], [1, 1, 1])).toThrow(/^data: expected a τ×3 matrix/);
    expect(() => columnMeans([[1, 2], [3]])).toThrow(/^data: /);
    expect(() => columnStds([[1, 2]])).toThrow(/^data: .*τ ≥ 2/);
  });
});

// ---------------------------------------------------------------------------------------------
// The real data

const DATA_FILE = process.env.RNN_LAB_DATA;
const SKIP_REASON = ' [skipped: set RNN_LAB_DATA=/path/to/pollution.csv to run it; CI does]';
/** `it` for the real data: skipped, saying why, when RNN_LAB_DATA is not set. */
const itReal = (name: string, fn: () => Promise<void>, timeout?: number) =>
  DATA_FILE ? it(name, fn, timeout) : it.skip(name + SKIP_REASON, () => undefined);

let loaded: Promise<{ raw: Matrix; prepared: PreparedData }> | undefined;
const realData = () =>
  (loaded ??= loadPollutionData({ dataPath: DATA_FILE, log: () => undefined }).then((raw) => ({
    raw,
    prepared: prepareData(raw),
  })));

/** Seed of the convergence test (bench/train.ts measures 100 seeds). */
const CONVERGENCE_SEED = 1;

describe('the real data (pollution.csv)', () => {
  itReal('has 42,984 rows; the split is 34,368 training and 8,616 test rows', async () => {
    const { raw, prepared } = await realData();
    expect(raw).toHaveLength(42984);
    expect(prepared.train).toHaveLength(34368);
    expect(prepared.test).toHaveLength(42984 - 34368);
  });

  itReal('standardized training columns have mean 0 and std 1 (to 1e-9)', async () => {
    const { prepared } = await realData();
    for (const mean of columnMeans(prepared.train)) expect(Math.abs(mean)).toBeLessThan(1e-9);
    for (const std of columnStds(prepared.train)) expect(Math.abs(std - 1)).toBeLessThan(1e-9);
  });

  itReal(
    `trainRnn(train, 500, createRng(${CONVERGENCE_SEED})) converges: mean of the last 25 losses < ${CONVERGENCE_THRESHOLD}; test RMSE 2–4 °C`,
    async () => {
      const { prepared } = await realData();
      const { rnn, losses } = trainRnn(prepared.train, 500, createRng(CONVERGENCE_SEED));
      expect(losses).toHaveLength(500);
      expect(losses.every(Number.isFinite)).toBe(true);
      expect(convergenceStatistic(losses)).toBeLessThan(CONVERGENCE_THRESHOLD);
      const evaluation = evaluateOnTestSet(rnn, prepared.test, prepared.stds[1]);
      expect(evaluation.count).toBe(prepared.test.length - 24);
      expect(evaluation.rmseCelsius).toBeGreaterThan(2);
      expect(evaluation.rmseCelsius).toBeLessThan(4);
    },
    60_000,
  );
});
