/**
 * Whose fault a verdict is. Problems of the submission (no rnn.ts, a syntax error, a crash of its
 * code) are its own verdicts. Problems of the grader (a tool of its own crashed, the lab data
 * could not be loaded, a bug) are never the student's zero: the check or row carries
 * `cause: 'grader'`, earns nothing that could be mistaken for a grade, and the batch exits 3.
 */

/** The one base class of the grader's own failures while grading a submission. */
export class GraderFault extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** The transpiler (esbuild) died or hung on a submission's files. */
export class TranspilerFault extends GraderFault {}

/** A submission's grading never settled and the grader gave up on it. */
export class WatchdogFault extends GraderFault {}

/**
 * An exception that escaped grading, as a GraderFault. Everything a submission can do wrong is
 * turned into a verdict before it gets this far, so any throw that reaches here is the grader's.
 */
export function asGraderFault(error: unknown): GraderFault {
  if (error instanceof GraderFault) return error;
  return new GraderFault(error instanceof Error ? error.message : String(error), { cause: error });
}

/** Starts every row `error` written for a grader fault (for people; programs read `cause`). */
export const GRADER_FAULT_PREFIX = "Internal grader error (not the submission's fault; please tell the course staff)";

/** The row error for a grader fault. */
export function graderFaultMessage(fault: GraderFault): string {
  return `${GRADER_FAULT_PREFIX}: ${fault.message}`;
}
