/**
 * Seeded, reproducible random numbers for the lab.
 *
 * The stream comes from the Mersenne Twister MT19937 (Matsumoto & Nishimura, 1998) with its
 * standard `init_genrand` seeding, as implemented by the `pure-rand` package in 32-bit integer
 * arithmetic only: the same seed gives the same stream on every machine and Node version.
 * (xoroshiro128+ was tried first: seeded with a small integer, its first outputs are far from
 * uniform — the first normal() of many small seeds was beyond 4σ — because its 128-bit state is
 * filled from 32 bits without mixing. MT19937's seeding mixes the seed into its whole state.)
 *
 * - `uniform()`  : 53-bit float in [0, 1)           (pure-rand `uniformFloat64`)
 * - `int(n)`     : integer in [0, n), unbiased       (pure-rand `uniformInt`, rejection sampling)
 * - `normal(m,s)`: Box–Muller transform of two `uniform()` draws; one value per call, no caching,
 *                  so every call consumes exactly two uniforms.
 */
import { mersenne } from 'pure-rand/generator/mersenne';
import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import { uniformInt } from 'pure-rand/distribution/uniformInt';

export interface Rng {
  /** A float drawn uniformly from [0, 1). */
  uniform(): number;
  /** A float drawn from Normal(mean, std²). */
  normal(mean: number, std: number): number;
  /** An integer drawn uniformly from 0, 1, …, maxExclusive - 1. */
  int(maxExclusive: number): number;
}

/** Creates a generator whose stream depends only on `seed` (an integer; only its low 32 bits are used). */
export function createRng(seed: number): Rng {
  if (!Number.isInteger(seed)) {
    throw new RangeError(`createRng: seed must be an integer, got ${seed}`);
  }
  const generator = mersenne(seed | 0);
  const uniform = (): number => uniformFloat64(generator);
  return {
    uniform,
    normal(mean: number, std: number): number {
      // 1 - uniform() lies in (0, 1], so the logarithm is always finite.
      const radius = Math.sqrt(-2 * Math.log(1 - uniform()));
      const angle = 2 * Math.PI * uniform();
      return mean + std * radius * Math.cos(angle);
    },
    int(maxExclusive: number): number {
      if (!Number.isSafeInteger(maxExclusive) || maxExclusive < 1) {
        throw new RangeError(`Rng.int: maxExclusive must be a positive integer, got ${maxExclusive}`);
      }
      return uniformInt(generator, 0, maxExclusive - 1);
    },
  };
}
