/**
 * For bench/startup.ts: with RNN_GRADER_TRACE_FIRST_VERDICT=FILE set, the grader writes, when
 * the first check verdict of the process is known, how long after its start that was and the CPU
 * it had used (its threads; children it has reaped), as one line of JSON, with the moments of the
 * start-up's steps before it (markStartup). Nothing otherwise.
 */
import { readFileSync, writeFileSync } from 'node:fs';

let noted = false;
const tracing = Boolean(process.env.RNN_GRADER_TRACE_FIRST_VERDICT);
/** Milliseconds since the process started, per step, the first time each was reached. */
const marks: Record<string, number> = {};

/** Notes when a step of the start-up is first reached (only while tracing, and before the first verdict). */
export function markStartup(step: string): void {
  if (!tracing || noted || step in marks) return;
  marks[step] = Math.round(process.uptime() * 1000);
}

export function noteFirstVerdict(): void {
  if (noted) return;
  noted = true;
  const file = process.env.RNN_GRADER_TRACE_FIRST_VERDICT;
  if (!file) return;
  const cpu = process.cpuUsage();
  writeFileSync(
    file,
    JSON.stringify({
      uptimeMs: process.uptime() * 1000,
      cpuMs: (cpu.user + cpu.system) / 1000,
      mainThreadCpuMs: ticksMs(`/proc/self/task/${process.pid}/stat`, 11),
      childrenCpuMs: ticksMs('/proc/self/stat', 13),
      marks,
    }) + '\n',
  );
}

/**
 * Two adjacent tick counts of a /proc stat file (Linux), in ms; undefined elsewhere. `at` 11:
 * utime + stime (of a thread, under /proc/self/task/<tid>); 13: cutime + cstime (reaped children).
 */
function ticksMs(file: string, at: number): number | undefined {
  try {
    const stat = readFileSync(file, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[at]) + Number(fields[at + 1])) * 1000) / 100;
  } catch {
    return undefined;
  }
}
