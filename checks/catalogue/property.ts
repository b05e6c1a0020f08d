/**
 * Runs a judge over fast-check cases against a submission. On failure fast-check shrinks to the
 * smallest failing case, and the outcome carries the seed and path that replay exactly it.
 */
import fc from 'fast-check';
import type { CallRequest } from '../protocol/requests';
import { StudentError } from '../runner';
import type { CheckContext, CheckOutcome } from '../types';

/** What a judge says about one case: null when it is right. */
export interface Judgement {
  status: 'failed' | 'error';
  message: string;
  diagnosis?: string;
}

export interface CaseSource<T> {
  arbitrary: fc.Arbitrary<T>;
  /** Tried first, every run. */
  examples: T[];
  describe(value: T): string;
  /**
   * The requests the judge sends for a case while the answers are right, in order, when they are
   * known ahead: those of the cases fast-check will try first (the examples, then the random ones
   * of this seed) are then sent in one exchange before the search starts (SubmissionRunner.prefetch).
   */
  requests?(value: T): CallRequest[];
}

/** Any 31-bit seed: whatever a case draws beyond its sizes is drawn from it. */
const CASE_SEED = fc.integer({ min: 0, max: 0x7fffffff });

/**
 * Cases made of whole-number sizes, each within its [min, max], and a seed drawn last. The sizes
 * are drawn in the order given, so a record written this way draws the same cases as the same
 * fc.record written out.
 */
export function seededCases<K extends string>(
  ranges: Record<K, readonly [min: number, max: number]>,
): fc.Arbitrary<Record<K, number> & { seed: number }> {
  const sizes = Object.entries<readonly [number, number]>(ranges).map(([key, [min, max]]) => [
    key,
    fc.integer({ min, max }),
  ]);
  return fc.record({ ...Object.fromEntries(sizes), seed: CASE_SEED }) as fc.Arbitrary<
    Record<K, number> & { seed: number }
  >;
}

export async function checkProperty<T>(
  context: CheckContext,
  source: CaseSource<T>,
  judge: (value: T) => Promise<Judgement | null>,
): Promise<CheckOutcome> {
  let lastFailure: Judgement | undefined;
  let aborted: unknown;
  const property = fc.asyncProperty(source.arbitrary, async (descriptor) => {
    if (aborted !== undefined) return true; // the submission is gone: stop calling it, let fast-check finish
    try {
      const judgement = await judge(descriptor);
      if (judgement) lastFailure = judgement;
      return judgement === null;
    } catch (error) {
      if (error instanceof StudentError && !error.fatal) {
        lastFailure = { status: 'error', message: `threw ${error.errorName}: ${error.errorMessage}` };
        return false;
      }
      aborted = error;
      return true;
    }
  });
  const parameters = {
    seed: context.seed,
    // fast-check counts the examples within numRuns: without this, a long list of fixed cases
    // would crowd out the random ones, or be cut short itself.
    numRuns: context.numRuns + source.examples.length,
    examples: source.examples.map((example) => [example] as [T]),
  };
  if (source.requests && !context.replay) {
    // The same values, in the same order, as fc.check below draws them before any shrinking:
    // the same generator (a one-entry tuple, as asyncProperty makes), seed and examples.
    const cases = fc.sample(fc.tuple(source.arbitrary), parameters);
    context.runner.prefetch(cases.flatMap(([value]) => source.requests!(value)));
  }
  const result = await fc.check(property, {
    ...parameters,
    ...(context.replay ? { path: context.replay.path, endOnFailure: true } : {}),
  });
  // Rethrown as caught: a fatal StudentError or a grader fault, whatever its type.
  // eslint-disable-next-line @typescript-eslint/only-throw-error
  if (aborted !== undefined) throw aborted;
  if (!result.failed) return { status: 'passed', message: '' };
  // eslint-disable-next-line @typescript-eslint/only-throw-error
  if (result.errorInstance && !lastFailure) throw result.errorInstance;
  const [counterexample] = result.counterexample ?? [];
  const failure = lastFailure ?? { status: 'failed' as const, message: 'failed' };
  return {
    status: failure.status,
    message: `${failure.message}\nSmallest failing case: ${counterexample !== undefined ? source.describe(counterexample) : 'unknown'}.`,
    diagnosis: failure.diagnosis,
    replay: { seed: result.seed, path: result.counterexamplePath ?? '' },
  };
}
