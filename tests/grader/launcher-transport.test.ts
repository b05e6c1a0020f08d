/**
 * The launcher starts the sandboxed processes so that the grader does not fork itself
 * (grader/sandbox/launcher-transport.ts). What goes through it must arrive as if the grader had
 * spawned the process: every byte of output, even the first, stdin written before the pipe
 * arrived, exits and signals, start failures; and a launcher that dies costs only the starts in
 * flight.
 */
import { tmpdir } from 'node:os';
import { LaunchedProcess, launcherPid, launcherTransport } from '../../grader/sandbox/launcher-transport';
import type { Launch } from '../../grader/sandbox/runtime';
import type { Transport } from '../../grader/sandbox/transport';

interface Heard {
  stdout: string;
  stderr: string;
  channel: string;
  exited?: [number | null, string | null];
  failed?: string;
  closed: Promise<[number | null, string | null]>;
}

function start(command: string, args: string[]): { transport: Transport; heard: Heard } {
  const launch: Launch = {
    command,
    args,
    env: { PATH: '/usr/bin:/bin' },
    cwd: tmpdir(),
    runnerInside: '',
    workInside: '',
  };
  let closed!: (value: [number | null, string | null]) => void;
  const heard: Heard = {
    stdout: '',
    stderr: '',
    channel: '',
    closed: new Promise((resolve) => (closed = resolve)),
  };
  const transport = launcherTransport(launch, {
    stdout: (chunk) => (heard.stdout += chunk.toString()),
    stderr: (chunk) => (heard.stderr += chunk.toString()),
    channel: (chunk) => (heard.channel += chunk.toString()),
    failedToStart: (error) => {
      heard.failed = error.message;
      closed([null, null]);
    },
    exited: (code, signal) => (heard.exited = [code, signal]),
    closed: (code, signal) => closed([code, signal]),
  });
  return { transport, heard };
}

describe('processes started by the launcher', () => {
  test('output written at once, on every pipe, arrives whole; then the exit code', async () => {
    const { heard } = start('/bin/sh', ['-c', 'echo first; echo to-stderr >&2; printf private >&3; exit 7']);
    expect(await heard.closed).toEqual([7, null]);
    expect(heard).toMatchObject({ stdout: 'first\n', stderr: 'to-stderr\n', channel: 'private', exited: [7, null] });
  });

  test('stdin written before its pipe arrived is delivered in order; a kill ends the group', async () => {
    const { transport, heard } = start('/bin/sh', ['-c', 'head -n 2; sleep 30 & sleep 30']);
    transport.write('one\n');
    transport.write(Buffer.from('two\n'));
    while (!heard.stdout.includes('two')) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(heard.stdout).toBe('one\ntwo\n');
    expect(transport.cpuSeconds()).toEqual(expect.any(Number));
    transport.kill();
    expect(await heard.closed).toEqual([null, 'SIGKILL']);
  });

  test('a command that cannot start is a start failure', async () => {
    const { heard } = start('/nonexistent/command', []);
    await heard.closed;
    expect(heard.failed).toMatch(/ENOENT/);
  });

  test('a launcher that dies is replaced; a process it had started still ends when its pipes close', async () => {
    const running = start('/bin/sh', ['-c', 'echo ready; read line; echo "got $line"']);
    // stdout arrived, so stdin did too (the launcher sends them in order)
    while (!running.heard.stdout.includes('ready')) await new Promise((resolve) => setTimeout(resolve, 20));
    const first = launcherPid()!;
    process.kill(first, 'SIGKILL');
    while (launcherPid() === first) await new Promise((resolve) => setTimeout(resolve, 20));
    running.transport.write('hello\n');
    expect(await running.heard.closed).toEqual([null, null]);
    expect(running.heard.stdout).toBe('ready\ngot hello\n');
    const next = start('/bin/sh', ['-c', 'echo again']);
    expect(await next.heard.closed).toEqual([0, null]);
    expect(next.heard.stdout).toBe('again\n');
    expect(launcherPid()).not.toBe(first);
  });

  test('a start the launcher never read is a start failure once it dies', async () => {
    start('/bin/true', []); // a live launcher
    const launcher = launcherPid()!;
    process.kill(launcher, 'SIGSTOP');
    const { heard } = start('/bin/sh', ['-c', 'echo never']);
    process.kill(launcher, 'SIGKILL');
    await heard.closed;
    expect(heard.failed).toMatch(/launcher stopped/);
    expect(heard.stdout).toBe('');
  });
});

describe('a launched process whose launcher died between its messages', () => {
  function tracked(): { process: LaunchedProcess; heard: string[] } {
    const heard: string[] = [];
    const process = new LaunchedProcess({
      stdout: () => heard.push('stdout'),
      stderr: () => heard.push('stderr'),
      channel: () => heard.push('channel'),
      failedToStart: (error) => heard.push(`failed: ${error.message}`),
      exited: (code, signal) => heard.push(`exited ${code} ${signal}`),
      closed: (code, signal) => heard.push(`closed ${code} ${signal}`),
    });
    return { process, heard };
  }
  // A pid that names no process: nothing real is killed when the test's process exits.
  const NO_SUCH_PID = 2 ** 22 + 1;

  test('pipes it never handed over count as closed: the process ends, unreported', () => {
    const { process, heard } = tracked();
    process.receive({ id: 1, pid: NO_SUCH_PID }, undefined);
    process.launcherLost();
    process.forget();
    expect(heard).toEqual(['exited null null', 'closed null null']);
  });

  test('with its exit known but a pipe still in flight, it closes with that exit', () => {
    const { process, heard } = tracked();
    process.receive({ id: 1, pid: NO_SUCH_PID }, undefined);
    process.receive({ id: 1, fd: 1 }, undefined); // ended before it could be sent
    process.receive({ id: 1, exit: { code: 3, signal: null } }, undefined);
    expect(heard).toEqual(['exited 3 null']);
    process.launcherLost();
    process.launcherLost(); // the send error and the launcher's close may both report it
    process.forget();
    expect(heard).toEqual(['exited 3 null', 'closed 3 null']);
  });
});
