/**
 * The one place the grader meets the code that prepares and runs submissions (grader/compile and
 * grader/sandbox). Everything else talks to the ExecutionBackend interface below, so tests can
 * pass a fake backend and the rest of the grader does not depend on how the sandbox is built.
 *
 * Submission code never runs in the grader's own process: there is deliberately no in-process
 * fallback here.
 */
import type { Executor } from '../checks/protocol/requests';
import { prepareSubmissionDeferred } from './compile';
import { createSandboxExecutor } from './sandbox/executor';
import type { SandboxLimits as SandboxProcessLimits } from './sandbox/limits';

/** What preparing a submission folder gave (compiled into a fresh work folder). */
export interface PreparedSubmission {
  ok: boolean;
  /** The compiled entry module relative to the work folder (default `submission/rnn.js`). */
  entryRel?: string;
  warnings: string[];
  /** Why it cannot be run (e.g. a syntax error), for the student. */
  error?: string;
  /** Type-check warnings, computed beside the run (they never block or change a verdict). */
  typeWarnings?: Promise<string[]>;
}

/** Limits for one submission's child process (any field left out takes the sandbox's default). */
export type SandboxLimits = Partial<SandboxProcessLimits>;

export interface SandboxedExecutor extends Executor {
  close(): Promise<void>;
  /** How the code is contained, e.g. "bubblewrap (no network, read-only submission)". */
  describeSandbox(): string;
}

export interface ExecutionBackend {
  /** Copies/compiles `submissionDir` into `workDir` (a fresh, empty folder). */
  prepare(submissionDir: string, workDir: string): Promise<PreparedSubmission>;
  /** Starts the child process serving the prepared submission. */
  createExecutor(workDir: string, prepared: PreparedSubmission, limits: SandboxLimits): Promise<SandboxedExecutor>;
}

/** The real backend: grader/compile (transpile + type check) and grader/sandbox (child process). */
export function createDefaultBackend(): ExecutionBackend {
  return {
    async prepare(submissionDir, workDir) {
      // The type check runs in a worker thread while the submission is graded: it only adds
      // warnings, so it stays off the grade's critical path.
      const { prepared, typeWarnings } = await prepareSubmissionDeferred(submissionDir, workDir);
      return { ok: prepared.ok, entryRel: prepared.entryRel, warnings: prepared.warnings, typeWarnings, ...(prepared.error !== undefined ? { error: prepared.error } : {}) };
    },
    async createExecutor(workDir, prepared, limits) {
      return createSandboxExecutor({ workDir, entryRel: prepared.entryRel ?? 'submission/rnn.js' }, limits);
    },
  };
}
