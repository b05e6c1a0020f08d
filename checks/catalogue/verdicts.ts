/**
 * What the checks that already ran said about this submission, so that a later check can take a
 * building block's answers as its basis only where that building block failed its own check.
 *
 * Why: getGradients, doTrainingStep and trainRnn are judged so that one bug in a building block
 * is not charged twice (a getGradients that correctly composes a wrong computeGradB passes). But
 * a building block's answers, asked for in the same process right after the judged call, can be
 * made to agree with anything (stateful code spots the pattern). A building block that passed
 * its own check has no bug to excuse, so its answers are never needed: the reference is the
 * basis. One that failed (or was not judged) stays a possible basis only where it failed.
 *
 * Keyed by the executor (one per submission and battery run); the catalogue records every
 * check's verdict through `recordingVerdicts` (checks/catalogue/index.ts).
 */
import type { CheckDefinition, CheckOutcome, Verdict } from '../types';

const books = new WeakMap<object, Map<string, Verdict>>();

function bookOf(executor: object): Map<string, Verdict> {
  let book = books.get(executor);
  if (!book) books.set(executor, (book = new Map()));
  return book;
}

/** The verdict `id` got for this submission in this battery run, if it ran (before the caller). */
export function verdictOf(executor: object, id: string): Verdict | undefined {
  return books.get(executor)?.get(id);
}

/**
 * True when the submission's own answers for a building block may serve as a basis: every one of
 * its checks that ran did not pass. A block none of whose checks ran is not trusted (the reference
 * is the only basis then).
 */
export function failedOwnChecks(executor: object, ids: readonly string[]): boolean {
  const ran = ids.map((id) => verdictOf(executor, id)).filter((v): v is Verdict => v !== undefined);
  return ran.length > 0 && ran.some((verdict) => verdict !== 'passed');
}

/** The same check, recording its verdict for later checks of the same submission. */
export function recordingVerdicts(check: CheckDefinition): CheckDefinition {
  return {
    ...check,
    async run(context) {
      const executor = context.runner.executor;
      let outcome: CheckOutcome;
      try {
        outcome = await check.run(context);
      } catch (error) {
        bookOf(executor).set(check.id, 'error');
        throw error;
      }
      bookOf(executor).set(check.id, outcome.status);
      return outcome;
    },
  };
}
