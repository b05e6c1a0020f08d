/**
 * A probe: one judged call, fully described by data — what is sent, what must come back, and
 * what each known mistake would have returned. The grader builds probes live from the reference;
 * the handout's public checks read the same probes from a fixture file, so both judge alike.
 */
import type { CallRequest } from '../protocol/requests';
import type { Numeric } from '../numeric/tolerance';
import type { Answer } from '../runner';
import { judgeShape, judgeValue, matchStoredMistake } from './judge';
import type { Originals, ValueExpectation } from './judge';
import type { Judgement } from './property';

export interface StoredMistake {
  id: string;
  says: string;
  value: Numeric;
}

export interface Probe {
  /** The case, for people ("τ=2, H=4, …"). */
  describe: string;
  /** The function's name in messages. */
  method: string;
  request: CallRequest;
  originals: Originals;
  expectation: ValueExpectation;
  /** Known mistakes' outputs on this case (may be empty when diagnosis is computed live). */
  mistakes: StoredMistake[];
}

/**
 * 'shape': shape, finiteness and untouched inputs; 'value': the values; 'both': all of it (for
 * functions that have a single check).
 */
export type ProbeKind = 'shape' | 'value' | 'both';

export async function judgeProbe(kind: ProbeKind, probe: Probe, answer: Answer): Promise<Judgement | null> {
  if (kind !== 'value') {
    const shape = judgeShape(probe.method, answer, probe.expectation.shape, probe.originals);
    if (shape || kind === 'shape') return shape;
  }
  return judgeValue(probe.method, answer, probe.expectation, async (actual) => ({
    mistake: matchStoredMistake(actual, probe.mistakes, probe.expectation.floorScale, probe.expectation.allowance),
  }));
}
