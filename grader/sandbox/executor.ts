/**
 * The grader's Executor: serves CallRequests by a submission running in a sandboxed CHILD
 * process (see ./runtime.ts for the containment layers). Student code never runs in the
 * grader's process.
 *
 * - One long-lived child per submission; requests and answers are newline-delimited JSON
 *   (requests on stdin, answers on fd 3 tagged with a per-child random nonce).
 * - The parent's wall-clock timer is authoritative: on expiry the whole process group is
 *   SIGKILLed and the request answers `{ ok: false, failure: 'timeout' }`.
 * - V8 heap exhaustion (abort, exit 134) is `memory`; output floods are `output-limit`;
 *   any other exit is `crashed`, with the exit code/signal and the last lines of stderr;
 *   anything malformed on the answer channel is `protocol`.
 * - After a failure the next request starts a fresh child and replays earlier `store`
 *   requests into it. A failure while rnn.ts is being loaded (endless loop or process.exit at
 *   import time, …) is reported once per request from then on, without starting new children.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { constants as osConstants, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import type { CallRequest, ExecutionFailure, ExecutionResult, Executor } from '../../checks/protocol/requests';
import { DEFAULT_LIMITS } from './limits';
import type { SandboxLimits } from './limits';
import { allocateChildUid, buildLaunch, getSandboxRuntime } from './runtime';
import { matrixFileFor } from './store-file';
import type { SandboxRuntime } from './runtime';
import type { Transport } from './transport';
import { sanitizeResponse } from './validate';

export interface CapturedOutput {
  /** What the submission printed, over all its processes, cut at the output limit. */
  stdout: string;
  stderr: string;
  stdoutTruncated: boolean;
  stderrTruncated: boolean;
}

export interface SandboxStats {
  /** Child processes started (1 + renewals + restarts). */
  processes: number;
  /** Milliseconds from spawn to "rnn.ts loaded", per child that got that far. */
  startupMs: number[];
  /** What happened to children, one line each (kills, crashes, protocol violations). */
  events: string[];
}

export interface SandboxExecutor extends Executor {
  runSequence(requests: CallRequest[], options?: { timeoutMs?: number }): Array<Promise<ExecutionResult>>;
  renew(): Promise<void>;
  /** Kills the child (if any) and waits for it to be gone. */
  close(): Promise<void>;
  /** One line for reports: how submission code is contained (says clearly when there is no OS sandbox). */
  describeSandbox(): string;
  getOutput(): CapturedOutput;
  getStats(): SandboxStats;
  /** CPU seconds used so far by the live child and its descendants (Linux /proc; for benchmarks). */
  cpuSeconds(): number | undefined;
}

/** Where the prepared submission is: a work dir from prepareSubmission (entry `submission/rnn.js`). */
export type PreparedLocation = string | { workDir: string; entryRel: string };

export function createSandboxExecutor(
  prepared: PreparedLocation,
  limits: Partial<SandboxLimits> = {},
  runtime: SandboxRuntime = getSandboxRuntime(),
): SandboxExecutor {
  const location =
    typeof prepared === 'string'
      ? { workDir: resolve(prepared), entryRel: 'submission/rnn.js' }
      : { workDir: resolve(prepared.workDir), entryRel: prepared.entryRel };
  return new SandboxExecutorImpl(location, { ...DEFAULT_LIMITS, ...limits }, runtime);
}

// ---------------------------------------------------------------------------------------------

/** A timer that fires this much later than due means the grader itself was busy. */
const TIMER_LATENESS_MS = 200;
/** At most this much extra time per request, given back for the grader's own delays. */
const MAX_TIMER_GRACE_MS = 10_000;

const SIGNAL_NAMES = new Map<number, string>(
  Object.entries(osConstants.signals).map(([name, number]) => [number, name]),
);

function failure(kind: ExecutionFailure['failure'], message: string): ExecutionFailure {
  return { ok: false, failure: kind, message };
}

/** The answers still to come of a sequence of requests sent in one message (runSequence). */
interface Parts {
  count: number;
  /** Index of the request the child is serving now: its answer is the next one expected. */
  next: number;
  deliver(index: number, result: ExecutionResult): void;
}

