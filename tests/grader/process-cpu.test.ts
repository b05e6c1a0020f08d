/**
 * CPU accounting of a child's process tree (used by the benchmarks to measure sandboxed
 * submissions from outside), and the V8 flags every sandboxed child gets.
 */
import { spawn } from 'node:child_process';
import { processTreeCpuSeconds, threadCpuSeconds } from '../../grader/sandbox/process-cpu';
import { buildLaunch, DEFAULT_NODE_FLAGS, getSandboxRuntime } from '../../grader/sandbox/runtime';

const BUSY_MS = 600;
/** On a busy machine the grandchild may get a small share of a core: wait long for its CPU. */
const WAIT_FOR_CPU_MS = 45_000;
const SLOW_TEST_MS = 90_000;

test("counts one thread's CPU (the type check's spare workers wait on it), and nothing for an unknown thread", () => {
  const main = process.pid; // the main thread's id is the process id
  const before = threadCpuSeconds(main)!;
  const start = process.cpuUsage();
  while (process.cpuUsage(start).user < 300_000); // 0.3 s of this thread's CPU
  expect(threadCpuSeconds(main)! - before).toBeGreaterThanOrEqual(0.2); // the process-wide count includes a little of other threads
  expect(threadCpuSeconds(2 ** 30)).toBeUndefined();
});

test(
  'counts the CPU of a grandchild that burns it, and nothing for a process that is gone',
  async () => {
    // sh → node: the busy process is a descendant, as node is under prlimit → bwrap in the sandbox
    // It burns BUSY_MS of its own CPU time (not of wall time: on a busy machine it gets a small share).
    const script = `const cpuMs = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; }; while (cpuMs() < ${BUSY_MS}); setInterval(() => {}, 1000);`;
    const shell = spawn('sh', ['-c', `${JSON.stringify(process.execPath)} -e ${JSON.stringify(script)} & wait`], {
      stdio: 'ignore',
      detached: true,
    });
    const started = performance.now();
    try {
      let cpu = 0;
      while (performance.now() - started < WAIT_FOR_CPU_MS) {
        cpu = processTreeCpuSeconds(shell.pid!) ?? 0;
        if (cpu >= (BUSY_MS / 1000) * 0.8) break;
        await new Promise((done) => setTimeout(done, 50));
      }
      expect(cpu).toBeGreaterThanOrEqual((BUSY_MS / 1000) * 0.8);
      // CPU cannot exceed what the elapsed wall time allows on this machine's cores
      expect(cpu).toBeLessThan(((performance.now() - started) / 1000) * 4 + 0.1);
    } finally {
      process.kill(-shell.pid!, 'SIGKILL');
    }
    await new Promise((done) => shell.on('exit', done));
    expect(processTreeCpuSeconds(shell.pid!)).toBeUndefined();
  },
  SLOW_TEST_MS,
);

test(
  "every sandboxed node runs with the default V8 flags (the GC on the submission's thread)",
  () => {
    expect(DEFAULT_NODE_FLAGS).toContain('--single-threaded-gc');
    const runtime = getSandboxRuntime();
    expect(runtime.nodeFlags).toEqual(DEFAULT_NODE_FLAGS);
    const launch = buildLaunch(runtime, '/tmp/nowhere', { memoryMb: 64, cpuSeconds: 10, fileSizeBytes: 1024 }, '/tmp');
    const nodeAt = launch.args.lastIndexOf(runtime.nodePath);
    const nodeArgs = nodeAt >= 0 ? launch.args.slice(nodeAt + 1) : [launch.command, ...launch.args];
    for (const flag of DEFAULT_NODE_FLAGS) expect(nodeArgs).toContain(flag);
    const without = buildLaunch(
      { ...runtime, nodeFlags: [] },
      '/tmp/nowhere',
      { memoryMb: 64, cpuSeconds: 10, fileSizeBytes: 1024 },
      '/tmp',
    );
    expect(without.args).not.toContain('--single-threaded-gc');
  },
  SLOW_TEST_MS,
);
