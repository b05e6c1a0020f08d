/**
 * Total CPU of a grading run, children included, on Linux. getrusage (and `time`) miss the
 * sandboxed children: they sit under prlimit → bubblewrap in their own pid namespace and are
 * killed, never reaped by the grader. So: the grader's own CPU plus what it reaped (the growth of
 * the caller's own cutime+cstime once it has reaped the grader: exact), plus every process below
 * the grader's launcher (or below a non-node child of a grader that spawns them itself: prlimit,
 * bwrap), sampled from /proc every few milliseconds (its largest value; the last few milliseconds
 * of each such process are missed). The grader's long-lived helpers (the launcher, the
 * transpiler's node and esbuild), which it never reaps, are sampled the same way and counted apart.
 */
import { readFileSync } from 'node:fs';
import { LAUNCHER_MARK } from '../grader/sandbox/launcher-transport';
import { childPids, readStat, TICKS_PER_SECOND } from '../grader/sandbox/process-cpu';

const stat = (pid: number) => readStat(`/proc/${pid}/stat`);

export function reapedSeconds(): number {
  return (stat(process.pid)?.reapedTicks ?? 0) / TICKS_PER_SECOND;
}

export interface TreeCpuSampler {
  /** Stops sampling; CPU seconds of the sandboxed processes seen below the grader, and of its unreaped helpers. */
  stop(): { sandboxed: number; helpers: number };
}

function isLauncher(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(LAUNCHER_MARK);
  } catch {
    return false;
  }
}

/** Starts sampling the tree below `pid` (the grader process) every `intervalMs`. */
export function sampleTreeCpu(pid: number, intervalMs = 10): TreeCpuSampler {
  const sandboxed = new Map<number, number>();
  const helpers = new Map<number, number>();
  const visit = (into: Map<number, number>, p: number, depth: number) => {
    const s = stat(p);
    if (!s) return;
    into.set(p, Math.max(into.get(p) ?? 0, s.ownTicks));
    if (depth < 16) for (const child of childPids(p)) visit(into, child, depth + 1);
  };
  const launchers = new Set<number>();
  const sample = () => {
    for (const child of childPids(pid)) {
      const s = stat(child);
      if (!s) continue;
      if (s.comm !== 'node') {
        for (const below of childPids(child)) visit(sandboxed, below, 1); // an older grader's own spawns
        continue;
      }
      // Only a yes is kept: just after the fork, before exec, a launcher still shows the grader's command line.
      if (!launchers.has(child) && isLauncher(child)) launchers.add(child);
      if (!launchers.has(child)) {
        visit(helpers, child, 1); // the transpiler's helper and its esbuild
        continue;
      }
      helpers.set(child, Math.max(helpers.get(child) ?? 0, s.ownTicks));
      for (const below of childPids(child)) visit(sandboxed, below, 1);
    }
  };
  const total = (ticks: Map<number, number>) => [...ticks.values()].reduce((sum, t) => sum + t, 0) / TICKS_PER_SECOND;
  const timer = setInterval(sample, intervalMs);
  return {
    stop() {
      clearInterval(timer);
      return { sandboxed: total(sandboxed), helpers: total(helpers) };
    },
  };
}
