/**
 * How the executor reaches one sandboxed process: start it from a Launch, write to its stdin,
 * hear its stdout, stderr and private answer channel (fd 3), kill it with everything it started,
 * learn that it ended. The executor (./executor.ts) keeps the protocol (nonce, requests, answers)
 * and the supervision (timers, limits, restarts) and never touches a ChildProcess itself, so a
 * backend that reaches its processes another way (a container, a remote worker) brings its own
 * Transport. This one is a local child process (bubblewrap or the fallback: ./runtime.ts buildLaunch).
 */
import { spawn } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import { processTreeCpuSeconds } from './process-cpu';
import type { Launch } from './runtime';

export interface TransportEvents {
  stdout(chunk: Buffer): void;
  stderr(chunk: Buffer): void;
  /** A piece of the private answer channel. */
  channel(chunk: Buffer): void;
  /** The process could not be started at all. */
  failedToStart(error: Error): void;
  /** The process ended; its output may not be fully read yet. */
  exited(code: number | null, signal: NodeJS.Signals | null): void;
  /** The process ended and all its output has been delivered. */
  closed(code: number | null, signal: NodeJS.Signals | null): void;
}

export interface Transport {
  write(data: string | Uint8Array): void;
  /** Kills the process and everything it started (idempotent). */
  kill(): void;
  /** The process is gone: the grader's exit no longer needs to kill it. */
  forget(): void;
  /** CPU seconds of the process and its descendants, if the platform can tell (benchmarks). */
  cpuSeconds(): number | undefined;
}

export type TransportFactory = (launch: Launch, events: TransportEvents) => Transport;

/** Kills a process's group and the process itself (either may be gone already). */
export function killGroup(pid: number): void {
  for (const target of [-pid, pid]) {
    try {
      process.kill(target, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

const killsOnExit = new Set<() => void>();
let exitHookInstalled = false;

/** Runs `kill` if the grader exits first (Ctrl-C, a crash); returns what cancels it. */
export function killOnExit(kill: () => void): () => void {
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.once('exit', () => {
      for (const each of killsOnExit) each();
    });
  }
  killsOnExit.add(kill);
  return () => void killsOnExit.delete(kill);
}

/** A local child process in its own process group, with stdin, stdout, stderr and fd 3 as pipes. */
export const spawnTransport: TransportFactory = (launch, events) => {
  const child = spawn(launch.command, launch.args, {
    cwd: launch.cwd,
    env: launch.env,
    uid: launch.uid,
    gid: launch.gid,
    detached: true,
    stdio: ['pipe', 'pipe', 'pipe', 'pipe'],
    windowsHide: true,
  });
  const kill = () => {
    if (child.pid !== undefined) killGroup(child.pid);
  };
  const forget = killOnExit(kill);
  // An idle child must not keep the grader alive; a waiting request holds its own timer.
  child.unref();
  for (const stream of child.stdio) (stream as { unref?: () => void } | null)?.unref?.();
  const stdin = child.stdin as Writable;
  stdin.on('error', () => undefined); // EPIPE when the child is gone: its exit is reported below
  (child.stdout as Readable).on('data', (chunk: Buffer) => events.stdout(chunk));
  (child.stderr as Readable).on('data', (chunk: Buffer) => events.stderr(chunk));
  const channel = child.stdio[3] as Readable;
  channel.on('data', (chunk: Buffer) => events.channel(chunk));
  channel.on('error', () => undefined);
  child.on('error', (error) => events.failedToStart(error));
  child.on('exit', (code, signal) => events.exited(code, signal));
  child.on('close', (code, signal) => events.closed(code, signal));
  return {
    write: (data) => void stdin.write(data),
    kill,
    forget,
    cpuSeconds: () => (child.pid === undefined ? undefined : processTreeCpuSeconds(child.pid)),
  };
};