interface Pending {
  id: number;
  phase: 'store' | 'load' | 'request';
  /** Set for a sequence: answered part by part, and done after its last part. */
  parts?: Parts;
  timeoutMs: number;
  timer?: NodeJS.Timeout;
  /** The runner has read the request (it acknowledges before loading or dispatching). */
  acked: boolean;
  resolve: (outcome: Outcome) => void;
}

interface Outcome {
  result: ExecutionResult;
  /** The child was loading rnn.ts when this failure happened. */
  duringLoad: boolean;
  /**
   * The child died on its own before it even read the request: something the submission left
   * running after an earlier answer (a timer that throws, a delayed process.exit) killed it.
   * Such a request is retried once in a fresh process instead of being blamed for the crash.
   */
  diedBeforeReading?: boolean;
}

class SandboxExecutorImpl implements SandboxExecutor {
  private child: Child | undefined;
  private sticky: ExecutionFailure | undefined;
  /** `store` requests, with their JSON kept for replays into fresh processes. */
  private readonly stores = new Map<string, { request: CallRequest; json: string }>();
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;
  /** Processes ended by `renew`, not by a failure: they do not count towards maxProcesses. */
  private renewals = 0;
  private readonly cwd: string;
  private readonly dropUid: boolean;
  readonly output: CapturedOutput = { stdout: '', stderr: '', stdoutTruncated: false, stderrTruncated: false };
  readonly stats: SandboxStats = { processes: 0, startupMs: [], events: [] };

  constructor(
    readonly location: { workDir: string; entryRel: string },
    readonly limits: SandboxLimits,
    readonly runtime: SandboxRuntime,
  ) {
    this.cwd = mkdtempSync(join(tmpdir(), 'rnn-sandbox-cwd-'));
    // The fallback drops to an unprivileged uid only if that uid can reach the prepared files.
    this.dropUid =
      runtime.mode === 'fallback' &&
      runtime.fallback.dropToUid &&
      worldReachable(location.workDir) &&
      worldReachable(runtime.runnerPath);
  }

  describeSandbox(): string {
    const note =
      this.runtime.mode === 'fallback' && this.runtime.fallback.dropToUid && !this.dropUid
        ? " (this submission runs as the grader's user: its folder is not readable by others)"
        : '';
    return `${this.runtime.description}${note}; V8 heap ${this.limits.memoryMb} MiB, output ${Math.round(this.limits.outputLimitBytes / 1024)} KiB per stream`;
  }

  getOutput(): CapturedOutput {
    return { ...this.output };
  }

  getStats(): SandboxStats {
    return {
      processes: this.stats.processes,
      startupMs: this.stats.startupMs.slice(),
      events: this.stats.events.slice(),
    };
  }

  cpuSeconds(): number | undefined {
    const child = this.child;
    return child && !child.dead ? child.cpuSeconds() : undefined;
  }

  run(request: CallRequest, options: { timeoutMs?: number } = {}): Promise<ExecutionResult> {
    const timeoutMs = Math.max(1, Math.floor(options.timeoutMs ?? this.limits.defaultTimeoutMs));
    const next = this.queue.then(() => this.runNow(request, timeoutMs));
    this.queue = next.catch(() => undefined);
    return next;
  }

  runSequence(requests: CallRequest[], options: { timeoutMs?: number } = {}): Array<Promise<ExecutionResult>> {
    if (requests.some((request) => request.op === 'store'))
      throw new Error('internal: store requests are never part of a sequence (they are replayed into fresh processes)');
    const timeoutMs = Math.max(1, Math.floor(options.timeoutMs ?? this.limits.defaultTimeoutMs));
    const settlers: Array<{ resolve: (result: ExecutionResult) => void; reject: (error: unknown) => void }> = [];
    const promises = requests.map(
      (_, i) => new Promise<ExecutionResult>((resolve, reject) => (settlers[i] = { resolve, reject })),
    );
    const settled = new Set<number>();
    const deliver = (index: number, result: ExecutionResult) => {
      settled.add(index);
      settlers[index].resolve(result);
    };
    const next = this.queue.then(() => this.runSequenceNow(requests, timeoutMs, deliver));
    this.queue = next.catch(() => undefined);
    next.then(
      () => settlers.forEach((s, i) => settled.has(i) || s.resolve(failure('protocol', 'the sequence ended early'))),
      (error: unknown) => settlers.forEach((s, i) => settled.has(i) || s.reject(error)),
    );
    return promises;
  }

