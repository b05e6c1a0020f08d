/**
 * The contract itself: every export exists with the right kind and number of parameters, and the
 * constructor builds parameters of the right shapes from the generator it is given. Nothing here
 * knows the solution, so these checks can ship in the student handout.
 */
import type { CheckDefinition, CheckOutcome } from '../types';
import { checkProperty, seededCases } from './property';
import type { Decoded } from '../protocol/encode';
import type { CallRequest } from '../protocol/requests';
import { compareNumeric, SUBMISSION_TOLERANCE } from '../numeric/tolerance';
import { sameValue, shapeProblem } from './shapes';
import { RULES, ruleSentence } from './rules';
import {
  functionSignature,
  methodSignature,
  RNN_CLASS,
  RNN_FIELDS,
  RNN_METHODS,
  shapeOf,
  TOP_LEVEL_FUNCTIONS,
} from '../lab/definition';
import type { Signature } from '../lab/definition';

/** Function.length of every export and method: the lab definition's parameters (none has a default). */
const arity = (signature: Signature) => signature.params.length;
type ExportInfo = { kind: string; arity?: number; methods?: Record<string, number> };

const exportsCheck: CheckDefinition = {
  id: 'contract.exports',
  target: 'rnn.ts',
  title: 'rnn.ts exports every function and the RNN class of the lab contract',
  points: 0,
  visibility: 'public',
  timeoutMs: 10_000,
  async run(context): Promise<CheckOutcome> {
    const { value } = await context.runner.call({ op: 'exports' });
    const exported = (value ?? {}) as unknown as Record<string, ExportInfo>;
    const problems: string[] = [];
    for (const name of TOP_LEVEL_FUNCTIONS) {
      const info = exported[name];
      const declared = arity(functionSignature(name));
      if (!info) problems.push(`${name} is not exported`);
      else if (info.kind !== 'function')
        problems.push(
          `${name} should be a function, but it is ${info.kind === 'class' ? 'a class' : `a ${info.kind}`}`,
        );
      else if (info.arity !== declared)
        problems.push(`${name} should take ${declared} parameter(s), it declares ${info.arity}`);
    }
    const rnn = exported.RNN;
    if (!rnn) problems.push('the class RNN is not exported');
    else if (rnn.kind !== 'class' && rnn.kind !== 'function')
      problems.push(`RNN should be a class, but it is a ${rnn.kind}`);
    else {
      const methods = rnn.methods ?? {};
      for (const name of RNN_METHODS) {
        const declared = arity(methodSignature(name));
        if (!(name in methods)) problems.push(`RNN has no method ${name}`);
        else if (methods[name] !== declared)
          problems.push(`RNN.${name} should take ${declared} parameter(s), it declares ${methods[name]}`);
      }
    }
    if (problems.length === 0) return { status: 'passed', message: '' };
    return { status: 'failed', message: `The exports do not match the lab contract: ${problems.join('; ')}.` };
  },
};

const PARAM_STD = 0.001;

/** `new RNN(H, F, rng)` with a generator seeded with `seed`. */
function constructRequest(H: number, F: number, seed: number): CallRequest {
  return { op: 'construct', hiddenStateSize: H, numFeatures: F, rng: { kind: 'seeded', seed } };
}

