/**
 * Serves CallRequests against one loaded submission module. It runs wherever the submission
 * runs (inside the grader's sandboxed child, or in a student's own jest process), so it must
 * never import the reference solution or any expected value: it only calls and reports.
 */
import { createHash } from 'crypto';
import { createLoggedRng } from './scripted-rng';
import { describeThrown, encodeValue, decodeValue } from './encode';
import type { Encoded } from './encode';
import type { Argument, CallAftermath, CallRequest, CallResponse, RngCall, RnnSetup } from './requests';

type AnyFunction = (...args: unknown[]) => unknown;
type RnnInstance = Record<string, unknown>;

export function createDispatcher(submission: Record<string, unknown>): (request: CallRequest) => CallResponse {
  const stored = new Map<string, number[][]>();

  return (request) => {
    const rngLog: RngCall[] = [];
    const started = performance.now();
    const elapsed = () => performance.now() - started;
    try {
      if (request.op === 'store') {
        stored.set(request.name, request.matrix);
        return { ok: true, value: null, after: { args: [], storedChecksums: {} }, rngLog, ms: elapsed() };
      }
      if (request.op === 'exports') {
        return { ok: true, value: describeExports(submission), after: { args: [], storedChecksums: {} }, rngLog, ms: elapsed() };
      }
      if (request.op === 'construct') {
        const RNN = requireExport(submission, 'RNN') as new (...args: unknown[]) => RnnInstance;
        const args: unknown[] = [request.hiddenStateSize, request.numFeatures];
        if (request.rng) args.push(createLoggedRng(request.rng, rngLog));
        const rnn = new RNN(...args);
        const value = encodeValue(readParams(rnn));
        return { ok: true, value, after: { args: [], storedChecksums: {} }, rngLog, ms: elapsed() };
      }

      const args = request.args.map((argument) => materialize(argument, stored, rngLog));
      let rnn: RnnInstance | undefined;
      let result: unknown;
      if (request.op === 'method') {
        rnn = buildRnn(submission, request.setup);
        const method = rnn[request.method];
        if (typeof method !== 'function') throw new MissingExportError(`RNN has no method ${request.method}()`);
        result = (method as AnyFunction).apply(rnn, args);
      } else {
        const fn = requireExport(submission, request.fn);
        if (typeof fn !== 'function') throw new MissingExportError(`${request.fn} is exported but is not a function`);
        if (request.rnnArg) {
          rnn = buildRnn(submission, request.rnnArg.setup);
          args[request.rnnArg.index] = rnn;
        }
        result = (fn as AnyFunction)(...args);
      }
      // trainRnn answers { rnn, losses }: read the network's parameters rather than its internals.
      const value = encodeValue(isTrainResult(result) ? { losses: result.losses, params: readParams(result.rnn as RnnInstance) } : result);
      const after: CallAftermath = {
        args: request.args.map((argument, i) => ('value' in argument && !(request.op === 'call' && i === request.rnnArg?.index) ? encodeValue(args[i]) : null)),
        storedChecksums: {},
        params: rnn ? encodeValue(readParams(rnn)) : undefined,
      };
      request.args.forEach((argument, i) => {
        if ('stored' in argument) after.storedChecksums[argument.stored] = checksumMatrix(args[i]);
      });
      return { ok: true, value, after, rngLog, ms: elapsed() };
    } catch (error) {
      return { ok: false, error: errorDetails(error), rngLog, ms: elapsed() };
    }
  };
}

export class MissingExportError extends Error {
  override name = 'MissingExportError';
}

function requireExport(submission: Record<string, unknown>, name: string): unknown {
  if (!(name in submission) || submission[name] === undefined) throw new MissingExportError(`rnn.ts does not export ${name}`);
  return submission[name];
}

function materialize(argument: Argument, stored: Map<string, number[][]>, rngLog: RngCall[]): unknown {
  if ('rng' in argument) return createLoggedRng(argument.rng, rngLog);
  if ('stored' in argument) {
    const matrix = stored.get(argument.stored);
    if (!matrix) throw new Error(`internal: no stored matrix named ${argument.stored}`);
    return matrix.map((row) => row.slice()); // a fresh copy per call: one call's mutation cannot leak into the next
  }
  return decodeValue(argument.value);
}

function buildRnn(submission: Record<string, unknown>, setup: RnnSetup): RnnInstance {
  const RNN = requireExport(submission, 'RNN');
  if (typeof RNN !== 'function') throw new MissingExportError('RNN is exported but is not a class');
  const rnn = new (RNN as new (...args: unknown[]) => RnnInstance)(setup.hiddenStateSize, setup.numFeatures, createLoggedRng({ kind: 'seeded', seed: 0 }, []));
  const { u, w, v, b, c } = setup.params;
  Object.assign(rnn, { u: u.map((row) => row.slice()), w: w.map((row) => row.slice()), v: v.slice(), b: b.slice(), c });
  return rnn;
}

function readParams(rnn: RnnInstance): Record<string, unknown> {
  if (rnn === null || typeof rnn !== 'object') return { notAnRnn: describeKind(rnn) };
  return { u: rnn.u, w: rnn.w, v: rnn.v, b: rnn.b, c: rnn.c };
}

function isTrainResult(result: unknown): result is { rnn: unknown; losses: unknown } {
  return result !== null && typeof result === 'object' && 'rnn' in result && 'losses' in result;
}

function describeExports(submission: Record<string, unknown>): Encoded {
  const out: Record<string, Encoded> = {};
  for (const name of Object.keys(submission)) {
    const value = submission[name];
    const entry: Record<string, Encoded> = { kind: describeKind(value) };
    if (typeof value === 'function') {
      entry.arity = value.length;
      const proto = (value as { prototype?: Record<string, unknown> }).prototype;
      if (proto) {
        const methods: Record<string, Encoded> = {};
        for (const key of Object.getOwnPropertyNames(proto)) {
          const descriptor = Object.getOwnPropertyDescriptor(proto, key);
          if (key !== 'constructor' && typeof descriptor?.value === 'function') methods[key] = descriptor.value.length;
        }
        entry.methods = { $object: methods };
      }
    }
    out[name] = { $object: entry };
  }
  return { $object: out };
}

function describeKind(value: unknown): string {
  if (typeof value === 'function') return /^class[\s{]/.test(Function.prototype.toString.call(value)) ? 'class' : 'function';
  return value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value;
}

function checksumMatrix(value: unknown): string {
  const hash = createHash('sha256');
  if (!Array.isArray(value)) return `not a matrix: ${describeKind(value)}`;
  for (const row of value) {
    if (!Array.isArray(row)) return 'a row is not an array';
    hash.update(new Float64Array(row.map(Number)));
    hash.update(`|${row.length}`);
  }
  return hash.digest('hex');
}

function errorDetails(error: unknown): { name: string; message: string; stack?: string } {
  try {
    if (error instanceof Error) {
      return { name: String(error.name), message: String(error.message).slice(0, 2000), stack: typeof error.stack === 'string' ? error.stack.slice(0, 4000) : undefined };
    }
  } catch {
    // fall through: a hostile error object
  }
  return { name: 'Thrown', message: describeThrown(error) };
}