  renew(): Promise<void> {
    const next = this.queue.then(async () => {
      const child = this.child;
      if (!child || child.dead || this.closed) return;
      this.child = undefined;
      this.renewals++;
      await child.dispose(failure('crashed', 'ended so that the next check runs in a new process'));
    });
    this.queue = next.catch(() => undefined);
    return next;
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.queue.catch(() => undefined);
    const child = this.child;
    this.child = undefined;
    if (child) await child.dispose();
    try {
      rmSync(this.cwd, { recursive: true, force: true });
    } catch {
      // best effort
    }
  }

  private async runNow(request: CallRequest, timeoutMs: number): Promise<ExecutionResult> {
    if (this.closed) return failure('crashed', 'the sandbox executor was closed');
    if (this.sticky) return this.sticky;
    let json: string | undefined;
    if (request.op === 'store') {
      json = this.storeJson(request);
      this.stores.set(request.name, { request, json });
    }
    let child: Child;
    if (this.child && !this.child.dead) {
      child = this.child;
    } else {
      const fresh = await this.freshChild(request);
      if (!(fresh instanceof Child)) return fresh;
      child = fresh;
    }
    const outcome = await child.exchange(request, timeoutMs, json);
    if (!outcome.diedBeforeReading || this.closed) return this.settle(outcome);
    this.stats.events.push(`request ${request.op} retried in a fresh process: the previous one died between requests`);
    const retryChild = await this.freshChild(request);
    if (!(retryChild instanceof Child)) return retryChild;
    return this.settle(await retryChild.exchange(request, timeoutMs, json));
  }

  /**
   * Serves a sequence in one message; each answer is delivered as it arrives. When the process is
   * lost, the request it was serving and every later one get that failure, as `run` would give
   * them one by one (a lost process fails the check that was running).
   */
  private async runSequenceNow(
    requests: CallRequest[],
    timeoutMs: number,
    deliver: (index: number, result: ExecutionResult) => void,
  ): Promise<void> {
    const parts: Parts = { count: requests.length, next: 0, deliver };
    const failAll = (result: ExecutionResult) => {
      for (let i = parts.next; i < parts.count; i++) deliver(i, result);
    };
    if (this.closed) return failAll(failure('crashed', 'the sandbox executor was closed'));
    if (this.sticky) return failAll(this.sticky);
    const json = `[${requests.map((request) => JSON.stringify(request)).join(',')}]`;
    let child: Child;
    if (this.child && !this.child.dead) {
      child = this.child;
    } else {
      const fresh = await this.freshChild(requests[0]);
      if (!(fresh instanceof Child)) return failAll(fresh);
      child = fresh;
    }
    let outcome = await child.exchangeSequence(json, timeoutMs, parts);
    if (outcome.diedBeforeReading && !this.closed) {
      this.stats.events.push(
        'a sequence of requests retried in a fresh process: the previous one died between requests',
      );
      const retryChild = await this.freshChild(requests[0]);
      if (!(retryChild instanceof Child)) return failAll(retryChild);
      outcome = await retryChild.exchangeSequence(json, timeoutMs, parts);
    }
    const result = this.settle(outcome);
    if (!result.ok && 'failure' in result) failAll(result);
  }

  /** A store request as sent: a small message naming the matrix's read-only file when it can be one, else the whole JSON. */
  private storeJson(request: Extract<CallRequest, { op: 'store' }>): string {
    const matrixFile = matrixFileFor(request.matrix, this.runtime.matrixDirInChild);
    if (!matrixFile) return serializedStore(request);
    return JSON.stringify({ op: 'store', name: request.name, matrixFile });
  }

