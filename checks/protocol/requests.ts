/**
 * The requests a judge sends to submission code and the answers it gets back. Everything here
 * is plain JSON, so the same request can be served in-process (a student's `npm test`) or by a
 * sandboxed child process (the grader). The answer carries only raw outputs: every verdict is
 * decided by the judge.
 */
import type { Encoded } from './encode';
import type { RnnMethod, TopLevelFunction } from '../lab/definition';

/** Which generator a call receives (see ./scripted-rng.ts). */
export type RngSpec =
  | { kind: 'seeded'; seed: number }
  /**
   * int() returns the scripted values in order; 'last' means maxExclusive - 1 of that call.
   * uniform() and normal() come from a generator seeded with `seed`. Running out of script throws.
   */
  | { kind: 'scripted'; ints: Array<number | 'last'>; seed: number };

/** One argument: a literal value, a generator, or a matrix stored earlier with `store`. */
export type Argument = { value: Encoded } | { rng: RngSpec } | { stored: string };

/** Parameters and sizes to set on a fresh `new RNN(H, F)` before a method is called. */
export interface RnnSetup {
  hiddenStateSize: number;
  numFeatures: number;
  params: { u: number[][]; w: number[][]; v: number[]; b: number[]; c: number };
}

// The names a request may call: the lab definition's functions and the RNN's methods.
export { RNN_METHODS, TOP_LEVEL_FUNCTIONS } from '../lab/definition';
export type { RnnMethod, TopLevelFunction } from '../lab/definition';

export type CallRequest =
  /** What the module exports: kinds and arities. */
  | { op: 'exports' }
  /** Keep a (large) matrix in the executor under a name, for later `{ stored: name }` arguments. */
  | { op: 'store'; name: string; matrix: number[][] }
  /** Call a top-level function. An RNN argument is given as `{ value: … }` of an RnnSetup with `rnnArg` set. */
  | { op: 'call'; fn: TopLevelFunction; args: Argument[]; rnnArg?: { index: number; setup: RnnSetup } }
  /** `new RNN(H, F, rng)`, answering with its parameters. */
  | { op: 'construct'; hiddenStateSize: number; numFeatures: number; rng: RngSpec | null }
  /** Call a method on `new RNN(H, F)` whose parameters were set from `setup`. */
  | { op: 'method'; setup: RnnSetup; method: RnnMethod; args: Argument[] };

export interface RngCall {
  method: 'uniform' | 'normal' | 'int';
  args: number[];
  result: number;
}

export interface CallAftermath {
  /** Every literal argument as it was after the call (to detect mutation); null for others. */
  args: Array<Encoded | null>;
  /** Checksums of stored matrices passed as arguments, after the call. */
  storedChecksums: Record<string, string>;
  /** The RNN's parameters after the call (method calls, and calls taking an RNN). */
  params?: Encoded;
}

export type CallResponse =
  | { ok: true; value: Encoded; after: CallAftermath; rngLog: RngCall[]; ms: number }
  | { ok: false; error: { name: string; message: string; stack?: string }; rngLog: RngCall[]; ms: number };

/** What an executor can answer besides a response: the submission never got to answer. */
export type ExecutionFailure = {
  ok: false;
  failure: 'timeout' | 'memory' | 'crashed' | 'output-limit' | 'protocol';
  message: string;
};

export type ExecutionResult = CallResponse | ExecutionFailure;

export function isExecutionFailure(result: ExecutionResult): result is ExecutionFailure {
  return !result.ok && 'failure' in result;
}

/** Something that can serve requests against one loaded submission. */
export interface Executor {
  run(request: CallRequest, options?: { timeoutMs?: number }): Promise<ExecutionResult>;
  /**
   * Serves several requests (never `store`) in this order in one exchange, as if each were sent
   * by `run` right after the previous answer: one promise per request, each settled as its answer
   * arrives. `timeoutMs` is the budget of the whole sequence. When the submission's process is
   * lost (timeout, memory, crash), the request it was serving and every later one settle with
   * that failure. Optional: a check falls back to one `run` per request.
   */
  runSequence?(requests: CallRequest[], options?: { timeoutMs?: number }): Array<Promise<ExecutionResult>>;
  /**
   * The next request runs in a new process, with the stored matrices in it again: nothing earlier
   * calls left in the old one (the JIT's type feedback, a grown heap, module state) reaches it.
   * Not a restart after a failure (it does not count towards the limit on those). Optional: an
   * executor without processes of its own has nothing to renew.
   */
  renew?(): Promise<void>;
}
