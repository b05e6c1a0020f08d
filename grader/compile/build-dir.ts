/**
 * One private scratch folder per grader run for the artefacts built once and shared by every
 * submission (the `rnn-lab` bundle, the sandbox runner). It is world-readable (0755) so that a
 * child running as an unprivileged uid can read the artefacts, and removed when the process exits.
 */
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

let buildDir: string | undefined;

export function getBuildDir(): string {
  if (buildDir) {
    // Someone may have cleaned the temp dir under us: put the folder back (callers rebuild).
    if (!existsSync(buildDir)) mkdirSync(buildDir, { recursive: true, mode: 0o755 });
    return buildDir;
  }
  const dir = mkdtempSync(join(tmpdir(), 'rnn-grader-build-'));
  chmodSync(dir, 0o755);
  process.once('exit', () => {
    try {
      rmSync(dir, { recursive: true, force: true });
    } catch {
      // best effort: a leftover folder in the temp dir is harmless
    }
  });
  buildDir = dir;
  return dir;
}

/** Removes this run's build folder now (tests; jest's sandboxed `process` never emits 'exit'). */
export function removeBuildDir(): void {
  if (!buildDir) return;
  rmSync(buildDir, { recursive: true, force: true });
}
