/**
 * Runs the type check in a worker thread with a heap limit and a wall-clock limit, while keeping
 * prepareSubmission synchronous: the caller blocks on an Atomics.wait until the worker answers or
 * the time is up (then the worker is terminated and the next check starts a new one). A check
 * that is cut short only costs the submission its type warnings, never its grading.
 *
 * Asynchronous callers (the batch grader) share a small pool of workers, and each check's budget
 * starts when a warmed-up worker takes it: a type-level bomb holds one worker for its own budget
 * while the other submissions are checked on the others, so it never delays them by its budget,
 * and parsing the libraries (the grader's cost) is never charged to a submission.
 */
import { availableParallelism } from 'node:os';
import { MessageChannel, receiveMessageOnPort, Worker } from 'node:worker_threads';
import type { MessagePort } from 'node:worker_threads';
import type { SubmissionFile } from './collect';
import { threadCpuSeconds } from '../sandbox/process-cpu';
import { labEntryPath } from './paths';
import { MAX_TYPE_WARNINGS } from './typecheck';
import { workerBundle } from './worker-bundle';

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
  /** The worker thread's Linux thread id once it has written it (0 before, or elsewhere). */
  threadId: Int32Array;
  /** The check it is running: when it started, and the thread's CPU seconds then. */
  job?: { startedAt: number; cpuAtStart: number | undefined };
  replies: MessagePort;
  heapMb: number;
  /** Pool workers: settles once the libraries are parsed (outside any submission's budget). */
  ready?: Promise<void>;
}

/**
 * A check waits for a busy worker until every busy one has spent this long on its check: CPU time
 * of its thread where Linux tells it, else wall time. On a busy machine a normal check at nice 5
 * can take seconds of wall time, and a spare would only parse the libraries again (~3 CPU-s)
 * for nothing; a type-level bomb burns CPU and still gets its spare.
 */
const SPARE_WORKER_AFTER_MS = 2_000;
/** How often a waiting check looks again. */
const SPARE_LOOK_EVERY_MS = 250;
/** Longest wait for a pool worker's warm-up; past it, the check starts (and its budget) anyway. */
const WARM_UP_MS = 120_000;

/** A check of an empty rnn.ts: parses the libraries, the lab and the contract once per worker. */
const WARM_UP_JOB = {
  id: 0,
  files: [{ rel: 'rnn.ts', kind: 'ts', text: 'export {};\n' }],
  maxWarnings: 0,
};
/** Ids of asynchronous jobs (0 is the warm-up). */
let nextJobId = 1;

/** One worker for synchronous callers (blocked on Atomics.wait). */
const states: { sync?: State } = {};
/** Workers for asynchronous callers: all of them, the idle ones, and the checks waiting for one. */
const POOL_SIZE = Math.max(2, Math.min(4, availableParallelism()));
const pool = new Set<State>();
const idle: State[] = [];
const waiting: Array<{ heapMb: number; take: (state: State) => void }> = [];
function startWorker(heapMb: number): State {
  const flag = new Int32Array(new SharedArrayBuffer(4));
  const threadId = new Int32Array(new SharedArrayBuffer(4));
  const { port1, port2 } = new MessageChannel();
  const worker = new Worker(workerBundle('typecheck-worker', __dirname, { external: ['typescript', 'esbuild'] }), {
    workerData: { typescript: require.resolve('typescript'), labEntry: labEntryPath(), flag, threadId, replies: port2 },
    transferList: [port2],
    resourceLimits: { maxOldGenerationSizeMb: heapMb },
    stdout: true,
    stderr: true,
  });
  worker.unref();
  port1.unref();
  worker.on('error', () => undefined); // an OOM'd or crashed worker is noticed by the timeout
  return { worker, flag, threadId, replies: port1, heapMb };
}

function workerCpuSeconds(state: State): number | undefined {
  const tid = Atomics.load(state.threadId, 0);
  return tid > 0 ? threadCpuSeconds(tid) : undefined;
}

