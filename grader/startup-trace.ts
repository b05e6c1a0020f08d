/**
 * For bench/startup.ts: with RNN_GRADER_TRACE_FIRST_VERDICT=FILE set, the grader writes, when
 * the first check verdict of the process is known, how long after its start that was and the CPU
 * it had used (its threads; children it has reaped), as one line of JSON. Nothing otherwise.
 */
import { readFileSync, writeFileSync } from 'node:fs';

let noted = false;

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
      childrenCpuMs: reapedChildrenCpuMs(),
    }) + '\n',
  );
}

/** cutime + cstime of /proc/self/stat (Linux), in ms; undefined elsewhere. */
function reapedChildrenCpuMs(): number | undefined {
  try {
    const stat = readFileSync('/proc/self/stat', 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // fields[0] is field 3 (state): cutime and cstime are fields 16 and 17
    return ((Number(fields[13]) + Number(fields[14])) * 1000) / 100;
  } catch {
    return undefined;
  }
}
