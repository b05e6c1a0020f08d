/**
 * Compiling the first submissions while the grader still starts up: their preparation (reading,
 * transpiling in the transpiler's helper process, writing the work folder; nothing of theirs runs)
 * begins before the grader waits for its choice of sandbox (a self-test, ~0.1–0.5 s), so that the
 * first verdict no longer waits for both one after the other.
 */
import { mkdirSync } from 'node:fs';
import type { Submission } from '../discover';
import type { BackendPreparation, ExecutionBackend } from '../execution';
import { preparedDirOf } from '../grade-submission';

export interface PreparingAhead {
  /** The backend, serving the preparations started ahead (each once) and preparing the rest as asked. */
  backend: ExecutionBackend;
  /** Settles when every preparation started ahead has (before the work folder is removed). */
  settled(): Promise<void>;
}

/**
 * Starts preparing `first` now, in the folders gradeSubmission prepares them in
 * (`<workDir>/submissions/<id>`); a submission that cannot be graded at all is left alone.
 */
export function prepareAhead(backend: ExecutionBackend, first: readonly Submission[], workDir: string): PreparingAhead {
  const started = new Map<string, Promise<BackendPreparation>>();
  const key = (submissionDir: string, preparedDir: string) => `${submissionDir}\0${preparedDir}`;
  for (const submission of first) {
    if (submission.problem) continue;
    const preparedDir = preparedDirOf(workDir, submission.id);
    try {
      mkdirSync(preparedDir, { recursive: true });
    } catch {
      continue; // prepared when its turn comes, where the error is its row's
    }
    const preparation = (async () => backend.prepare(submission.dir, preparedDir))();
    preparation.catch(() => undefined); // a failure is its submission's, when it is asked for
    started.set(key(submission.dir, preparedDir), preparation);
  }
  const all = [...started.values()];
  return {
    backend: {
      prepare(submissionDir, preparedDir) {
        const ahead = started.get(key(submissionDir, preparedDir));
        if (!ahead) return backend.prepare(submissionDir, preparedDir);
        started.delete(key(submissionDir, preparedDir));
        return ahead;
      },
      createExecutor: (preparedDir, prepared, limits) => backend.createExecutor(preparedDir, prepared, limits),
    },
    settled: async () => {
      await Promise.allSettled(all);
    },
  };
}
