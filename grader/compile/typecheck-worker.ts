/**
 * Worker-thread entry for the type check (bundled by ./typecheck-isolated.ts). Type-checking is
 * the one place where the grader's own process chews on student input with a program whose cost
 * the input controls (type-level recursion can take minutes or gigabytes), so it runs here, in a
 * worker with its own heap limit that the grader can terminate. Parsed library files stay cached
 * in the worker between submissions.
 */
import { parentPort, workerData } from 'worker_threads';
import type { MessagePort } from 'worker_threads';
import { configureTypeCheck, typeCheckSubmission } from './typecheck';
import type { SubmissionFile } from './collect';

interface Job {
  /** Echoed in the reply, so that a late answer is never taken for another job's. */
  id?: number;
  root: string;
  files: SubmissionFile[];
  maxWarnings: number;
}

const { typescript, labEntry, flag, replies } = workerData as {
  typescript: string;
  labEntry: string;
  flag: Int32Array;
  replies: MessagePort;
};
configureTypeCheck({ typescript, labEntry });

parentPort!.on('message', (job: Job) => {
  let reply: ({ warnings: string[] } | { error: string }) & { id?: number };
  try {
    reply = { id: job.id, warnings: typeCheckSubmission(job.root, job.files, job.maxWarnings) };
  } catch (error) {
    reply = { id: job.id, error: error instanceof Error ? error.message : String(error) };
  }
  replies.postMessage(reply);
  Atomics.store(flag, 0, 1);
  Atomics.notify(flag, 0);
});
