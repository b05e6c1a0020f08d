/**
 * The parent's checks of what arrives on the private channel. Everything is rebuilt from known
 * fields only, so a child cannot smuggle extra properties (say, `failure: 'timeout'`) into a
 * response, and every value is a well-formed Encoded, so the judge's decoder never trips.
 */
import type { Encoded } from '../../checks/protocol/encode';
import type { CallAftermath, CallResponse, RngCall } from '../../checks/protocol/requests';

const SPECIALS = new Set(['NaN', 'Infinity', '-Infinity', '-0', 'undefined']);
const RNG_METHODS = new Set(['uniform', 'normal', 'int']);
const MAX_NODES = 20_000_000;

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Iterative (no recursion: nesting depth is up to the child) and bounded. */
export function isEncoded(value: unknown): value is Encoded {
  const stack: unknown[] = [value];
  let budget = MAX_NODES;
  while (stack.length > 0) {
    if (--budget < 0) return false;
    const item = stack.pop();
    if (item === null || typeof item === 'string' || typeof item === 'boolean') continue;
    if (typeof item === 'number') {
      if (!Number.isFinite(item)) return false;
      continue;
    }
    if (Array.isArray(item)) {
      for (let i = 0; i < item.length; i++) stack.push(item[i]);
      continue;
    }
    if (!isRecord(item)) return false;
    const keys = Object.keys(item);
    if (keys.length === 1 && keys[0] === '$special') {
      if (!SPECIALS.has(item.$special as string)) return false;
    } else if (keys.length === 1 && keys[0] === '$unreadable') {
      if (typeof item.$unreadable !== 'string') return false;
    } else if (keys.length === 1 && keys[0] === '$object') {
      const object = item.$object;
      if (!isRecord(object)) return false;
      for (const key of Object.keys(object)) stack.push(object[key]);
    } else if (keys.length === 2 && typeof item.$typed === 'string' && Array.isArray(item.values)) {
      for (const entry of item.values) stack.push(entry);
    } else {
      return false;
    }
  }
  return true;
}

function sanitizeRngLog(value: unknown): RngCall[] | undefined {
  if (!Array.isArray(value) || value.length > 1_000_000) return undefined;
  const out: RngCall[] = [];
  for (const call of value) {
    if (
      !isRecord(call) ||
      !RNG_METHODS.has(call.method as string) ||
      typeof call.result !== 'number' ||
      !Array.isArray(call.args)
    )
      return undefined;
    if (!call.args.every((arg) => typeof arg === 'number')) return undefined;
    out.push({ method: call.method as RngCall['method'], args: call.args.slice(), result: call.result });
  }
  return out;
}

function sanitizeAftermath(value: unknown): CallAftermath | undefined {
  if (!isRecord(value) || !Array.isArray(value.args) || !isRecord(value.storedChecksums)) return undefined;
  const args: Array<Encoded | null> = [];
  for (const arg of value.args) {
    if (arg !== null && !isEncoded(arg)) return undefined;
    args.push(arg as Encoded | null);
  }
  const storedChecksums: Record<string, string> = {};
  for (const [name, checksum] of Object.entries(value.storedChecksums)) {
    if (typeof checksum !== 'string') return undefined;
    storedChecksums[name] = checksum;
  }
  const after: CallAftermath = { args, storedChecksums };
  if (value.params !== undefined) {
    if (!isEncoded(value.params)) return undefined;
    after.params = value.params;
  }
  return after;
}

/** A well-formed CallResponse rebuilt from `value`, or undefined. */
export function sanitizeResponse(value: unknown): CallResponse | undefined {
  if (!isRecord(value) || typeof value.ms !== 'number') return undefined;
  const rngLog = sanitizeRngLog(value.rngLog);
  if (!rngLog) return undefined;
  if (value.ok === true) {
    if (!('value' in value) || !isEncoded(value.value)) return undefined;
    const after = sanitizeAftermath(value.after);
    if (!after) return undefined;
    return { ok: true, value: value.value, after, rngLog, ms: value.ms };
  }
  if (value.ok === false) {
    const error = value.error;
    if (!isRecord(error) || typeof error.name !== 'string' || typeof error.message !== 'string') return undefined;
    if (error.stack !== undefined && typeof error.stack !== 'string') return undefined;
    return {
      ok: false,
      error: {
        name: error.name.slice(0, 200),
        message: error.message.slice(0, 4000),
        ...(typeof error.stack === 'string' ? { stack: error.stack.slice(0, 8000) } : {}),
      },
      rngLog,
      ms: value.ms,
    };
  }
  return undefined;
}