/** The worker has spent SPARE_WORKER_AFTER_MS on its current check (CPU where known). */
function heldLong(state: State): boolean {
  const job = state.job;
  if (!job) return false; // still parsing the libraries, or between checks: it will be free soon
  const now = workerCpuSeconds(state);
  const spentMs =
    job.cpuAtStart !== undefined && now !== undefined ? (now - job.cpuAtStart) * 1000 : Date.now() - job.startedAt;
  return spentMs >= SPARE_WORKER_AFTER_MS;
}

function terminate(state: State): void {
  void state.worker.terminate();
  state.replies.close();
}

function stopWorker(kind: 'sync'): void {
  const current = states[kind];
  if (!current) return;
  terminate(current);
  states[kind] = undefined;
}

/**
 * A pool worker for one check: an idle one; the first worker of the run; else the next one freed,
 * or a new one if none is freed within SPARE_WORKER_AFTER_MS. A warm check takes ~0.1 s, so one
 * worker keeps up with a batch, and each extra worker parses the libraries again (~3 s of CPU): a
 * second one only starts when a check holds the first one long (a type-level bomb).
 */
function acquire(heapMb: number): Promise<State> {
  const free = idle.findIndex((state) => state.heapMb === heapMb);
  if (free >= 0) return Promise.resolve(idle.splice(free, 1)[0]);
  if (pool.size >= POOL_SIZE && idle.length > 0) {
    const other = idle.shift()!; // idle, but with another heap limit: make room
    pool.delete(other);
    terminate(other);
  }
  if (pool.size === 0) {
    const fresh = startPoolWorker(heapMb);
    pool.add(fresh);
    return Promise.resolve(fresh);
  }
  return new Promise((take) => {
    const wanted = { heapMb, take };
    waiting.push(wanted);
    if (pool.size >= POOL_SIZE) return;
    const look = () => {
      const at = waiting.indexOf(wanted);
      if (at < 0 || pool.size >= POOL_SIZE) return;
      const busy = [...pool].filter((state) => !idle.includes(state));
      if (!busy.every(heldLong)) {
        setTimeout(look, SPARE_LOOK_EVERY_MS).unref();
        return;
      }
      waiting.splice(at, 1);
      const fresh = startPoolWorker(heapMb);
      pool.add(fresh);
      take(fresh);
    };
    setTimeout(look, SPARE_WORKER_AFTER_MS).unref();
  });
}

/** Starts the first pool worker now, so that the libraries are parsed while the grader starts up. */
export function warmUpTypeCheck(heapMb = DEFAULT_HEAP_MB): void {
  if (pool.size > 0) return;
  const fresh = startPoolWorker(heapMb);
  pool.add(fresh);
  idle.push(fresh);
}

/** Gives a worker back; one that was cut off (or crashed) is replaced. */
function release(state: State, healthy: boolean): void {
  let next = state;
  if (!healthy || !pool.has(state)) {
    pool.delete(state);
    terminate(state);
    const wanted = waiting[0];
    if (!wanted) return;
    next = startPoolWorker(wanted.heapMb);
    pool.add(next);
  }
  const at = waiting.findIndex((wanted) => wanted.heapMb === next.heapMb);
  if (at >= 0) waiting.splice(at, 1)[0].take(next);
  else if (waiting.length > 0) {
    pool.delete(next);
    terminate(next);
    const wanted = waiting.shift()!;
    const fresh = startPoolWorker(wanted.heapMb);
    pool.add(fresh);
    wanted.take(fresh);
  } else idle.push(next);
}

/**
 * A pool worker that first parses the libraries (3-6 s, much more on a busy machine): that cost is
 * the grader's, so it is paid before any submission's budget starts.
 */
function startPoolWorker(heapMb: number): State {
  const state = startWorker(heapMb);
  state.ready = new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, WARM_UP_MS);
    timer.unref();
    const done = () => {
      clearTimeout(timer);
      state.worker.off('exit', done);
      resolve();
    };
    const onReply = (reply: { id?: number }) => {
      if (reply.id === 0) {
        state.replies.off('message', onReply);
        done();
      }
    };
    state.replies.on('message', onReply);
    state.worker.once('exit', done);
  });
  state.worker.postMessage(WARM_UP_JOB);
  return state;
}