const constructorCheck: CheckDefinition = {
  id: 'rnn.constructor',
  target: 'RNN.constructor',
  title: 'new RNN(H, F, rng) draws U, W, v from Normal(0, 0.001) with rng, b = 0 and c = 0',
  points: 0,
  visibility: 'public',
  timeoutMs: 10_000,
  run: (context) =>
    checkProperty(
      context,
      {
        arbitrary: seededCases({ hiddenSize: [1, 12], numFeatures: [1, 8] }),
        examples: [{ hiddenSize: 10, numFeatures: 6, seed: 1 }],
        describe: (c) => `new RNN(${c.hiddenSize}, ${c.numFeatures}, rng seeded with ${c.seed})`,
        requests: (c) => [
          constructRequest(c.hiddenSize, c.numFeatures, c.seed),
          constructRequest(c.hiddenSize, c.numFeatures, c.seed),
        ],
      },
      async ({ hiddenSize: H, numFeatures: F, seed }) => {
        const build = (s: number) => context.runner.call(constructRequest(H, F, s));
        const first = await build(seed);
        const rule = ruleSentence(RULES.constructor);
        const problem = parameterProblem(first.value, H, F, `new RNN(${H}, ${F}, rng)`);
        if (problem) return { status: 'failed', message: `${problem} ${rule}` };
        if (first.rngLog.length === 0)
          return {
            status: 'failed',
            message: `The constructor did not draw anything from the rng it was given: every random number must come from it, so that runs are reproducible. ${rule}`,
          };
        const again = await build(seed);
        if (!sameValue(again.value, first.value))
          return {
            status: 'failed',
            message: `Two networks built with generators of the same seed differ: draw every random number from the rng argument. ${rule}`,
          };
        // The contract fixes the draws exactly (so that runs are reproducible across submissions):
        // one rng.normal(0, 0.001) per entry of u, w, v, in that order, row by row.
        const params = first.value as unknown as { u: number[][]; w: number[][]; v: number[] };
        const entries = [...params.u.flat(), ...params.w.flat(), ...params.v];
        const draws = first.rngLog;
        const made = draws.map((draw) => `${draw.method}(${draw.args.join(', ')})`);
        if (
          draws.length !== entries.length ||
          draws.some((draw) => draw.method !== 'normal' || draw.args[0] !== 0 || draw.args[1] !== PARAM_STD)
        ) {
          return {
            status: 'failed',
            message: `new RNN(${H}, ${F}, rng) made ${draws.length} call(s) of rng (${made.slice(0, 3).join(', ')}${made.length > 3 ? ', …' : ''}); it should make ${entries.length}, each rng.normal(0, 0.001). ${rule}`,
          };
        }
        const misplaced = entries.findIndex(
          (entry, i) => !compareNumeric(entry, draws[i].result, SUBMISSION_TOLERANCE).ok,
        );
        if (misplaced >= 0) {
          return {
            status: 'failed',
            message: `new RNN(${H}, ${F}, rng): entry ${misplaced} of u, w, v (in that order, row by row) is ${entries[misplaced]}, but draw ${misplaced} of rng was ${draws[misplaced].result}: each entry takes its own draw, in order. ${rule}`,
          };
        }
        return null;
      },
    ),
};

/**
 * The constructor without rng: the contract makes rng optional ("without rng any source of normal
 * draws", given in the handout). The draws are then not reproducible, so only what holds for any
 * source is judged, on fixed sizes: shapes, b and c zero, and U, W, v spread like Normal(0, 0.001)
 * (170 draws: outside ±50 % of σ with probability far below 1e-30).
 */
const constructorWithoutRngCheck: CheckDefinition = {
  id: 'rnn.constructor.default',
  target: 'RNN.constructor',
  title: 'new RNN(H, F) without rng still builds U, W, v from Normal(0, 0.001), b = 0 and c = 0',
  points: 0,
  visibility: 'public',
  timeoutMs: 5_000,
  async run(context): Promise<CheckOutcome> {
    for (const [H, F] of [
      [10, 6],
      [3, 2],
    ] as const) {
      const built = await context.runner.call({ op: 'construct', hiddenStateSize: H, numFeatures: F, rng: null });
      const problem = parameterProblem(built.value, H, F, `new RNN(${H}, ${F}) (no rng)`);
      if (problem)
        return {
          status: 'failed',
          message: `${problem} ${ruleSentence(`${RULES.constructor}; ${RULES.constructorWithoutRng}`)}`,
        };
    }
    return { status: 'passed', message: '' };
  },
};

/** Shapes, zero b and c, and the spread of the drawn entries; null when right. */
function parameterProblem(value: Decoded, H: number, F: number, call: string): string | null {
  const fields = Object.fromEntries(RNN_FIELDS.map((name) => [name, RNN_CLASS.fields[name].shape]));
  const problem = shapeProblem(value, shapeOf(fields, { H, F }));
  if (problem) return `After ${call} the parameters have the wrong shape: ${problem}.`;
  const params = value as unknown as { u: number[][]; w: number[][]; v: number[]; b: number[]; c: number };
  if (params.b.some((entry) => entry !== 0) || params.c !== 0) return `After ${call}, b and c must be zero.`;
  const drawn = [...params.u.flat(), ...params.w.flat(), ...params.v];
  const std = Math.sqrt(drawn.reduce((sum, entry) => sum + entry * entry, 0) / drawn.length);
  // With n draws, the sample std of Normal(0, σ) is within ±5σ/√(2n) of σ except with negligible probability.
  const slack = Math.max((5 * PARAM_STD) / Math.sqrt(2 * drawn.length), PARAM_STD * 0.5);
  if (drawn.length >= 4 && Math.abs(std - PARAM_STD) > slack)
    return `After ${call}, U, W and v should be drawn from Normal(0, 0.001); their spread is ${std.toPrecision(3)}.`;
  return null;
}

export const CONTRACT_CHECKS: CheckDefinition[] = [exportsCheck, constructorCheck, constructorWithoutRngCheck];
