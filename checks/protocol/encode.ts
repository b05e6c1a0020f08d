/**
 * Values crossing the boundary between submission code and the judge, as JSON.
 *
 * JSON alone would turn NaN and Infinity into null and drop undefined, and a judge must see
 * exactly what the submission returned. The encoding is total (it never throws on what student
 * code returns: getters that throw, Proxies, cycles and huge arrays become tagged markers) and
 * bounded (at most MAX_ENCODED_ENTRIES entries), so a hostile return value cannot stall or
 * crash the encoder.
 */
import {
  append,
  DataViewConstructor,
  hasOwn,
  isArray,
  isView,
  mapArray,
  objectKeys,
  SetConstructor,
  setContains,
  setInsert,
  setOwn,
  setRemove,
  toNumber,
  toText,
} from './builtins';

export type Encoded =
  | number
  | string
  | boolean
  | null
  | Encoded[]
  | { $special: 'NaN' | 'Infinity' | '-Infinity' | '-0' | 'undefined' }
  | { $typed: string; values: Encoded[] }
  | { $object: Record<string, Encoded> }
  | { $unreadable: string };

export const MAX_ENCODED_ENTRIES = 2_000_000;

// Built-ins captured before any submission code runs, and writes that no prototype setter sees:
// a submission that later replaces or plants accessors on Array.prototype, Object.keys, Set …
// cannot change how its answers are recorded (see ./builtins.ts).
const isNaNValue = Number.isNaN;
const sameValue = Object.is;

/** What a decoded value can be: the judge checks its shape before using it. */
export type Decoded =
  | number
  | string
  | boolean
  | null
  | undefined
  | Decoded[]
  | TypedArrayValue
  | { [key: string]: Decoded }
  | UnreadableValue;

export class TypedArrayValue {
  constructor(
    readonly kind: string,
    readonly values: Decoded[],
  ) {}
}

export class UnreadableValue {
  constructor(readonly reason: string) {}
}

export function encodeValue(value: unknown): Encoded {
  const budget = { left: MAX_ENCODED_ENTRIES };
  return encodeWithin(value, budget, new SetConstructor());
}

function encodeWithin(value: unknown, budget: { left: number }, seen: Set<object>): Encoded {
  if (--budget.left < 0) return { $unreadable: 'value too large' };
  try {
    switch (typeof value) {
      case 'number':
        if (isNaNValue(value)) return { $special: 'NaN' };
        if (value === Infinity) return { $special: 'Infinity' };
        if (value === -Infinity) return { $special: '-Infinity' };
        if (sameValue(value, -0)) return { $special: '-0' };
        return value;
      case 'string':
        return value.length > 10_000 ? value.slice(0, 10_000) + '…' : value;
      case 'boolean':
        return value;
      case 'undefined':
        return { $special: 'undefined' };
      case 'object': {
        if (value === null) return null;
        if (setContains(seen, value)) return { $unreadable: 'circular reference' };
        setInsert(seen, value);
        try {
          if (isArray(value)) {
            const length = value.length;
            if (length > budget.left) return { $unreadable: `array of ${length} entries is too large` };
            const out: Encoded[] = [];
            for (let i = 0; i < length; i++) {
              // A hole is a change in itself, and reading it would fall through to whatever
              // getter a submission planted on Array.prototype for that index.
              append(
                out,
                hasOwn(value, i)
                  ? encodeWithin(value[i], budget, seen)
                  : { $unreadable: `no entry at index ${i} (a hole in the array)` },
              );
            }
            return out;
          }
          if (isView(value) && !(value instanceof DataViewConstructor)) {
            const typed = value as unknown as ArrayLike<number>;
            if (typed.length > budget.left)
              return { $unreadable: `typed array of ${typed.length} entries is too large` };
            const values: Encoded[] = [];
            for (let i = 0; i < typed.length; i++) append(values, encodeWithin(toNumber(typed[i]), budget, seen));
            return { $typed: value.constructor.name, values };
          }
          const out: Record<string, Encoded> = {};
          const keys = objectKeys(value);
          const count = keys.length < 1000 ? keys.length : 1000; // the first 1000 properties
          for (let i = 0; i < count; i++)
            setOwn(out, keys[i], encodeProperty(value as Record<string, unknown>, keys[i], budget, seen));
          return { $object: out };
        } finally {
          setRemove(seen, value);
        }
      }
      default:
        return { $unreadable: `a ${typeof value}` };
    }
  } catch (error) {
    return { $unreadable: `reading it threw: ${describeThrown(error)}` };
  }
}

/** One property, read inside its own try: a throwing getter spoils only its own entry. */
function encodeProperty(
  owner: Record<string, unknown>,
  key: string,
  budget: { left: number },
  seen: Set<object>,
): Encoded {
  try {
    return encodeWithin(owner[key], budget, seen);
  } catch (error) {
    return { $unreadable: `reading ${key} threw: ${describeThrown(error)}` };
  }
}

/** Also runs in the submission's process (arguments for its calls): built without Array.prototype. */
export function decodeValue(encoded: Encoded): Decoded {
  if (encoded === null || typeof encoded !== 'object') return encoded;
  if (isArray(encoded)) return mapArray(encoded, decodeValue);
  if (hasOwn(encoded, '$special')) {
    switch ((encoded as { $special: string }).$special) {
      case 'NaN':
        return NaN;
      case 'Infinity':
        return Infinity;
      case '-Infinity':
        return -Infinity;
      case '-0':
        return -0;
      default:
        return undefined;
    }
  }
  if (hasOwn(encoded, '$typed')) {
    const typed = encoded as { $typed: string; values: Encoded[] };
    return new TypedArrayValue(typed.$typed, mapArray(typed.values, decodeValue));
  }
  if (hasOwn(encoded, '$object')) {
    const object = (encoded as { $object: Record<string, Encoded> }).$object;
    const out: { [key: string]: Decoded } = {};
    const keys = objectKeys(object);
    for (let i = 0; i < keys.length; i++) setOwn(out, keys[i], decodeValue(object[keys[i]]));
    return out;
  }
  return new UnreadableValue((encoded as { $unreadable: string }).$unreadable);
}

/** A short, safe description of anything thrown (student code may throw non-Errors or hostile objects). */
export function describeThrown(error: unknown): string {
  try {
    if (error instanceof Error) return `${error.name}: ${error.message}`;
    return `thrown value ${toText(error)}`;
  } catch {
    return 'an unprintable thrown value';
  }
}
