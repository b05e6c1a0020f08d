/**
 * Loads and prepares the lab data in a worker thread (./data-worker.ts), so that the grader's
 * main thread starts grading meanwhile: the same numbers as loading it in place, or a rejection
 * with the loader's own message.
 */
import { Worker } from 'node:worker_threads';
import type { PreparedData } from '../reference/pipeline';
import { workerBundle } from './compile/worker-bundle';
import { markStartup } from './startup-trace';
import type { DataReply, PackedMatrix } from './data-worker';

function unpack({ rows, cols, values }: PackedMatrix): number[][] {
  // A plain loop (packed arrays of doubles): several times faster than Array.from per row.
  const matrix: number[][] = [];
  for (let r = 0, at = 0; r < rows; r++) {
    const row: number[] = [];
    for (let c = 0; c < cols; c++, at++) row.push(values[at]);
    matrix.push(row);
  }
  return matrix;
}

/** The splits as matrices, each unpacked on first use (the test split only for the HTML report). */
function lazilyUnpacked(reply: Extract<DataReply, { ok: true }>): PreparedData {
  let train: number[][] | undefined;
  let test: number[][] | undefined;
  return {
    get train() {
      return (train ??= unpack(reply.train));
    },
    get test() {
      return (test ??= unpack(reply.test));
    },
    means: reply.means,
    stds: reply.stds,
  };
}

/**
 * Starts loading. The worker does not keep the grader alive until `wanted()` is called (by whoever
 * awaits the data): a batch whose rubric needs no data never waits for it, or for a download.
 */
export function loadPreparedDataInWorker(dataPath?: string): { data: Promise<PreparedData>; wanted(): void } {
  const worker = new Worker(workerBundle('data-worker', __dirname), { workerData: { dataPath } });
  worker.unref();
  const data = new Promise<PreparedData>((resolve, reject) => {
    worker.once('message', (reply: DataReply) => {
      markStartup('data loaded');
      void worker.terminate();
      if (!reply.ok) return reject(new Error(reply.message));
      resolve(lazilyUnpacked(reply));
    });
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`the data loader's worker ended (exit ${code}) without an answer`)));
  });
  data.catch(() => undefined); // reported to whoever asks for the data, not as an unhandled rejection
  return { data, wanted: () => worker.ref() };
}
