/**
 * The lab contract (/work/shared/lab-contract.md) as data: every export of a submission's rnn.ts
 * with its role, parameters (names, TypeScript types, shapes), result and the check target it
 * feeds. The protocol's callable names, the contract checks' export list and arities, and the type
 * check's signatures are derived from it, so a new export is written here once.
 *
 * Plain data, no imports: the protocol imports it inside the sandbox and in the student handout.
 */

/** A size of the contract: H hidden units, F features, τ time steps, rows of a data matrix, … */
export type Dim = 'H' | 'F' | 'τ' | 'rows' | 'steps' | number;

/** `'number'`, a vector `[n]`, a matrix `[rows, cols]`, or a record of named shapes. */
export type ShapeSpec = 'number' | readonly [Dim] | readonly [Dim, Dim] | { readonly [field: string]: ShapeSpec };

export interface Param {
  name: string;
  /** The TypeScript type as the type check writes it (`RNN` is the submission's own class). */
  type: string;
  /** Absent for things without a size (an Rng, an RNN). */
  shape?: ShapeSpec;
  optional?: true;
}

export interface Signature {
  /** What it does, in one line of Markdown (the contract's words, shortened; the handout's README shows it). */
  role: string;
  params: readonly Param[];
  returns: { type: string; shape: ShapeSpec };
}

export interface FunctionExport extends Signature {
  kind: 'function';
}

export interface ClassExport {
  kind: 'class';
  role: string;
  constructorParams: readonly Param[];
  /** Public, mutable parameters: the checks set and read them directly. */
  fields: Readonly<Record<string, { type: string; shape: ShapeSpec }>>;
  methods: Readonly<Record<string, Signature>>;
}

const matrix = (name: string, rows: Dim, cols: Dim): Param => ({ name, type: 'Matrix', shape: [rows, cols] });
const vector = (name: string, length: Dim): Param => ({ name, type: 'Vector', shape: [length] });
const num = (name: string): Param => ({ name, type: 'number', shape: 'number' });
const rng: Param = { name: 'rng', type: 'Rng' };

/** ∂L/∂… methods share their inputs: the loss's two ends and the forward pass's hidden states. */
const yTrue = num('yTrue');
const yPred = num('yPred');
const hidden = matrix('hidden', 'τ', 'H');
const gradH = matrix('gradH', 'τ', 'H');

const RNN_CLASS = {
  kind: 'class',
  role: 'u (H×F), w (H×H), v (H) drawn with `rng.normal(0, 0.001)`, one per entry in that order; b = 0, c = 0',
  constructorParams: [
    { name: 'hiddenStateSize', type: 'number', shape: 'number', optional: true },
    { name: 'numFeatures', type: 'number', shape: 'number', optional: true },
    { ...rng, optional: true },
  ],
  fields: {
    u: { type: 'Matrix', shape: ['H', 'F'] },
    w: { type: 'Matrix', shape: ['H', 'H'] },
    v: { type: 'Vector', shape: ['H'] },
    b: { type: 'Vector', shape: ['H'] },
    c: { type: 'number', shape: 'number' },
  },
  methods: {
    forward: {
      role: 'hidden states h_1..h_τ (τ×H) and the prediction `yHat = v·h_τ + c`',
      params: [matrix('x', 'τ', 'F')],
      returns: { type: '{ hidden: Matrix; yHat: number }', shape: { hidden: ['τ', 'H'], yHat: 'number' } },
    },
    computeGradH: {
      role: 'row t-1 = ∂L/∂h_t, through every later step',
      params: [yTrue, yPred, hidden],
      returns: { type: 'Matrix', shape: ['τ', 'H'] },
    },
    computeGradC: { role: '∂L/∂c', params: [yTrue, yPred], returns: { type: 'number', shape: 'number' } },
    computeGradB: { role: '∂L/∂b', params: [hidden, gradH], returns: { type: 'Vector', shape: ['H'] } },
    computeGradV: { role: '∂L/∂v', params: [yTrue, yPred, hidden], returns: { type: 'Vector', shape: ['H'] } },
    computeGradW: { role: '∂L/∂W', params: [hidden, gradH], returns: { type: 'Matrix', shape: ['H', 'H'] } },
    computeGradU: {
      role: '∂L/∂U',
      params: [hidden, gradH, matrix('x', 'τ', 'F')],
      returns: { type: 'Matrix', shape: ['H', 'F'] },
    },
    getGradients: {
      role: 'all five gradients, as the methods above compute them',
      params: [matrix('x', 'τ', 'F'), yTrue, yPred, hidden],
      returns: {
        type: '{ c: number; b: Vector; v: Vector; w: Matrix; u: Matrix }',
        shape: { c: 'number', b: ['H'], v: ['H'], w: ['H', 'H'], u: ['H', 'F'] },
      },
    },
  },
} as const satisfies ClassExport;

