/**
 * Serves requests by calling the submission in this very process: for trusted code only (the
 * reference, when `npm run assign` verifies it, and tests). There is no time or memory limit
 * here. A student's `npm test` runs rnn.ts in a child process (./child-process.ts); the grader
 * in a sandboxed one (grader/sandbox).
 */
import { createDispatcher } from '../protocol/dispatch';
import type { CallRequest, Executor, ExecutionResult } from '../protocol/requests';

export function createInProcessExecutor(submission: Record<string, unknown>): Executor {
  const dispatch = createDispatcher(submission);
  return {
    async run(request: CallRequest): Promise<ExecutionResult> {
      // A JSON round trip, as across a process boundary: the judge never shares objects with
      // the submission, so nothing the submission keeps can change a value after it was judged.
      return JSON.parse(JSON.stringify(dispatch(request))) as ExecutionResult;
    },
  };
}

/** Loads a submission module in-process, turning a load failure into an executor that reports it. */
export function loadInProcess(modulePath: string): Executor {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return createInProcessExecutor(require(modulePath) as Record<string, unknown>);
  } catch (error) {
    const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    return {
      async run(): Promise<ExecutionResult> {
        return {
          ok: false,
          error: { name: 'LoadError', message: `rnn.ts could not be loaded: ${message}` },
          rngLog: [],
          ms: 0,
        };
      },
    };
  }
}
