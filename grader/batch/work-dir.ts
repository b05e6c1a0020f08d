/**
 * The batch's private work folder (prepared submissions, unpacked zips): created readable by the
 * sandbox, removed at the end and on Ctrl-C, and those of dead grader processes cleaned up.
 */
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const WORK_DIR_PREFIX = 'rnn-grader-work-';

export interface WorkDir {
  path: string;
  /** Where each submission's prepared copy goes. */
  submissions: string;
  remove(): void;
}

/** A fresh work folder in `tmp`; `remove()` must be called (it also runs on process exit). */
export function createWorkDir(tmp: string): WorkDir {
  removeAbandonedWorkDirs(tmp);
  const path = mkdtempSync(join(tmp, `${WORK_DIR_PREFIX}${process.pid}-`));
  // Also on Ctrl-C (main() turns SIGINT/SIGTERM into process.exit, which runs 'exit' listeners).
  const removeNow = () => rmSync(path, { recursive: true, force: true });
  process.once('exit', removeNow);
  const remove = () => {
    process.removeListener('exit', removeNow);
    removeNow();
  };
  try {
    // The sandbox may run submissions as another user: it must be able to reach the prepared files.
    chmodSync(path, 0o755);
    const submissions = join(path, 'submissions');
    mkdirSync(submissions, { mode: 0o755 });
    chmodSync(submissions, 0o755);
    return { path, submissions, remove };
  } catch (error) {
    remove();
    throw error;
  }
}

/**
 * Removes work folders left behind by grader processes that no longer exist (a process killed
 * while busy cannot clean up after itself: under tsx, Ctrl-C during a long synchronous step such
 * as type checking ends in SIGKILL).
 */
function removeAbandonedWorkDirs(tmp: string): void {
  let names: string[];
  try {
    names = readdirSync(tmp);
  } catch {
    return;
  }
  for (const name of names) {
    const match = new RegExp(`^${WORK_DIR_PREFIX}(\\d+)-`).exec(name);
    if (!match || Number(match[1]) === process.pid) continue;
    try {
      process.kill(Number(match[1]), 0);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ESRCH') rmSync(join(tmp, name), { recursive: true, force: true });
    }
  }
}
