/**
 * Checks of the data functions that are judged by the contract's words alone (no expected values):
 * the split and the random window. getRandomDay is probed with scripted generators, so the judge
 * knows which window was asked for and can reach the first and the last one on purpose.
 */
import fc from 'fast-check';
import { createRng } from 'rnn-lab';
import type { Matrix } from 'rnn-lab';
import { compareNumeric, SUBMISSION_TOLERANCE } from '../numeric/tolerance';
import { argumentAfter } from '../runner';
import type { Answer } from '../runner';
import type { CheckContext, CheckDefinition } from '../types';
import { callFunction as call, functionRequest, literal } from './calls';
import { checkProperty } from './property';
import type { CaseSource, Judgement } from './property';
import { describeShape, describeValue, sameValue, shapeProblem } from './shapes';
import { RULES, ruleSentence } from './rules';
import type { Shape } from './shapes';

const TIMEOUT_MS = 20_000;
const HOURS = 24;
const TEMP = 1;

/**
 * numTrainSamples' fixed cases: every numRows from 1 to 120 (0.8 · numRows / 24 = numRows / 30, so
 * these cover every remainder modulo 30 twice, and the small data sets where rounding up to a whole
 * day would exceed numRows: 15..23 and 45..47), and the lab's own sizes. A split formula is
 * periodic in numRows modulo 30 beyond that, so no seed can find an edge case these miss.
 */
export const NUM_TRAIN_SAMPLES_EXAMPLES: number[] = [
  ...Array.from({ length: 120 }, (_, i) => i + 1),
  42_984,
  34_368,
  200_000,
];

/** What is wrong with `value` as numTrainSamples(numRows), in the contract's words; null when right. */
export function splitProblem(numRows: number, value: unknown): string | null {
  const rule = RULES.numTrainSamples;
  const call = `numTrainSamples(${numRows}) returned ${typeof value === 'number' ? value : describeValue(value as never)}`;
  if (typeof value !== 'number' || !Number.isInteger(value))
    return `${call}, which is not a whole number of rows. ${ruleSentence(`the training split is ${rule.wholeDays}`)}`;
  if (value > numRows)
    return `${call}, more than numRows = ${numRows}. ${ruleSentence(`the training split is ${rule.atMostRows}`)}`;
  if (value < 0)
    return `${call}, a negative number of rows. ${ruleSentence(`the training split is ${rule.wholeDays}, ${rule.nearEighty} and ${rule.atMostRows}`)}`;
  if (value % HOURS !== 0)
    return `${call}, which is not a multiple of 24. ${ruleSentence(`the training split is ${rule.wholeDays}, so the test split starts at midnight`)}`;
  // |value − 0.8 · numRows| < 24 in exact integer arithmetic: |5 · value − 4 · numRows| < 120.
  if (Math.abs(5 * value - 4 * numRows) >= 5 * HOURS) {
    return `${call}; 0.8 · numRows = ${(4 * numRows) / 5}, and ${value} is ${Math.abs(value - (4 * numRows) / 5)} rows away from it. ${ruleSentence(`the training split is ${rule.nearEighty}`)}`;
  }
  return null;
}

/** A public check of this file: one property of `target`, judged case by case over `source`. */
function propertyCheck<T>(
  head: Pick<CheckDefinition, 'id' | 'target' | 'title' | 'points'>,
  source: CaseSource<T>,
  judge: (context: CheckContext, value: T) => Promise<Judgement | null>,
): CheckDefinition {
  return {
    ...head,
    visibility: 'public',
    timeoutMs: TIMEOUT_MS,
    run: (context) => checkProperty(context, source, (value) => judge(context, value)),
  };
}

export const DATA_SPEC_CHECKS: CheckDefinition[] = [
  propertyCheck(
    {
      id: 'data.numTrainSamples',
      target: 'numTrainSamples',
      title: 'numTrainSamples gives whole days, within 24 rows of 80 % of the rows, never more than numRows',
      points: 3,
    },
    {
      arbitrary: fc.integer({ min: 1, max: 200_000 }),
      examples: NUM_TRAIN_SAMPLES_EXAMPLES,
      describe: (n) => `numRows = ${n}`,
      requests: (n) => [functionRequest('numTrainSamples', [literal(n)])],
    },
    async (context, numRows) => {
      const { value } = await call(context, 'numTrainSamples', [literal(numRows)]);
      const problem = splitProblem(numRows, value);
      return problem ? { status: 'failed', message: problem } : null;
    },
  ),
  ...getRandomDayChecks(),
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
  return Array.from({ length: rows }, (_, r) =>
    Array.from({ length: 6 }, (_, j) => 1000 * r + 100 * j + 10 * rng.uniform()),
  );
}

async function drawWindow(context: CheckContext, data: Matrix, script: Array<number | 'last'>, seed: number) {
  return context.runner.call(windowRequest(data, script, seed));
}

function windowRequest(data: Matrix, script: Array<number | 'last'>, seed: number) {
  return functionRequest('getRandomDay', [literal(data), { rng: { kind: 'scripted', ints: script, seed } }]);
}

