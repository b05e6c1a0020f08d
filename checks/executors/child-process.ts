/**
 * A student's `npm test` runs rnn.ts in a child process (./child-entry.ts) with a time limit per
 * call and a heap limit, so an endless loop ends with a verdict that names the function instead
 * of hanging the run, and the other functions are still graded. There is no OS sandbox: the code
 * is the student's own, on their machine (the grader uses grader/sandbox for submissions).
 *
 * - Each call gets at most CALL_LIMIT_MS (training on the real data: the check's whole budget).
 * - On expiry the child is killed and the call answers a `timeout` naming the function
 *   ("computeGradB did not return within 10 s: an endless loop?"); the next call starts a fresh
 *   child and replays the stored data into it.
 * - A function that did not return is not called again in this run: calls of it answer at once,
 *   and methods that call it (getGradients, trainRnn) throw instead of looping again, so a run
 *   with an endless loop still ends in bounded time.
 * - A thrown error's stack is mapped to the line in rnn.ts (source maps of the transpile), and the
 *   message gains `at rnn.ts:LINE:COL` and that source line.
 */
import { spawn } from 'child_process';
import type { ChildProcess } from 'child_process';
import { randomBytes } from 'crypto';
import { readFileSync } from 'fs';
import path from 'path';
import type { CallRequest, CallResponse, ExecutionFailure, ExecutionResult, Executor } from '../protocol/requests';
import { locateError } from './error-location';

export const CALL_LIMIT_MS = 10_000;
export const LOAD_LIMIT_MS = 10_000;
export const HEAP_LIMIT_MB = 1024;
/** Bytes of stdout + stderr kept from the submission (for showing what it printed). */
const OUTPUT_KEEP_BYTES = 64 * 1024;

export interface ChildExecutorOptions {
  callLimitMs?: number;
  loadLimitMs?: number;
  heapLimitMb?: number;
  /** Shared by executors that run checks side by side, so what one finds endless the others stop too. */
  endless?: EndlessRegistry;
}

/**
 * Functions found not to return, with the failure to answer for them. A registry shared by two
 * executors stops a call in one (e.g. training) that is running a function the other just found
 * endless, instead of letting it loop until its own, longer limit.
 */
export class EndlessRegistry {
  private readonly failures = new Map<string, ExecutionFailure>();
  private readonly listeners = new Set<() => void>();

  get(name: string): ExecutionFailure | undefined {
    return this.failures.get(name);
  }

  names(): string[] {
    return [...this.failures.keys()];
  }

  add(name: string, failure: ExecutionFailure): void {
    if (this.failures.has(name)) return;
    this.failures.set(name, failure);
    for (const listener of [...this.listeners]) listener();
  }

  /** Calls `listener` whenever a function is added; returns the unsubscribe. */
  watch(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

export interface ChildProcessExecutor extends Executor {
  /** Stops the child; the executor answers no more calls. */
  close(): Promise<void>;
  /** What the submission printed (stdout and stderr interleaved), cut at OUTPUT_KEEP_BYTES. */
  printed(): { text: string; truncated: boolean };
}

/** The name a request calls, for messages: `computeGradB`, `trainRnn`, `new RNN`. */
export function calledName(request: CallRequest): string {
  if (request.op === 'method') return request.method;
  if (request.op === 'call') return request.fn;
  if (request.op === 'construct') return 'the RNN constructor';
  return 'rnn.ts';
}

const usesStoredData = (request: CallRequest) =>
  (request.op === 'call' || request.op === 'method') && request.args.some((argument) => 'stored' in argument);

const seconds = (ms: number) => `${Math.round(ms / 100) / 10} s`;

function failure(kind: ExecutionFailure['failure'], message: string): ExecutionFailure {
  return { ok: false, failure: kind, message };
}

const OUT_OF_MEMORY = /heap out of memory|Reached heap limit|Allocation failed - |invalid size error/;

class Child {
  readonly process: ChildProcess;
  readonly nonce = randomBytes(16).toString('hex');
  private channel = '';
  private waiting: { id: number; resolve: (result: CallResponse | ExecutionFailure) => void } | undefined;
  loaded = false;
  dead = false;
  /** The innermost RNN method running now, as last sampled by the child. */
  runningMethod = '';
  /** Called when runningMethod changes. */
  onRunning: () => void = () => {};
  stderrTail = '';

  constructor(
    entry: string,
    childEntry: string,
    heapLimitMb: number,
    private readonly onOutput: (chunk: string) => void,
    private readonly onExit: (child: Child, code: number | null, signal: NodeJS.Signals | null) => void,
  ) {
    const execArgv = [
      '--require',
      require.resolve('tsx/cjs'),
      '--enable-source-maps',
      `--max-old-space-size=${heapLimitMb}`,
      '--stack-size=2000',
    ];
    this.process = spawn(process.execPath, [...execArgv, childEntry], {
      stdio: ['pipe', 'pipe', 'pipe', 'pipe', 'pipe'],
      env: process.env,
    });
    this.process.stdout!.setEncoding('utf8').on('data', (chunk: string) => this.onOutput(chunk));
    this.process.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
      this.stderrTail = (this.stderrTail + chunk).slice(-4096);
      this.onOutput(chunk);
    });
    const channel = this.process.stdio[3] as NodeJS.ReadableStream;
    channel.setEncoding('utf8');
    channel.on('data', (chunk: string) => this.receive(chunk));
    const running = this.process.stdio[4] as NodeJS.ReadableStream;
    running.setEncoding('utf8');
    running.on('data', (chunk: string) => {
      const lines = chunk.split('\n');
      this.runningMethod = lines[lines.length - 2] ?? this.runningMethod;
      this.onRunning();
    });
    this.process.stdin!.on('error', () => {}); // a child that died: its exit is reported instead
    this.process.on('exit', (code, signal) => {
      const killed = this.dead;
      this.dead = true;
      if (!killed) this.onExit(this, code, signal);
    });
    this.process.stdin!.write(JSON.stringify({ nonce: this.nonce, entry }) + '\n');
  }

