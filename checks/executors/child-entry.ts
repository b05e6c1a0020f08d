/**
 * The program a student's `npm test` runs rnn.ts in: a child process (no OS sandbox: the code is
 * the student's own, on their own machine), so an endless loop or a crash costs one check and the
 * parent can always stop it. Started by ./child-process.ts with a TypeScript loader (tsx) and
 * source maps on, so a stack names `rnn.ts:LINE:COL`.
 *
 *   stdin, line 1:    {"nonce": "<hex>", "entry": "<path of rnn.ts>"}
 *   stdin, then:      {"id": <n>, "request": <CallRequest>, "skip": [<method names not to run>]}
 *   fd 3, lines:      {"nonce": …, "loaded": true} once, then {"nonce": …, "id": <n>, "response": <CallResponse>}
 *   fd 4, lines:      the RNN method running now (sampled by a helper thread), for naming an endless loop
 *
 * The nonce and the built-ins the channel needs are taken before rnn.ts loads, so nothing the
 * submission prints or writes to fd 3 can pass for an answer. stdout and stderr are the student's.
 */
import { writeSync } from 'fs';
import { Worker } from 'worker_threads';
import { apply, parseJson, stringifyJson } from '../protocol/builtins';
import { createDispatcher } from '../protocol/dispatch';
import type { CallRequest, CallResponse } from '../protocol/requests';
import { RNN_METHODS } from '../protocol/requests';

const CHANNEL_FD = 3;
const RUNNING_FD = 4;
const defineProperty = Object.defineProperty;
const atomicsStore = Atomics.store;
const atomicsLoad = Atomics.load;

/** The stack of RNN methods running now: [depth, method index + 1, …], shared with the sampler. */
const MAX_DEPTH = 64;
const running = new Int32Array(new SharedArrayBuffer(4 * (MAX_DEPTH + 1)));
/** Methods that did not return in an earlier call: they throw at once instead of looping again. */
let skipped: readonly string[] = [];

function send(line: string): void {
  const buffer = Buffer.from(line, 'utf8');
  let offset = 0;
  while (offset < buffer.length) {
    try {
      offset += writeSync(CHANNEL_FD, buffer, offset, buffer.length - offset);
    } catch (error) {
      if ((error as { code?: string }).code !== 'EAGAIN') throw error;
    }
  }
}

export class SkippedCallError extends Error {
  override name = 'SkippedCallError';
}

/** Wraps the RNN's methods so the sampler can see which one is running (and an endless one is skipped next time). */
function trackMethods(submission: Record<string, unknown>): void {
  const RNN = submission.RNN;
  const proto = typeof RNN === 'function' ? (RNN.prototype as Record<string, unknown> | undefined) : undefined;
  if (!proto || typeof proto !== 'object') return;
  RNN_METHODS.forEach((name, index) => {
    const descriptor = Object.getOwnPropertyDescriptor(proto, name);
    const original = descriptor?.value;
    if (typeof original !== 'function' || !descriptor?.writable) return;
    const tracked = function (this: unknown, ...args: unknown[]): unknown {
      if (skipped.includes(name))
        throw new SkippedCallError(
          `${name} did not return in an earlier check (an endless loop?), so it was not called again`,
        );
      const depth = atomicsLoad(running, 0);
      if (depth < MAX_DEPTH) atomicsStore(running, depth + 1, index + 1);
      atomicsStore(running, 0, depth + 1);
      try {
        return apply(original as (...a: unknown[]) => unknown, this, args);
      } finally {
        atomicsStore(running, 0, depth);
      }
    };
    defineProperty(tracked, 'length', { value: (original as () => unknown).length });
    defineProperty(tracked, 'name', { value: name });
    defineProperty(proto, name, { ...descriptor, value: tracked });
  });
}

/** A helper thread that reports, every 100 ms, the innermost RNN method running (if it changed). */
function startSampler(): void {
  const code = `
    const { workerData } = require('worker_threads');
    const { writeSync } = require('fs');
    const { running, names, fd } = workerData;
    let last = '';
    setInterval(() => {
      const depth = Atomics.load(running, 0);
      const top = depth > 0 && depth <= ${MAX_DEPTH} ? names[Atomics.load(running, depth) - 1] || '' : '';
      if (top !== last) { last = top; try { writeSync(fd, top + '\\n'); } catch {} }
    }, 100);`;
  const worker = new Worker(code, { eval: true, workerData: { running, names: [...RNN_METHODS], fd: RUNNING_FD } });
  worker.unref();
}

let nonceJson = '';
let dispatch: ((request: CallRequest) => CallResponse) | undefined;
let loadError: { name: string; message: string; stack?: string } | undefined;
const storedBeforeLoad: CallRequest[] = [];

function load(entry: string): void {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const submission = require(entry) as Record<string, unknown>;
    trackMethods(submission);
    dispatch = createDispatcher(submission);
    for (const request of storedBeforeLoad) dispatch(request);
  } catch (error) {
    const details =
      error instanceof Error
        ? { name: error.name, message: error.message, stack: error.stack }
        : { name: 'Thrown', message: String(error) };
    loadError = {
      name: 'LoadError',
      message: `rnn.ts could not be loaded: ${details.name}: ${details.message}`,
      stack: details.stack,
    };
  }
  storedBeforeLoad.length = 0;
  send(`{"nonce":${nonceJson},"loaded":true}\n`);
}

let entry = '';
function answer(request: CallRequest): CallResponse {
  if (!dispatch && !loadError) {
    // Storing data needs no submission: keep it, so a broken rnn.ts is reported by the first real call.
    if (request.op === 'store') {
      storedBeforeLoad.push(request);
      return { ok: true, value: null, after: { args: [], storedChecksums: {} }, rngLog: [], ms: 0 };
    }
    load(entry);
  }
  if (!dispatch) return { ok: false, error: loadError!, rngLog: [], ms: 0 };
  return dispatch(request);
}

function handle(line: string): void {
  if (!nonceJson) {
    const hello = parseJson(line) as { nonce: string; entry: string };
    nonceJson = stringifyJson(String(hello.nonce));
    entry = String(hello.entry);
    startSampler();
    return;
  }
  const message = parseJson(line) as { id: number; request: CallRequest; skip?: string[] };
  skipped = Array.isArray(message.skip) ? message.skip.map(String) : [];
  const response = answer(message.request);
  send(`{"nonce":${nonceJson},"id":${Number(message.id)},"response":${stringifyJson(response)}}\n`);
}

let pending = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk: string) => {
  pending += chunk;
  for (let newline = pending.indexOf('\n'); newline >= 0; newline = pending.indexOf('\n')) {
    const line = pending.slice(0, newline);
    pending = pending.slice(newline + 1);
    if (line.length > 0) handle(line);
  }
});
process.stdin.on('end', () => process.exit(0));
