/**
 * Judging one answer, the same way whether the expected value was just computed by the reference
 * (the grader's checks) or was stored in a fixture (the handout's public checks). Nothing here
 * knows how to compute a correct answer.
 */
import { decodeValue } from '../protocol/encode';
import type { Decoded } from '../protocol/encode';
import { compareNumeric, SUBMISSION_TOLERANCE } from '../numeric/tolerance';
import type { Numeric } from '../numeric/tolerance';
import type { Answer } from '../runner';
import type { Judgement } from './property';
import { describeShape, sameValue, shapeProblem } from './shapes';
import type { Shape } from './shapes';
import { RULES, ruleSentence } from './rules';

/** How to name an entry of an answer for people. */
export type Where =
  | { kind: 'timeStep' }
  | { kind: 'entry'; letter: string }
  | { kind: 'unit'; letter: string }
  | { kind: 'scalar'; name: string }
  | { kind: 'forward'; hiddenSize: number }
  | { kind: 'index'; name: string };

export function describeWhere(where: Where, index: number[]): string {
  switch (where.kind) {
    case 'timeStep':
      return `t = ${index[0] + 1} (row ${index[0]}), hidden unit ${index[1]}`;
    case 'entry':
      return `${where.letter}[${index[0]}][${index[1]}]`;
    case 'unit':
      return `${where.letter}[${index[0]}]`;
    case 'scalar':
      return where.name;
    case 'forward': {
      if (index[0] === 0) return 'yHat';
      const flat = index[0] - 1;
      const row = Math.floor(flat / where.hiddenSize);
      return `hidden[${row}][${flat % where.hiddenSize}] (h_${row + 1})`;
    }
    case 'index':
      return `${where.name}${index.map((i) => `[${i}]`).join('')}`;
  }
}

/** What a value check expects of one answer. */
export interface ValueExpectation {
  shape: Shape;
  /** 'forward': the answer { hidden, yHat } is compared as [yHat, ...hidden rows]. */
  layout?: 'forward';
  expected: Numeric;
  /** See compareNumeric. */
  floorScale?: number;
  /** Per-entry float32 error bound where the problem is ill-conditioned (numeric/float32.ts). */
  allowance?: Numeric;
  where: Where;
  /** The contract's rule this value follows, in its words (rules.ts), quoted when it is broken. */
  rule?: string;
}

export function numbersOf(value: Decoded, layout?: 'forward'): Numeric {
  if (layout === 'forward') {
    const { hidden, yHat } = value as unknown as { hidden: number[][]; yHat: number };
    return [yHat, ...hidden.flat()];
  }
  return value as Numeric;
}

export interface Originals {
  args: unknown[];
  argNames: string[];
  /** The network's parameters before the call, for methods. */
  params?: unknown;
}

/** Right shape, only finite numbers, and no argument or parameter changed. */
export function judgeShape(method: string, answer: Answer, shape: Shape, originals: Originals): Judgement | null {
  const problem = shapeProblem(answer.value, shape);
  if (problem)
    return {
      status: 'failed',
      message: `${method} returned the wrong shape: ${problem}. It should return ${describeShape(shape)}.`,
    };
  for (let i = 0; i < originals.args.length; i++) {
    const now = answer.after.args[i];
    if (now !== null && now !== undefined && !sameValue(decodeValue(now), originals.args[i] as Decoded)) {
      return {
        status: 'failed',
        message: `${method} changed its argument \`${originals.argNames[i]}\`. It must leave its inputs untouched: copy an array before changing it. ${ruleSentence(originals.params !== undefined ? RULES.untouched : `${method} must not change its inputs`)}`,
      };
    }
  }
  if (
    originals.params !== undefined &&
    answer.after.params !== undefined &&
    !sameValue(decodeValue(answer.after.params), originals.params as Decoded)
  ) {
    return {
      status: 'failed',
      message: `${method} changed the network's parameters (u, w, v, b or c). Only doTrainingStep may update them. ${ruleSentence(RULES.untouched)}`,
    };
  }
  return null;
}

/** Compares an answer with its expected value; `explain` adds notes and the likely mistake to a failure. */
export async function judgeValue(
  method: string,
  answer: Answer,
  expectation: ValueExpectation,
  explain: (actual: Numeric) => Promise<{ note?: string; mistake?: { id: string; says: string } }> = async () => ({}),
): Promise<Judgement | null> {
  const problem = shapeProblem(answer.value, expectation.shape);
  if (problem)
    return {
      status: 'failed',
      message: `${method} returned the wrong shape, so its values cannot be checked: ${problem}.`,
    };
  const actual = numbersOf(answer.value, expectation.layout);
  const comparison = compareNumeric(
    actual,
    expectation.expected,
    SUBMISSION_TOLERANCE,
    expectation.floorScale,
    expectation.allowance,
  );
  if (comparison.ok) return null;
  const { worst, failing, total } = comparison;
  const { note, mistake } = await explain(actual);
  return {
    status: 'failed',
    message:
      `${method} is wrong at ${describeWhere(expectation.where, worst.index)}: you returned ${formatNumber(worst.actual)}, the correct value is ${formatNumber(worst.expected)} ` +
      `(${failing} of ${total} entries are off).${note ? ' ' + note : ''}` +
      (expectation.rule ? ` ${ruleSentence(expectation.rule)}` : '') +
      (mistake ? `\nLikely mistake: ${mistake.says}` : ''),
    diagnosis: mistake?.id,
  };
}

/** The first stored mistake an answer matches (fixtures store each mistake's output). */
export function matchStoredMistake(
  actual: Numeric,
  mistakes: ReadonlyArray<{ id: string; says: string; value: Numeric }>,
  floorScale?: number,
  allowance?: Numeric,
) {
  return mistakes.find(
    (mistake) => compareNumeric(actual, mistake.value, SUBMISSION_TOLERANCE, floorScale, allowance).ok,
  );
}

export function formatNumber(value: number): string {
  return Number.isFinite(value) ? value.toPrecision(6) : String(value);
}
