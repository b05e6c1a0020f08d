/**
 * The transpiler's long-lived helper processes: a node child that keeps esbuild's service running
 * and transpiles one submission at a time, so a submission no longer pays a node start-up and an
 * esbuild service of its own (~0.1–0.15 CPU-s each).
 *
 * It is still a process apart from the grader's: a file that crashes or hangs esbuild's parser
 * ends that helper (it exits, or is killed with its process group at the time limit), the
 * submission being transpiled gets a TranspilerFault (the grader's, exit 3), and the next request
 * starts a fresh helper. A submission never shares a helper's request with another one, so a crash
 * costs only the submission that caused it.
 *
 * A request waits for a free helper; one that waits longer than SPARE_HELPER_AFTER_MS (a helper
 * held by a slow file) gets a helper of its own, up to MAX_HELPERS. The time limit of a request
 * starts when a helper takes it.
 */
import { spawn } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';

/** A failed request: how the helper ended, and its own last words (start of its stderr). */
export interface HelperFailure {
  status: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
  /** The parent's own limit ran out (the helper was killed). */
  timedOut: boolean;
  /** The helper could not be started at all. */
  spawnError?: string;
}

export type HelperReply = { ok: true; answer: string } | { ok: false; failure: HelperFailure };

export interface HelperSettings {
  /** The helper's program (node -e), given its arguments. */
  script: string;
  args: string[];
  /** The helper's own limit per request (it then exits), for messages. */
  budgetMs: number;
  /** The parent's own limit per request, past the helper's own: only if the helper cannot stop itself. */
  parentTimeoutMs: number;
}

/** How long a request waits for a busy helper before another one is started. */
const SPARE_HELPER_AFTER_MS = 1_000;
/** Most helpers at once (each is a node process plus esbuild's service, ~50 MB). */
const MAX_HELPERS = 4;
/** Most of a helper's stderr kept per request: a Go stack dump can be megabytes. */
const MAX_STDERR = 64 * 1024;

class Helper {
  readonly child: ChildProcessWithoutNullStreams;
  private out = '';
  private err = '';
  private current?: { resolve: (reply: HelperReply) => void; timer: NodeJS.Timeout; timedOut: boolean };
  private spawnError?: string;
  exited = false;

  constructor(private readonly settings: HelperSettings) {
    // Its own process group, so that esbuild's service dies with it if it must be killed.
    this.child = spawn(process.execPath, ['-e', settings.script, ...settings.args], {
      stdio: ['pipe', 'pipe', 'pipe'],
      windowsHide: true,
      detached: true,
    });
    this.child.stdout.setEncoding('utf8');
    this.child.stdout.on('data', (chunk: string) => this.receive(chunk));
    this.child.stderr.setEncoding('utf8');
    this.child.stderr.on('data', (chunk: string) => {
      if (this.err.length < MAX_STDERR) this.err += chunk;
    });
    this.child.stdin.on('error', () => undefined); // a helper that dies early closes its stdin
    this.child.on('error', (error) => {
      this.spawnError = error.message;
      this.exited = true;
      this.fail(null, null);
    });
    this.child.on('close', (status, signal) => {
      this.exited = true;
      this.fail(status, signal);
    });
    this.idle();
  }

  /** Sends one request (one line of JSON); resolves with the helper's one-line answer, or how it failed. */
  request(line: string): Promise<HelperReply> {
    return new Promise((resolve) => {
      if (this.exited)
        return resolve({ ok: false, failure: { status: null, signal: null, stderr: this.err, timedOut: false } });
      this.err = '';
      const timer = setTimeout(() => {
        if (this.current) this.current.timedOut = true;
        this.kill();
      }, this.settings.parentTimeoutMs);
      this.current = { resolve, timer, timedOut: false };
      this.busy();
      this.child.stdin.write(line + '\n');
    });
  }

