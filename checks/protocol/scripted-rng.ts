/**
 * Generators handed to submission code: seeded ones, and scripted ones whose int() answers are
 * chosen by the check (to probe the first and last windows of getRandomDay, or to know which
 * days a training step drew). Every call is logged, so the judge can verify that the submission
 * drew exactly what the contract allows.
 */
import { createRng } from 'rnn-lab';
import type { Rng } from 'rnn-lab';
import { append, copyArray } from './builtins';
import type { RngCall, RngSpec } from './requests';

// Taken at load, before submission code runs; the log is written with own-property defines, so
// replacing built-ins or planting accessors on Array.prototype later cannot hide or forge draws.
const min = Math.min;
const isSafeInteger = Number.isSafeInteger;

export function createLoggedRng(spec: RngSpec, log: RngCall[]): Rng {
  const base = createRng(spec.seed);
  const script = spec.kind === 'scripted' ? copyArray(spec.ints) : undefined;
  let scripted = 0;
  const record = (method: RngCall['method'], args: number[], result: number) => {
    if (log.length < 1_000_000) append(log, { method, args, result });
    return result;
  };
  return {
    uniform: () => record('uniform', [], base.uniform()),
    normal: (mean: number, std: number) => record('normal', [mean, std], base.normal(mean, std)),
    int: (maxExclusive: number) => {
      if (!script) return record('int', [maxExclusive], base.int(maxExclusive));
      if (!isSafeInteger(maxExclusive) || maxExclusive < 1) {
        throw new RangeError(`Rng.int: maxExclusive must be a positive integer, got ${maxExclusive}`);
      }
      const next = scripted < script.length ? script[scripted++] : undefined;
      if (next === undefined) throw new Error('the check expected fewer calls of rng.int() than this code made');
      const value = next === 'last' ? maxExclusive - 1 : min(next, maxExclusive - 1);
      return record('int', [maxExclusive], value);
    },
  };
}
