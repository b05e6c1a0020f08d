/**
 * Is a returned value of the shape the contract promises, with finite numbers only? Answers
 * with a sentence a student can act on, or null when it is.
 */
import { TypedArrayValue, UnreadableValue } from '../protocol/encode';
import type { Decoded } from '../protocol/encode';

export type Shape =
  | { kind: 'number' }
  | { kind: 'vector'; length: number }
  | { kind: 'matrix'; rows: number; cols: number }
  | { kind: 'record'; fields: Record<string, Shape> };

export function describeShape(shape: Shape): string {
  switch (shape.kind) {
    case 'number':
      return 'a number';
    case 'vector':
      return `an array of ${shape.length} numbers`;
    case 'matrix':
      return `a ${shape.rows}×${shape.cols} matrix (array of ${shape.rows} rows of ${shape.cols} numbers)`;
    case 'record':
      return `an object { ${Object.entries(shape.fields)
        .map(([key, field]) => `${key}: ${describeShape(field)}`)
        .join(', ')} }`;
  }
}

export function describeValue(value: Decoded): string {
  if (value === undefined) return 'undefined';
  if (value === null) return 'null';
  if (typeof value === 'number') return Number.isNaN(value) ? 'NaN' : String(value);
  if (typeof value === 'string') return `the string "${value.slice(0, 40)}"`;
  if (typeof value === 'boolean') return `the boolean ${value}`;
  if (value instanceof TypedArrayValue)
    return `a ${value.kind} of ${value.values.length} entries (the contract asks for a plain number[])`;
  if (value instanceof UnreadableValue) return `a value that could not be read (${value.reason})`;
  if (Array.isArray(value)) {
    const first = value[0];
    if (Array.isArray(first)) return `an array of ${value.length} rows (the first has ${first.length} entries)`;
    return `an array of ${value.length} entries`;
  }
  return `an object with keys ${Object.keys(value).join(', ') || '(none)'}`;
}

function formatIndex(path: Array<string | number>): string {
  return path.map((part) => (typeof part === 'number' ? `[${part}]` : `.${part}`)).join('');
}

/** null when `value` has `shape` and only finite numbers; otherwise what is wrong. */
export function shapeProblem(value: Decoded, shape: Shape, path: Array<string | number> = []): string | null {
  const where = path.length ? ` at ${formatIndex(path)}` : '';
  switch (shape.kind) {
    case 'number':
      if (typeof value !== 'number') return `expected a number${where}, got ${describeValue(value)}`;
      if (!Number.isFinite(value)) return `got ${describeValue(value)}${where} (every value must be a finite number)`;
      return null;
    case 'vector': {
      if (!Array.isArray(value) || value.length !== shape.length)
        return `expected ${describeShape(shape)}${where}, got ${describeValue(value)}`;
      for (let i = 0; i < value.length; i++) {
        const problem = shapeProblem(value[i], { kind: 'number' }, [...path, i]);
        if (problem) return problem;
      }
      return null;
    }
    case 'matrix': {
      if (!Array.isArray(value) || value.length !== shape.rows)
        return `expected ${describeShape(shape)}${where}, got ${describeValue(value)}`;
      for (let r = 0; r < value.length; r++) {
        const problem = shapeProblem(value[r], { kind: 'vector', length: shape.cols }, [...path, r]);
        if (problem)
          return problem.startsWith('expected an array')
            ? `expected ${describeShape(shape)}${where}, but row ${r} is ${describeValue(value[r])}`
            : problem;
      }
      return null;
    }
    case 'record': {
      if (
        value === null ||
        typeof value !== 'object' ||
        Array.isArray(value) ||
        value instanceof TypedArrayValue ||
        value instanceof UnreadableValue
      ) {
        return `expected ${describeShape(shape)}${where}, got ${describeValue(value)}`;
      }
      for (const [key, field] of Object.entries(shape.fields)) {
        const problem = shapeProblem((value as Record<string, Decoded>)[key], field, [...path, key]);
        if (problem) return problem;
      }
      return null;
    }
  }
}

/** Exact structural equality of decoded values (for "did the call change its inputs?"). */
export function sameValue(a: Decoded, b: Decoded): boolean {
  if (typeof a === 'number' && typeof b === 'number') return Object.is(a, b) || a === b;
  if (Array.isArray(a) && Array.isArray(b))
    return a.length === b.length && a.every((entry, i) => sameValue(entry, b[i]));
  if (
    a instanceof TypedArrayValue ||
    b instanceof TypedArrayValue ||
    a instanceof UnreadableValue ||
    b instanceof UnreadableValue
  )
    return false;
  if (a && b && typeof a === 'object' && typeof b === 'object') {
    const keys = Object.keys(a);
    return (
      keys.length === Object.keys(b).length &&
      keys.every((key) => sameValue((a as Record<string, Decoded>)[key], (b as Record<string, Decoded>)[key]))
    );
  }
  return a === b;
}

/** The RNN's parameters, or their gradients as getGradients returns them, for H hidden units and F features. */
export function paramsShape(hiddenSize: number, numFeatures: number): Extract<Shape, { kind: 'record' }> {
  return {
    kind: 'record',
    fields: {
      c: { kind: 'number' },
      b: { kind: 'vector', length: hiddenSize },
      v: { kind: 'vector', length: hiddenSize },
      w: { kind: 'matrix', rows: hiddenSize, cols: hiddenSize },
      u: { kind: 'matrix', rows: hiddenSize, cols: numFeatures },
    },
  };
}
