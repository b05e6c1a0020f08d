/**
 * Runs the type check in a worker thread with a heap limit and a wall-clock limit, while keeping
 * prepareSubmission synchronous: the caller blocks on an Atomics.wait until the worker answers or
 * the time is up (then the worker is terminated and the next check starts a new one). A check
 * that is cut short only costs the submission its type warnings, never its grading.
 */
import { buildSync } from 'esbuild';
import { chmodSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { MessageChannel, receiveMessageOnPort, Worker } from 'node:worker_threads';
import type { MessagePort } from 'node:worker_threads';
import { getBuildDir } from './build-dir';
import type { SubmissionFile } from './collect';
import { labEntryPath } from './paths';
import { MAX_TYPE_WARNINGS } from './typecheck';

const DEFAULT_TIMEOUT_MS = 20_000;
const DEFAULT_HEAP_MB = 1024;

export interface IsolatedTypeCheckOptions {
  /** Wall-clock budget of one check (default 20 s; the first check of a run parses the libraries, 3-6 s). */
  timeoutMs?: number;
  /** Old-space limit of the worker, MiB (default 1024). */
  maxHeapMb?: number;
  maxWarnings?: number;
}

interface State {
  worker: Worker;
  flag: Int32Array;
  replies: MessagePort;
  heapMb: number;
}

/** One worker for synchronous callers (blocked on Atomics.wait), one for asynchronous ones. */
const states: { sync?: State; async?: State } = {};
let asyncQueue: Promise<unknown> = Promise.resolve();
let bundlePath: string | undefined;

function workerBundle(): string {
  if (bundlePath && existsSync(bundlePath)) return bundlePath;
  const outfile = join(getBuildDir(), 'typecheck-worker.js');
  buildSync({
    entryPoints: [join(__dirname, existsSync(join(__dirname, 'typecheck-worker.ts')) ? 'typecheck-worker.ts' : 'typecheck-worker.js')],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    outfile,
    external: ['typescript', 'esbuild'],
    logLevel: 'silent',
  });
  chmodSync(outfile, 0o644);
  bundlePath = outfile;
  return outfile;
}

function startWorker(heapMb: number): State {
  const flag = new Int32Array(new SharedArrayBuffer(4));
  const { port1, port2 } = new MessageChannel();
  const worker = new Worker(workerBundle(), {
    workerData: { typescript: require.resolve('typescript'), labEntry: labEntryPath(), flag, replies: port2 },
    transferList: [port2],
    resourceLimits: { maxOldGenerationSizeMb: heapMb },
    stdout: true,
    stderr: true,
  });
  worker.unref();
  port1.unref();
  worker.on('error', () => undefined); // an OOM'd or crashed worker is noticed by the timeout
  return { worker, flag, replies: port1, heapMb };
}

function stopWorker(kind: 'sync' | 'async'): void {
  const current = states[kind];
  if (!current) return;
  void current.worker.terminate();
  current.replies.close();
  states[kind] = undefined;
}

function workerFor(kind: 'sync' | 'async', heapMb: number): State {
  const existing = states[kind];
  if (existing && existing.heapMb === heapMb) return existing;
  stopWorker(kind);
  const fresh = startWorker(heapMb);
  states[kind] = fresh;
  return fresh;
}

type Reply = { warnings: string[] } | { error: string };

function skipped(timeoutMs: number): string[] {
  return [`type check skipped: it did not finish within ${Math.round(timeoutMs / 1000)} s or ran out of memory (type-level recursion?)`];
}

function interpret(reply: Reply): string[] {
  return 'error' in reply ? [`type check failed: ${reply.error}`] : reply.warnings;
}

function job(root: string, files: readonly SubmissionFile[], options: IsolatedTypeCheckOptions) {
  return { root, files, maxWarnings: options.maxWarnings ?? MAX_TYPE_WARNINGS };
}

/** Blocks the calling thread (its event loop included) for up to `timeoutMs`. */
export function typeCheckIsolated(root: string, files: readonly SubmissionFile[], options: IsolatedTypeCheckOptions = {}): string[] {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const current = workerFor('sync', options.maxHeapMb ?? DEFAULT_HEAP_MB);
  Atomics.store(current.flag, 0, 0);
  current.worker.postMessage(job(root, files, options));
  const waited = Atomics.wait(current.flag, 0, 0, timeoutMs);
  const reply = receiveMessageOnPort(current.replies)?.message as Reply | undefined;
  if (waited === 'timed-out' || !reply) {
    stopWorker('sync');
    return skipped(timeoutMs);
  }
  return interpret(reply);
}

/** The same without blocking the event loop (checks queue up; one runs at a time). */
export function typeCheckIsolatedAsync(root: string, files: readonly SubmissionFile[], options: IsolatedTypeCheckOptions = {}): Promise<string[]> {
  const run = async (): Promise<string[]> => {
    const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const current = workerFor('async', options.maxHeapMb ?? DEFAULT_HEAP_MB);
    let timer: NodeJS.Timeout | undefined;
    const reply = await new Promise<Reply | undefined>((resolve) => {
      current.replies.once('message', resolve);
      timer = setTimeout(() => resolve(undefined), timeoutMs);
      current.worker.postMessage(job(root, files, options));
    });
    clearTimeout(timer);
    if (!reply) {
      stopWorker('async');
      return skipped(timeoutMs);
    }
    return interpret(reply);
  };
  const result = asyncQueue.then(run, run);
  asyncQueue = result.catch(() => undefined);
  return result;
}

/** Ends the workers (tests; a grader run may leave them, they are unref'd). */
export function stopTypeCheckWorker(): void {
  stopWorker('sync');
  stopWorker('async');
}
