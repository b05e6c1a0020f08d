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
import { callFunction as call, literal } from './calls';
import { checkProperty } from './property';
import { describeShape, sameValue, shapeProblem } from './shapes';
import type { Shape } from './shapes';

const TIMEOUT_MS = 20_000;
const HOURS = 24;
const TEMP = 1;


export const DATA_SPEC_CHECKS: CheckDefinition[] = [
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
  // At least 30 rows: on tiny data an off-by-one bound crashes rng.int, which is the edges check's business.
  const cases: fc.Arbitrary<WindowCase> = fc.record({ rows: fc.integer({ min: 30, max: 80 }), seed: fc.integer({ min: 0, max: 0x7fffffff }), start: fc.integer({ min: 0, max: 55 }) });
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
      points: 4,
      visibility: 'hidden',
      timeoutMs: TIMEOUT_MS,
      run: (context) =>
        checkProperty(context, { arbitrary: fc.record({ rows: fc.integer({ min: 26, max: 80 }), seed: fc.integer({ min: 0, max: 1000 }) }), examples: [{ rows: 26, seed: 1 }, { rows: 48, seed: 2 }], describe: (c) => `data with ${c.rows} rows` }, async (c) => {
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