/** Every export of rnn.ts, in the order rnn.ts defines them (the type check reports in this order). */
export const LAB = {
  numTrainSamples: {
    kind: 'function',
    role: 'rows in the training split: whole days (a multiple of 24) within 24 rows of 80 %, never more than numRows',
    params: [num('numRows')],
    returns: { type: 'number', shape: 'number' },
  },
  columnMeans: {
    kind: 'function',
    role: 'per-column mean',
    params: [matrix('data', 'rows', 'F')],
    returns: { type: 'Vector', shape: ['F'] },
  },
  columnStds: {
    kind: 'function',
    role: 'per-column sample standard deviation (divide by n − 1)',
    params: [matrix('data', 'rows', 'F')],
    returns: { type: 'Vector', shape: ['F'] },
  },
  standardize: {
    kind: 'function',
    role: '`(x − mean) / std` per column, as a new matrix',
    params: [matrix('data', 'rows', 'F'), vector('means', 'F'), vector('stds', 'F')],
    returns: { type: 'Matrix', shape: ['rows', 'F'] },
  },
  getRandomDay: {
    kind: 'function',
    role: '24 consecutive rows `x` and the TEMP (column 1) of the row after them; exactly one call `rng.int(data.length - 24)`',
    params: [matrix('data', 'rows', 'F'), rng],
    returns: { type: '{ x: Matrix; y: number }', shape: { x: [24, 'F'], y: 'number' } },
  },
  mseLoss: {
    kind: 'function',
    role: '`(yTrue − yPred)²`',
    params: [yTrue, yPred],
    returns: { type: 'number', shape: 'number' },
  },
  RNN: RNN_CLASS,
  doTrainingStep: {
    kind: 'function',
    role: "one SGD step on a batch from `getRandomDay`; returns the batch's mean loss",
    params: [{ name: 'rnn', type: 'RNN' }, matrix('data', 'rows', 'F'), num('batchSize'), num('lr'), rng],
    returns: { type: 'number', shape: 'number' },
  },
  trainRnn: {
    kind: 'function',
    role: '`new RNN(10, 6, rng)` trained for `numSteps` steps with batch 32 and learning rate 0.01',
    params: [matrix('data', 'rows', 'F'), num('numSteps'), rng],
    returns: { type: '{ rnn: RNN; losses: number[] }', shape: { losses: ['steps'] } },
  },
} as const satisfies Record<string, FunctionExport | ClassExport>;

export type ExportName = keyof typeof LAB;
export type TopLevelFunction = {
  [K in ExportName]: (typeof LAB)[K]['kind'] extends 'function' ? K : never;
}[ExportName];
export type RnnMethod = keyof typeof RNN_CLASS.methods;
export type RnnField = keyof typeof RNN_CLASS.fields;
/** What a check judges (`CheckDefinition.target`): rnn.ts as a whole, a function, the constructor or a method. */
export type Target = 'rnn.ts' | TopLevelFunction | 'RNN.constructor' | `RNN.${RnnMethod}`;

const keys = Object.keys as <T extends object>(record: T) => Array<keyof T & string>;

export const EXPORT_NAMES: readonly ExportName[] = keys(LAB);
export const TOP_LEVEL_FUNCTIONS: readonly TopLevelFunction[] = EXPORT_NAMES.filter(
  (name): name is TopLevelFunction => LAB[name].kind === 'function',
);
export const RNN_METHODS: readonly RnnMethod[] = keys(RNN_CLASS.methods);
export const RNN_FIELDS: readonly RnnField[] = keys(RNN_CLASS.fields);
export const TARGETS: readonly Target[] = [
  'rnn.ts',
  ...TOP_LEVEL_FUNCTIONS,
  'RNN.constructor',
  ...RNN_METHODS.map((method) => `RNN.${method}` as const),
];

export function functionSignature(name: TopLevelFunction): Signature {
  return LAB[name];
}

export function methodSignature(name: RnnMethod): Signature {
  return RNN_CLASS.methods[name];
}

/** A shape with the sizes filled in (the same as checks/catalogue/shapes.ts's Shape). */
export type SizedShape =
  | { kind: 'number' }
  | { kind: 'vector'; length: number }
  | { kind: 'matrix'; rows: number; cols: number }
  | { kind: 'record'; fields: Record<string, SizedShape> };

/** `spec` for one case, e.g. `shapeOf(['H', 'F'], { H: 10, F: 6 })` → a 10×6 matrix. */
export function shapeOf(spec: ShapeSpec, sizes: Partial<Record<Dim, number>>): SizedShape {
  const size = (dim: Dim): number => {
    const value = typeof dim === 'number' ? dim : sizes[dim];
    if (value === undefined) throw new Error(`internal: no size given for ${dim}`);
    return value;
  };
  if (spec === 'number') return { kind: 'number' };
  if (Array.isArray(spec)) {
    const dims = spec as readonly Dim[];
    return dims.length === 1
      ? { kind: 'vector', length: size(dims[0]) }
      : { kind: 'matrix', rows: size(dims[0]), cols: size(dims[1]) };
  }
  const fields = spec as { readonly [field: string]: ShapeSpec };
  return {
    kind: 'record',
    fields: Object.fromEntries(Object.keys(fields).map((name) => [name, shapeOf(fields[name], sizes)])),
  };
}

export { RNN_CLASS };
