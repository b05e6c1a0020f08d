/**
 * What starting a sandboxed process costs the grader: forking itself (spawnTransport) against
 * asking the launcher (launcherTransport), in a process holding as much memory as a grader does
 * during a batch (~400 MB: the type check's program, the data, the judge's cases).
 *
 *   npx tsx bench/launcher.ts [--heap-mb 400] [--starts 20] [--rounds 3]
 *
 * Per transport, alternating rounds: the CPU per start of the grader (process.cpuUsage) plus the
 * launcher's (/proc), and the longest stall of its event loop while the starts ran (what the other
 * submission's answers waited). Each start runs /bin/true to its end.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { tmpdir } from 'node:os';
import { launcherPid, launcherTransport } from '../grader/sandbox/launcher-transport';
import { processTreeCpuSeconds } from '../grader/sandbox/process-cpu';
import type { Launch } from '../grader/sandbox/runtime';
import { spawnTransport } from '../grader/sandbox/transport';
import type { TransportFactory } from '../grader/sandbox/transport';
import { median } from './stats';

const args = process.argv.slice(2);
const flag = (name: string, fallback: number) =>
  args.includes(name) ? Number(args[args.indexOf(name) + 1]) : fallback;
const heapMb = flag('--heap-mb', 400);
const starts = flag('--starts', 20);
const rounds = flag('--rounds', 3);

const ballast: Float64Array[] = [];
for (let i = 0; i < heapMb; i++) ballast.push(new Float64Array(131072).fill(i)); // 1 MB each

const launch: Launch = { command: '/bin/true', args: [], env: {}, cwd: tmpdir(), runnerInside: '', workInside: '' };

function runOnce(transport: TransportFactory): Promise<void> {
  return new Promise((resolve, reject) =>
    transport(launch, {
      stdout: () => undefined,
      stderr: () => undefined,
      channel: () => undefined,
      failedToStart: reject,
      exited: () => undefined,
      closed: () => resolve(),
    }),
  );
}

/** The launcher's own CPU seconds (its side of each fork; /proc, 10 ms ticks). */
const launcherCpu = () => processTreeCpuSeconds(launcherPid()!) ?? 0;

async function measure(transport: TransportFactory): Promise<{ cpuMs: number; stallMs: number }> {
  const delay = monitorEventLoopDelay({ resolution: 1 });
  delay.enable();
  const before = process.cpuUsage();
  const launcherBefore = launcherCpu();
  for (let i = 0; i < starts; i++) await runOnce(transport);
  const used = process.cpuUsage(before);
  const launcherMs = (launcherCpu() - launcherBefore) * 1000;
  delay.disable();
  return { cpuMs: ((used.user + used.system) / 1000 + launcherMs) / starts, stallMs: delay.max / 1e6 };
}

async function main(): Promise<void> {
  // The transports unref their processes (the executor's request timers keep a grader alive).
  const keepAlive = setInterval(() => undefined, 1000);
  await runOnce(launcherTransport); // the launcher's own start, once per grader run
  const results: Record<string, Array<{ cpuMs: number; stallMs: number }>> = { fork: [], launcher: [] };
  for (let round = 0; round < rounds; round++) {
    results.fork.push(await measure(spawnTransport));
    results.launcher.push(await measure(launcherTransport));
  }
  console.log(`${starts} starts × ${rounds} rounds, ${heapMb} MB held (median of the rounds):`);
  for (const [name, rows] of Object.entries(results))
    console.log(
      `${name.padEnd(9)} CPU per start ${median(rows.map((r) => r.cpuMs)).toFixed(2)} ms, longest event-loop stall ${median(rows.map((r) => r.stallMs)).toFixed(1)} ms`,
    );
  console.log(`ballast ${ballast.length} MB`);
  clearInterval(keepAlive);
}

void main();