function workerFor(kind: 'sync', heapMb: number): State {
  const existing = states[kind];
  if (existing && existing.heapMb === heapMb) return existing;
  stopWorker(kind);
  const fresh = startWorker(heapMb);
  // Parse the libraries before the caller's budget starts (blocking, like the check itself).
  Atomics.store(fresh.flag, 0, 0);
  fresh.worker.postMessage(WARM_UP_JOB);
  Atomics.wait(fresh.flag, 0, 0, WARM_UP_MS);
  receiveMessageOnPort(fresh.replies);
  states[kind] = fresh;
  return fresh;
}

type Reply = { warnings: string[] } | { error: string };

function skipped(timeoutMs: number): string[] {
  return [
    `type check skipped: it did not finish within ${Math.round(timeoutMs / 1000)} s or ran out of memory (type-level recursion?)`,
  ];
}

function interpret(reply: Reply): string[] {
  return 'error' in reply ? [`type check failed: ${reply.error}`] : reply.warnings;
}

function job(files: readonly SubmissionFile[], options: IsolatedTypeCheckOptions) {
  return { files, maxWarnings: options.maxWarnings ?? MAX_TYPE_WARNINGS };
}

/** Blocks the calling thread (its event loop included) for up to `timeoutMs`. */
export function typeCheckIsolated(files: readonly SubmissionFile[], options: IsolatedTypeCheckOptions = {}): string[] {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const current = workerFor('sync', options.maxHeapMb ?? DEFAULT_HEAP_MB);
  Atomics.store(current.flag, 0, 0);
  current.worker.postMessage(job(files, options));
  const waited = Atomics.wait(current.flag, 0, 0, timeoutMs);
  const reply = receiveMessageOnPort(current.replies)?.message as Reply | undefined;
  if (waited === 'timed-out' || !reply) {
    stopWorker('sync');
    return skipped(timeoutMs);
  }
  return interpret(reply);
}

/**
 * The same without blocking the event loop, on a pool worker. The budget (`timeoutMs`) starts when
 * a worker takes the check, so time spent waiting for one is never charged to it.
 */
export async function typeCheckIsolatedAsync(
  files: readonly SubmissionFile[],
  options: IsolatedTypeCheckOptions = {},
): Promise<string[]> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const current = await acquire(options.maxHeapMb ?? DEFAULT_HEAP_MB);
  await current.ready;
  let timer: NodeJS.Timeout | undefined;
  let onExit: (() => void) | undefined;
  let onReply: ((reply: Reply & { id?: number }) => void) | undefined;
  const id = nextJobId++;
  const reply = await new Promise<Reply | undefined>((resolve) => {
    onReply = (answer) => {
      if (answer.id === id) resolve(answer);
    };
    current.replies.on('message', onReply);
    timer = setTimeout(() => resolve(undefined), timeoutMs);
    // A worker that runs out of heap exits at once: no need to wait for the budget.
    onExit = () => resolve(undefined);
    current.worker.once('exit', onExit);
    current.job = { startedAt: Date.now(), cpuAtStart: workerCpuSeconds(current) };
    current.worker.postMessage({ ...job(files, options), id });
  });
  current.job = undefined;
  clearTimeout(timer);
  current.worker.off('exit', onExit!);
  current.replies.off('message', onReply!);
  release(current, reply !== undefined);
  return reply ? interpret(reply) : skipped(timeoutMs);
}

/** Ends the workers (tests; a grader run may leave them, they are unref'd). */
export function stopTypeCheckWorker(): void {
  stopWorker('sync');
  for (const state of pool) terminate(state);
  pool.clear();
  idle.length = 0;
  // Checks still waiting get a fresh worker each rather than waiting forever.
  for (const wanted of waiting.splice(0)) {
    const fresh = startPoolWorker(wanted.heapMb);
    pool.add(fresh);
    wanted.take(fresh);
  }
}
