/**
 * Serves CallRequests against one loaded submission module. It runs wherever the submission
 * runs (inside the grader's sandboxed child, or in a student's own jest process), so it must
 * never import the reference solution or any expected value: it only calls and reports.
 *
 * Its own records (arguments, the stored data, snapshots after a call, checksums) go through
 * ./builtins.ts: built-ins captured before the submission loads, writes no prototype setter sees.
 */
import * as crypto from 'crypto';
import {
  append,
  apply,
  cloneData,
  construct,
  copyArray,
  Float64ArrayConstructor,
  hasOwn,
  isArray,
  MapConstructor,
  mapArray,
  mapLookup,
  mapStore,
  objectAssign,
  objectKeys,
  setOwn,
  toNumber,
} from './builtins';
import { createLoggedRng } from './scripted-rng';
import { describeThrown, encodeValue, decodeValue } from './encode';
import type { Encoded } from './encode';
import type { Argument, CallAftermath, CallRequest, CallResponse, RngCall, RngSpec, RnnSetup } from './requests';

type AnyFunction = (...args: unknown[]) => unknown;
type RnnInstance = Record<string, unknown>;

export function createDispatcher(submission: Record<string, unknown>): (request: CallRequest) => CallResponse {
  const stored: Map<string, number[][]> = new MapConstructor();

  return (request) => {
    const rngLog: RngCall[] = [];
    const started = performance.now();
    const elapsed = () => performance.now() - started;
    try {
      if (request.op === 'store') {
        mapStore(stored, request.name, request.matrix);
        return { ok: true, value: null, after: { args: [], storedChecksums: {} }, rngLog, ms: elapsed() };
      }
      if (request.op === 'exports') {
        return {
          ok: true,
          value: describeExports(submission),
          after: { args: [], storedChecksums: {} },
          rngLog,
          ms: elapsed(),
        };
      }
      if (request.op === 'construct') {
        const RNN = requireExport(submission, 'RNN') as new (...args: unknown[]) => RnnInstance;
        const args: unknown[] = [request.hiddenStateSize, request.numFeatures];
        if (request.rng) append(args, createLoggedRng(request.rng, rngLog));
        const rnn = construct(RNN, args) as RnnInstance;
        const value = encodeValue(readParams(rnn));
        return { ok: true, value, after: { args: [], storedChecksums: {} }, rngLog, ms: elapsed() };
      }

      const args = mapArray(request.args, (argument) => materialize(argument, stored, rngLog));
      let rnn: RnnInstance | undefined;
      let result: unknown;
      if (request.op === 'method') {
        rnn = buildRnn(submission, request.setup);
        const method = rnn[request.method];
        if (typeof method !== 'function') throw new MissingExportError(`RNN has no method ${request.method}()`);
        result = apply(method as AnyFunction, rnn, args);
      } else {
        const fn = requireExport(submission, request.fn);
        if (typeof fn !== 'function') throw new MissingExportError(`${request.fn} is exported but is not a function`);
        if (request.rnnArg) {
          rnn = buildRnn(submission, request.rnnArg.setup);
          setOwn(args, request.rnnArg.index, rnn);
        }
        result = apply(fn as AnyFunction, undefined, args);
      }
      // trainRnn answers { rnn, losses }: read the network's parameters rather than its internals.
      const value = encodeValue(
        isTrainResult(result) ? { losses: result.losses, params: readParams(result.rnn as RnnInstance) } : result,
      );
      const after: CallAftermath = {
        args: mapArray(request.args, (argument, i) =>
          hasOwn(argument, 'value') && !(request.op === 'call' && i === request.rnnArg?.index)
            ? encodeValue(args[i])
            : null,
        ),
        storedChecksums: {},
        params: rnn ? encodeValue(readParams(rnn)) : undefined,
      };
      for (let i = 0; i < request.args.length; i++) {
        const argument = request.args[i];
        if (hasOwn(argument, 'stored'))
          setOwn(after.storedChecksums, (argument as { stored: string }).stored, checksumMatrix(args[i]));
      }
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
  if (!(name in submission) || submission[name] === undefined)
    throw new MissingExportError(`rnn.ts does not export ${name}`);
  return submission[name];
}

function materialize(argument: Argument, stored: Map<string, number[][]>, rngLog: RngCall[]): unknown {
  if (hasOwn(argument, 'rng')) return createLoggedRng((argument as { rng: RngSpec }).rng, rngLog);
  if (hasOwn(argument, 'stored')) {
    const name = (argument as { stored: string }).stored;
    const matrix = mapLookup(stored, name);
    if (!matrix) throw new Error(`internal: no stored matrix named ${name}`);
    return cloneData(matrix); // a fresh copy per call: one call's mutation cannot leak into the next
  }
  return decodeValue((argument as { value: Encoded }).value);
}

function buildRnn(submission: Record<string, unknown>, setup: RnnSetup): RnnInstance {
  const RNN = requireExport(submission, 'RNN');
  if (typeof RNN !== 'function') throw new MissingExportError('RNN is exported but is not a class');
  const rnn = new (RNN as new (...args: unknown[]) => RnnInstance)(
    setup.hiddenStateSize,
    setup.numFeatures,
    createLoggedRng({ kind: 'seeded', seed: 0 }, []),
  );
  const { u, w, v, b, c } = setup.params;
  // Plain assignment on the submission's own object: its class may define setters of its own.
  objectAssign(rnn, { u: mapArray(u, copyArray), w: mapArray(w, copyArray), v: copyArray(v), b: copyArray(b), c });
  return rnn;
}

function readParams(rnn: RnnInstance): Record<string, unknown> {
  if (rnn === null || typeof rnn !== 'object') return { notAnRnn: describeKind(rnn) };
  return { u: rnn.u, w: rnn.w, v: rnn.v, b: rnn.b, c: rnn.c };
}

function isTrainResult(result: unknown): result is { rnn: unknown; losses: unknown } {
  return result !== null && typeof result === 'object' && 'rnn' in result && 'losses' in result;
}

const ownNames = Object.getOwnPropertyNames;
const ownDescriptor = Object.getOwnPropertyDescriptor;
const prototypeOf = Object.getPrototypeOf;
const OBJECT_PROTOTYPE = Object.prototype;
/** Deeper class chains than this are not a lab's; the walk must end even on a cyclic proxy. */
const MAX_CLASS_CHAIN = 16;
const functionSource = Function.prototype.toString;
const regexpTest = RegExp.prototype.test;
const CLASS_SOURCE = /^class[\s{]/;

function describeExports(submission: Record<string, unknown>): Encoded {
  const out: Record<string, Encoded> = {};
  const names = objectKeys(submission);
  for (let i = 0; i < names.length; i++) {
    const name = names[i];
    const value = submission[name];
    const entry: Record<string, Encoded> = { kind: describeKind(value) };
    if (typeof value === 'function') {
      setOwn(entry, 'arity', value.length);
      const proto = (value as { prototype?: Record<string, unknown> }).prototype;
      if (proto) setOwn(entry, 'methods', { $object: describeMethods(proto) });
    }
    setOwn(out, name, { $object: entry });
  }
  return { $object: out };
}

/** Each method's arity, inherited ones included (`class RNN extends Base`): the nearest definition wins. */
function describeMethods(proto: object): Record<string, Encoded> {
  const methods: Record<string, Encoded> = {};
  let level: unknown = proto;
  for (let depth = 0; depth < MAX_CLASS_CHAIN && level && level !== OBJECT_PROTOTYPE; depth++) {
    const keys = ownNames(level);
    for (let k = 0; k < keys.length; k++) {
      if (keys[k] === 'constructor' || ownDescriptor(methods, keys[k])) continue;
      const descriptor = ownDescriptor(level, keys[k]);
      if (typeof descriptor?.value === 'function') setOwn(methods, keys[k], descriptor.value.length);
    }
    level = prototypeOf(level);
  }
  return methods;
}

function describeKind(value: unknown): string {
  if (typeof value === 'function')
    return apply(regexpTest, CLASS_SOURCE, [apply(functionSource, value, [])]) ? 'class' : 'function';
  return value === null ? 'null' : isArray(value) ? 'array' : typeof value;
}

// createHash and the hash's methods, taken before the submission could replace them on the crypto
// module or on its Hash class (`import { createHash }` would be looked up at every call).
const createHash = crypto.createHash;
const hashPrototype = Object.getPrototypeOf(createHash('sha256')) as {
  update: (data: unknown) => unknown;
  digest: (encoding: string) => string;
};
const hashUpdate = hashPrototype.update;
const hashDigest = hashPrototype.digest;

/** Fingerprint of a stored matrix after a call: a changed one means the submission wrote into it. */
function checksumMatrix(value: unknown): string {
  const hash = createHash('sha256');
  if (!isArray(value)) return `not a matrix: ${describeKind(value)}`;
  const rows = value as unknown[];
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r];
    if (!isArray(row)) return 'a row is not an array';
    const length = (row as unknown[]).length;
    const values = new Float64ArrayConstructor(length); // typed-array writes never reach a prototype
    for (let i = 0; i < length; i++) values[i] = toNumber((row as unknown[])[i]);
    apply(hashUpdate, hash, [values]);
    apply(hashUpdate, hash, [`|${length}`]);
  }
  return apply(hashDigest, hash, ['hex']) as string;
}

function errorDetails(error: unknown): { name: string; message: string; stack?: string } {
  try {
    if (error instanceof Error) {
      return {
        name: String(error.name),
        message: String(error.message).slice(0, 2000),
        stack: typeof error.stack === 'string' ? error.stack.slice(0, 4000) : undefined,
      };
    }
  } catch {
    // fall through: a hostile error object
  }
  return { name: 'Thrown', message: describeThrown(error) };
}