function windowProblem(data: Matrix, answer: Answer): string | null {
  const draws = answer.rngLog;
  if (draws.length !== 1 || draws[0].method !== 'int') {
    return `getRandomDay made ${draws.length} call(s) of rng: ${draws.map((d) => `${d.method}(${d.args.join(', ')})`).join(', ') || 'none'}. ${ruleSentence(RULES.getRandomDay.draw)}`;
  }
  const start = draws[0].result;
  const shape: Shape = {
    kind: 'record',
    fields: { x: { kind: 'matrix', rows: HOURS, cols: data[0].length }, y: { kind: 'number' } },
  };
  const value = answer.value as { x: Matrix; y: number };
  if (start + HOURS >= data.length) {
    return `rng.int(${draws[0].args[0]}) can return ${start}, but a window starting there has no row after it (data has ${data.length} rows): the largest valid start is ${data.length - HOURS - 1}. ${ruleSentence(RULES.getRandomDay.reach)}`;
  }
  const problem = shapeProblem(value, shape);
  if (problem)
    return `getRandomDay returned the wrong shape: ${problem}. It should return ${describeShape(shape)}. ${ruleSentence(`${RULES.getRandomDay.window} and ${RULES.getRandomDay.target}`)}`;
  for (let r = 0; r < HOURS; r++) {
    if (!compareNumeric(value.x[r], data[start + r], SUBMISSION_TOLERANCE).ok) {
      return `rng.int gave ${start}, so x should be rows ${start}..${start + HOURS - 1} of data in order; row ${r} of x does not match data[${start + r}]. ${ruleSentence(RULES.getRandomDay.window)}`;
    }
  }
  const near = (a: number, b: number) => compareNumeric(a, b, SUBMISSION_TOLERANCE).ok;
  if (!near(value.y, data[start + HOURS][TEMP])) {
    const fromLastRow = near(value.y, data[start + HOURS - 1][TEMP]);
    return (
      `y should be TEMP (column 1) of the row right after the window, data[${start + HOURS}][1] = ${data[start + HOURS][TEMP]}; you returned ${value.y}.` +
      (fromLastRow ? " That is the temperature of the window's own last row." : '') +
      ` ${ruleSentence(RULES.getRandomDay.target)}`
    );
  }
  return null;
}

function getRandomDayChecks(): CheckDefinition[] {
  // At least 30 rows: on tiny data an off-by-one bound crashes rng.int, which is the edges check's business.
  const cases: fc.Arbitrary<WindowCase> = fc.record({
    rows: fc.integer({ min: 30, max: 80 }),
    seed: fc.integer({ min: 0, max: 0x7fffffff }),
    start: fc.integer({ min: 0, max: 55 }),
  });
  return [
    propertyCheck(
      {
        id: 'data.getRandomDay.window',
        target: 'getRandomDay',
        title: "getRandomDay returns 24 consecutive rows and the next hour's temperature, drawing once from rng",
        points: 4,
      },
      {
        arbitrary: cases,
        examples: [{ rows: 30, seed: 1, start: 2 }],
        describe: (c) => `data with ${c.rows} rows, rng.int answering ${c.start} (clamped to its range)`,
        requests: (c) => [windowRequest(windowData(c.rows, c.seed), [c.start], c.seed)],
      },
      async (context, c) => {
        const data = windowData(c.rows, c.seed);
        const answer = await drawWindow(context, data, [c.start], c.seed);
        const problem = windowProblem(data, answer);
        if (problem) return { status: 'failed', message: problem };
        return sameValue(argumentAfter(answer, 0), data)
          ? null
          : { status: 'failed', message: 'getRandomDay changed `data`; it must only read it.' };
      },
    ),
    propertyCheck(
      {
        id: 'data.getRandomDay.edges',
        target: 'getRandomDay',
        title: 'getRandomDay can reach the first and the last valid window and never reads past the data',
        points: 4,
      },
      {
        arbitrary: fc.record({ rows: fc.integer({ min: 26, max: 80 }), seed: fc.integer({ min: 0, max: 1000 }) }),
        examples: [
          { rows: 26, seed: 1 },
          { rows: 48, seed: 2 },
        ],
        describe: (c) => `data with ${c.rows} rows`,
        requests: (c) => {
          const data = windowData(c.rows, c.seed);
          return [windowRequest(data, [0], c.seed), windowRequest(data, ['last'], c.seed)];
        },
      },
      async (context, c) => {
        const data = windowData(c.rows, c.seed);
        for (const edge of [0, 'last'] as const) {
          const answer = await drawWindow(context, data, [edge], c.seed);
          const draws = answer.rngLog;
          if (draws.length !== 1 || draws[0].method !== 'int')
            return { status: 'failed', message: windowProblem(data, answer) ?? 'unexpected use of rng' };
          const bound = draws[0].args[0];
          if (bound !== data.length - HOURS) {
            const which =
              bound < data.length - HOURS
                ? `the last ${data.length - HOURS - bound} valid window(s) can never be drawn`
                : `a start of ${bound - 1} would read past the end of data`;
            return {
              status: 'failed',
              message: `getRandomDay calls rng.int(${bound}) on ${data.length} rows, so ${which}. Valid starts are 0..${data.length - HOURS - 1}, i.e. rng.int(data.length - 24). ${ruleSentence(`${RULES.getRandomDay.reach}; ${RULES.getRandomDay.draw}`)}`,
            };
          }
          const problem = windowProblem(data, answer);
          if (problem)
            return {
              status: 'failed',
              message: `When rng.int returns ${edge === 0 ? 'its smallest value 0' : 'its largest value'}: ${problem}`,
            };
        }
        return null;
      },
    ),
  ];
}
