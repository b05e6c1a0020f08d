/**
 * Worker-thread entry for the type check (bundled by ./typecheck-isolated.ts). Type-checking is
 * the one place where the grader's own process chews on student input with a program whose cost
 * the input controls (type-level recursion can take minutes or gigabytes), so it runs here, in a
 * worker with its own heap limit that the grader can terminate. Parsed library files stay cached
 * in the worker between submissions.
 */
import { readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';
import { parentPort, workerData } from 'worker_threads';
import type { MessagePort } from 'worker_threads';
import { configureTypeCheck, typeCheckSubmission } from './typecheck';
import type { SubmissionFile } from './collect';

/** Nice value of the type check's thread (0 is the grader's; 19 the lowest priority). */
const TYPE_CHECK_NICE = 5;

interface Job {
  /** Echoed in the reply, so that a late answer is never taken for another job's. */
  id?: number;
  files: SubmissionFile[];
  maxWarnings: number;
}

const { typescript, labEntry, flag, threadId, replies } = workerData as {
  typescript: string;
  labEntry: string;
  flag: Int32Array;
  /** Where this thread's Linux thread id goes (0 if unknown), for the grader to read its CPU time. */
  threadId: Int32Array;
  replies: MessagePort;
};
configureTypeCheck({ typescript, labEntry });
yieldToGrading();

/**
 * Type warnings never decide a verdict: this thread gives way to the grader's main thread and the
 * submissions' children when the cores are busy (Linux nice values are per thread). Its first
 * check parses the libraries (~3 s of CPU) while the grader starts up, no longer ahead of it.
 */
function yieldToGrading(): void {
  try {
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    if (!Number.isInteger(tid) || tid <= 0) return;
    Atomics.store(threadId, 0, tid);
    setPriority(tid, TYPE_CHECK_NICE);
  } catch {
    // not Linux, or not allowed: the check runs at the grader's priority
  }
}

parentPort!.on('message', (job: Job) => {
  let reply: ({ warnings: string[] } | { error: string }) & { id?: number };
  try {
    reply = { id: job.id, warnings: typeCheckSubmission(job.files, job.maxWarnings) };
  } catch (error) {
    reply = { id: job.id, error: error instanceof Error ? error.message : String(error) };
  }
  replies.postMessage(reply);
  Atomics.store(flag, 0, 1);
  Atomics.notify(flag, 0);
});
