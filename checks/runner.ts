/**
 * The checks' view of a submission: typed calls over an Executor, with this check's deadline.
 * A submission that throws produces a StudentError (the check decides the verdict); an executor
 * that lost the submission (timeout, memory, crash) produces an ExecutionAborted, which ends the
 * check with that verdict.
 */
import { decodeValue } from './protocol/encode';
import type { Decoded } from './protocol/encode';
import { isExecutionFailure } from './protocol/requests';
import type { CallAftermath, CallRequest, ExecutionFailure, Executor, RngCall } from './protocol/requests';

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
  /** The executor is also this submission's identity for the verdicts of earlier checks (catalogue/verdicts.ts). */
  constructor(
    readonly executor: Executor,
    private readonly deadline: number,
  ) {}

  /** Calls the submission; throws StudentError if its code threw. */
  async call(request: CallRequest): Promise<Answer> {
    const remaining = Math.max(1, this.deadline - Date.now());
    const result = await this.executor.run(request, { timeoutMs: remaining });
    if (isExecutionFailure(result)) throw new ExecutionAborted(result);
    if (!result.ok)
      throw new StudentError(result.error.name, result.error.message, result.error.name === 'MissingExportError');
    return { value: decodeValue(result.value), after: result.after, rngLog: result.rngLog };
  }
}

/** An argument as the submission left it after the call (to see whether it was changed). */
export function argumentAfter(answer: Answer, index: number): Decoded {
  return decodeValue(answer.after.args[index] ?? null);
}
