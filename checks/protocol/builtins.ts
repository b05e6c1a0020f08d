/**
 * The built-ins the protocol's bookkeeping needs, taken when this module loads, before any
 * submission code runs in the same process, and array/object helpers whose writes never go
 * through a prototype.
 *
 * Why: the dispatcher records what the judge relies on besides a return value (the Rng call log,
 * the arguments after a call, the stored data handed to a call) in the submission's own realm.
 * A submission could replace `Array.prototype.map` or `Map.prototype.get` (looked up at call
 * time), or plant a setter on `Array.prototype['0']`, which plain `a[i] = v` and `push` consult
 * when the index is not yet an own property — and so rewrite those records. Here every write is
 * a define of an own data property (prototype setters are never called) and every function is a
 * captured original, applied with the captured `Reflect.apply`.
 */
const apply = Reflect.apply;
const construct = Reflect.construct;
const defineProperty = Reflect.defineProperty;
const hasOwnProperty = Object.prototype.hasOwnProperty;
const mapGet = Map.prototype.get;
const mapSet = Map.prototype.set;
const setHas = Set.prototype.has;
const setAdd = Set.prototype.add;
const setDelete = Set.prototype.delete;

export const parseJson = JSON.parse;
export const stringifyJson = JSON.stringify;
export const isArray = Array.isArray;
export const objectKeys = Object.keys;
export const objectAssign = Object.assign;
export const MapConstructor = Map;
export const SetConstructor = Set;
export const Float64ArrayConstructor = Float64Array;
export const DataViewConstructor = DataView;
export const isView = ArrayBuffer.isView;
export const toNumber = Number;
export const toText = String;
/**
 * Deep copy of plain data the protocol owns (the stored training split): native, fast for big
 * matrices, and it creates its arrays without consulting any prototype.
 */
export const cloneData: <T>(value: T) => T = structuredClone;

/** Defines `key` as an own, writable, enumerable data property (no setter anywhere is called). */
export function setOwn(target: object, key: string | number, value: unknown): void {
  defineProperty(target, key, { value, writable: true, enumerable: true, configurable: true });
}

const getPrototypeOf = Reflect.getPrototypeOf;
const ArrayPrototype = Array.prototype;
const ObjectPrototype = Object.prototype;

/**
 * Appends to an array the protocol created (its `length` is its own). A plain store when no
 * prototype on its chain holds that index (Object.prototype's own prototype cannot be changed,
 * Array.prototype's can): nothing can intercept it then, and it is several times faster than a
 * define, which matters for the thousands of entries of a training run's Rng log.
 */
export function append<T>(target: T[], value: T): void {
  const index = target.length;
  if (
    getPrototypeOf(target) === ArrayPrototype &&
    getPrototypeOf(ArrayPrototype) === ObjectPrototype &&
    !hasOwn(ArrayPrototype, index) &&
    !hasOwn(ObjectPrototype, index)
  ) {
    target[index] = value;
  } else {
    setOwn(target, index, value);
  }
}

export function hasOwn(target: object, key: string | number): boolean {
  return apply(hasOwnProperty, target, [key]) as boolean;
}

/** A new array of fn(item, index) over `source`'s indices, built without Array.prototype. */
export function mapArray<T, U>(source: readonly T[], fn: (item: T, index: number) => U): U[] {
  const out: U[] = [];
  const length = source.length;
  for (let i = 0; i < length; i++) append(out, fn(source[i], i));
  return out;
}

export function copyArray<T>(source: readonly T[]): T[] {
  return mapArray(source, (item) => item);
}

export function mapLookup<K, V>(map: Map<K, V>, key: K): V | undefined {
  return apply(mapGet, map, [key]) as V | undefined;
}

export function mapStore<K, V>(map: Map<K, V>, key: K, value: V): void {
  apply(mapSet, map, [key, value]);
}

export function setContains<T>(set: Set<T>, value: T): boolean {
  return apply(setHas, set, [value]) as boolean;
}

export function setInsert<T>(set: Set<T>, value: T): void {
  apply(setAdd, set, [value]);
}

export function setRemove<T>(set: Set<T>, value: T): void {
  apply(setDelete, set, [value]);
}

export { apply, construct };
