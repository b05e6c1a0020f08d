/**
 * Turns a submission folder into a self-contained folder the sandbox can run:
 *
 *   <workDir>/package.json                 {"type":"commonjs"} (stops Node's package lookup here)
 *   <workDir>/submission/rnn.js, …         the submission's own .ts/.js files as CommonJS
 *   <workDir>/node_modules/rnn-lab/…       the lab's support module, bundled once per grader run
 *
 * Nothing of the submission is executed here. A syntax error fails the preparation with
 * `rnn.ts:12:5: message`; type errors (against the lab contract) only become warnings.
 * Anything the submission imports from outside its folder is simply not in the work dir.
 */
import { chmodSync, existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { collectSubmissionFiles, DEFAULT_COLLECT_LIMITS } from './collect';
import type { CollectLimits, SubmissionFile } from './collect';
import { installLabBundle } from './lab-bundle';
import { outputName, transpileFiles, transpileFilesAsync } from './transpile';
import type { TranspileFilesResult } from './transpile';
import { typeCheckSubmission } from './typecheck';
import { typeCheckIsolated, typeCheckIsolatedAsync } from './typecheck-isolated';

export { buildLabBundle } from './lab-bundle';
export { removeBuildDir } from './build-dir';
export type { LabBundle } from './lab-bundle';
export { MAX_TYPE_WARNINGS } from './typecheck';
export { stopTypeCheckWorker, warmUpTypeCheck } from './typecheck-isolated';
export { stopTranspiler, warmUpTranspiler } from './transpile';

/** Folder (inside the work dir) that holds the compiled submission. */
export const SUBMISSION_SUBDIR = 'submission';

export interface PreparedSubmission {
  ok: boolean;
  /** Absolute path of the compiled entry module, `<workDir>/submission/rnn.js`. */
  entry: string;
  /** The entry relative to the work dir (`submission/rnn.js`), for the sandbox's own mount point. */
  entryRel: string;
  workDir: string;
  /** Non-fatal notes: skipped files and symlinks, type errors (at most ~10). */
  warnings: string[];
  /** Why the submission cannot run at all: no rnn.ts, or a syntax error as `rnn.ts:12:5: message`. */
  error?: string;
  /** Milliseconds spent reading, transpiling and type-checking. */
  timings: { collectMs: number; transpileMs: number; typeCheckMs: number };
}

export interface PrepareOptions {
  /**
   * Type-check against the lab contract (default true: in a worker thread with a time and heap
   * limit, see ./typecheck-isolated.ts); 'inline' checks in this thread (tests, tools).
   */
  typeCheck?: boolean | 'inline';
  /** Budget of the isolated type check (default 20 s). */
  typeCheckTimeoutMs?: number;
  limits?: CollectLimits;
}

/**
 * Prepares a submission synchronously. The type check runs in a worker thread, but this call
 * waits for it (up to `typeCheckTimeoutMs`) with the event loop blocked; a grader that runs other
 * submissions concurrently should use prepareSubmissionAsync.
 */
export function prepareSubmission(
  submissionDir: string,
  workDir: string,
  options: PrepareOptions = {},
): PreparedSubmission {
  const staged = stage(submissionDir, workDir, options);
  if (!staged.typeCheck) return staged.result;
  return finish(staged, () =>
    options.typeCheck === 'inline'
      ? typeCheckSubmission(staged.typeCheck!.files)
      : typeCheckIsolated(staged.typeCheck!.files, { timeoutMs: options.typeCheckTimeoutMs }),
  );
}

/** The same, with the transpiler and the type check awaited instead of blocking the event loop. */
export async function prepareSubmissionAsync(
  submissionDir: string,
  workDir: string,
  options: PrepareOptions = {},
): Promise<PreparedSubmission> {
  const staged = await stageAsync(submissionDir, workDir, options);
  if (!staged.typeCheck) return staged.result;
  const { files } = staged.typeCheck;
  const warnings =
    options.typeCheck === 'inline'
      ? typeCheckSubmission(files)
      : await typeCheckIsolatedAsync(files, { timeoutMs: options.typeCheckTimeoutMs });
  return finish(staged, () => warnings);
}

/**
 * Prepares without waiting for the type check: the submission can run at once, and the type
 * warnings (never a verdict) arrive when the worker is done.
 */
export async function prepareSubmissionDeferred(
  submissionDir: string,
  workDir: string,
  options: PrepareOptions = {},
): Promise<{ prepared: PreparedSubmission; typeWarnings: Promise<string[]> }> {
  const staged = await stageAsync(submissionDir, workDir, options);
  if (!staged.typeCheck) return { prepared: staged.result, typeWarnings: Promise.resolve([]) };
  const { files } = staged.typeCheck;
  const typeWarnings = typeCheckIsolatedAsync(files, { timeoutMs: options.typeCheckTimeoutMs }).catch(
    (error: unknown) => [`type check failed: ${error instanceof Error ? error.message : String(error)}`],
  );
  return { prepared: staged.result, typeWarnings };
}

interface Staged {
  result: PreparedSubmission;
  /** Set when the files are in place and a type check is wanted. */
  typeCheck?: { files: SubmissionFile[] };
}

function finish(staged: Staged, check: () => string[]): PreparedSubmission {
  const started = performance.now();
  try {
    staged.result.warnings.push(...check());
  } catch (error) {
    staged.result.warnings.push(`type check failed: ${error instanceof Error ? error.message : String(error)}`);
  }
  staged.result.timings.typeCheckMs = performance.now() - started;
  return staged.result;
}

/** Reads, transpiles (in a child process, waited for synchronously) and writes everything; the type check is left to the caller. */
function stage(submissionDir: string, workDir: string, options: PrepareOptions): Staged {
  const read = readStage(submissionDir, workDir, options);
  if ('done' in read) return read.done;
  return writeStage(read, transpileFiles(read.files), options);
}

/** The same, awaiting the transpiler's child process. */
async function stageAsync(submissionDir: string, workDir: string, options: PrepareOptions): Promise<Staged> {
  const read = readStage(submissionDir, workDir, options);
  if ('done' in read) return read.done;
  return writeStage(read, await transpileFilesAsync(read.files), options);
}

interface ReadStage {
  work: string;
  root: string;
  files: SubmissionFile[];
  result: (error?: string) => PreparedSubmission;
  timings: PreparedSubmission['timings'];
  started: number;
}

function readStage(submissionDir: string, workDir: string, options: PrepareOptions): ReadStage | { done: Staged } {
  const work = resolve(workDir);
  const timings = { collectMs: 0, transpileMs: 0, typeCheckMs: 0 };
  const started = performance.now();
  const collected = collectSubmissionFiles(submissionDir, options.limits ?? DEFAULT_COLLECT_LIMITS);
  timings.collectMs = performance.now() - started;
  const warnings = collected.warnings.slice();

  const entrySource =
    collected.files.find((file) => file.rel === 'rnn.ts') ?? collected.files.find((file) => file.rel === 'rnn.js');
  const entryRel = `${SUBMISSION_SUBDIR}/${entrySource ? outputName(entrySource) : 'rnn.js'}`;
  const result = (error?: string): PreparedSubmission => ({
    ok: error === undefined,
    entry: join(work, entryRel),
    entryRel,
    workDir: work,
    warnings,
    ...(error === undefined ? {} : { error }),
    timings,
  });
  if (!entrySource) return { done: { result: result('the submission folder has no rnn.ts') } };
  return { work, root: collected.root, files: collected.files, result, timings, started: performance.now() };
}

function writeStage(read: ReadStage, transpiled: TranspileFilesResult, options: PrepareOptions): Staged {
  const { work, result, timings, started } = read;
  if (!transpiled.ok) {
    timings.transpileMs = performance.now() - started;
    return { result: result(transpiled.error) };
  }
  const outputs = read.files.map((file, index) => ({ file, code: transpiled.codes[index] }));

  prepareWorkDir(work);
  const submissionRoot = join(work, SUBMISSION_SUBDIR);
  makeDir(submissionRoot);
  for (const { file, code } of outputs) {
    const target = join(submissionRoot, outputName(file));
    makeDir(dirname(target));
    writeFileSync(target, code, { mode: 0o644 });
    chmodSync(target, 0o644);
  }
  installLabBundle(work);
  timings.transpileMs = performance.now() - started;
  if (options.typeCheck === false) return { result: result() };
  return { result: result(), typeCheck: { files: read.files } };
}

function prepareWorkDir(work: string): void {
  if (existsSync(work) && readdirSync(work).length > 0) throw new Error(`work dir ${work} is not empty`);
  makeDir(work);
  writeFileSync(join(work, 'package.json'), JSON.stringify({ private: true, type: 'commonjs' }) + '\n', {
    mode: 0o644,
  });
}

function makeDir(path: string): void {
  mkdirSync(path, { recursive: true, mode: 0o755 });
  chmodSync(path, 0o755);
}
