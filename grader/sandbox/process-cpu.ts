/**
 * CPU time of a process and all its live descendants, read from Linux's /proc. The sandboxed
 * child sits under prlimit → bubblewrap in its own pid namespace and is killed, never waited
 * for, so getrusage and `time` do not see it; reading /proc before the kill does.
 */
import { readdirSync, readFileSync } from 'node:fs';

/** USER_HZ: the unit of /proc's utime and stime; 100 on every architecture Linux exports to user space. */
export const TICKS_PER_SECOND = 100;

/** user + system seconds of `pid` and its descendants, or undefined when /proc cannot tell (not Linux, gone). */
export function processTreeCpuSeconds(pid: number): number | undefined {
  const ticks = treeTicks(pid, 0);
  return ticks === undefined ? undefined : ticks / TICKS_PER_SECOND;
}

/** user + system seconds of one thread of this process (its Linux thread id), or undefined. */
export function threadCpuSeconds(tid: number): number | undefined {
  const ticks = readStat(`/proc/self/task/${tid}/stat`)?.ownTicks;
  return ticks === undefined ? undefined : ticks / TICKS_PER_SECOND;
}

export interface ProcStat {
  /** The command name (at most 15 characters). */
  comm: string;
  /** utime + stime, in ticks of 1/TICKS_PER_SECOND s. */
  ownTicks: number;
  /** cutime + cstime: what it has reaped of its children, in ticks. */
  reapedTicks: number;
}

/** A /proc stat file (of a process or a thread), or undefined when it cannot be read or parsed. */
export function readStat(file: string): ProcStat | undefined {
  let stat: string;
  try {
    stat = readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  // Fields after the command name, which is in parentheses and may itself contain spaces.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ownTicks = Number(fields[11]) + Number(fields[12]); // utime, stime (fields 14 and 15 of stat)
  const reapedTicks = Number(fields[13]) + Number(fields[14]); // cutime, cstime
  if (!Number.isFinite(ownTicks)) return undefined;
  return { comm: stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')), ownTicks, reapedTicks };
}

function treeTicks(pid: number, depth: number): number | undefined {
  let ticks = readStat(`/proc/${pid}/stat`)?.ownTicks;
  if (ticks === undefined) return undefined;
  if (depth > 16) return ticks;
  for (const child of childPids(pid)) ticks += treeTicks(child, depth + 1) ?? 0;
  return ticks;
}

/** The processes `pid`'s threads started (from /proc; empty when it has ended). */
export function childPids(pid: number): number[] {
  const out: number[] = [];
  let tasks: string[];
  try {
    tasks = readdirSync(`/proc/${pid}/task`);
  } catch {
    return out;
  }
  for (const task of tasks) {
    try {
      const text = readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').trim();
      if (text) for (const child of text.split(' ')) out.push(Number(child));
    } catch {
      // the thread ended meanwhile
    }
  }
  return out;
}
