/**
 * Total CPU of a grading run, children included, on Linux. getrusage (and `time`) miss the
 * sandboxed children: they sit under prlimit → bubblewrap in their own pid namespace and are
 * killed, never reaped by the grader. So: the grader's own CPU plus what it reaped (the growth of
 * the caller's own cutime+cstime once it has reaped the grader: exact), plus every process below a
 * non-node child of the grader (the sandbox launchers), sampled from /proc every few milliseconds
 * (its largest value; the last few milliseconds of each such process are missed).
 */
import { readFileSync } from 'node:fs';
import { childPids } from '../grader/sandbox/process-cpu';

const TICKS_PER_SECOND = 100;

interface Stat {
  comm: string;
  own: number;
  reaped: number;
}

function stat(pid: number): Stat | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const comm = text.slice(text.indexOf('(') + 1, text.lastIndexOf(')'));
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return {
      comm,
      own: Number(fields[11]) + Number(fields[12]),
      reaped: Number(fields[13]) + Number(fields[14]),
    };
  } catch {
    return undefined;
  }
}

export function reapedSeconds(): number {
  return (stat(process.pid)?.reaped ?? 0) / TICKS_PER_SECOND;
}

export interface TreeCpuSampler {
  /** Stops sampling; CPU seconds of the sandboxed processes seen below the grader. */
  stop(): number;
}

/** Starts sampling the tree below `pid` (the grader process) every `intervalMs`. */
export function sampleTreeCpu(pid: number, intervalMs = 10): TreeCpuSampler {
  const sandboxed = new Map<number, number>();
  const visitSandboxed = (p: number, depth: number) => {
    const s = stat(p);
    if (!s) return;
    sandboxed.set(p, Math.max(sandboxed.get(p) ?? 0, s.own));
    if (depth < 16) for (const child of childPids(p)) visitSandboxed(child, depth + 1);
  };
  const sample = () => {
    for (const child of childPids(pid)) {
      const s = stat(child);
      // node children (the transpiler) are reaped by the grader: counted in its cutime
      if (s && s.comm !== 'node') for (const below of childPids(child)) visitSandboxed(below, 1);
    }
  };
  const timer = setInterval(sample, intervalMs);
  return {
    stop() {
      clearInterval(timer);
      return [...sandboxed.values()].reduce((sum, ticks) => sum + ticks, 0) / TICKS_PER_SECOND;
    },
  };
}