  kill(): void {
    if (this.exited || this.child.pid === undefined) return;
    try {
      process.kill(-this.child.pid, 'SIGKILL');
    } catch {
      this.child.kill('SIGKILL');
    }
  }

  private receive(chunk: string): void {
    if (!this.current) return; // nothing was asked: never taken for the next request's answer
    this.out += chunk;
    const newline = this.out.indexOf('\n');
    if (newline < 0) return;
    const answer = this.out.slice(0, newline);
    this.out = ''; // one line answers a request: anything after it is no one's answer
    const { resolve, timer } = this.current;
    clearTimeout(timer);
    this.current = undefined;
    this.idle();
    resolve({ ok: true, answer });
  }

  private fail(status: number | null, signal: NodeJS.Signals | null): void {
    if (!this.current) return;
    const { resolve, timer, timedOut } = this.current;
    clearTimeout(timer);
    this.current = undefined;
    resolve({
      ok: false,
      failure: {
        status,
        signal,
        stderr: this.err,
        timedOut,
        ...(this.spawnError ? { spawnError: this.spawnError } : {}),
      },
    });
  }

  /** An idle helper never keeps the grader alive; a busy one does, until it answers. */
  private idle(): void {
    this.child.unref();
    for (const stream of [this.child.stdin, this.child.stdout, this.child.stderr])
      (stream as unknown as { unref?: () => void }).unref?.();
  }

  private busy(): void {
    this.child.ref();
    for (const stream of [this.child.stdin, this.child.stdout, this.child.stderr])
      (stream as unknown as { ref?: () => void }).ref?.();
  }
}

/** Helpers of one kind (one script): the idle ones, and the requests waiting for one. */
export class HelperPool {
  private readonly all = new Set<Helper>();
  private readonly free: Helper[] = [];
  private readonly waiting: Array<(helper: Helper) => void> = [];

  readonly budgetMs: number;

  constructor(private readonly settings: HelperSettings) {
    this.budgetMs = settings.budgetMs;
    process.once('exit', () => this.stop());
  }

  /** Starts a helper now (its node and esbuild's service start beside the grader's own start-up). */
  warmUp(): void {
    if (this.all.size === 0) this.free.push(this.start());
  }

  /** One request on a helper of its own; a helper that failed is dropped (the next request starts another). */
  async run(line: string): Promise<HelperReply> {
    const helper = await this.acquire();
    const reply = await helper.request(line);
    this.release(helper, reply.ok);
    return reply;
  }

  /** Ends every helper (tests; a grader run's helpers end with it). */
  stop(): void {
    for (const helper of this.all) helper.kill();
    this.all.clear();
    this.free.length = 0;
  }

  private start(): Helper {
    const helper = new Helper(this.settings);
    this.all.add(helper);
    helper.child.once('close', () => {
      this.all.delete(helper);
      const at = this.free.indexOf(helper);
      if (at >= 0) this.free.splice(at, 1);
    });
    return helper;
  }

  private acquire(): Promise<Helper> {
    while (this.free.length > 0) {
      const helper = this.free.pop()!;
      if (!helper.exited) return Promise.resolve(helper);
      this.all.delete(helper);
    }
    if (this.all.size === 0) return Promise.resolve(this.start());
    return new Promise((take) => {
      this.waiting.push(take);
      const timer = setTimeout(() => {
        const at = this.waiting.indexOf(take);
        if (at < 0 || this.all.size >= MAX_HELPERS) return;
        this.waiting.splice(at, 1);
        take(this.start());
      }, SPARE_HELPER_AFTER_MS);
      timer.unref();
    });
  }

  private release(helper: Helper, healthy: boolean): void {
    if (!healthy || helper.exited) {
      helper.kill();
      this.all.delete(helper);
      const next = this.waiting.shift();
      if (next) next(this.start());
      return;
    }
    const next = this.waiting.shift();
    if (next) next(helper);
    else this.free.push(helper);
  }
}
