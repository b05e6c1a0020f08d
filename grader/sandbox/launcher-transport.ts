/**
 * Sandboxed processes started by a small long-lived launcher process instead of by the grader.
 *
 * Why: starting a process forks the process that starts it, and a fork costs in proportion to
 * the parent's memory. The grader holds a few hundred MB (the type check's TypeScript program,
 * the lab data, the judge's cases): each spawn cost ~16 ms of CPU and stalled its event loop
 * ~33 ms (measured with a 400 MB heap), twice per submission since train.converges has a process
 * of its own, while the other submission's child waited for its answers. The launcher is a bare
 * node process (~40 MB): its forks cost ~2 ms, and the grader's thread does not wait for them.
 *
 * The launcher spawns exactly the Launch it is given (bubblewrap or the fallback, as before) and
 * hands the four pipes to the grader over its IPC channel, then reports the child's exit. The
 * grader reads and writes the pipes itself, so answers never pass through the launcher, and kills
 * by process group as before. The launcher holds no state of a submission: when the grader goes,
 * its IPC channel closes and it kills what it started and exits; if the launcher dies, the next
 * start gets a new one.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import type { Socket } from 'node:net';
import { processTreeCpuSeconds } from './process-cpu';
import type { Launch } from './runtime';
import { killGroup, killOnExit } from './transport';
import type { Transport, TransportEvents, TransportFactory } from './transport';

/** Names the launcher in its command line (benchmarks count what runs below it as sandboxed). */
export const LAUNCHER_MARK = 'rnn-grader-launcher';

/**
 * The launcher's program (run with `node -e`). Output pipes are made to stop reading before they
 * are handed over: a byte the launcher read would be lost to the grader. Its own copies close
 * once sent (process.send without keepOpen).
 */
const LAUNCHER_SCRIPT = `// ${LAUNCHER_MARK}
const { spawn } = require('node:child_process');
const running = new Set();
const killAll = () => { for (const pid of running) { try { process.kill(-pid, 'SIGKILL'); } catch {} } };
process.on('disconnect', () => { killAll(); process.exit(0); });
process.on('message', ({ id, launch }) => {
  let child;
  try {
    child = spawn(launch.command, launch.args, {
      cwd: launch.cwd, env: launch.env, uid: launch.uid, gid: launch.gid,
      detached: true, stdio: ['pipe', 'pipe', 'pipe', 'pipe'], windowsHide: true,
    });
  } catch (error) {
    process.send({ id, error: String((error && error.message) || error) });
    return;
  }
  child.on('error', (error) => { if (child.pid === undefined) process.send({ id, error: error.message }); });
  if (child.pid === undefined) return;
  const pid = child.pid;
  running.add(pid);
  child.on('exit', (code, signal) => { running.delete(pid); process.send({ id, exit: { code, signal } }); });
  for (const stream of child.stdio.slice(1)) stream._handle && stream._handle.readStop();
  process.send({ id, pid });
  child.stdio.forEach((stream, fd) => process.send({ id, fd }, stream));
});
`;

type LauncherMessage =
  | { id: number; pid: number }
  | { id: number; fd: number }
  | { id: number; exit: { code: number | null; signal: NodeJS.Signals | null } }
  | { id: number; error: string };

/**
 * One sandboxed process as the grader sees it: its pipes arrive from the launcher one by one.
 * Exported for tests of its state (a launcher's death between two of its messages).
 */
export class LaunchedProcess implements Transport {
  pid?: number;
  private stdin?: Socket;
  /** Writes made before the stdin pipe arrived, in order. */
  private early: Array<string | Uint8Array> = [];
  private killRequested = false;
  /** Cancels the kill that the grader's exit would do. */
  private forgetOnExit = () => undefined as void;
  private exit?: { code: number | null; signal: NodeJS.Signals | null };
  /** Output pipes (fds 1-3) not yet closed, including those not yet handed over. */
  private openOutputs = 3;
  private readonly outputsReceived = new Set<number>();
  /** Its launcher died: nobody will report its exit. */
  private orphaned = false;
  private ended = false;

  constructor(private readonly events: TransportEvents) {}

  receive(message: LauncherMessage, handle: unknown): void {
    if ('pid' in message) {
      const pid = (this.pid = message.pid);
      this.forgetOnExit = killOnExit(() => killGroup(pid));
      if (this.killRequested) killGroup(pid);
    } else if ('fd' in message) {
      const socket = handle as Socket | undefined;
      if (message.fd > 0) this.outputsReceived.add(message.fd);
      if (!socket) {
        // Not sent: the process ended before its pipe could be (its exit follows).
        if (message.fd > 0) this.outputClosed();
        return;
      }
      socket.unref(); // an idle child must not keep the grader alive; a waiting request holds a timer
      if (message.fd === 0) {
        socket.on('error', () => undefined); // EPIPE when the child is gone: its exit is reported
        this.stdin = socket;
        for (const data of this.early) socket.write(data);
        this.early = [];
      } else {
        const deliver =
          message.fd === 1 ? this.events.stdout : message.fd === 2 ? this.events.stderr : this.events.channel;
        socket.on('data', (chunk: Buffer) => deliver(chunk));
        socket.on('error', () => undefined);
        socket.on('close', () => this.outputClosed());
      }
    } else if ('exit' in message) {
      this.exit = message.exit;
      this.events.exited(message.exit.code, message.exit.signal);
      this.maybeClosed();
    } else if (!this.ended) {
      this.ended = true;
      this.events.failedToStart(new Error(message.error));
    }
  }