  /** Starts a new child and replays the stored data into it (except `current`, sent next anyway). */
  private async freshChild(current: CallRequest): Promise<Child | ExecutionResult> {
    const started = this.stats.processes - this.renewals; // renewals are not failures
    if (started >= this.limits.maxProcesses) {
      this.sticky = failure('crashed', `the submission's process had to be restarted ${started} times; giving up`);
      return this.sticky;
    }
    const child = this.spawnChild();
    for (const stored of this.stores.values()) {
      if (stored.request === current) continue;
      const replayed = await child.exchange(stored.request, this.limits.storeTimeoutMs, stored.json);
      if (!replayed.result.ok) return this.settle(replayed);
    }
    return child;
  }

  /** A failure while loading rnn.ts will happen again in every new child: remember it. */
  private settle(outcome: Outcome): ExecutionResult {
    const { result } = outcome;
    if (outcome.duringLoad && !result.ok && 'failure' in result) this.sticky = result;
    return result;
  }

  private spawnChild(): Child {
    mkdirSync(this.cwd, { recursive: true, mode: 0o700 }); // in case the temp dir was cleaned meanwhile
    const launch = buildLaunch(this.runtime, this.location.workDir, this.limits, this.cwd, {
      dropUid: this.dropUid,
      uid: this.dropUid ? allocateChildUid() : undefined,
    });
    this.stats.processes++;
    const child = new Child(this, launch, `${launch.workInside}/${this.location.entryRel}`, this.stats.processes);
    this.child = child;
    return child;
  }

  capture(stream: 'stdout' | 'stderr', text: string): void {
    const limit = this.limits.outputLimitBytes;
    const current = this.output[stream];
    if (current.length >= limit) {
      if (text.length > 0) this.output[`${stream}Truncated`] = true;
      return;
    }
    if (current.length + text.length > limit) {
      this.output[stream] = current + text.slice(0, limit - current.length);
      this.output[`${stream}Truncated`] = true;
    } else {
      this.output[stream] = current + text;
    }
  }
}

function worldReachable(path: string): boolean {
  try {
    let dir = statSync(path).isDirectory() ? path : dirname(path);
    for (;;) {
      if ((statSync(dir).mode & 0o005) !== 0o005) return false;
      const parent = dirname(dir);
      if (parent === dir) return true;
      dir = parent;
    }
  } catch {
    return false;
  }
}

// ---------------------------------------------------------------------------------------------

class Child {
  dead = false;
  private readonly transport: Transport;
  private readonly nonce = randomBytes(16).toString('hex');
  private readonly spawnedAt = performance.now();
  private loaded = false;
  private nextId = 1;
  private pending: Pending | undefined;
  private stdoutBytes = 0;
  private stderrBytes = 0;
  private stderrTail = '';
  private channel: Buffer[] = [];
  private channelBytes = 0;
  private finalizeTimer: NodeJS.Timeout | undefined;
  private readonly closed: Promise<void>;
  private killedFor: ExecutionFailure | undefined;

  constructor(
    private readonly owner: SandboxExecutorImpl,
    launch: ReturnType<typeof buildLaunch>,
    entryInside: string,
    private readonly serial: number,
  ) {
    let resolveClosed!: () => void;
    this.closed = new Promise((resolve) => (resolveClosed = resolve));
    this.transport = owner.runtime.transport(launch, {
      stdout: (chunk) => this.onOutput('stdout', chunk),
      stderr: (chunk) => this.onOutput('stderr', chunk),
      channel: (chunk) => this.onChannel(chunk),
      failedToStart: (error) => {
        this.kill(failure('crashed', `could not start the sandboxed process: ${error.message}`));
        this.finalize(null, null);
        resolveClosed();
      },
      exited: (code, signal) => {
        // Normally 'closed' follows once the pipes are drained; do not wait forever for it.
        this.finalizeTimer = setTimeout(() => this.finalize(code, signal), 500);
        // A waiting request holds its own timer; nothing else needs to stay alive for this one.
        this.finalizeTimer.unref();
      },
      closed: (code, signal) => {
        this.finalize(code, signal);
        resolveClosed();
      },
    });
    this.transport.write(JSON.stringify({ nonce: this.nonce, entry: entryInside }) + '\n');
  }