  private receive(chunk: string): void {
    this.channel += chunk;
    for (let newline = this.channel.indexOf('\n'); newline >= 0; newline = this.channel.indexOf('\n')) {
      const line = this.channel.slice(0, newline);
      this.channel = this.channel.slice(newline + 1);
      let message: { nonce?: string; loaded?: boolean; id?: number; response?: CallResponse };
      try {
        message = JSON.parse(line);
      } catch {
        continue; // not ours: only lines with the nonce count
      }
      if (message.nonce !== this.nonce) continue;
      if (message.loaded) this.loaded = true;
      else if (this.waiting && message.id === this.waiting.id && message.response) {
        const { resolve } = this.waiting;
        this.waiting = undefined;
        resolve(message.response);
      }
    }
  }

  call(id: number, request: CallRequest, skip: string[]): Promise<CallResponse | ExecutionFailure> {
    return new Promise((resolve) => {
      this.waiting = { id, resolve };
      this.process.stdin!.write(JSON.stringify({ id, request, skip }) + '\n');
    });
  }

  /** Ends the pending call, if any, with this failure. */
  fail(result: ExecutionFailure): void {
    const waiting = this.waiting;
    this.waiting = undefined;
    waiting?.resolve(result);
  }

  /** Kills the process; it counts as gone at once, so the next call starts a fresh one. */
  kill(): void {
    if (this.dead) return;
    this.dead = true;
    this.process.kill('SIGKILL');
  }
}

