/**
 * Loads the WebAssembly kernel of the reference's fused training step (fused-step.wat, committed
 * assembled in fused-step-binary.ts) and lays out its memory for a model's sizes.
 *
 * `fusedTrainingStep` in reference/rnn.ts takes the kernel when `wasmLanes` gives one, and its own
 * JavaScript otherwise: without WebAssembly or its SIMD (the module is validated once), with the
 * kernel switched off (`setWasmFusedStep(false)`, for tests and A/B timing), or for sizes whose
 * buffers would pass MAX_BYTES. The students' handout ships none of this (handout/files.ts copies
 * only the skeleton of rnn.ts, which drops the region importing it).
 */
import { FUSED_STEP_WASM_BASE64 } from './fused-step-binary';

/** The kernel's buffers (views of its memory, laid out as fused-step.wat says) and its two calls. */
export interface WasmLanes {
  readonly U: Float64Array;
  readonly W: Float64Array;
  readonly B: Float64Array;
  readonly V: Float64Array;
  /** [t][j][lane] */
  readonly X: Float64Array;
  /** [t][i][lane] */
  readonly h: Float64Array;
  readonly yHat: Float64Array;
  readonly ys: Float64Array;
  readonly sumU: Float64Array;
  readonly sumW: Float64Array;
  readonly sumB: Float64Array;
  readonly sumV: Float64Array;
  /** h for every t, and yHat, of the block in X. */
  forward(c: number): void;
  /** The block's gradients, lanes 0…real-1 added into the sums. */
  backward(real: number): void;
  /** Ends the step using these buffers: until then, wasmLanes gives no other. */
  release(): void;
}

/** What this file uses of the WebAssembly API (the project's TypeScript libraries do not declare it). */
interface WebAssemblyApi {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: unknown };
}

interface KernelExports {
  memory: { readonly buffer: ArrayBuffer; grow(pages: number): number };
  layout(...sizesAndOffsets: number[]): void;
  forward(c: number): void;
  backward(real: number): void;
  tanhRows(src: number, dst: number, rows: number): void;
}

const LANES = 8;
const BYTES = 8;
const PAGE = 65536;
/** Beyond this the offsets would near i32's range; such sizes take the JavaScript step. */
const MAX_BYTES = 256 * 2 ** 20;

let kernel: KernelExports | null | undefined; // undefined: not loaded yet; null: unavailable here
let enabled = true;
let current: { H: number; F: number; T: number; buffer: ArrayBuffer; lanes: WasmLanes } | undefined;
/** Whether a step holds the buffers (one memory, one step at a time). */
let inUse = false;
const release = () => {
  inUse = false;
};

function load(): KernelExports | null {
  try {
    const api = (globalThis as { WebAssembly?: WebAssemblyApi }).WebAssembly;
    if (typeof api !== 'object') return null;
    const bytes = Uint8Array.from(Buffer.from(FUSED_STEP_WASM_BASE64, 'base64'));
    // Without SIMD the module does not validate (and without WebAssembly there is no api): JavaScript it is.
    if (!api.validate(bytes)) return null;
    return new api.Instance(new api.Module(bytes), {}).exports as KernelExports;
  } catch {
    return null;
  }
}

/** Whether the kernel runs here (WebAssembly with SIMD); loads it on the first call. */
export function wasmFusedStepAvailable(): boolean {
  if (kernel === undefined) kernel = load();
  return kernel !== null;
}

/** Switches the kernel on or off (on by default); returns the previous setting. */
export function setWasmFusedStep(on: boolean): boolean {
  const previous = enabled;
  enabled = on;
  return previous;
}

/**
 * The kernel's buffers for H hidden units, F features and T steps, its sums zeroed, or undefined
 * when the JavaScript step must run (see the file comment).
 */
export function wasmLanes(H: number, F: number, T: number): WasmLanes | undefined {
  if (!enabled || inUse || !wasmFusedStepAvailable() || !(T >= 1)) return undefined;
  const exports = kernel!;
  if (current?.H !== H || current.F !== F || current.T !== T || current.buffer !== exports.memory.buffer) {
    const lanes = layOut(exports, H, F, T);
    if (lanes === undefined) return undefined;
    current = { H, F, T, buffer: exports.memory.buffer, lanes };
  }
  const { lanes } = current;
  lanes.sumU.fill(0);
  lanes.sumW.fill(0);
  lanes.sumB.fill(0);
  lanes.sumV.fill(0);
  inUse = true;
  return lanes;
}

/** The kernel's tanh of each of `xs` (for tests: it compares with the reference's tanh), or undefined without the kernel. */
export function wasmTanh(xs: Float64Array): Float64Array | undefined {
  if (!wasmFusedStepAvailable()) return undefined;
  if (inUse) throw new Error('wasmTanh: a training step holds the kernel');
  const { memory, tanhRows } = kernel!;
  const rows = Math.ceil(xs.length / LANES);
  const bytes = rows * LANES * BYTES; // the values, then their tanh
  if (memory.buffer.byteLength < 2 * bytes) memory.grow(Math.ceil((2 * bytes - memory.buffer.byteLength) / PAGE));
  current = undefined; // its buffers are overwritten: the next step lays them out again
  new Float64Array(memory.buffer, 0, rows * LANES).set(xs);
  tanhRows(0, bytes, rows);
  const values = new Float64Array(memory.buffer, bytes, rows * LANES);
  return values.slice(0, xs.length);
}

function layOut(exports: KernelExports, H: number, F: number, T: number): WasmLanes | undefined {
  // Lane rows first (64-byte multiples keep every v128 aligned), then the row-major arrays.
  const lengths = {
    X: T * F * LANES,
    h: T * H * LANES,
    l: T * H * LANES,
    g: H * LANES,
    pre: H * LANES,
    yHat: LANES,
    ys: LANES,
    ones: LANES,
    U: H * F,
    W: H * H,
    B: H,
    V: H,
    sumU: H * F,
    sumW: H * H,
    sumB: H,
    sumV: H,
  };
  const offsets = {} as Record<keyof typeof lengths, number>;
  let end = 0;
  for (const name of Object.keys(lengths) as (keyof typeof lengths)[]) {
    offsets[name] = end;
    end += lengths[name] * BYTES;
  }
  if (!(end <= MAX_BYTES)) return undefined;
  const { memory } = exports;
  if (memory.buffer.byteLength < end) {
    try {
      memory.grow(Math.ceil((end - memory.buffer.byteLength) / PAGE));
    } catch {
      return undefined; // no memory to spare: the JavaScript step allocates its own
    }
  }
  const o = offsets;
  exports.layout(
    H,
    F,
    T,
    o.U,
    o.W,
    o.B,
    o.V,
    o.X,
    o.h,
    o.l,
    o.g,
    o.pre,
    o.yHat,
    o.ys,
    o.sumU,
    o.sumW,
    o.sumB,
    o.sumV,
    o.ones,
  );
  const view = (name: keyof typeof lengths) => new Float64Array(memory.buffer, offsets[name], lengths[name]);
  view('ones').fill(1);
  return {
    U: view('U'),
    W: view('W'),
    B: view('B'),
    V: view('V'),
    X: view('X'),
    h: view('h'),
    yHat: view('yHat'),
    ys: view('ys'),
    sumU: view('sumU'),
    sumW: view('sumW'),
    sumB: view('sumB'),
    sumV: view('sumV'),
    forward: exports.forward,
    backward: exports.backward,
    release,
  };
}