  exchange(request: CallRequest, timeoutMs: number, requestJson?: string): Promise<Outcome> {
    const store = request.op === 'store';
    return this.send(store ? 'store' : 'load', timeoutMs, undefined, (id, input) => {
      if (store) {
        // Three writes around the cached bytes: the 4 MB request is UTF-8-encoded once per grader process.
        input.write(`{"id":${id},"request":`);
        input.write(storeBytes(requestJson ?? JSON.stringify(request)));
        input.write('}\n');
      } else {
        input.write(`{"id":${id},"request":${requestJson ?? JSON.stringify(request)}}\n`);
      }
    });
  }

  /** Sends a sequence (a JSON array of requests) in one line; its answers come back part by part. */
  exchangeSequence(sequenceJson: string, timeoutMs: number, parts: Parts): Promise<Outcome> {
    return this.send('load', timeoutMs, parts, (id, input) => input.write(`{"id":${id},"sequence":${sequenceJson}}\n`));
  }

  /**
   * One exchange: numbered, armed with its time limit (the load's while rnn.ts is not loaded yet,
   * `unloaded` naming that phase), written by `write`, settled by the child's answer or its end.
   */
  private send(
    unloaded: 'store' | 'load',
    timeoutMs: number,
    parts: Parts | undefined,
    write: (id: number, input: Transport) => void,
  ): Promise<Outcome> {
    if (this.dead) {
      return Promise.resolve({
        result: this.killedFor ?? failure('crashed', "the submission's process is gone"),
        duringLoad: false,
      });
    }
    return new Promise<Outcome>((resolve) => {
      const id = this.nextId++;
      const phase: Pending['phase'] = this.loaded ? 'request' : unloaded;
      const pending: Pending = { id, phase, timeoutMs, acked: false, resolve, ...(parts && { parts }) };
      this.pending = pending;
      this.arm(pending, phase === 'load' ? this.owner.limits.loadTimeoutMs : timeoutMs);
      write(id, this.transport);
    });
  }

  private arm(pending: Pending, ms: number, graceLeft = MAX_TIMER_GRACE_MS, budgetMs = ms): void {
    if (pending.timer) clearTimeout(pending.timer);
    const due = performance.now() + ms;
    pending.timer = setTimeout(() => {
      // Decide after the I/O already waiting has been read (timers run before I/O in Node's loop):
      // an answer that arrived in time is never killed because the grader was slow to read it.
      const late = performance.now() - due;
      setImmediate(() => {
        if (this.pending !== pending || this.dead) return;
        // A busy grader (another child's big answer, a type check) fires timers late: give the
        // child back the time the grader lost, up to MAX_TIMER_GRACE_MS per request.
        if (late > TIMER_LATENESS_MS && graceLeft > 0) {
          const grace = Math.min(graceLeft, Math.ceil(late));
          this.owner.stats.events.push(
            `process ${this.serial}: timer fired ${Math.round(late)} ms late (grader busy); ${grace} ms given back`,
          );
          this.arm(pending, grace, graceLeft - grace, budgetMs);
          return;
        }
        if (pending.phase === 'load') {
          this.kill(
            failure(
              'timeout',
              `rnn.ts did not finish loading within ${budgetMs} ms (an endless loop or long computation at import time?)`,
            ),
          );
        } else {
          this.kill(failure('timeout', `no answer within ${budgetMs} ms; the submission's process was killed`));
        }
      });
    }, ms);
  }

  private resolvePending(result: ExecutionResult, spontaneous = false): void {
    const pending = this.pending;
    if (!pending) return;
    this.pending = undefined;
    if (pending.timer) clearTimeout(pending.timer);
    pending.resolve({ result, duringLoad: pending.phase === 'load', diedBeforeReading: spontaneous && !pending.acked });
  }

  /** Kills the process group and answers the pending request (if any) with `reason`. */
  private kill(reason: ExecutionFailure): void {
    if (this.dead) return;
    this.dead = true;
    this.killedFor = this.withLoadContext(reason);
    this.owner.stats.events.push(`process ${this.serial}: killed (${reason.failure}: ${reason.message})`);
    this.transport.kill();
    this.resolvePending(this.killedFor);
  }