  /**
   * The launcher is gone, and every message it sent has been read. A process it had not reported
   * started never will be; one that runs goes on, and ends (unreported by anyone) when the pipes
   * the grader holds close. A pipe it had not handed over yet never will be: it counts as closed.
   */
  launcherLost(): void {
    if (this.ended || this.orphaned) return;
    if (this.pid === undefined) {
      this.ended = true;
      this.events.failedToStart(new Error("the grader's process launcher stopped"));
      return;
    }
    this.orphaned = true;
    for (const fd of [1, 2, 3]) if (!this.outputsReceived.has(fd)) this.openOutputs--;
    this.maybeClosed();
  }

  private outputClosed(): void {
    this.openOutputs--;
    this.maybeClosed();
  }

  private maybeClosed(): void {
    if (this.orphaned && !this.exit && this.openOutputs === 0) {
      this.exit = { code: null, signal: null };
      this.events.exited(null, null);
    }
    if (this.ended || !this.exit || this.openOutputs > 0) return;
    this.ended = true;
    this.stdin?.destroy();
    this.events.closed(this.exit.code, this.exit.signal);
  }

  write(data: string | Uint8Array): void {
    if (this.stdin) this.stdin.write(data);
    else this.early.push(data);
  }

  kill(): void {
    this.killRequested = true;
    if (this.pid !== undefined) killGroup(this.pid);
  }

  forget(): void {
    this.forgetOnExit();
  }

  cpuSeconds(): number | undefined {
    return this.pid === undefined ? undefined : processTreeCpuSeconds(this.pid);
  }
}

class Launcher {
  private readonly process: ChildProcess;
  private readonly launched = new Map<number, LaunchedProcess>();
  private nextId = 1;
  gone = false;

  get pid(): number | undefined {
    return this.process.pid;
  }

  constructor() {
    this.process = spawn(process.execPath, ['-e', LAUNCHER_SCRIPT], {
      stdio: ['ignore', 'ignore', 'ignore', 'ipc'],
      serialization: 'json',
      windowsHide: true,
    });
    this.process.on('message', (message: LauncherMessage, handle: unknown) => {
      const target = this.launched.get(message.id);
      if (!target) return;
      target.receive(message, handle);
      if ('exit' in message || 'error' in message) this.launched.delete(message.id);
    });
    const lost = () => {
      if (this.gone) return;
      this.gone = true;
      for (const target of this.launched.values()) target.launcherLost();
      this.launched.clear();
    };
    // 'close', not 'exit': it follows the IPC channel's end, so no message or pipe is still in flight.
    this.process.on('close', lost);
    this.process.on('error', lost);
    this.unref();
  }

  /** Only a start in flight keeps the grader alive (the executor waits on it with a timer anyway). */
  private unref(): void {
    this.process.unref();
    (this.process as unknown as { channel?: { unref(): void } }).channel?.unref();
  }

  start(launch: Launch, events: TransportEvents): LaunchedProcess {
    const target = new LaunchedProcess(events);
    const id = this.nextId++;
    this.launched.set(id, target);
    const { command, args, env, cwd, uid, gid } = launch;
    this.process.send({ id, launch: { command, args, env, cwd, uid, gid } }, (error) => {
      if (error) target.launcherLost();
    });
    return target;
  }
}

let launcher: Launcher | undefined;

function liveLauncher(): Launcher {
  if (!launcher || launcher.gone) launcher = new Launcher();
  return launcher;
}

/** Starts the launcher now (node's own start-up, ~40 ms), so that the first submission does not wait for it. */
export function warmUpLauncher(): void {
  liveLauncher();
}

/** Local child processes, each started by the shared launcher (a new one if the last one died). */
export const launcherTransport: TransportFactory = (launch, events) => {
  const started = liveLauncher().start(launch, events);
  // A plain object, as spawnTransport's: callers may wrap or spread it.
  return {
    write: (data) => started.write(data),
    kill: () => started.kill(),
    forget: () => started.forget(),
    cpuSeconds: () => started.cpuSeconds(),
  };
};

/** The running launcher's pid, if there is one (for tests and diagnostics). */
export function launcherPid(): number | undefined {
  return launcher && !launcher.gone ? launcher.pid : undefined;
}
