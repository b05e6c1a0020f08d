/**
 * The checks' view of a submission: typed calls over an Executor, with this check's deadline.
 * A submission that throws produces a StudentError (the check decides the verdict); an executor
 * that lost the submission (timeout, memory, crash) produces an ExecutionAborted, which ends the
 * check with that verdict.
 */
import { decodeValue } from './protocol/encode';
import type { Decoded } from './protocol/encode';
import { isExecutionFailure } from './protocol/requests';
import type {
  CallAftermath,
  CallRequest,
  ExecutionFailure,
  ExecutionResult,
  Executor,
  RngCall,
} from './protocol/requests';

export class StudentError extends Error {
  constructor(
    readonly errorName: string,
    readonly errorMessage: string,
    readonly fatal: boolean,
  ) {
    super(`${errorName}: ${errorMessage}`);
  }
}

export class ExecutionAborted extends Error {
  constructor(readonly failure: ExecutionFailure) {
    super(failure.message);
  }
}

export interface Answer {
  value: Decoded;
  after: CallAftermath;
  rngLog: RngCall[];
}

export class SubmissionRunner {
  /** Requests sent ahead (see `prefetch`), in the order the check is expected to make them. */
  private prefetched: Array<{ request: CallRequest; result: Promise<ExecutionResult> }> = [];

  /** The executor is also this submission's identity for the verdicts of earlier checks (catalogue/verdicts.ts). */
  constructor(
    readonly executor: Executor,
    private readonly deadline: number,
  ) {}

  /**
   * Sends the calls a check is about to make, in the order it will make them, in one exchange
   * (one message instead of a round trip per call, ≈ 16 per property check). `call` then takes
   * each answer as long as the check asks for exactly these requests in this order; at the first
   * other request the rest is dropped and calls go one at a time again. The submission thus runs
   * the same code in the same order up to the point where the check first needs something else
   * (e.g. fast-check's shrinking after a failure); only the cases after that point may have run
   * without being judged.
   */
  prefetch(requests: CallRequest[]): void {
    if (!this.executor.runSequence || requests.length < 2) return;
    const remaining = Math.max(1, this.deadline - Date.now());
    const results = this.executor.runSequence(requests, { timeoutMs: remaining });
    // A dropped answer may settle with a failure nobody awaits: never an unhandled rejection.
    for (const result of results) result.catch(() => undefined);
    this.prefetched = requests.map((request, i) => ({ request, result: results[i] }));
  }

  /** Calls the submission; throws StudentError if its code threw. */
  async call(request: CallRequest): Promise<Answer> {
    const result = await this.answerOf(request);
    if (isExecutionFailure(result)) throw new ExecutionAborted(result);
    if (!result.ok)
      throw new StudentError(result.error.name, result.error.message, result.error.name === 'MissingExportError');
    return { value: decodeValue(result.value), after: result.after, rngLog: result.rngLog };
  }

  private answerOf(request: CallRequest): Promise<ExecutionResult> {
    if (this.prefetched.length > 0) {
      const next = this.prefetched.shift()!;
      if (samePlainValue(next.request, request)) return next.result;
      this.prefetched = [];
    }
    const remaining = Math.max(1, this.deadline - Date.now());
    return this.executor.run(request, { timeoutMs: remaining });
  }
}

/**
 * Whether two requests (plain JSON data) are the same, without serializing them: the check
 * rebuilds a request it sent ahead, usually around the very same case objects.
 */
function samePlainValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!samePlainValue(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return false;
  for (const key of keys) {
    if (!Object.prototype.hasOwnProperty.call(b, key)) return false;
    if (!samePlainValue((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key])) return false;
  }
  return true;
}

/** An argument as the submission left it after the call (to see whether it was changed). */
export function argumentAfter(answer: Answer, index: number): Decoded {
  return decodeValue(answer.after.args[index] ?? null);
}