  private withLoadContext(reason: ExecutionFailure): ExecutionFailure {
    if (this.pending?.phase !== 'load' || reason.message.startsWith('rnn.ts')) return reason;
    return { ...reason, message: `while loading rnn.ts: ${reason.message}` };
  }

  private onOutput(stream: 'stdout' | 'stderr', chunk: Buffer): void {
    const limit = this.owner.limits.outputLimitBytes;
    const before = stream === 'stdout' ? this.stdoutBytes : this.stderrBytes;
    if (before > limit) return;
    const text = chunk.toString('utf8');
    this.owner.capture(stream, text);
    const total = before + chunk.length;
    if (stream === 'stdout') this.stdoutBytes = total;
    else {
      this.stderrBytes = total;
      this.stderrTail = (this.stderrTail + text).slice(-8192);
    }
    if (total > limit) {
      this.kill(
        failure(
          'output-limit',
          `the submission printed more than ${Math.round(limit / 1024)} KiB to ${stream}; its process was killed`,
        ),
      );
    }
  }

  private onChannel(chunk: Buffer): void {
    if (this.dead) return;
    let start = 0;
    for (;;) {
      const newline = chunk.indexOf(10, start);
      if (newline < 0) break;
      const piece = chunk.subarray(start, newline);
      const line =
        this.channel.length > 0 ? Buffer.concat([...this.channel, piece]).toString('utf8') : piece.toString('utf8');
      this.channel = [];
      this.channelBytes = 0;
      start = newline + 1;
      this.onMessage(line);
      if (this.dead) return;
    }
    if (start < chunk.length) {
      const rest = chunk.subarray(start);
      this.channel.push(rest);
      this.channelBytes += rest.length;
      if (this.channelBytes > this.owner.limits.answerLimitBytes) {
        this.kill(
          failure(
            'output-limit',
            `the answer is larger than ${Math.round(this.owner.limits.answerLimitBytes / 1024 / 1024)} MiB`,
          ),
        );
      }
    }
  }

  private onMessage(line: string): void {
    let message: unknown;
    try {
      message = JSON.parse(line);
    } catch {
      this.kill(failure('protocol', "unreadable data on the grader's private answer channel"));
      return;
    }
    if (message === null || typeof message !== 'object' || (message as { nonce?: unknown }).nonce !== this.nonce) {
      this.kill(
        failure('protocol', "a message on the grader's private answer channel did not come from the grader's runner"),
      );
      return;
    }
    const record = message as { ack?: unknown; loaded?: unknown; id?: unknown; part?: unknown; response?: unknown };
    if (record.ack !== undefined) {
      if (!this.pending || this.pending.acked || record.ack !== this.pending.id) {
        this.kill(failure('protocol', 'an unexpected acknowledgement on the private answer channel'));
        return;
      }
      this.pending.acked = true;
      return;
    }
    if (record.loaded !== undefined) {
      const loaded = record.loaded as { ok?: unknown; ms?: unknown };
      if (this.loaded || loaded === null || typeof loaded !== 'object' || typeof loaded.ok !== 'boolean') {
        this.kill(failure('protocol', 'unexpected load report on the private answer channel'));
        return;
      }
      this.loaded = true;
      this.owner.stats.startupMs.push(performance.now() - this.spawnedAt);
      const pending = this.pending;
      if (pending && pending.phase === 'load') {
        pending.phase = 'request';
        this.arm(pending, pending.timeoutMs);
      }
      return;
    }
    const pending = this.pending;
    const parts = pending?.parts;
    if (!pending || record.id !== pending.id || (parts ? record.part !== parts.next : record.part !== undefined)) {
      this.kill(failure('protocol', 'an answer arrived that no request was waiting for'));
      return;
    }
    const response = sanitizeResponse(record.response);
    if (!response) {
      this.kill(failure('protocol', 'a malformed answer arrived on the private answer channel'));
      return;
    }
    if (parts) {
      parts.deliver(parts.next++, response);
      if (parts.next < parts.count) return;
    }
    this.resolvePending(response);
  }