export function createChildProcessExecutor(
  modulePath: string,
  options: ChildExecutorOptions = {},
): ChildProcessExecutor {
  const entry = path.resolve(modulePath);
  const callLimitMs = options.callLimitMs ?? CALL_LIMIT_MS;
  const loadLimitMs = options.loadLimitMs ?? LOAD_LIMIT_MS;
  const heapLimitMb = options.heapLimitMb ?? HEAP_LIMIT_MB;
  const childEntry = path.join(__dirname, 'child-entry.ts');
  const stores = new Map<string, CallRequest>();
  /** Functions that did not return, with the failure to answer for them from now on. */
  const endless = options.endless ?? new EndlessRegistry();
  let sticky: ExecutionFailure | undefined;
  let child: Child | undefined;
  let nextId = 1;
  let queue: Promise<unknown> = Promise.resolve();
  let closed = false;
  let printed = '';
  let truncated = false;
  let source: string[] | undefined;

  const onOutput = (chunk: string) => {
    if (printed.length < OUTPUT_KEEP_BYTES) printed += chunk.slice(0, OUTPUT_KEEP_BYTES - printed.length);
    else truncated = true;
  };
  const onExit = (ended: Child, code: number | null, signal: NodeJS.Signals | null) => {
    if (child === ended) child = undefined;
    if (OUT_OF_MEMORY.test(ended.stderrTail) || signal === 'SIGABRT')
      ended.fail(failure('memory', `it used more than the ${heapLimitMb} MB of memory a run may use`));
    else if (signal) ended.fail(failure('crashed', `the process running rnn.ts was stopped by ${signal}`));
    else
      ended.fail(
        failure(
          'crashed',
          `the process running rnn.ts exited with code ${code}${code === 0 ? ' (a call of process.exit() in rnn.ts?)' : ''}`,
        ),
      );
  };

  /** A running child with the stored data in it, or the failure that prevents one. */
  async function liveChild(): Promise<Child | ExecutionFailure> {
    if (child && !child.dead) return child;
    const fresh = new Child(entry, childEntry, heapLimitMb, onOutput, onExit);
    child = fresh;
    for (const store of stores.values()) {
      const result = await fresh.call(nextId++, store, []);
      if (!result.ok)
        return 'failure' in result
          ? result
          : failure('protocol', `could not send the data to rnn.ts's process: ${result.error.message}`);
    }
    return fresh;
  }

  async function runNow(request: CallRequest, timeoutMs: number): Promise<ExecutionResult> {
    if (closed) return failure('crashed', 'the run was stopped');
    if (sticky) return sticky;
    const name = calledName(request);
    const known = endless.get(name);
    if (known) return known;
    if (request.op === 'store') stores.set(request.name, request);
    const started = await liveChild();
    if (!(started instanceof Child)) return started;
    const wasLoaded = started.loaded;
    const limit = request.op === 'store' || usesStoredData(request) ? timeoutMs : Math.min(timeoutMs, callLimitMs);
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>(
      (resolve) => (timer = setTimeout(() => resolve('timeout'), limit + (wasLoaded ? 0 : loadLimitMs))),
    );
    // Another executor found the function this call is in (or is running now) endless: stop it too.
    let unwatch = () => {};
    // Checked when a function is found endless and when the call moves into another method.
    const stopped = new Promise<{ stoppedBy: ExecutionFailure }>((resolve) => {
      const check = () => {
        const found = endless.get(name) ?? (started.runningMethod ? endless.get(started.runningMethod) : undefined);
        if (found)
          resolve({
            stoppedBy: {
              ...found,
              message: `${name} was stopped: ${found.message.replace(/ in an earlier check(.*), so it was not called again$/, ' in another check$1')}`,
            },
          });
      };
      const stopWatching = endless.watch(check);
      started.onRunning = check;
      unwatch = () => {
        stopWatching();
        started.onRunning = () => {};
      };
    });
    const outcome = await Promise.race([started.call(nextId++, request, endless.names()), timedOut, stopped]);
    clearTimeout(timer);
    unwatch();
    if (outcome !== 'timeout' && 'stoppedBy' in outcome) {
      started.kill();
      return outcome.stoppedBy;
    }
    if (outcome !== 'timeout') {
      if (!outcome.ok && !('failure' in outcome) && outcome.error.stack) {
        source ??= readSource(entry);
        const location = locateError(outcome.error.stack, entry, source);
        if (location) outcome.error.message += `\n${location}`;
      }
      return outcome;
    }
    const running = started.runningMethod;
    started.kill();
    if (!started.loaded) {
      sticky = failure(
        'timeout',
        `loading rnn.ts did not finish within ${seconds(loadLimitMs)}: an endless loop outside any function?`,
      );
      return sticky;
    }
    const inner = running && running !== name ? ` (it was running ${running})` : '';
    const result = failure('timeout', `${name} did not return within ${seconds(limit)}: an endless loop?${inner}`);
    endless.add(name, {
      ...result,
      message: `${name} did not return within ${seconds(limit)} in an earlier check (an endless loop?), so it was not called again`,
    });
    if (running && running !== name)
      endless.add(running, {
        ...result,
        message: `${running} did not return within ${seconds(limit)} in an earlier check (an endless loop?), so it was not called again`,
      });
    return result;
  }

  return {
    run(request, runOptions = {}) {
      const next = queue.then(() => runNow(request, Math.max(1, runOptions.timeoutMs ?? callLimitMs)));
      queue = next.catch(() => undefined);
      return next;
    },
    async close() {
      closed = true;
      const ending = child;
      child = undefined;
      if (ending && ending.process.exitCode === null && ending.process.signalCode === null) {
        const exited = new Promise((resolve) => ending.process.once('exit', resolve));
        ending.kill();
        await exited;
      }
    },
    printed: () => ({ text: printed, truncated }),
  };
}

function readSource(file: string): string[] {
  try {
    return readFileSync(file, 'utf8').split('\n');
  } catch {
    return [];
  }
}
