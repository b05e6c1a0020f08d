/**
 * The one place the grader meets the code that prepares and runs submissions (grader/compile and
 * grader/sandbox). Everything else talks to the ExecutionBackend interface below, so tests can
 * pass a fake backend and the rest of the grader does not depend on how the sandbox is built.
 *
 * Submission code never runs in the grader's own process: there is deliberately no in-process
 * fallback here.
 */
import type { Executor } from '../checks/protocol/requests';
import { prepareSubmissionDeferred, warmUpTranspiler, warmUpTypeCheck } from './compile';
import { createSandboxExecutor } from './sandbox/executor';
import { chooseSandboxRuntime } from './sandbox/runtime';
import { warmUpLauncher } from './sandbox/launcher-transport';
import type { SandboxLimits } from './sandbox/limits';

/**
 * What preparing a submission folder gave, as the grader sees it (compiled into a fresh work
 * folder; the type check still running). Not grader/compile's own PreparedSubmission.
 */
export interface BackendPreparation {
  ok: boolean;
  /** The compiled entry module relative to the work folder (default `submission/rnn.js`). */
  entryRel?: string;
  warnings: string[];
  /** Why it cannot be run (e.g. a syntax error), for the student. */
  error?: string;
  /** Type-check warnings, computed beside the run (they never block or change a verdict). */
  typeWarnings?: Promise<string[]>;
}

/** Limits for one submission's child process, each overriding the sandbox's default (grader/sandbox/limits.ts). */
export type LimitOverrides = Partial<SandboxLimits>;

export interface SandboxedExecutor extends Executor {
  close(): Promise<void>;
  /** How the code is contained, e.g. "bubblewrap (no network, read-only submission)". */
  describeSandbox(): string;
}

export interface ExecutionBackend {
  /** Copies/compiles `submissionDir` into `workDir` (a fresh, empty folder). */
  prepare(submissionDir: string, workDir: string): Promise<BackendPreparation>;
  /** Starts the child process serving the prepared submission. */
  createExecutor(workDir: string, prepared: BackendPreparation, limits: LimitOverrides): Promise<SandboxedExecutor>;
}

/** The real backend: grader/compile (transpile + type check) and grader/sandbox (child process). */
export function createDefaultBackend(): ExecutionBackend {
  // The first type check parses the libraries (~3 s of CPU in its worker thread): start now, in
  // parallel with the grader's own start-up, rather than when the first submission is prepared.
  warmUpTypeCheck();
  // The transpiler's helper process (node + esbuild's service, ~0.1 s) likewise starts now, and so
  // does the launcher that starts the sandboxed processes.
  warmUpTranspiler();
  warmUpLauncher();
  // So does choosing the sandbox (a self-test in a child process, ~0.1-0.4 s): it overlaps loading
  // the rubric and finding the submissions. A failure is said by sandboxInForce, before any grading.
  chooseSandboxRuntime().catch(() => undefined);
  return {
    async prepare(submissionDir, workDir) {
      // The type check runs in a worker thread while the submission is graded: it only adds
      // warnings, so it stays off the grade's critical path.
      const { prepared, typeWarnings } = await prepareSubmissionDeferred(submissionDir, workDir);
      return {
        ok: prepared.ok,
        entryRel: prepared.entryRel,
        warnings: prepared.warnings,
        typeWarnings,
        ...(prepared.error !== undefined ? { error: prepared.error } : {}),
      };
    },
    async createExecutor(workDir, prepared, limits) {
      return createSandboxExecutor({ workDir, entryRel: prepared.entryRel ?? 'submission/rnn.js' }, limits);
    },
  };
}

/** Only the fallback (no OS sandbox) is available, and the TA did not allow it. */
export class WeakSandboxError extends Error {}

/**
 * The sandbox submissions will run in, in one line for the console. Without bubblewrap the grader
 * refuses (WeakSandboxError) unless the TA allows the weaker fallback explicitly: it has no private
 * mount namespace, so a submission can reach Unix sockets on the host's file system.
 */
export async function sandboxInForce(options: { allowWeakSandbox?: boolean } = {}): Promise<string> {
  const runtime = await chooseSandboxRuntime();
  if (runtime.mode === 'fallback' && !options.allowWeakSandbox) {
    throw new WeakSandboxError(
      `no OS sandbox is available (${runtime.fallback.reason}). Install bubblewrap (.ci/install-system-deps.sh), ` +
        'or pass --allow-weak-sandbox to grade with the fallback (a plain node child under the permission model, each submission as its own uid when run as root; ' +
        'it can still reach Unix sockets on this machine: see docs/threat-model.md).',
    );
  }
  return runtime.description;
}