  private finalize(code: number | null, signal: NodeJS.Signals | null): void {
    if (this.finalizeTimer) clearTimeout(this.finalizeTimer);
    this.finalizeTimer = undefined;
    this.transport.forget();
    if (this.dead) {
      this.resolvePending(this.killedFor ?? failure('crashed', "the submission's process is gone"));
      return;
    }
    this.dead = true;
    this.killedFor = this.withLoadContext(classifyExit(code, signal, this.stderrTail, this.owner.limits));
    this.owner.stats.events.push(
      `process ${this.serial}: ended (${this.killedFor.failure}: ${this.killedFor.message})`,
    );
    // Kill anything the child may have left in its group (the fallback has no pid namespace).
    this.transport.kill();
    this.resolvePending(this.killedFor, true);
  }

  cpuSeconds(): number | undefined {
    return this.transport.cpuSeconds();
  }

  async dispose(reason = failure('crashed', 'the sandbox executor was closed')): Promise<void> {
    if (!this.dead) this.kill(reason);
    else this.transport.kill();
    // A ref'd timer: the child and its pipes are unref'd, and the caller is waiting for this.
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.closed, new Promise((resolve) => (timer = setTimeout(resolve, 2000)))]);
    clearTimeout(timer);
  }
}

const OUT_OF_MEMORY =
  /heap out of memory|Reached heap limit|process out of memory|Allocation failed - |Fatal JavaScript invalid size error/;

/** Why a child ended that was not killed by the parent. */
export function classifyExit(
  code: number | null,
  signal: NodeJS.Signals | null,
  stderrTail: string,
  limits: Pick<SandboxLimits, 'memoryMb' | 'cpuSeconds'>,
): ExecutionFailure {
  // bubblewrap reports a signal death of the sandboxed process as exit code 128 + signal number
  const signalName =
    signal ?? (code !== null && code > 128 && code < 128 + 65 ? (SIGNAL_NAMES.get(code - 128) ?? null) : null);
  const tail = lastLines(stderrTail);
  const withTail = (text: string) => (tail ? `${text}; last output on stderr:\n${tail}` : text);
  if (OUT_OF_MEMORY.test(stderrTail) || signalName === 'SIGABRT') {
    return failure('memory', `the submission's process ran out of memory (V8 heap limit ${limits.memoryMb} MiB)`);
  }
  if (signalName === 'SIGKILL')
    return failure(
      'memory',
      "the submission's process was killed by SIGKILL (by the system, most likely for using too much memory)",
    );
  if (signalName === 'SIGXCPU')
    return failure('timeout', `the submission's process used up its CPU time limit (${limits.cpuSeconds} s)`);
  if (signalName === 'SIGXFSZ')
    return failure('crashed', "the submission's process tried to write a file larger than allowed");
  if (signalName) return failure('crashed', withTail(`the submission's process was killed by ${signalName}`));
  return failure(
    'crashed',
    withTail(
      `the submission's process exited with code ${code ?? 'unknown'}${code === 0 ? ' (process.exit() in the submission?)' : ''}`,
    ),
  );
}

function lastLines(text: string, count = 6): string {
  const lines = text
    .trimEnd()
    .split('\n')
    .slice(-count)
    .map((line) => (line.length > 300 ? line.slice(0, 300) + '…' : line));
  return lines.join('\n').trim();
}

/**
 * Store requests carry the training split (~4 MB of JSON) to every submission of a batch:
 * serialize each matrix once per grader process, not once per submission.
 */
const storeJsonCache = new WeakMap<number[][], Map<string, string>>();
function serializedStore(request: Extract<CallRequest, { op: 'store' }>): string {
  let byName = storeJsonCache.get(request.matrix);
  if (!byName) storeJsonCache.set(request.matrix, (byName = new Map()));
  let json = byName.get(request.name);
  if (json === undefined) byName.set(request.name, (json = JSON.stringify(request)));
  return json;
}

const storeBytesCache = new Map<string, Buffer>();
/** The UTF-8 bytes of a (cached) store request's JSON, encoded once. */
function storeBytes(json: string): Buffer {
  let bytes = storeBytesCache.get(json);
  if (!bytes) {
    if (storeBytesCache.size > 4) storeBytesCache.clear();
    storeBytesCache.set(json, (bytes = Buffer.from(json, 'utf8')));
  }
  return bytes;
}
